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
        "c.vcf line 11, FN: the card has no name (FN or N); every customer needs a name.",
        "c.vcf line 17, card: the card cannot be read (Failed to parse line: FN;BROKEN); "
        "export it again from the phone or address book.",
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
