"""Quote numbers across devices: two quotes numbered alike offline end with two numbers
on every copy, the one made first keeping its own; a bad incoming quote is held back."""

import json
from datetime import timedelta

import pytest

from salesdesk.store.lines import refresh
from salesdesk.store.quotes import QuoteStore
from tests.conftest import TODAY
from tests.sync.test_hostile import crew, held_rows, inject, sync_all  # noqa: F401 (a fixture)


def quoted_deal(store, title, price):
    customer = store.add_customer(f"Buyer of {title}")
    deal = store.add_deal(customer, title, 0, "CNY")
    store.records.insert(
        "deal_lines", {"deal_id": deal, "description": title, "quantity_milli": 1000, "unit_price": price}
    )
    refresh(store, [deal])
    return deal


def numbers(device):
    return sorted(
        device.store.db.execute("SELECT id, number, seq, revision FROM quotes WHERE deleted_at IS NULL")
    )


def test_two_devices_offline_take_one_number_and_end_with_two(team):
    ann, bob, _ = team
    ann_deal = quoted_deal(ann.store, "Laptops", 9_000_00)
    ann_quotes = QuoteStore(ann.store)
    first = ann_quotes.make(ann_deal, TODAY, "en")
    ann_quotes.send(first.id, TODAY, False, None)
    ann.store.records.update(
        "deal_lines",
        ann.store.db.execute("SELECT id FROM deal_lines").fetchone()[0],
        {"quantity_milli": 2000},
    )
    refresh(ann.store, [ann_deal])
    first_v2 = ann_quotes.make(ann_deal, TODAY, "en")
    bob.clock.advance(hours=12)  # bob's quote is made after ann's
    bob_deal = quoted_deal(bob.store, "Printers", 2_000_00)
    second = QuoteStore(bob.store).make(bob_deal, TODAY, "en")
    assert first.number == second.number == first_v2.number == "Q-2026-0001"

    ann_report = ann.merge_from(bob)  # ann's was made first: ann keeps it and renumbers nothing
    assert ann_report.notes == []
    bob_report = bob.merge_from(ann)  # bob numbered the later one: bob renumbers it
    assert bob_report.notes == [
        "A teammate's quote had the number Q-2026-0001 first: the quote of Printers is Q-2026-0002 now."
    ]
    assert "Q-2026-0002" in bob_report.summary()
    ann.merge_from(bob)

    expected = sorted(
        [
            (first.id, "Q-2026-0001", 1, 1),
            (first_v2.id, "Q-2026-0001", 1, 2),
            (second.id, "Q-2026-0002", 2, 1),
        ]
    )
    assert numbers(ann) == numbers(bob) == expected
    assert ann.digest() == bob.digest()
    # Nothing goes back and forth: another round writes nothing new on either side.
    entries = (ann.entries(), bob.entries())
    ann.merge_from(bob)
    bob.merge_from(ann)
    assert (ann.entries(), bob.entries()) == entries
    assert QuoteStore(ann.store).find("Q-2026-0002").deal_id == bob_deal


def test_the_later_quote_is_renumbered_whichever_copy_merges_first(team):
    ann, bob, _ = team
    bob_deal = quoted_deal(bob.store, "Printers", 2_000_00)
    earlier = QuoteStore(bob.store).make(bob_deal, TODAY, "en")
    ann.clock.advance(hours=1)
    ann_deal = quoted_deal(ann.store, "Laptops", 9_000_00)
    later = QuoteStore(ann.store).make(ann_deal, TODAY, "en")
    assert ann.merge_from(bob).notes  # ann's own, made later, takes the next number at once
    bob.merge_from(ann)
    assert numbers(ann) == numbers(bob)
    assert dict((row[0], row[1]) for row in numbers(bob)) == {
        earlier.id: "Q-2026-0001",
        later.id: "Q-2026-0002",
    }


def test_a_revision_arriving_after_its_quote_was_renumbered_joins_the_new_number(team):
    ann, bob, cai = team
    ann_deal = quoted_deal(ann.store, "Laptops", 9_000_00)
    QuoteStore(ann.store).make(ann_deal, TODAY, "en")
    bob.clock.advance(hours=12)
    bob_deal = quoted_deal(bob.store, "Printers", 2_000_00)
    bob_quotes = QuoteStore(bob.store)
    sent = bob_quotes.make(bob_deal, TODAY, "en")
    bob_quotes.send(sent.id, TODAY, False, None)
    cai.merge_from(bob)  # cai makes bob's quote's v2 before the renumbering reaches it
    cai.store.records.update(
        "deal_lines",
        cai.store.db.execute("SELECT id FROM deal_lines WHERE deal_id = ?", [bob_deal]).fetchone()[0],
        {"quantity_milli": 3000},
    )
    refresh(cai.store, [bob_deal])
    v2 = QuoteStore(cai.store).make(bob_deal, TODAY + timedelta(days=1), "en")
    assert (v2.number, v2.revision, v2.device) == ("Q-2026-0001", 2, bob.store.device)
    bob.merge_from(ann)  # bob renumbers its quote to 0002
    bob.merge_from(cai)  # then the v2 arrives with the old number: it follows its quote
    for device in (ann, cai):
        device.merge_from(bob)
    for device in (ann, bob, cai):
        labels = {(row[1], row[3]) for row in numbers(device)}
        assert labels == {("Q-2026-0001", 1), ("Q-2026-0002", 1), ("Q-2026-0002", 2)}
    assert ann.digest() == bob.digest() == cai.digest()


def _quote_record(mal, **fields):
    moment = "2026-11-27T09:00:00.000Z"
    customer = mal.store.add_customer("Target")
    deal = mal.store.add_deal(customer, "Target deal", 0, "CNY")
    line = {
        "description": "Thing",
        "quantity_milli": 1000,
        "unit": "",
        "unit_price": 100,
        "discount_kind": "none",
        "discount": 0,
        "total": 100,
        "code": "",
    }
    return {
        "id": "evil-quote",
        "number": "Q-2026-0001",
        "year": 2026,
        "seq": 1,
        "revision": 1,
        "deal_id": deal,
        "customer_id": customer,
        "status": "draft",
        "issued_on": "2026-11-27",
        "valid_until": "2026-12-27",
        "currency": "CNY",
        "lines": json.dumps([line]),
        "seller": "{}",
        "buyer": json.dumps({"name": "Target"}),
        "language": "en",
        "device": mal.store.device,
        "created_at": moment,
        "updated_at": moment,
        "updated_by": "mal",
        "version": 1,
        "deleted_at": None,
        **fields,
    }


BAD_QUOTES = {
    "lines not a list": ({"lines": json.dumps({"a": 1})}, "quote lines"),
    "a line's price as text": (
        {
            "lines": json.dumps(
                [
                    {
                        "description": "x",
                        "quantity_milli": 1,
                        "unit": "",
                        "unit_price": "9",
                        "discount_kind": "none",
                        "discount": 0,
                        "total": 9,
                    }
                ]
            )
        },
        "quote lines",
    ),
    "a line with a field more": (
        {
            "lines": json.dumps(
                [
                    {
                        "description": "x",
                        "quantity_milli": 1,
                        "unit": "",
                        "unit_price": 9,
                        "discount_kind": "none",
                        "discount": 0,
                        "total": 9,
                        "evil": 1,
                    }
                ]
            )
        },
        "quote lines",
    ),
    "a seller not of text": ({"seller": json.dumps({"name": ["x"]})}, "seller"),
    "a buyer not an object": ({"buyer": json.dumps(["x"])}, "buyer"),
    "another language": ({"language": "fr"}, "language"),
    "a number not its seq": ({"number": "Q-2026-0007"}, "number"),
    "a number of another year": ({"number": "Q-2025-0001"}, "number"),
}


@pytest.mark.parametrize("case", sorted(BAD_QUOTES))
def test_a_bad_incoming_quote_is_held_back_not_applied(crew, case):  # noqa: F811
    ann, bob, mal, _ = crew
    fields, reason = BAD_QUOTES[case]
    inject(mal, "quotes", "evil-quote", _quote_record(mal, **fields))
    sync_all(ann, bob, mal)
    [(tbl, row_id, kind, said, author)] = held_rows(ann)
    assert (tbl, row_id, kind, author) == ("quotes", "evil-quote", "invalid", "mal")
    assert reason in said
    assert ann.store.db.execute("SELECT count(*) FROM quotes").fetchone()[0] == 0


def test_a_good_incoming_quote_is_applied(crew):  # noqa: F811
    ann, bob, mal, _ = crew
    inject(mal, "quotes", "evil-quote", _quote_record(mal))
    sync_all(ann, bob, mal)
    assert held_rows(ann) == []
    assert QuoteStore(ann.store).find("Q-2026-0001").id == "evil-quote"


BAD_SETTINGS = {
    "validity of zero days": ("quote_validity_days", 0),
    "validity of a year and a day": ("quote_validity_days", 366),
    "validity as text": ("quote_validity_days", "30"),
    "terms too long": ("quote_terms", "x" * 4001),
    "terms not text": ("quote_terms", ["x"]),
    "a seller not an object": ("seller", "Acme"),
    "a seller with a number": ("seller", {"name": "Acme", "phone": 5}),
    "a seller with a field of ours not": ("seller", {"name": "Acme", "bank": "x"}),
}


@pytest.mark.parametrize("case", sorted(BAD_SETTINGS))
def test_a_bad_quote_setting_is_held_back(crew, case):  # noqa: F811
    ann, bob, mal, _ = crew
    key, value = BAD_SETTINGS[case]
    inject(mal, "settings", key, {"value": json.dumps(value)})
    sync_all(ann, bob, mal)
    [(tbl, row_id, kind, said, _author)] = held_rows(ann)
    assert (tbl, row_id, kind) == ("settings", key, "invalid") and key in said
    assert (
        ann.store.setting(key)
        == {
            "quote_validity_days": 30,
            "quote_terms": "",
            "seller": {"name": "", "address": "", "phone": "", "email": "", "tax_id": ""},
        }[key]
    )


def test_good_quote_settings_arrive(crew):  # noqa: F811
    ann, bob, mal, _ = crew
    mal.store.set_setting("quote_validity_days", 365)
    mal.store.set_setting("quote_terms", "t" * 4000)
    mal.store.set_setting("seller", {"name": "Acme", "tax_id": "91X"})
    sync_all(ann, bob, mal)
    assert held_rows(ann) == []
    assert ann.store.setting("quote_validity_days") == 365
    assert ann.store.setting("seller") == {"name": "Acme", "tax_id": "91X"}


def test_three_devices_offline_end_with_three_numbers_everywhere(team):
    made = []
    for n, device in enumerate(team):  # clocks skewed by hours (bob's behind, cai's ahead)
        deal = quoted_deal(device.store, f"Deal of {device.store.user}", 1_000_00 * (n + 1))
        made.append(QuoteStore(device.store).make(deal, TODAY, "en"))
        assert made[-1].number == "Q-2026-0001"
    for _ in range(3):
        for device in team:
            for peer in team:
                if peer is not device:
                    device.merge_from(peer)
    rows = [numbers(device) for device in team]
    assert rows[0] == rows[1] == rows[2]
    assert sorted(row[1] for row in rows[0]) == ["Q-2026-0001", "Q-2026-0002", "Q-2026-0003"]
    first = min(made, key=lambda quote: (quote.created_at, quote.id))
    assert QuoteStore(team[0].store).find("Q-2026-0001").id == first.id  # made first, kept it
    assert len({device.digest() for device in team}) == 1
