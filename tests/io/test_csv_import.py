"""Reading customer files as spreadsheets write them, and importing them into a store."""

import pytest

from salesdesk.io.cells import DAY_FIRST, MONTH_FIRST
from salesdesk.io.csv_import import read_customers_csv, sniff_delimiter
from salesdesk.io.textfile import UnreadableFile
from tests.io.helpers import change_count, customers, run_import, write

CHINESE_EXCEL = (
    "姓名,公司,职位,手机,邮箱,行业,标签,生日,合同到期,来源,负责人,备注,微信,地区\r\n"
    "张伟,恒达贸易,采购经理,138 0013 8000,zhang.wei@example.cn,制造,重要客户、北京,1985/3/15,"
    '2027-06-30,展会,bob,"老客户，\r\n喜欢喝茶",zw1985,华北\r\n'
    "李娜,华光科技,CEO,+86 139 1234 5678,lina@example.cn,科技,VIP|上海,--07-01,,推荐,,,,\r\n"
)
EUROPEAN_EXCEL = (
    "Name;Company;E-Mail;Phone;Birthday;Tags;Notes\r\n"
    'Jürgen Müller;Größe AG;jm@example.de;+49 30 1234567;15.03.1970;Kunde;"Straße ""Nord"""\r\n'
    'Zoë Ça;Crème S.à r.l.;zoe@example.fr;;;"Kunde, Paris";"Première;\r\nligne"\r\n'
)


def test_chinese_excel_gb18030_with_chinese_headers(tmp_path, store):
    path = write(tmp_path / "客户.csv", CHINESE_EXCEL, "gb18030")
    batch, result = run_import(store, path)
    assert batch.described == "GB18030 (detected), comma-separated (detected)"
    assert batch.extra_columns == ["地区"]
    assert (result.created, result.updated, batch.refusals) == (2, 0, [])
    zhang, li = customers(store)
    assert {
        k: zhang[k]
        for k in (
            "name",
            "company",
            "title",
            "phone",
            "email",
            "industry",
            "handle",
            "birthday",
            "contract_end",
            "source",
            "owner",
            "notes",
        )
    } == {
        "name": "张伟",
        "company": "恒达贸易",
        "title": "采购经理",
        "phone": "138 0013 8000",
        "email": "zhang.wei@example.cn",
        "industry": "制造",
        "handle": "zw1985",
        "birthday": "1985-03-15",
        "contract_end": "2027-06-30",
        "source": "展会",
        "owner": "bob",
        "notes": "老客户，\r\n喜欢喝茶\n地区: 华北",
    }
    assert store.tags_of(zhang["id"]) == ["北京", "重要客户"]
    assert (li["name"], li["phone"], li["birthday"], li["owner"]) == (
        "李娜",
        "+86 139 1234 5678",
        "--07-01",
        "ann",
    )  # no owner given: the importer
    assert store.tags_of(li["id"]) == ["VIP", "上海"]


def test_european_excel_semicolons_with_a_byte_order_mark(tmp_path, store):
    path = write(tmp_path / "kunden.csv", "\ufeff" + EUROPEAN_EXCEL)
    batch, result = run_import(store, path)
    assert batch.described == "UTF-8 with BOM (detected), semicolon-separated (detected)"
    assert result.created == 2 and batch.refusals == []
    jurgen, zoe = customers(store)
    assert (jurgen["name"], jurgen["company"], jurgen["birthday"], jurgen["notes"]) == (
        "Jürgen Müller",
        "Größe AG",
        "1970-03-15",
        'Straße "Nord"',
    )
    assert (zoe["name"], zoe["company"], zoe["notes"]) == ("Zoë Ça", "Crème S.à r.l.", "Première;\r\nligne")
    assert store.tags_of(zoe["id"]) == ["Kunde", "Paris"]


@pytest.mark.parametrize("delimiter, name", [(",", "comma"), (";", "semicolon"), ("\t", "tab")])
def test_each_delimiter_is_detected(tmp_path, delimiter, name):
    text = (
        delimiter.join(["name", "company", "notes"])
        + "\n"
        + delimiter.join(["Ada", "Analytical, Ltd; Co", '"a\tb"' if delimiter == "\t" else "x"])
        + "\n"
    )
    if delimiter != "\t":
        text = text.replace("Analytical, Ltd; Co", '"Analytical, Ltd; Co"')
    batch = read_customers_csv(write(tmp_path / "f.csv", text))
    assert batch.described.endswith(f"{name}-separated (detected)")
    assert batch.customers[0].values["company"] == "Analytical, Ltd; Co"


def test_excel_sep_line_names_the_delimiter(tmp_path):
    batch = read_customers_csv(write(tmp_path / "f.csv", "sep=;\nname;company\nAda,Lovelace;Analytical\n"))
    assert batch.customers[0].values == {"name": "Ada,Lovelace", "company": "Analytical"}
    assert batch.customers[0].line == 3


def test_given_delimiter_and_encoding_win(tmp_path):
    path = write(tmp_path / "f.txt", "name|company\nAda|Analytical\n", "latin-1")
    batch = read_customers_csv(path, delimiter="|", encoding="latin-1")
    assert batch.customers[0].values == {"name": "Ada", "company": "Analytical"}
    assert batch.described == "latin-1 (as given), '|'-separated (as given)"
    batch = read_customers_csv(write(tmp_path / "t.tsv", "name\tcompany\nAda\tX\n"), delimiter="tab")
    assert batch.customers[0].values == {"name": "Ada", "company": "X"}


def test_sniffing_prefers_the_delimiter_that_splits_rows_consistently():
    text = "name;company;notes\nAda;Analytical;likes tea, coffee\nBob;Builder;a, b, c\n"
    assert sniff_delimiter(text) == ";"
    assert sniff_delimiter("name\nAda\n") == ","


def test_line_numbers_count_crlf_lines_and_quoted_newlines(tmp_path):
    text = 'name,email,notes\r\nAda,ada@example.com,"one\r\ntwo\r\nthree"\r\n\r\nBob,not-an-email,\r\n'
    batch = read_customers_csv(write(tmp_path / "f.csv", text))
    assert batch.customers[0].notes == ["one\r\ntwo\r\nthree"]
    [refusal] = batch.refusals
    assert refusal.sentence("f.csv") == (
        "f.csv line 6, column email: 'not-an-email' is not an email address; "
        "use a form like name@example.com."
    )
    assert batch.rows == 2  # the blank line is not a row


@pytest.mark.parametrize(
    "header, field",
    [
        ("Name", "name"),
        ("FULL NAME", "name"),
        ("姓名", "name"),
        (" Full-Name ", "name"),
        ("Company", "company"),
        ("公司", "company"),
        ("Title", "title"),
        ("职位", "title"),
        ("Phone", "phone"),
        ("Mobile", "phone"),
        ("Phone Number", "phone"),
        ("电话", "phone"),
        ("手机", "phone"),
        ("Email", "email"),
        ("E-mail", "email"),
        ("邮箱", "email"),
        ("Industry", "industry"),
        ("行业", "industry"),
        ("Source", "source"),
        ("来源", "source"),
        ("Owner", "owner"),
        ("负责人", "owner"),
        ("Birthday", "birthday"),
        ("Date of Birth", "birthday"),
        ("生日", "birthday"),
        ("Contract End", "contract_end"),
        ("合同到期", "contract_end"),
    ],
)
def test_headers_in_english_and_chinese(tmp_path, header, field):
    name_column = "" if field == "name" else "name,"
    value = {"birthday": "1980-01-02", "contract_end": "2027-01-02", "email": "a@example.com"}.get(
        field, "Value"
    )
    batch = read_customers_csv(
        write(
            tmp_path / "f.csv",
            f"{name_column}{header}\nAda,{value}\n" if name_column else f"{header}\n{value}\n",
        )
    )
    assert batch.customers[0].values[field] == value
    assert batch.extra_columns == []


def test_tags_and_notes_headers(tmp_path):
    batch = read_customers_csv(write(tmp_path / "f.csv", "姓名,标签,备注\n张伟,a、b|c;d,hello\n"))
    assert batch.customers[0].tags == ["a", "b", "c", "d"]
    assert batch.customers[0].notes == ["hello"]


def test_unknown_columns_are_listed_and_kept_in_the_notes(tmp_path, store):
    path = write(tmp_path / "f.csv", "name,notes,Region,Fax,\nAda,met at a fair,East,,x\n")
    batch, _ = run_import(store, path)
    assert batch.extra_columns == ["Region", "Fax", "column 5"]
    assert customers(store)[0]["notes"] == "met at a fair\nRegion: East\ncolumn 5: x"


def test_first_and_last_names_make_the_name(tmp_path):
    batch = read_customers_csv(
        write(tmp_path / "google.csv", "First Name,Last Name,E-mail Address\nAda,Lovelace,a@x.org\n伟,张,\n")
    )
    assert [c.values["name"] for c in batch.customers] == ["Ada Lovelace", "张伟"]


def test_refused_rows_name_line_column_value_and_what_would_do(tmp_path, store):
    text = (
        "name,email,birthday,contract end,lunar birthday\n"
        "Ada,ada@example.com,1815-12-10,,\n"
        ",nobody@example.com,,,\n"
        "Bob,bob@,,,\n"
        "Cy,,1990-02-30,,\n"
        "Di,,,03/04/2027,\n"
        "Ed,,,,spring\n"
        "Flo,,,,,extra\n"
    )
    batch, result = run_import(store, write(tmp_path / "f.csv", text))
    assert [r.sentence("f.csv") for r in batch.refusals] == [
        "f.csv line 3, column name: the name is empty; every customer needs a name.",
        "f.csv line 4, column email: 'bob@' is not an email address; use a form like name@example.com.",
        "f.csv line 5, column birthday: '1990-02-30' is not a real date; use YYYY-MM-DD.",
        "f.csv line 6, column contract end: '03/04/2027' could be 3 April or 4 March; "
        "pass --dayfirst or --monthfirst, or write it as YYYY-MM-DD.",
        "f.csv line 7, column lunar birthday: 'spring' is not a lunar birthday; "
        "use MM-DD of the Chinese calendar.",
        "f.csv line 8, row: it has 6 cells but the header has 5; quote values that contain the delimiter.",
    ]
    assert batch.refused_rows == 6
    assert result.created == 1
    assert [c["name"] for c in customers(store)] == ["Ada"]


def test_one_row_with_two_bad_values_is_one_refused_row(tmp_path):
    batch = read_customers_csv(write(tmp_path / "f.csv", "name,email,birthday\nAda,x,yesterday\n"))
    assert len(batch.refusals) == 2 and batch.refused_rows == 1 and batch.customers == []


@pytest.mark.parametrize("order, expected", [(DAY_FIRST, "1980-04-03"), (MONTH_FIRST, "1980-03-04")])
def test_dayfirst_and_monthfirst_read_ambiguous_dates(tmp_path, order, expected):
    path = write(tmp_path / "f.csv", "name,birthday,contract end\nAda,03/04/1980,2027-01-02\n")
    batch = read_customers_csv(path, date_order=order)
    assert batch.customers[0].values["birthday"] == expected
    assert batch.customers[0].values["contract_end"] == "2027-01-02"  # ISO is never day first


def test_a_long_value_is_shortened_in_the_message(tmp_path):
    batch = read_customers_csv(write(tmp_path / "f.csv", "name,email\nAda," + "x" * 500 + "\n"))
    reason = batch.refusals[0].reason
    assert reason.startswith("'" + "x" * 60 + "…'") and len(reason) < 200


HOSTILE = {
    "markup": "[red]x[/] [bold]Mallory[/bold]",
    "escape": "Eve \x1b[31mred\x1b[0m \x07",
    "formula": "=1+1",
    "hyperlink": '=HYPERLINK("http://evil.example","click")',
    "pipe": "a | b || c",
    "cjk": "张伟・恒达贸易（北京）有限公司",
    "emoji": "Zoë 😀👍🏽 👨‍👩‍👧",
    "spaces": "  padded  ",
    "quotes": "say \"hi\", 'bye'",
}


@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_values_survive_byte_for_byte(tmp_path, store, kind):
    value = HOSTILE[kind]
    quoted = '"' + value.replace('"', '""') + '"'
    path = write(tmp_path / "f.csv", f"name,company,title,notes\r\n{quoted},{quoted},{quoted},{quoted}\r\n")
    batch, _ = run_import(store, path)
    assert batch.refusals == []
    [row] = customers(store)
    assert (row["name"], row["company"], row["title"], row["notes"]) == (value, value, value, value)


def test_a_100000_character_note_survives(tmp_path, store):
    note = ("长" + 'note, "quoted"\r\nline ' * 5000 + "😀")[:100_000]
    assert len(note) == 100_000
    path = write(tmp_path / "f.csv", 'name,notes\r\nAda,"' + note.replace('"', '""') + '"\r\n', "utf-8-sig")
    run_import(store, path)
    assert customers(store)[0]["notes"] == note


def test_an_exported_apostrophe_guard_is_taken_off(tmp_path):
    batch = read_customers_csv(write(tmp_path / "f.csv", "name,title\n'=1+1,'-boss\n"))
    assert batch.customers[0].values == {"name": "=1+1", "title": "-boss"}


@pytest.mark.parametrize(
    "text, words",
    [
        ("company,phone\nAnalytical,555\n", "has no name column (its first row is 'company', 'phone')"),
        ("\n\n", "is empty"),
        ('name,notes\nAda,"never closed\nBob,x\n' + "x" * 10, "line 2 opens a quote that is never closed"),
    ],
)
def test_unreadable_files(tmp_path, text, words):
    path = write(tmp_path / "f.csv", text)
    with pytest.raises(UnreadableFile, match=words.replace("(", r"\(").replace(")", r"\)")):
        read_customers_csv(path)


def test_a_header_alone_imports_nothing(tmp_path, store):
    batch, result = run_import(store, write(tmp_path / "f.csv", "name,email\r\n"))
    assert (batch.rows, result.created) == (0, 0)


def test_every_valid_row_goes_in_one_transaction(tmp_path, store, monkeypatch):
    text = "name,email\n" + "".join(f"C{i},c{i}@example.com\n" for i in range(50))
    before = change_count(store)
    run_import(store, write(tmp_path / "f.csv", text))
    assert len(customers(store)) == 50 and change_count(store) - before == 50
    # A failure after every row was written leaves none of them behind.
    from salesdesk.store import importer

    real = importer._Import._create

    def create_then_fail(self):
        real(self)
        assert len(customers(store)) == 100  # written, not yet committed
        raise RuntimeError("disk full")

    monkeypatch.setattr(importer._Import, "_create", create_then_fail)
    with pytest.raises(RuntimeError):
        run_import(store, write(tmp_path / "g.csv", text.replace("C", "D").replace("c", "d")))
    assert len(customers(store)) == 50 and change_count(store) - before == 50


@pytest.mark.parametrize(
    "text, line",
    [
        ('name,notes\r\nAda,"two\r\nlines"\r\nBob,"open ""\r\nCy,y\r\n', 4),  # "" is a quote, not the end
        ('sep=;\nname;notes\nAda;x\nBob;"y\nCy;z', 4),  # the sep= line counts
        ('name,notes\n"Ada","a\nb",""\nBob,"', 4),
        ('name,notes\nAda,ok,"\n', 2),
    ],
)
def test_an_unclosed_quote_is_refused_with_the_line_it_opens_on(tmp_path, text, line):
    path = write(tmp_path / "f.csv", text)
    with pytest.raises(UnreadableFile) as caught:
        read_customers_csv(path)
    assert str(caught.value) == (
        f"{path} line {line} opens a quote that is never closed, so the rest of the file would be "
        'one value; close it, or write a quote inside a value as "".'
    )


@pytest.mark.parametrize(
    "text, notes",
    [
        ('name,notes\nAda,"a ""b"" c"', ['a "b" c']),
        ('name,notes\nAda,"x"y', ["xy"]),  # text after the closing quote, as spreadsheets read it
        ('name,notes\nAda,x"y\n', ['x"y']),  # a quote inside a value that does not start with one
        ('name,notes\nAda,""', []),
    ],
)
def test_quotes_that_close_or_never_open_are_not_refused(tmp_path, text, notes):
    batch = read_customers_csv(write(tmp_path / "f.csv", text))
    assert [c.notes for c in batch.customers] == [notes]
