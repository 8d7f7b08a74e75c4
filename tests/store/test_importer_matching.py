"""A matched row drops nothing, and importing a file again changes nothing, whatever its numbers."""

from pathlib import Path

import pytest

from salesdesk.io.vcard import read_vcards
from salesdesk.store.importer import import_customers
from tests.io.helpers import change_count, customers, run_import, write

FIXTURES = Path(__file__).parent.parent / "fixtures" / "contacts"


def test_a_second_row_of_the_same_email_keeps_its_other_phone_company_and_title(tmp_path, store):
    path = write(
        tmp_path / "contacts.csv",
        "name,email,phone,company,title\r\n"
        "Wang Fang,wang@example.cn,+86 138 0013 8000,Hengda,Manager\r\n"
        "Wang Fang,WANG@example.cn,+86 139 0013 9000,Huaguang,Buyer\r\n",
    )
    _, result = run_import(store, path)
    assert (result.created, result.merged, result.kept) == (1, 1, 1)
    [row] = customers(store)
    assert (row["phone"], row["company"], row["title"]) == ("+86 138 0013 8000", "Hengda", "Manager")
    assert row["notes"] == "From contacts.csv line 3: phone +86 139 0013 9000; company Huaguang; title Buyer"


def test_reimporting_a_customer_with_a_new_phone_keeps_it_and_says_so(tmp_path, store, clock):
    existing = store.add_customer(
        "Ada", email="ada@example.com", phone="+44 20 7946 0000", notes="met in London"
    )
    path = write(tmp_path / "contacts.csv", "name,email,phone\r\nAda,ada@example.com,+44 20 7946 0111\r\n")
    _, result = run_import(store, path)
    assert (result.updated, result.unchanged, result.kept) == (1, 0, 1)
    customer = store.customer(existing)
    assert customer.phone == "+44 20 7946 0000"
    assert customer.notes == "met in London\nFrom contacts.csv line 2: phone +44 20 7946 0111"
    before = change_count(store)
    clock.advance(days=1)
    _, again = run_import(store, path)
    assert (again.updated, again.unchanged, again.kept) == (0, 1, 0)
    assert change_count(store) == before


def test_a_value_already_kept_is_not_kept_again_from_another_file_or_line(tmp_path, store):
    existing = store.add_customer("Ada", email="ada@example.com", title="Countess")
    first = write(tmp_path / "a.csv", "name,email,title\r\nAda,ada@example.com,Analyst\r\n")
    run_import(store, first)
    later = write(
        tmp_path / "b.csv",
        "name,email,title,company\r\nBob,bob@example.com,,\r\nAda,ada@example.com,analyst,Engines\r\n",
    )
    _, result = run_import(store, later)
    assert result.kept == 0  # the title was kept from a.csv; the company fills an empty field
    customer = store.customer(existing)
    assert (customer.title, customer.company) == ("Countess", "Engines")
    assert customer.notes == "From a.csv line 2: title Analyst"


def test_the_same_value_in_another_case_or_spacing_is_not_another_value(tmp_path, store):
    store.add_customer(
        "Ada Lovelace", email="ada@example.com", company="Analytical Engines", birthday="1815-12-10"
    )
    path = write(
        tmp_path / "f.csv",
        "name,email,company,birthday\r\nada  lovelace,ADA@example.com,ANALYTICAL engines,--12-10\r\n",
    )
    _, result = run_import(store, path)
    assert (result.unchanged, result.kept) == (1, 0)


def test_a_birthday_without_a_year_gets_the_year_a_file_gives(tmp_path, store):
    existing = store.add_customer("Ada", email="ada@example.com", birthday="--12-10")
    run_import(store, write(tmp_path / "f.csv", "name,email,birthday\r\nAda,ada@example.com,1815-12-10\r\n"))
    assert (store.customer(existing).birthday, store.customer(existing).notes) == ("1815-12-10", "")


def test_update_lets_the_file_win_and_keeps_the_old_values_in_the_notes(tmp_path, store, clock):
    existing = store.add_customer("Ada", email="ada@example.com", phone="+44 20 7946 0000", title="Countess")
    path = write(
        tmp_path / "contacts.csv",
        "name,email,phone,title\r\n"
        "Ada Byron,ada@example.com,+44 20 7946 0111,Analyst\r\n"
        "Ada,ada@example.com,+44 20 7946 0222,\r\n",
    )
    _, result = run_import(store, path, update=True)
    assert (result.updated, result.replaced, result.kept) == (2, 1, 2)
    customer = store.customer(existing)
    assert (customer.name, customer.phone, customer.title) == ("Ada", "+44 20 7946 0111", "Analyst")
    assert customer.notes.splitlines() == [
        "Before contacts.csv line 2: phone +44 20 7946 0000; title Countess",
        "From contacts.csv line 2: name Ada Byron",  # a row found by its email does not rename
        "From contacts.csv line 3: phone +44 20 7946 0222",  # the first row of a customer wins
    ]
    before = change_count(store)
    clock.advance(days=1)
    for update in (True, False):
        _, again = run_import(store, path, update=update)
        assert (again.created, again.updated, again.unchanged, again.replaced) == (0, 0, 2, 0)
    assert change_count(store) == before


NUMBERS = [
    "100",  # a switchboard extension
    "12",
    "ext. 12",
    "911",
    "1-800-FLOWERS",
    "+1 555 0100 ext. 12",
    "+1 415 555 0100 ext. 12",
    "+1 415 555 0100 ext. 13",  # a colleague at the next desk
    "+1 415 555 0100",
    "+44 20 7946 0666 #12",
    "tel:+1-415-555-0100;ext=14",
    "138 0013 8000",
    "555-0100",
]


def test_every_row_of_odd_numbers_is_unchanged_on_reimport(tmp_path, store, clock):
    path = write(
        tmp_path / "f.csv",
        "Name,Phone\r\n" + "".join(f'Number Check,"{number}"\r\n' for number in NUMBERS),
    )
    _, first = run_import(store, path)
    assert (first.created, first.merged) == (len(NUMBERS), 0)
    before, snapshot = change_count(store), customers(store)
    for _ in range(2):
        clock.advance(days=1)
        _, again = run_import(store, path)
        assert (again.created, again.updated, again.unchanged) == (0, 0, len(NUMBERS))
    assert change_count(store) == before and customers(store) == snapshot


def test_a_short_number_matches_the_same_person_only(tmp_path, store):
    run_import(store, write(tmp_path / "a.csv", "name,company,phone\r\nNumber Check,Acme,100\r\n"))
    _, result = run_import(
        store,
        write(
            tmp_path / "b.csv",
            "name,company,phone,title\r\n"
            "Number Check,Acme,100,Operator\r\n"  # the same person: the title fills in
            "Other Person,Acme,100,\r\n"  # the same extension is not the same person
            "Number Check,Other Co,100,\r\n",
        ),
    )
    assert (result.created, result.updated) == (2, 1)
    assert [(c["name"], c["company"], c["title"]) for c in customers(store)] == [
        ("Number Check", "Acme", "Operator"),
        ("Other Person", "Acme", ""),
        ("Number Check", "Other Co", ""),
    ]


def test_a_short_number_joins_the_same_person_without_one(tmp_path, store):
    existing = store.add_customer("Number Check", company="Acme")
    _, result = run_import(
        store, write(tmp_path / "f.csv", "name,company,phone\r\nNumber Check,Acme,100\r\n")
    )
    assert (result.created, result.updated) == (0, 1)
    assert store.customer(existing).phone == "100"


def test_colleagues_on_one_line_with_their_own_extensions_stay_two(tmp_path, store):
    path = write(
        tmp_path / "f.csv",
        "name,phone\r\nFront Desk,+1 415 555 0100 ext. 12\r\nBack Office,+1 (415) 555-0100 x13\r\n"
        "Front Desk,415 555 0100 ext 12\r\n",
    )
    _, result = run_import(store, path)
    assert (result.created, result.merged, result.kept) == (2, 1, 0)


@pytest.mark.parametrize(
    "name, cards",
    [("abook-0.6.1.vcf", 4), ("vobject-vcard40_full.vcf", 1)],
)
def test_real_vcard_exports_reimport_unchanged(store, clock, name, cards):
    batch = read_vcards(FIXTURES / name)
    assert (batch.rows, batch.refusals) == (cards, [])
    first = import_customers(store, batch.customers, source=name)
    assert (first.created, first.merged, first.refusals) == (cards, 0, [])
    before, snapshot = change_count(store), customers(store)
    for update in (False, True):
        clock.advance(days=1)
        again = import_customers(store, read_vcards(FIXTURES / name).customers, source=name, update=update)
        assert (again.created, again.updated, again.unchanged) == (0, 0, cards)
    assert change_count(store) == before and customers(store) == snapshot


def test_the_abook_cards_keep_their_short_number_and_extensions(store):
    import_customers(store, read_vcards(FIXTURES / "abook-0.6.1.vcf").customers)
    assert [(c["name"], c["phone"]) for c in customers(store)] == [
        ("Number Check", "100"),
        ("Wang Fang", "13800138000"),
        ("Front Desk", "+1 415 555 0100 ext. 12"),
        ("Back Office", "+1 415 555 0100 ext. 13"),
    ]
