"""vCard 3.0 written for phones, read back by our reader and by vobject."""

import io

import vobject

from salesdesk.io.vcard import read_vcards
from salesdesk.io.vcard_export import card_lines, escape, write_vcards
from salesdesk.store.exports import customers as exported
from salesdesk.store.importer import import_customers
from tests.io.helpers import change_count

CUSTOMER = {
    "id": "01JABCDEFGHJKMNPQRSTVWXYZ0",
    "name": "Smith, John",
    "company": "Company; The, Ltd",
    "title": "VP, Sales \\ Marketing",
    "phone": "+1 415 555 0100",
    "email": "john@example.com",
    "birthday": "--03-15",
    "notes": "Line one\nLine two, with a comma; and a semicolon",
    "tags": ["VIP", "golf, weekends"],
}


def written(*rows) -> bytes:
    stream = io.BytesIO()
    assert write_vcards(stream, rows) == len(rows)
    return stream.getvalue()


def test_a_card_as_phones_import_it():
    assert card_lines(CUSTOMER) == [
        "BEGIN:VCARD",
        "VERSION:3.0",
        "PRODID:-//salesdesk//salesdesk//EN",
        "UID:01JABCDEFGHJKMNPQRSTVWXYZ0",
        "FN:Smith\\, John",
        "N:Smith;John;;;",
        "ORG:Company\\; The\\, Ltd",
        "TITLE:VP\\, Sales \\\\ Marketing",
        "TEL;TYPE=CELL:+1 415 555 0100",
        "EMAIL;TYPE=INTERNET:john@example.com",
        "BDAY;X-APPLE-OMIT-YEAR=1604:1604-03-15",
        "NOTE:Line one\\nLine two\\, with a comma\\; and a semicolon",
        "CATEGORIES:VIP,golf\\, weekends",
        "END:VCARD",
    ]


def test_empty_fields_are_left_out_and_a_full_birthday_is_a_date():
    lines = card_lines({"id": "X", "name": "张伟", "birthday": "1985-03-15", "tags": [], "phone": ""})
    assert lines[3:] == ["UID:X", "FN:张伟", "N:张伟;;;;", "BDAY:1985-03-15", "END:VCARD"]


def test_n_from_the_name():
    names = ("Ada Lovelace", "Lady Ada King", "Lovelace, Ada", "张伟", "Acme")
    assert [card_lines({"id": "X", "name": name})[5] for name in names] == [
        "N:Lovelace;Ada;;;",
        "N:King;Lady Ada;;;",
        "N:Lovelace;Ada;;;",
        "N:张伟;;;;",
        "N:Acme;;;;",
    ]


def test_escape_every_line_break():
    assert escape("a\r\nb\rc\nd") == "a\\nb\\nc\\nd"


def test_long_lines_fold_at_75_octets_never_inside_a_character():
    notes = "客户喜欢喝茶，" * 30 + "😀 end"
    data = written({**CUSTOMER, "notes": notes})
    lines = data.split(b"\r\n")
    assert all(len(line) <= 75 for line in lines)
    assert sum(line.startswith(b" ") for line in lines) > 5
    for line in lines:
        line.decode("utf-8")  # each physical line is whole UTF-8: no character was cut
    [card] = vobject.readComponents(data.decode("utf-8"))
    assert card.note.value == notes


def test_what_is_written_reads_back_the_same(tmp_path):
    path = tmp_path / "out.vcf"
    path.write_bytes(written(CUSTOMER))
    [customer] = read_vcards(path).customers
    assert customer.record_id == CUSTOMER["id"]
    assert customer.values == {
        "name": "Smith, John",
        "company": "Company; The, Ltd",
        "title": "VP, Sales \\ Marketing",
        "phone": "+1 415 555 0100",
        "email": "john@example.com",
        "birthday": "--03-15",
    }
    assert customer.tags == ["VIP", "golf, weekends"]
    assert customer.notes == [CUSTOMER["notes"]]


def test_vobject_reads_the_same_card():
    [card] = vobject.readComponents(written(CUSTOMER).decode("utf-8"))
    assert card.fn.value == "Smith, John"
    assert card.tel.value == "+1 415 555 0100"
    assert card.email.value == "john@example.com"
    assert card.uid.value == CUSTOMER["id"]
    assert card.org.value == ["Company; The, Ltd"]


def test_export_then_import_changes_nothing(tmp_path, store):
    first = store.add_customer("Ada Lovelace", phone="+44 20 7946 0000", notes="Met at\nthe fair")
    store.add_tag(first, "VIP")
    store.add_customer("Bo", email="bo@example.com", birthday="--02-29", company="Acme, Inc.")
    path = tmp_path / "out.vcf"
    path.write_bytes(written(*exported(store.db)))
    before = change_count(store)
    result = import_customers(store, read_vcards(path).customers)
    assert (result.created, result.updated, result.unchanged) == (0, 0, 2)
    assert change_count(store) == before


def test_customers_with_a_tag_in_any_case(store):
    first = store.add_customer("Ada")
    store.add_tag(first, "VIP")
    store.add_customer("Bo")
    assert [c["name"] for c in exported(store.db, "vip")] == ["Ada"]
    assert [c["name"] for c in exported(store.db)] == ["Ada", "Bo"]


def test_vobject_reads_every_card_of_the_demo_field_by_field(tmp_path):
    """A second parser, not ours, reads back each demo customer's name, company, title,
    phone, email, birthday (a no-year one as Apple's 1604 form), notes and tags."""
    from datetime import UTC, datetime

    from salesdesk.demo import write_demo
    from salesdesk.store.store import Store

    now = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
    path = tmp_path / "demo.db"
    write_demo(path, "small", now, "ann")
    store = Store.open(path, "ann", lambda: now)
    try:
        live = list(exported(store.db))
        cards = list(vobject.readComponents(written(*live).decode("utf-8")))
    finally:
        store.close()
    assert len(cards) == len(live) > 20

    def value(card, name: str):
        return card.contents[name][0].value if name in card.contents else ""

    def expected(customer: dict) -> tuple:
        birthday = (customer["birthday"] or "").strip()
        return (
            customer["id"],
            customer["name"].strip(),
            [customer["company"].strip()] if (customer["company"] or "").strip() else "",
            (customer["title"] or "").strip(),
            (customer["phone"] or "").strip(),
            (customer["email"] or "").strip(),
            "1604-" + birthday[2:] if birthday.startswith("--") else birthday,
            (customer["notes"] or "").strip(),
            [tag for tag in customer["tags"] if tag.strip()] or "",
        )

    fields = ("uid", "fn", "org", "title", "tel", "email", "bday", "note", "categories")
    assert [tuple(value(card, name) for name in fields) for card in cards] == [
        expected(customer) for customer in live
    ]
    assert any(value(card, "bday") for card in cards) and any(value(card, "categories") for card in cards)
    assert any(value(card, "note") for card in cards) and any(value(card, "org") for card in cards)
