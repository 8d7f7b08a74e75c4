"""Real vCard files, as the programs they are named after wrote them (see
tests/fixtures/contacts/README.md): every card imports with its values exactly, and
importing the file again changes nothing."""

from pathlib import Path

import pytest

from salesdesk.io.vcard import read_vcards
from salesdesk.store.importer import import_customers
from tests.io.helpers import change_count, customers

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"
JOHN = ("Dr John Jøhñ Smith Jr", "(555) 111-1111", "john1@smith.com", "--08-02", "")

# file: (name, phone, email, birthday, tags) of each card, in file order
EXPECTED = {
    "vcard-ios-14.vcf": [JOHN],
    "vcard-macos-10.15.vcf": [JOHN],
    "vcard-android-2.1.vcf": [
        ("Dr John Jøhñ Smith, Jr.", "555-123-4567", "johnsmith@example.com", "1983-02-23", ""),
    ],
    "vcard-gmail-list.vcf": [
        ("Arnold Smith", "", "asmithk@gmail.com", None, ""),
        ("Chris Beatle", "", "chrisy55d@yahoo.com", None, ""),
        ("Doug White", "", "dwhite@gmail.com", None, ""),
    ],
    "vcard-gmail-single.vcf": [("VCard Test", "5555551115", "email@example.com", "1912-06-23", "")],
    "vcard-outlook-2007-ezvcard.vcf": [
        ("Mr. Michael Angstadt Jr.", "(111) 555-4444", "mike.angstadt@gmail.com", "1922-03-10", ""),
    ],
    "vcard-nokia-2.1.vcf": [
        ("Michael Brüning", "+491622433834", "ext-Michael.Bruning@nokia.com", "1978-12-29", ""),
    ],
    "vcard-evolution-qp-cjk.vcf": [("十城目管理大型知座", "十城目管理大型知座", "weird@weird.com", None, "")],
    "vcard-kcontacts-13.vcf": [("Test User", "", "thejoe@abc.com", None, "")],
    "vcard-vobject-multilang.vcf": [("Yamada Taro", "", "", None, "")],
}


def stored(store) -> list[tuple]:
    tags = {
        customer_id: ",".join(sorted(names.split(",")))
        for customer_id, names in store.db.execute(
            "SELECT ct.customer_id, group_concat(t.name) FROM customer_tags ct "
            "JOIN tags t ON t.id = ct.tag_id WHERE ct.deleted_at IS NULL GROUP BY ct.customer_id"
        )
    }
    return [
        (c["name"], c["phone"], c["email"], c["birthday"], tags.get(c["id"], "")) for c in customers(store)
    ]


def test_every_vcard_fixture_has_its_expectations():
    assert sorted(EXPECTED) == sorted(p.name for p in FIXTURES.glob("vcard-*.vcf"))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_a_real_vcard_file_imports_exactly_and_again_changes_nothing(store, name):
    path = FIXTURES / name
    batch = read_vcards(path)
    assert batch.refusals == []
    assert batch.rows == len(EXPECTED[name])
    result = import_customers(store, batch.customers)
    assert (result.created, result.refusals) == (len(EXPECTED[name]), [])
    assert stored(store) == EXPECTED[name]
    before = change_count(store)
    again = import_customers(store, read_vcards(path).customers)
    assert (again.created, again.updated, again.unchanged) == (0, 0, len(EXPECTED[name]))
    assert change_count(store) == before


def test_what_a_phone_keeps_beside_the_name(store):
    [card] = read_vcards(FIXTURES / "vcard-ios-14.vcf").customers
    assert card.values["company"] == "FlutterContacts"
    assert card.values["title"] == "Software Engineer"
    assert card.notes[:2] == ["Department: Package division", "Phone (iphone, cell): 5552222222"]
    assert "Address (work): 1600 Amphitheatre Pkwy, Mountain View, CA 94043" in card.notes


def test_quoted_printable_across_soft_line_breaks_and_a_photo_that_ends_with_a_blank_line():
    [card] = read_vcards(FIXTURES / "vcard-android-2.1.vcf").customers
    assert "Notes line 1\nNotes line 2\nNotes line 3" in card.notes
    assert "Address (work): 1600 Amphitheatre Pkwy\nMountain View\nCA 94043\nUSA" in card.notes


def test_the_second_language_name_of_a_real_card(store):
    [card] = read_vcards(FIXTURES / "vcard-vobject-multilang.vcf").customers
    assert card.notes == ["Name (ja): 山田太郎"]


def test_a_real_file_with_cr_cr_lf_line_ends_reads_the_same(tmp_path):
    data = (FIXTURES / "vcard-outlook-2007-ezvcard.vcf").read_bytes()
    assert b"\r\n" in data
    mixed = tmp_path / "outlook.vcf"
    mixed.write_bytes(data.replace(b"\r\n", b"\r\r\n"))
    original = read_vcards(FIXTURES / "vcard-outlook-2007-ezvcard.vcf").customers
    again = read_vcards(mixed).customers
    assert [(c.values, c.notes) for c in again] == [(c.values, c.notes) for c in original]
