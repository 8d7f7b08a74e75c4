"""`salesdesk import` and `salesdesk export` as a person runs them: real processes, real files."""

import csv
import io
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from icalendar import Calendar

from tests.test_cli import assert_one_sentence_error, digest, new_database, run

FIXTURES = Path(__file__).parent / "fixtures" / "contacts"

CHINESE_EXCEL = (
    "姓名,公司,职位,手机,邮箱,标签,生日,备注,微信号码\r\n"
    "张伟,恒达贸易,采购经理,138 0013 8000,zhang.wei@example.cn,重要客户、北京,1985/3/15,"
    '"老客户，\r\n喜欢喝茶",zw1985\r\n'
    "李娜,华光科技,CEO,+86 139 1234 5678,lina@example.cn,VIP|上海,--07-01,,\r\n"
    "王芳,,,,wang@bad,,1990-02-30,,\r\n"
)
EUROPEAN_EXCEL = (
    "\ufeffName;Company;E-Mail;Phone;Birthday;Tags;Notes\r\n"
    'Jürgen Müller;Größe AG;jm@example.de;+49 30 1234567;15.03.1970;Kunde;"Straße ""Nord"""\r\n'
    '=HYPERLINK("http://evil");Ça va S.à r.l.;cv@example.fr;;;;"[red]x[/] \x1b[31m | 😀"\r\n'
)


def rows(db, sql):
    conn = sqlite3.connect(db)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def test_help_lists_the_data_commands():
    result = run("--help")
    assert "import" in result.stdout and "export" in result.stdout
    for args, words in (
        (
            ("import", "customers", "--help"),
            ("--dry-run", "--encoding", "--delimiter", "--sheet", "--dayfirst", "--monthfirst", ".xlsx"),
        ),
        (("import", "vcard", "--help"), ("FILE",)),
        (("export", "csv", "--help"), ("customers", "followups", "-o")),
        (("export", "ics", "--help"), ("-o", "--weeks")),
        (("export", "vcard", "--help"), ("-o", "--tag")),
    ):
        result = run(*args)
        assert result.returncode == 0
        assert all(word in result.stdout for word in words)


def test_chinese_excel_file_imports_and_reimport_changes_nothing(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "客户.csv"
    path.write_bytes(CHINESE_EXCEL.encode("gb18030"))
    result = run("--db", str(db), "import", "customers", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"Reading {path}: GB18030 (detected), comma-separated (detected); 3 rows.",
        "Columns kept in the notes: 微信号码.",
        f"{path} line 5, column 邮箱: 'wang@bad' is not an email address; use a form like name@example.com.",
        f"{path} line 5, column 生日: '1990-02-30' is not a real date; use YYYY-MM-DD.",
        f"Imported {path}: 2 created, 0 updated, 0 unchanged, 1 refused.",
    ]
    assert rows(db, "SELECT name, company, phone, birthday, notes FROM customers ORDER BY rid") == [
        ("张伟", "恒达贸易", "138 0013 8000", "1985-03-15", "老客户，\r\n喜欢喝茶\n微信号码: zw1985"),
        ("李娜", "华光科技", "+86 139 1234 5678", "--07-01", ""),
    ]
    changes = rows(db, "SELECT count(*) FROM changes")[0][0]
    again = run("--db", str(db), "import", "customers", str(path))
    assert again.stdout.splitlines()[-1] == f"Imported {path}: 0 created, 0 updated, 2 unchanged, 1 refused."
    assert rows(db, "SELECT count(*) FROM changes")[0][0] == changes


def test_european_excel_file_imports_every_character(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "kunden.csv"
    path.write_bytes(EUROPEAN_EXCEL.encode("utf-8"))
    result = run("--db", str(db), "import", "customers", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == (
        f"Reading {path}: UTF-8 with BOM (detected), semicolon-separated (detected); 2 rows."
    )
    assert rows(db, "SELECT name, company, notes FROM customers ORDER BY rid") == [
        ("Jürgen Müller", "Größe AG", 'Straße "Nord"'),
        ('=HYPERLINK("http://evil")', "Ça va S.à r.l.", "[red]x[/] \x1b[31m | 😀"),
    ]
    changes = rows(db, "SELECT count(*) FROM changes")[0][0]
    again = run("--db", str(db), "import", "customers", str(path))
    assert (again.returncode, again.stdout.splitlines()[-1]) == (
        0,
        f"Imported {path}: 0 created, 0 updated, 2 unchanged, 0 refused.",
    )
    assert rows(db, "SELECT count(*) FROM changes")[0][0] == changes


def test_ambiguous_dates_need_dayfirst_or_monthfirst(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "f.csv"
    path.write_text("name,birthday\nAda,03/04/1980\nBob,1980-03-04\n", encoding="utf-8")
    result = run("--db", str(db), "import", "customers", str(path), "--dry-run")
    assert result.returncode == 1
    assert (
        f"{path} line 2, column birthday: '03/04/1980' could be 3 April or 4 March; "
        "pass --dayfirst or --monthfirst, or write it as YYYY-MM-DD."
    ) in result.stdout
    assert result.stdout.splitlines()[-1] == (
        f"Dry run of {path}, nothing was saved: 1 created, 0 updated, 0 unchanged, 1 refused."
    )
    assert rows(db, "SELECT count(*) FROM customers") == [(0,)]
    assert run("--db", str(db), "import", "customers", str(path), "--dayfirst").returncode == 0
    assert rows(db, "SELECT name, birthday FROM customers ORDER BY name") == [
        ("Ada", "1980-04-03"),
        ("Bob", "1980-03-04"),
    ]
    both = run("--db", str(db), "import", "customers", str(path), "--dayfirst", "--monthfirst")
    assert both.returncode == 2 and "not allowed with argument" in both.stderr


@pytest.mark.parametrize(
    "content, words",
    [
        (None, ("does not exist",)),
        (b"company,phone\nAnalytical,555\n", ("has no name column", "姓名")),
        (b"PK\x03\x04rest", ("cannot be read as an Excel workbook", "save the sheet as CSV")),
        (b'name,notes\r\nAda,"never\r\nBob,x\r\n', ("line 2 opens a quote that is never closed",)),
        (b"", ("is empty",)),
    ],
)
def test_an_unreadable_file_exits_2_and_leaves_the_database_untouched(tmp_path, content, words):
    db, path = tmp_path / "s.db", tmp_path / "in.csv"
    if content is not None:
        path.write_bytes(content)
    result = run("--db", str(db), "import", "customers", str(path))
    assert result.returncode == 2
    assert_one_sentence_error(result, *words)
    assert result.stdout == ""
    assert not db.exists()  # not even created
    new_database(db)
    before = digest(db)
    assert run("--db", str(db), "import", "customers", str(path)).returncode == 2
    assert digest(db) == before


def test_a_wrong_encoding_option_exits_2(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "in.csv"
    path.write_bytes("name\n张伟\n".encode("gb18030"))
    result = run("--db", str(db), "import", "customers", str(path), "--encoding", "utf-8")
    assert result.returncode == 2
    assert_one_sentence_error(result, "cannot be read as utf-8", "line 2", "--encoding")
    good = run("--db", str(db), "import", "customers", str(path), "--encoding", "gb18030")
    assert good.returncode == 0 and "gb18030 (as given)" in good.stdout


def test_a_workbook_imports_its_first_sheet_or_the_one_named(tmp_path):
    db = tmp_path / "s.db"
    path = FIXTURES / "libreoffice-contacts.xlsx"
    result = run("--db", str(db), "import", "customers", str(path))
    assert result.returncode == 1, result.stderr
    assert result.stdout.splitlines() == [
        f"Reading {path}: sheet 'Contacts' of an Excel workbook; 6 rows.",
        f"{path} line 7, column Email: 'not-an-email' is not an email address; "
        "use a form like name@example.com.",
        f"Imported {path}: 5 created, 0 updated, 0 unchanged, 1 refused.",
    ]
    assert rows(db, "SELECT name, phone, birthday FROM customers ORDER BY rid")[:2] == [
        ("张伟", "13800138000", "1985-03-15"),
        ("李娜", "+86 139 1234 5678", "1990-07-01"),
    ]
    leads = run("--db", str(db), "import", "customers", str(path), "--sheet", "Leads")
    assert leads.returncode == 0, leads.stderr
    assert leads.stdout.splitlines()[0] == f"Reading {path}: sheet 'Leads' of an Excel workbook; 2 rows."
    assert rows(db, "SELECT count(*) FROM customers") == [(7,)]
    changes = rows(db, "SELECT count(*) FROM changes")[0][0]
    again = run("--db", str(db), "import", "customers", str(path))
    assert again.stdout.splitlines()[-1] == f"Imported {path}: 0 created, 0 updated, 5 unchanged, 1 refused."
    assert rows(db, "SELECT count(*) FROM changes")[0][0] == changes


@pytest.mark.parametrize(
    "name, options, words",
    [
        (
            "libreoffice-contacts.ods",
            ("--sheet", "Kunden"),
            ("no sheet named 'Kunden'", "'Contacts', 'Leads'"),
        ),
        ("libreoffice-contacts.xls", ("--encoding", "gbk"), ("--encoding is for CSV files",)),
        ("libreoffice-contacts-utf8.csv", ("--sheet", "Contacts"), ("--sheet is for workbooks",)),
    ],
)
def test_options_that_do_not_fit_the_file_exit_2(tmp_path, name, options, words):
    db = tmp_path / "s.db"
    result = run("--db", str(db), "import", "customers", str(FIXTURES / name), *options)
    assert result.returncode == 2
    assert_one_sentence_error(result, *words)
    assert not db.exists()


def test_a_short_gbk_file_from_libreoffice_is_stored_as_chinese(tmp_path):
    db, path = tmp_path / "s.db", FIXTURES / "libreoffice-short-gbk.csv"
    result = run("--db", str(db), "import", "customers", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "GB18030 (detected)" in result.stdout
    assert rows(db, "SELECT name, notes FROM customers ORDER BY rid") == [
        ("王芳", "老客户"),
        ("刘洋", "喜欢喝茶"),
    ]


def test_vcard_import(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "contacts.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Johnny Appleseed\r\nTEL;type=CELL:+1 (415) 555-0100\r\n"
        b"BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0=E4=BC=9F\r\n"
        b"BDAY:19850315\r\nEND:VCARD\r\n"
    )
    result = run("--db", str(db), "import", "vcard", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines() == [
        f"Reading {path}: UTF-8 (detected); 2 cards.",
        f"Imported {path}: 2 created, 0 updated, 0 unchanged, 0 refused.",
    ]
    assert rows(db, "SELECT name, phone, birthday FROM customers ORDER BY rid") == [
        ("Johnny Appleseed", "+1 (415) 555-0100", "--03-15"),
        ("张伟", "", "1985-03-15"),
    ]
    assert (
        run("--db", str(db), "import", "vcard", str(path))
        .stdout.splitlines()[-1]
        .endswith("0 created, 0 updated, 2 unchanged, 0 refused.")
    )


def test_vcard_import_names_cards_without_a_name(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "phone.vcf"
    path.write_bytes(
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nTEL;CELL:+86 138 0013 8000\r\nEND:VCARD\r\n"
        b"BEGIN:VCARD\r\nVERSION:2.1\r\nFN:Ada\r\nEND:VCARD\r\n"
    )
    result = run("--db", str(db), "import", "vcard", str(path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.splitlines()[1] == "1 card without a name named from their company, email or phone."
    assert rows(db, "SELECT name, phone FROM customers ORDER BY rid") == [
        ("+86 138 0013 8000", "+86 138 0013 8000"),
        ("Ada", ""),
    ]


def test_a_vcard_file_cut_short_is_refused_and_imports_nothing(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "cut.vcf"
    path.write_bytes(b"BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\n")
    assert run("--db", str(db), "import", "vcard", str(path)).returncode == 0
    before = digest(db)
    path.write_bytes(b"BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nEND:VCARD\nBEGIN:VCARD\nVERSION:3.0\nFN:Bo")
    result = run("--db", str(db), "import", "vcard", str(path))
    assert result.returncode == 2
    assert_one_sentence_error(result, str(path), "line 5", "END:VCARD")
    assert digest(db) == before


def test_export_csv_to_a_file_and_to_stdout_then_reimport(tmp_path):
    db, source = tmp_path / "s.db", tmp_path / "in.csv"
    source.write_bytes(EUROPEAN_EXCEL.encode("utf-8"))
    run("--db", str(db), "import", "customers", str(source))
    out = tmp_path / "customers.csv"
    result = run("--db", str(db), "export", "csv", "customers", "-o", str(out))
    assert (result.returncode, result.stdout.strip()) == (0, f"Wrote 2 customers to {out}")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbfid,name,")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert table[2][1] == '\'=HYPERLINK("http://evil")'
    piped = subprocess.run(
        [sys.executable, "-m", "salesdesk", "--db", str(db), "export", "csv", "customers"],
        capture_output=True,
        timeout=120,
    )
    assert (piped.returncode, piped.stdout, piped.stderr) == (0, data, b"")
    changes = rows(db, "SELECT count(*) FROM changes")[0][0]
    again = run("--db", str(db), "import", "customers", str(out))
    assert again.stdout.splitlines()[-1] == f"Imported {out}: 0 created, 0 updated, 2 unchanged, 0 refused."
    assert rows(db, "SELECT count(*) FROM changes")[0][0] == changes
    for table_name in ("deals", "interactions", "followups"):
        target = tmp_path / f"{table_name}.csv"
        result = run("--db", str(db), "export", "csv", table_name, "-o", str(target))
        assert result.returncode == 0 and target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_export_to_a_missing_folder_is_refused(tmp_path):
    new_database(tmp_path / "s.db")
    result = run(
        "--db", str(tmp_path / "s.db"), "export", "csv", "deals", "-o", str(tmp_path / "nowhere" / "d.csv")
    )
    assert_one_sentence_error(result, "nowhere", "does not exist")


def test_export_ics_of_the_demo(tmp_path):
    db, out = tmp_path / "demo.db", tmp_path / "salesdesk.ics"
    assert run("demo", "--db", str(db)).returncode == 0
    result = run("--db", str(db), "export", "ics", "-o", str(out), "--all")
    assert result.returncode == 0, result.stderr
    calendar = Calendar.from_ical(out.read_bytes())
    events = calendar.walk("VEVENT")
    open_soon = rows(
        db,
        "SELECT count(*) FROM followups WHERE done_at IS NULL AND deleted_at IS NULL "
        "AND due_date BETWEEN date('now', 'localtime') "
        "AND date('now', 'localtime', '+41 days')",
    )[0][0]
    followups = [e for e in events if str(e["uid"]).startswith("followup-")]
    care = [e for e in events if str(e["uid"]).startswith("care-")]
    owed = [e for e in events if str(e["uid"]).startswith("instalment-")]
    assert len(followups) == open_soon > 0
    assert len(care) > 0 and len(followups) + len(care) + len(owed) == len(events)  # birthdays...
    instalments = "instalment" if len(owed) == 1 else "instalments"
    assert result.stdout.startswith(
        f"Wrote {open_soon} follow-ups, {len(care)} care reminders "
        f"and {len(owed)} {instalments} to collect from "
    )


CONTACTS = (
    "name,email,phone,title\r\n"
    "Wang Fang,wang@example.cn,+86 138 0013 8000,Manager\r\n"
    "Li Na,lina@example.cn,+86 139 1234 5678,\r\n"
    "Wang Fang,wang@example.cn,+86 139 0013 9000,Buyer\r\n"
    "Number Check,,100,\r\n"
)


def test_reimport_keeps_other_values_in_the_notes_and_update_lets_the_file_win(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "contacts.csv"
    path.write_bytes(CONTACTS.encode())
    first = run("--db", str(db), "import", "customers", str(path))
    assert first.stdout.splitlines()[-1] == (
        f"Imported {path}: 3 created, 0 updated, 1 with values kept in notes, 0 unchanged, 0 refused, "
        "1 merged into an earlier row of the same customer."
    )
    assert rows(db, "SELECT phone, title, notes FROM customers WHERE name = 'Wang Fang'") == [
        ("+86 138 0013 8000", "Manager", "From contacts.csv line 4: phone +86 139 0013 9000; title Buyer")
    ]
    path.write_bytes(CONTACTS.replace("+86 139 1234 5678,", "+86 139 1234 0000,CEO").encode())
    second = run("--db", str(db), "import", "customers", str(path))
    assert second.stdout.splitlines()[-1].endswith(
        ": 0 created, 1 updated, 1 with values kept in notes, 3 unchanged, 0 refused."
    )
    update = run("--db", str(db), "import", "customers", str(path), "--update")
    assert (update.returncode, update.stdout.splitlines()[-1]) == (
        0,
        f"Imported {path}: 0 created, 1 updated, 1 with the file's values over the stored ones, "
        "3 unchanged, 0 refused.",
    )
    assert rows(db, "SELECT phone, title, notes FROM customers WHERE name = 'Li Na'") == [
        (
            "+86 139 1234 0000",
            "CEO",
            "From contacts.csv line 3: phone +86 139 1234 0000\n"
            "Before contacts.csv line 3: phone +86 139 1234 5678",
        )
    ]
    changes = rows(db, "SELECT count(*) FROM changes")[0][0]
    for options in ((), ("--update",)):
        again = run("--db", str(db), "import", "customers", str(path), *options)
        assert again.stdout.splitlines()[-1].endswith(": 0 created, 0 updated, 4 unchanged, 0 refused.")
    assert rows(db, "SELECT count(*) FROM changes")[0][0] == changes
    assert "--update" in run("import", "vcard", "--help").stdout


def test_a_short_number_on_a_card_reimports_unchanged(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "contacts.vcf"
    path.write_bytes(b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Number Check\r\nTEL:100\r\nEND:VCARD\r\n")
    for created, unchanged in ((1, 0), (0, 1), (0, 1)):
        result = run("--db", str(db), "import", "vcard", str(path))
        assert result.stdout.splitlines()[-1].endswith(
            f": {created} created, 0 updated, {unchanged} unchanged, 0 refused."
        )
    assert rows(db, "SELECT count(*) FROM customers")[0][0] == 1


def _into_a_closed_pipe(*args: str) -> subprocess.CompletedProcess:
    """Run salesdesk with its standard output a pipe whose reader has gone, as after `| head -1`."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        return subprocess.run(
            [sys.executable, "-m", "salesdesk", *args],
            stdout=writer,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "SALESDESK_USER": "ann"},
            timeout=120,
        )
    finally:
        os.close(writer)


@pytest.mark.parametrize(
    "command",
    [("check",), ("import", "customers", "{file}"), ("export", "csv", "customers"), ("agenda", "--all")],
)
def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path, command):
    db, path = tmp_path / "s.db", tmp_path / "contacts.csv"
    path.write_bytes(CONTACTS.encode())
    run("--db", str(db), "import", "customers", str(path))
    result = _into_a_closed_pipe("--db", str(db), *(arg.format(file=path) for arg in command))
    assert (result.returncode, result.stderr) == (141, "")


def test_head_of_an_import_prints_its_first_line_only(tmp_path):
    db, path = tmp_path / "s.db", tmp_path / "contacts.csv"
    path.write_bytes(("name,email\r\n" + "".join(f"C{i},bad{i}\r\n" for i in range(3000))).encode())
    shell = subprocess.run(
        f'"{sys.executable}" -m salesdesk --db "{db}" import customers "{path}" | head -1',
        shell=True,
        capture_output=True,
        text=True,
        env={**os.environ, "SALESDESK_USER": "ann"},
        timeout=120,
    )
    assert shell.stdout == f"Reading {path}: UTF-8 (detected), comma-separated (detected); 3,000 rows.\n"
    assert shell.stderr == ""


def test_export_vcard_of_the_demo_and_import_it_back(tmp_path):
    import vobject

    db, out = tmp_path / "demo.db", tmp_path / "customers.vcf"
    assert run("demo", "--db", str(db), "--today", "2026-12-01").returncode == 0
    result = run("--db", str(db), "export", "vcard", "-o", str(out))
    live = rows(db, "SELECT name, phone, email FROM customers WHERE deleted_at IS NULL ORDER BY rid")
    assert (result.returncode, result.stdout.strip()) == (0, f"Wrote {len(live)} customers to {out}")
    cards = list(vobject.readComponents(out.read_bytes().decode("utf-8")))
    assert [
        (
            card.fn.value,
            card.tel.value if "tel" in card.contents else "",
            card.email.value if "email" in card.contents else "",
        )
        for card in cards
    ] == live
    changes = rows(db, "SELECT count(*) FROM changes")[0][0]
    again = run("--db", str(db), "import", "vcard", str(out))
    assert again.returncode == 0, again.stdout + again.stderr
    # Teammates' customers are theirs: not imported, said so (and nothing written either).
    owned = rows(db, "SELECT count(*) FROM customers WHERE deleted_at IS NULL AND owner NOT IN ('', 'ann')")[
        0
    ][0]
    theirs = {0: "", 1: ", 1 a teammate's customer, not imported"}.get(
        owned, f", {owned} teammates' customers, not imported"
    )
    assert again.stdout.splitlines()[-1] == (
        f"Imported {out}: 0 created, 0 updated, {len(live) - owned} unchanged, 0 refused{theirs}."
    )
    assert rows(db, "SELECT count(*) FROM changes")[0][0] == changes


def test_export_vcard_of_one_tag_to_stdout(tmp_path):
    db = tmp_path / "demo.db"
    assert run("demo", "--db", str(db), "--today", "2026-12-01").returncode == 0
    result = run("--db", str(db), "export", "vcard", "--tag", "VIP")
    tagged = rows(
        db,
        "SELECT c.id FROM customers c JOIN customer_tags ct ON ct.customer_id = c.id "
        "JOIN tags t ON t.id = ct.tag_id WHERE t.name = 'vip' AND c.deleted_at IS NULL "
        "AND ct.deleted_at IS NULL ORDER BY c.rid",
    )
    assert result.returncode == 0 and len(tagged) > 0
    assert [line[4:] for line in result.stdout.splitlines() if line.startswith("UID:")] == [
        t[0] for t in tagged
    ]
    missing = run("--db", str(db), "export", "vcard", "--tag", "nope")
    assert_one_sentence_error(missing, "--tag 'nope'", "'vip'")
