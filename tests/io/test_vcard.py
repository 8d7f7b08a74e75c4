"""vCards as phones, Google Contacts and Apple Contacts write them."""

import pytest

from salesdesk.io.textfile import UnreadableFile
from salesdesk.io.vcard import read_vcards
from salesdesk.store.importer import import_customers
from tests.io.helpers import change_count, customers

APPLE = (  # iPhone / macOS Contacts: vCard 3.0, item groups, no-year birthday as 1604
    "BEGIN:VCARD\r\n"
    "VERSION:3.0\r\n"
    "PRODID:-//Apple Inc.//iPhone OS 17.4//EN\r\n"
    "N:Appleseed;Johnny;;;\r\n"
    "FN:Johnny Appleseed\r\n"
    "ORG:Apple Inc.;Retail\r\n"
    "TITLE:Engineer with a very long title that the phone folds over more than one li\r\n"
    " ne because lines are folded at 75 octets\r\n"
    "EMAIL;type=INTERNET;type=WORK;type=pref:johnny@example.com\r\n"
    "EMAIL;type=INTERNET;type=HOME:j@home.example\r\n"
    "TEL;type=CELL;type=VOICE;type=pref:+1 (415) 555-0100\r\n"
    "item1.TEL:+1 415 555 0199\r\n"
    "item1.X-ABLabel:_$!<Other>!$_\r\n"
    "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15\r\n"
    "CATEGORIES:VIP,Golf\r\n"
    "NOTE:Line one\\nLine two\\, with a comma\r\n"
    "END:VCARD\r\n"
)
GOOGLE = (  # Google Contacts export: vCard 3.0, full date birthday
    "BEGIN:VCARD\n"
    "VERSION:3.0\n"
    "FN:李娜\n"
    "N:李;娜;;;\n"
    "EMAIL;TYPE=INTERNET;TYPE=WORK:lina@example.cn\n"
    "TEL;TYPE=CELL:138 0013 8000\n"
    "BDAY:1990-07-01\n"
    "ADR;TYPE=WORK:;;朝阳路 1 号;北京;;100000;中国\n"
    "CATEGORIES:myContacts,重要客户\n"
    "END:VCARD\n"
)
ANDROID = (  # an Android phone: vCard 2.1, quoted-printable UTF-8 with soft line breaks
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0;=E4=BC=9F;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=E5=BC=A0=E4=BC=9F=\r\n"
    "=20Zhang\r\n"
    "TEL;CELL;PREF:+86 139 1234 5678\r\n"
    "TEL;WORK:010-62345678\r\n"
    "BDAY:19850315\r\n"
    "END:VCARD\r\n"
)
V4 = (  # vCard 4.0: tel URIs, a birthday without a year
    "BEGIN:VCARD\r\n"
    "VERSION:4.0\r\n"
    "FN:Anna Müller 😀\r\n"
    'TEL;VALUE=uri;TYPE="voice,cell";PREF=1:tel:+49-30-1234567\r\n'
    "EMAIL:anna@example.de\r\n"
    "BDAY:--0315\r\n"
    "END:VCARD\r\n"
)


def read(tmp_path, text, encoding="utf-8"):
    path = tmp_path / "contacts.vcf"
    path.write_bytes(text.encode(encoding))
    return read_vcards(path)


def test_apple_card(tmp_path):
    [card] = read(tmp_path, APPLE).customers
    assert card.values == {
        "name": "Johnny Appleseed",
        "company": "Apple Inc.",
        "title": "Engineer with a very long title that the phone folds over more than one "
        "line because lines are folded at 75 octets",
        "phone": "+1 (415) 555-0100",
        "email": "johnny@example.com",
        "birthday": "--03-15",
    }
    assert card.tags == ["VIP", "Golf"]
    assert card.notes == [
        "Department: Retail",
        "Phone: +1 415 555 0199",
        "Email (home): j@home.example",
        "Line one\nLine two, with a comma",
    ]


def test_google_card(tmp_path):
    [card] = read(tmp_path, GOOGLE).customers
    assert card.values == {
        "name": "李娜",
        "phone": "138 0013 8000",
        "email": "lina@example.cn",
        "birthday": "1990-07-01",
    }
    assert card.tags == ["myContacts", "重要客户"]
    assert card.notes == ["Address (work): 朝阳路 1 号, 北京, 100000, 中国"]


def test_android_quoted_printable_card(tmp_path):
    [card] = read(tmp_path, ANDROID).customers
    assert card.values == {"name": "张伟 Zhang", "phone": "+86 139 1234 5678", "birthday": "1985-03-15"}
    assert card.notes == ["Phone (work): 010-62345678"]


def test_vcard_4_card(tmp_path):
    [card] = read(tmp_path, V4).customers
    assert card.values == {
        "name": "Anna Müller 😀",
        "phone": "+49-30-1234567",
        "email": "anna@example.de",
        "birthday": "--03-15",
    }


def test_several_cards_in_one_file_with_their_lines(tmp_path):
    batch = read(tmp_path, APPLE + GOOGLE + ANDROID + V4)
    assert batch.rows == 4
    assert [c.line for c in batch.customers] == [1, 18, 28, 37]
    assert batch.described == "UTF-8 (detected)"


def test_name_from_n_when_fn_is_missing(tmp_path):
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nN:Lovelace;Ada;;Lady;\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nN:张;伟;;;\nEND:VCARD\n"
    )
    assert [c.values["name"] for c in read(tmp_path, text).customers] == ["Lady Ada Lovelace", "张伟"]


def test_bad_cards_are_refused_with_their_lines(tmp_path):
    text = (
        "BEGIN:VCARD\nVERSION:3.0\nFN:Good\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN:Bad\nEMAIL:not-an-email\nBDAY:1985-02-30\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nORG:Only a company\nEND:VCARD\n"
        "BEGIN:VCARD\nVERSION:3.0\nFN;BROKEN\nEND:VCARD\n"
    )
    batch = read(tmp_path, text)
    assert [c.values["name"] for c in batch.customers] == ["Good"]
    assert [r.sentence("c.vcf") for r in batch.refusals] == [
        "c.vcf line 8, EMAIL: 'not-an-email' is not an email address; use a form like name@example.com.",
        "c.vcf line 9, BDAY: '1985-02-30' is not a real date; use YYYY-MM-DD.",
        "c.vcf line 11, FN: the card has no name (FN or N), phone or email; every customer needs a name.",
        "c.vcf line 17, card: the line 'FN;BROKEN' is not a vCard property (NAME:value); "
        "export the card again from the phone or address book.",
    ]
    assert batch.refused_rows == 3


def test_a_file_without_cards_is_unreadable(tmp_path):
    with pytest.raises(UnreadableFile, match="holds no vCard"):
        read(tmp_path, "name,phone\nAda,555\n")


def test_a_gb18030_vcard_file(tmp_path):
    batch = read(tmp_path, GOOGLE.replace("李娜", "李娜（华光科技）"), "gb18030")
    assert batch.customers[0].values["name"] == "李娜（华光科技）"


def test_import_and_reimport_of_cards(tmp_path, store):
    batch = read(tmp_path, APPLE + GOOGLE + ANDROID + V4)
    result = import_customers(store, batch.customers)
    assert result.created == 4
    rows = {c["name"]: c for c in customers(store)}
    assert rows["Johnny Appleseed"]["birthday"] == "--03-15"
    assert rows["张伟 Zhang"]["birthday"] == "1985-03-15"
    before = change_count(store)
    again = import_customers(store, read(tmp_path, APPLE + GOOGLE + ANDROID + V4).customers)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 4)
    assert change_count(store) == before


def test_a_card_matches_a_customer_typed_in_with_another_phone_format(tmp_path, store):
    existing = store.add_customer("Zhang Wei", phone="13912345678")
    result = import_customers(store, read(tmp_path, ANDROID).customers)
    assert (result.created, result.updated) == (0, 1)
    assert store.customer(existing).birthday == "1985-03-15"


def card(*lines, version="3.0", end="\r\n"):
    return end.join(["BEGIN:VCARD", f"VERSION:{version}", *lines, "END:VCARD"]) + end


def test_a_2_1_org_with_a_comma(tmp_path):
    [customer] = read(tmp_path, card("FN:Ada", "ORG:Company, The;Dept", version="2.1")).customers
    assert customer.values == {"name": "Ada", "company": "Company, The"}
    assert customer.notes == ["Department: Dept"]


def test_text_values_keep_their_unescaped_commas(tmp_path):
    text = card("FN:Smith, John", "N:Smith;John;;;", "TITLE:VP, Sales, Asia", "NOTE:a, b\\, c")
    [customer] = read(tmp_path, text).customers
    assert customer.values == {"name": "Smith, John", "title": "VP, Sales, Asia"}
    assert customer.notes == ["a, b, c"]


@pytest.mark.parametrize(
    "prop",
    [
        "PHOTO;ENCODING=b;TYPE=JPEG:!!!not base64",
        "PHOTO;ENCODING=BASE64;JPEG:/9j/4AAQSkZJRgABAQAAAQ\r\n  ABAAD/4gIoSUNDX1BST0ZJTEU\r\n",
        "PHOTO:data:image/png;base64,iVBORw0KGgo=",
        "PHOTO;VALUE=uri:data:image/jpeg;base64,/9j/4A,,AQ",
        "LOGO;ENCODING=b:@@@",
        "SOUND;ENCODING=QUOTED-PRINTABLE;CHARSET=NO-SUCH-CHARSET:=FF",
        "KEY;ENCODING=b:x",
        "PROFILE:VCard",
        "X-UNKNOWN;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:=FF=FE",
        "X-BROKEN-WITHOUT-VALUE",
    ],
)
def test_a_property_salesdesk_does_not_use_never_refuses_the_card(tmp_path, prop):
    batch = read(tmp_path, card("FN:Ada Lovelace", prop, "TEL:+44 20 7946 0000", version="2.1"))
    assert batch.refusals == []
    assert [c.values for c in batch.customers] == [{"name": "Ada Lovelace", "phone": "+44 20 7946 0000"}]


def test_cr_cr_lf_line_ends_read_as_one_line_end(tmp_path):
    text = card(
        "FN:Ada Lovelace",
        "TITLE:A title long enough that the writing program folded it over",
        " two lines",
        "NOTE;ENCODING=QUOTED-PRINTABLE;CHARSET=UTF-8:soft=",
        "break",
        end="\r\r\n",
    )
    [customer] = read(tmp_path, text).customers
    assert customer.values["title"] == "A title long enough that the writing program folded it overtwo lines"
    assert customer.notes == ["softbreak"]


def test_cards_without_a_name_are_named_from_what_they_have(tmp_path):
    text = (
        card("TEL;TYPE=CELL:+86 138 0013 8000")
        + card("EMAIL:ada@example.com", "TEL:555 0100")
        + card("ORG:Acme Ltd.", "EMAIL:sales@acme.example")
        + card("N:;;;;", "FN:", "NOTE:nothing to call them by")
    )
    batch = read(tmp_path, text)
    assert [c.values["name"] for c in batch.customers] == [
        "+86 138 0013 8000",
        "ada@example.com",
        "Acme Ltd.",
    ]
    assert batch.named_from_contact == 3
    assert [r.sentence("c.vcf") for r in batch.refusals] == [
        "c.vcf line 15, FN: the card has no name (FN or N), phone or email; every customer needs a name."
    ]


@pytest.mark.parametrize(
    "bday",
    [
        "BDAY:16040315",
        "BDAY:1604-03-15",
        "BDAY:--0315",
        "BDAY:--03-15",
        "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15",
        "BDAY;VALUE=date;X-APPLE-OMIT-YEAR=1604:1604-03-15",
    ],
)
def test_birthdays_without_a_year(tmp_path, bday):
    [customer] = read(tmp_path, card("FN:Ada", bday)).customers
    assert customer.values["birthday"] == "--03-15"


def test_a_name_in_a_second_language_is_kept_in_the_notes(tmp_path):
    text = card(
        "FN;ALTID=1;LANGUAGE=en:Zhang Wei",
        "FN;ALTID=1;LANGUAGE=zh-Hans:张伟",
        "N;ALTID=1;LANGUAGE=en:Zhang;Wei;;;",
        "N;ALTID=1;LANGUAGE=zh-Hans:张;伟;;;",
        version="4.0",
    )
    [customer] = read(tmp_path, text).customers
    assert customer.values == {"name": "Zhang Wei"}
    assert customer.notes == ["Name (zh-Hans): 张伟"]


def test_the_preferred_name_comes_first(tmp_path):
    text = card("FN;LANGUAGE=zh:张伟", "FN;PREF=1;LANGUAGE=en:Zhang Wei", version="4.0")
    [customer] = read(tmp_path, text).customers
    assert customer.values["name"] == "Zhang Wei"
    assert customer.notes == ["Name (zh): 张伟"]


def test_a_file_whose_last_card_does_not_end_is_refused_with_its_line(tmp_path):
    text = card("FN:Ada") + "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Cut short\r\nTEL:555"
    with pytest.raises(UnreadableFile) as error:
        read(tmp_path, text)
    assert str(error.value) == (
        f"{tmp_path / 'contacts.vcf'} line 5: the card that begins here has no END:VCARD line "
        "(the file was cut short); export the contacts again so that every card ends with END:VCARD."
    )


def test_a_card_that_does_not_end_before_the_next_begins(tmp_path):
    text = "BEGIN:VCARD\nVERSION:3.0\nFN:No end\n" + card("FN:Ada") + card("FN:Bob")
    with pytest.raises(UnreadableFile, match="line 1: the card that begins here has no END:VCARD"):
        read(tmp_path, text)


def test_a_lone_unterminated_card_is_not_called_a_file_without_cards(tmp_path):
    with pytest.raises(UnreadableFile, match="line 1: the card that begins here has no END:VCARD"):
        read(tmp_path, "BEGIN:VCARD\nVERSION:3.0\nFN:Ada\n")


def test_an_agent_card_inside_a_card_stays_inside_it(tmp_path):
    agent = ("AGENT:", "BEGIN:VCARD", "VERSION:2.1", "FN:Secretary", "END:VCARD")
    text = card("FN:Boss", *agent, "TEL:555 0100")
    batch = read(tmp_path, text)
    assert [c.values for c in batch.customers] == [{"name": "Boss", "phone": "555 0100"}]


def test_a_value_in_an_unknown_charset_is_refused_with_its_line(tmp_path):
    text = card("FN;ENCODING=QUOTED-PRINTABLE;CHARSET=NO-SUCH-CHARSET:=41da", "TEL:555", version="2.1")
    batch = read(tmp_path, text)
    assert batch.customers == []
    assert [r.sentence("c.vcf") for r in batch.refusals] == [
        "c.vcf line 3, FN: the FN value cannot be decoded (LookupError); export the card again as UTF-8."
    ]


def test_a_uid_is_kept_for_matching_a_salesdesk_export(tmp_path):
    [customer] = read(tmp_path, card("FN:Ada", "UID:01JABCDEFGHJKMNPQRSTVWXYZ0")).customers
    assert customer.record_id == "01JABCDEFGHJKMNPQRSTVWXYZ0"
