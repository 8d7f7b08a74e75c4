"""Demo databases: the small story, the bulk loader's invariants, and safe overwriting."""

import json
import os
import random
import sqlite3
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from pathlib import Path

import pytest

from salesdesk import i18n
from salesdesk.core import pipeline
from salesdesk.core.care import usual_interval
from salesdesk.core.contracts import AGES, NOT_DUE, OVERDUE, PAID, add_months, age_of, contract_number
from salesdesk.core.dates import epoch_ms, parse_timestamp, timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.ids import id_time_ms
from salesdesk.core.lines import line_total, totals
from salesdesk.core.model import phone_key
from salesdesk.core.quotes import lines_from_json, quote_number
from salesdesk.demo import data as demo_data
from salesdesk.demo import write_demo
from salesdesk.demo.large import LOADED, _Stamps, build_large
from salesdesk.paths import demo_build_path
from salesdesk.store.changelog import format_clock, parse_clock
from salesdesk.store.contracts import ContractStore, customer_end_id
from salesdesk.store.store import Store

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)
TODAY = NOW.date()
USER = "dana"
FTS_TRIGGERS = {
    "customers_ai",
    "customers_ad",
    "customers_au",
    "interactions_ai",
    "interactions_ad",
    "interactions_au",
}


def open_store(path: Path) -> Store:
    return Store.open(path, USER, lambda: NOW)


def rows(store: Store, sql: str, params=()) -> list[tuple]:
    return store.db.execute(sql, params).fetchall()


def table_dicts(store: Store, table: str) -> list[dict]:
    cursor = store.db.execute(f"SELECT * FROM {table} ORDER BY id")
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def counts_of(path: Path) -> dict[str, int]:
    store = open_store(path)
    try:
        return store.counts()
    finally:
        store.close()


def sidecars(path: Path) -> list[Path]:
    return [p for p in path.parent.iterdir() if p.name.startswith(path.name) and p != path]


@pytest.fixture(scope="module")
def small(tmp_path_factory):
    path = tmp_path_factory.mktemp("small") / "demo.db"
    counts = write_demo(path, "small", NOW, USER)
    store = open_store(path)
    yield store, counts
    store.close()


# -- the small demo -----------------------------------------------------------------


def test_small_counts_are_in_range(small):
    store, counts = small
    assert counts == store.counts()
    assert 35 <= counts["customers"] <= 45
    assert 55 <= counts["deals"] <= 80
    assert 200 <= counts["interactions"] <= 450
    assert 40 <= counts["followups"] <= 90
    assert counts["tags"] >= 5 and counts["customer_tags"] >= counts["customers"]
    assert counts["stage_changes"] > counts["deals"]
    assert store.meta("demo") == "small"


def test_every_stage_has_deals(small):
    store, _ = small
    in_stage = Counter(stage for (stage,) in rows(store, "SELECT stage_id FROM deals"))
    for stage in store.stages():
        assert in_stage[stage.id] >= 3, stage.id


def test_closed_deals_have_dates_and_lost_ones_reasons(small):
    store, _ = small
    kinds = {stage.id: stage.kind for stage in store.stages()}
    reasons = set()
    for deal in table_dicts(store, "deals"):
        kind = kinds[deal["stage_id"]]
        assert (deal["closed_on"] is not None) == (kind != pipeline.OPEN)
        if kind == pipeline.LOST:
            assert deal["lost_reason"]
            reasons.add(deal["lost_reason"])
        else:
            assert deal["lost_reason"] == ""
    assert len(reasons) >= 4


def test_deals_have_a_history_through_their_stages(small):
    store, _ = small
    order = {stage.id: stage.position for stage in store.stages()}
    days_in_stage = []
    for deal in table_dicts(store, "deals"):
        history = store.stage_history(deal["id"])
        assert history[0].from_stage is None
        assert history[-1].to_stage == deal["stage_id"]
        assert history[-1].at == deal["stage_entered_at"]
        assert [h.at for h in history] == sorted(h.at for h in history)
        if deal["stage_id"] == "stage-paid":
            assert [h.to_stage for h in history] == sorted(order, key=order.get)[:6]
        if deal["closed_on"] is None:
            days_in_stage.append((TODAY - parse_timestamp(deal["stage_entered_at"]).date()).days)
    assert min(days_in_stage) <= 2 and max(days_in_stage) >= 40
    assert max(days_in_stage) <= 61


def test_some_open_deals_are_rotting_with_and_without_a_next_step(small):
    store, _ = small
    stages = {stage.id: stage for stage in store.stages()}
    flagged, excused = 0, 0
    for deal in table_dicts(store, "deals"):
        stage = stages[deal["stage_id"]]
        days = (TODAY - parse_timestamp(deal["stage_entered_at"]).date()).days
        if stage.kind != pipeline.OPEN or days <= stage.rotting_days:
            continue
        due = store.next_followup_of_deal(deal["id"])
        if pipeline.is_rotting(days, stage, due is not None and due >= TODAY):
            flagged += 1
        else:
            excused += 1
    assert flagged >= 2 and excused >= 1


def test_followups_are_overdue_due_today_and_upcoming(small):
    store, _ = small
    open_dues = [
        date.fromisoformat(d) for (d,) in rows(store, "SELECT due_date FROM followups WHERE done_at IS NULL")
    ]
    assert sum(d < TODAY for d in open_dues) >= 3
    assert sum(d == TODAY for d in open_dues) >= 3
    assert sum(TODAY < d <= TODAY + timedelta(days=7) for d in open_dues) >= 10
    assert sum(d > TODAY + timedelta(days=7) for d in open_dues) >= 3
    assert rows(store, "SELECT count(*) FROM followups WHERE done_at IS NOT NULL")[0][0] >= 5
    rules = {rule for (rule,) in rows(store, "SELECT rrule FROM followups WHERE rrule IS NOT NULL")}
    assert rules == {"FREQ=WEEKLY", "FREQ=MONTHLY"}
    # The weekly one was done every week and its next occurrence is booked.
    weekly = rows(
        store, "SELECT due_date, done_at FROM followups WHERE rrule = 'FREQ=WEEKLY' ORDER BY due_date"
    )
    assert len(weekly) >= 3 and weekly[-1][1] is None and all(done for _, done in weekly[:-1])


def test_dormant_repeat_and_other_segments_exist(small):
    store, _ = small
    ids = [cid for (cid,) in rows(store, "SELECT id FROM customers")]
    segments = Counter(store.segment_and_tier(cid, TODAY)[0] for cid in ids)
    assert segments["dormant"] >= 3
    assert segments["repeat"] >= 3
    for name in ("prospect", "customer", "lead", "lost"):
        assert segments[name] >= 1, name
    tiers = Counter(store.segment_and_tier(cid, TODAY)[1] for cid in ids)
    assert tiers["A"] >= 1 and tiers["C"] >= 1


def test_interactions_span_the_past_year(small):
    store, _ = small
    earliest, latest = rows(store, "SELECT min(at), max(at) FROM interactions")[0]
    assert parse_timestamp(earliest) >= NOW - timedelta(days=366)
    assert NOW - timedelta(days=2) <= parse_timestamp(latest) <= NOW
    kinds = {kind for (kind,) in rows(store, "SELECT DISTINCT kind FROM interactions")}
    assert kinds == {"call", "email", "meeting", "visit", "message", "note"}
    for customer_id, last in rows(store, "SELECT id, last_contact_at FROM customers"):
        latest = rows(
            store, "SELECT max(at) FROM interactions WHERE customer_id = ? AND kind != 'note'", [customer_id]
        )[0][0]  # a note is not contact
        assert last == latest


def test_customer_details_are_varied(small):
    store, _ = small
    customers = table_dicts(store, "customers")
    names = [c["name"] for c in customers]
    assert any("\x1b" in name and "[bold]" in name for name in names)
    assert sum(any("\u4e00" <= ch <= "\u9fff" for ch in name) for name in names) >= 10
    assert sum(name.isascii() for name in names) >= 10
    assert any(c["phone"].startswith("+86 ") for c in customers)
    assert any(c["phone"].startswith(("+1 ", "+44 ")) for c in customers)
    assert all(c["phone_key"] == phone_key(c["phone"]) for c in customers)
    assert len({c["industry"] for c in customers}) >= 5
    assert {c["source"] for c in customers} >= {"referral", "website", "trade show", "cold call"}
    assert any(c["birthday"] and c["birthday"].endswith("-02-29") for c in customers)
    assert sum(c["lunar_birthday"] is not None for c in customers) >= 2
    soon = 0
    for c in customers:
        if c["birthday"] and c["birthday"][5:] != "02-29":
            day = date(TODAY.year, int(c["birthday"][5:7]), int(c["birthday"][8:]))
            if day < TODAY:
                day = day.replace(year=TODAY.year + 1)
            soon += (day - TODAY).days <= 21
    assert soon >= 3
    renewals = [date.fromisoformat(c["contract_end"]) for c in customers if c["contract_end"]]
    assert sum(TODAY < end <= TODAY + timedelta(days=42) for end in renewals) >= 2
    owners = Counter(c["owner"] for c in customers)
    assert owners[USER] > len(customers) // 2 and len(owners) >= 2
    tags = {name for (name,) in rows(store, "SELECT name FROM tags")}
    assert {"vip", "smb", "enterprise", f"trade-show-{TODAY.year}"} <= tags


def test_amounts_are_minor_units_across_a_wide_spread(small):
    store, _ = small
    amounts = rows(store, "SELECT amount, currency FROM deals")
    usd = [amount for amount, currency in amounts if currency == "USD"]
    # Deals drawn with a typed amount run from $1,000 to $250,000; repeat orders of
    # consumables can be smaller.
    assert min(usd) >= 100_00 and max(usd) <= 250_000_00
    assert sum(amount < 1000_00 for amount in usd) <= 12
    assert min(usd) < 5_000_00 and max(usd) > 50_000_00
    assert 1 <= sum(currency == "CNY" for _, currency in amounts) < len(amounts) // 3


def test_everything_small_is_in_the_change_log_and_in_the_past(small):
    store, _ = small
    for table in (
        "customers",
        "deals",
        "stage_changes",
        "interactions",
        "followups",
        "customer_tags",
        "tags",
        "products",
        "deal_lines",
        "quotes",
        "contracts",
        "instalments",
        "receipts",
        "cases",
    ):
        missing = rows(
            store,
            f"SELECT count(*) FROM {table} t WHERE NOT EXISTS "
            f"(SELECT 1 FROM changes c WHERE c.tbl = ? AND c.row_id = t.id)",
            [table],
        )[0][0]
        assert missing == 0, table
        latest = rows(store, f"SELECT max(created_at), max(updated_at) FROM {table}")[0]
        assert max(latest) <= timestamp(NOW), table
    clocks = [
        clock for (clock,) in rows(store, "SELECT clock FROM changes WHERE device != 'seed' ORDER BY seq")
    ]
    assert clocks == sorted(clocks) and len(set(clocks)) == len(clocks)
    # Ids carry their record's creation time.
    for record_id, created in rows(store, "SELECT id, created_at FROM interactions"):
        assert id_time_ms(record_id) == epoch_ms(parse_timestamp(created))


def test_same_seed_same_story(tmp_path, small):
    store, _ = small
    again = tmp_path / "again.db"
    write_demo(again, "small", NOW, USER)
    other = open_store(again)
    try:
        for sql in (
            "SELECT name, company, phone, birthday FROM customers ORDER BY name, phone",
            "SELECT title, amount, currency, stage_id, expected_close, stage_entered_at "
            "FROM deals ORDER BY stage_entered_at",
            "SELECT kind, at, summary FROM interactions ORDER BY at",
            "SELECT due_date, title, done_at FROM followups ORDER BY due_date, title",
            "SELECT code, name, price, active FROM products ORDER BY code",
            "SELECT description, quantity_milli, unit_price, discount_kind, discount, total FROM deal_lines "
            "ORDER BY created_at, position",
            "SELECT number, revision, status, issued_on, total, lines FROM quotes "
            "ORDER BY year, seq, revision",
            "SELECT number, signed_on, starts_on, ends_on, amount, currency, notes FROM contracts "
            "ORDER BY number, ends_on",
            "SELECT c.number, i.due_on, i.amount, i.label FROM instalments i "
            "JOIN contracts c ON c.id = i.contract_id ORDER BY c.number, i.position",
            "SELECT c.number, r.received_on, r.amount, r.method, r.reference FROM receipts r "
            "JOIN contracts c ON c.id = r.contract_id ORDER BY c.number, r.received_on, r.amount",
            "SELECT title, opened_on, status, closed_on FROM cases ORDER BY opened_on, title",
        ):
            assert rows(other, sql) == rows(store, sql)
    finally:
        other.close()
    different = tmp_path / "different.db"
    write_demo(different, "small", NOW, USER, seed=8)
    other = open_store(different)
    try:
        sql = "SELECT name, amount FROM deals JOIN customers c ON c.id = customer_id ORDER BY 1, 2"
        assert rows(other, sql) != rows(store, sql)
    finally:
        other.close()


def test_the_demo_is_anchored_on_now(tmp_path):
    then = datetime(2021, 3, 1, 23, 30, tzinfo=UTC)
    path = tmp_path / "then.db"
    write_demo(path, "small", then, USER)
    store = open_store(path)
    try:
        for table in ("customers", "deals", "stage_changes", "interactions", "followups"):
            assert rows(store, f"SELECT max(updated_at) FROM {table}")[0][0] <= timestamp(then)
        dues = rows(store, "SELECT count(*) FROM followups WHERE due_date = ?", [then.date().isoformat()])[0][
            0
        ]
        newest = rows(store, "SELECT max(at) FROM interactions")[0][0]
    finally:
        store.close()
    assert dues >= 3
    assert then - timedelta(days=3) < parse_timestamp(newest) <= then


# -- products, lines and quotes in the small demo ---------------------------------------------


def deal_lines_of(store: Store) -> dict[str, list[dict]]:
    lines: dict[str, list[dict]] = {}
    for line in table_dicts(store, "deal_lines"):
        lines.setdefault(line["deal_id"], []).append(line)
    return lines


def bought_by_customer(store: Store) -> dict[str, list[tuple[str, set[str]]]]:
    """customer id -> [(closed_on, product codes)] of each won deal, in time order."""
    won: dict[str, list[tuple[str, set[str]]]] = {}
    for customer_id, deal_id, closed_on in rows(
        store,
        "SELECT d.customer_id, d.id, d.closed_on FROM deals d JOIN stages s ON s.id = d.stage_id "
        "WHERE s.kind = 'won' ORDER BY d.closed_on",
    ):
        codes = {
            code
            for (code,) in rows(
                store,
                "SELECT p.code FROM deal_lines l JOIN products p ON p.id = l.product_id WHERE l.deal_id = ?",
                [deal_id],
            )
        }
        won.setdefault(customer_id, []).append((closed_on, codes))
    return won


def test_small_has_a_catalogue_of_products(small):
    store, counts = small
    products = table_dicts(store, "products")
    assert 22 <= counts["products"] == len(products) <= 35
    assert len({p["code"] for p in products}) == len(products) and all(p["code"] for p in products)
    assert 1 <= sum(not p["active"] for p in products) <= 2
    assert {p["currency"] for p in products} == {"USD", "CNY"}
    assert len({p["category"] for p in products}) >= 5
    assert all(p["price"] > 0 and p["price"] % 100 == 0 and p["unit"] for p in products)
    names = {p["name"] for p in products}
    assert {
        "Annual maintenance contract",
        "Spare parts framework agreement",
        "Installation and setup",
    } <= names
    retired = [p for p in products if not p["active"]]
    assert all(p["version"] == 2 for p in retired)  # added, then retired: an edit in the log


def test_every_deal_with_lines_amounts_to_their_sum(small):
    store, _ = small
    lines = deal_lines_of(store)
    deals = table_dicts(store, "deals")
    for deal in deals:
        mine = lines.get(deal["id"], [])
        for line in mine:
            assert line["total"] == line_total(
                line["quantity_milli"], line["unit_price"], line["discount_kind"], line["discount"]
            )
        if mine:
            assert deal["amount"] == sum(line["total"] for line in mine), deal["title"]
            assert sorted(line["position"] for line in mine) == list(range(len(mine)))
    with_lines = sum(deal["id"] in lines for deal in deals)
    assert 3 <= len(deals) - with_lines <= 8  # a few keep the amount typed by hand
    sizes = Counter(len(mine) for mine in lines.values())
    assert min(sizes) >= 1 and max(sizes) >= 4 and sizes[1] and sizes[2]
    every = [line for mine in lines.values() for line in mine]
    assert any(line["product_id"] is None for line in every)  # free text now and then
    kinds = Counter(line["discount_kind"] for line in every)
    assert kinds["percent"] >= 2 and kinds["amount"] >= 2 and kinds["none"] > len(every) // 2
    assert any(line["quantity_milli"] % 1000 == 0 and line["quantity_milli"] >= 50_000 for line in every)


def test_product_lines_name_their_product_in_the_deals_currency(small):
    store, _ = small
    products = {p["id"]: p for p in table_dicts(store, "products")}
    currencies = dict(rows(store, "SELECT id, currency FROM deals"))
    at_list = 0
    for line in table_dicts(store, "deal_lines"):
        if line["product_id"] is None:
            continue
        product = products[line["product_id"]]
        assert line["description"] == product["name"] and line["unit"] == product["unit"]
        at_list += (
            currencies[line["deal_id"]] == product["currency"] and line["unit_price"] == product["price"]
        )
    assert at_list >= 30


def test_repeat_customers_reorder_at_their_own_interval(small):
    store, _ = small
    today = TODAY.isoformat()
    won = bought_by_customer(store)
    earliest = min(closed for orders in won.values() for closed, _ in orders)
    assert (TODAY - date.fromisoformat(earliest)).days > 500
    assert earliest >= (TODAY - timedelta(days=731)).isoformat() and all(
        closed <= today for orders in won.values() for closed, _ in orders
    )
    reorderers = 0
    for orders in won.values():
        counted = Counter(code for _, codes in orders for code in codes)
        code, times = counted.most_common(1)[0] if counted else ("", 0)
        if times >= 3 and code.startswith("SP-"):
            days = [date.fromisoformat(closed) for closed, codes in orders if code in codes]
            gaps = [(b - a).days for a, b in pairwise(days)]
            assert min(gaps) >= 15 and len(set(gaps)) > 1  # a rhythm, with jitter
            reorderers += 1
    assert reorderers >= 4


def test_older_orders_keep_todays_story(small):
    """The repeat orders added for purchase histories closed over a year ago (no value tier
    moves) and keep each customer's usual interval (Today's reorder reminders) as it was."""
    store, _ = small
    reorders = set(demo_data.REORDER_TITLES.values())
    by_customer: dict[str, list[tuple[str, str]]] = {}
    for customer_id, title, closed_on in rows(
        store,
        "SELECT d.customer_id, d.title, d.closed_on FROM deals d JOIN stages s ON s.id = d.stage_id "
        "WHERE s.kind = 'won'",
    ):
        by_customer.setdefault(customer_id, []).append((title, closed_on))
    added = 0
    for orders in by_customer.values():
        older = [date.fromisoformat(closed) for title, closed in orders if title in reorders]
        if not older:
            continue
        added += len(older)
        assert max(older) < TODAY - timedelta(days=366)
        story = [date.fromisoformat(closed) for title, closed in orders if title not in reorders]
        assert usual_interval(story + older) == usual_interval(story)
    assert added >= 6


def test_maintenance_contracts_come_with_spare_parts_often_not_always(small):
    store, _ = small
    customers = [
        set().union(*(codes for _, codes in orders)) for orders in bought_by_customer(store).values()
    ]
    lines = deal_lines_of(store)
    codes = dict(rows(store, "SELECT id, code FROM products"))
    deals = [{codes[line["product_id"]] for line in mine if line["product_id"]} for mine in lines.values()]
    maintenance = [deal for deal in deals if "MT-AMC" in deal or "CN-AMC" in deal]
    with_parts = sum("MT-SPF" in deal for deal in maintenance)
    assert len(maintenance) >= 5 and 0.4 <= with_parts / len(maintenance) < 1
    installed = [deal for deal in deals if {"SV-INST", "CN-INST"} & deal]
    trained = sum("TR-DAY" in deal for deal in installed)
    assert len(installed) >= 5 and 0.4 <= trained / len(installed) < 1
    assert len(customers) >= 10


def test_quotes_are_numbered_once_per_year_and_versioned(small):
    store, counts = small
    quotes = table_dicts(store, "quotes")
    assert 8 <= counts["quotes"] == len(quotes)
    keys = [(q["year"], q["seq"], q["revision"]) for q in quotes]
    assert len(set(keys)) == len(keys)
    for year in {q["year"] for q in quotes}:
        seqs = sorted({q["seq"] for q in quotes if q["year"] == year})
        assert seqs == list(range(1, len(seqs) + 1))
    for quote in quotes:
        assert quote["number"] == quote_number(quote["year"], quote["seq"])
        assert quote["year"] == int(quote["issued_on"][:4]) or quote["revision"] > 1
        assert quote["device"] == store.device and quote["language"] == "en"
        assert (quote["status"] == "sent") == (quote["sent_at"] is not None)
        frozen = lines_from_json(quote["lines"])
        sums = totals([(x.quantity_milli, x.unit_price, x.discount_kind, x.discount) for x in frozen])
        assert (quote["subtotal"], quote["discount_total"], quote["total"]) == (
            sums.subtotal,
            sums.discounts,
            sums.total,
        )
        assert all(
            x.total == line_total(x.quantity_milli, x.unit_price, x.discount_kind, x.discount) for x in frozen
        )
        assert json.loads(quote["seller"]) == store.setting("seller") and store.setting("seller")["name"]
        assert quote["terms"] == store.setting("quote_terms") != ""
        buyer = json.loads(quote["buyer"])
        assert (
            buyer["name"]
            == rows(store, "SELECT name FROM customers WHERE id = ?", [quote["customer_id"]])[0][0]
        )
    assert sum(q["status"] == "draft" for q in quotes) == 1


def test_a_second_version_keeps_the_first_as_it_was_sent(small):
    store, _ = small
    quotes = table_dicts(store, "quotes")
    lines = deal_lines_of(store)
    (second,) = [q for q in quotes if q["revision"] == 2]
    (first,) = [q for q in quotes if q["number"] == second["number"] and q["revision"] == 1]
    assert first["deal_id"] == second["deal_id"] and first["status"] == second["status"] == "sent"
    assert first["sent_at"] < second["sent_at"]
    assert lines_from_json(first["lines"]) != lines_from_json(second["lines"])
    now = [
        (
            x["description"],
            x["quantity_milli"],
            x["unit_price"],
            x["discount_kind"],
            x["discount"],
            x["total"],
        )
        for x in sorted(lines[second["deal_id"]], key=lambda line: line["position"])
    ]
    frozen = [
        (x.description, x.quantity_milli, x.unit_price, x.discount_kind, x.discount, x.total)
        for x in lines_from_json(second["lines"])
    ]
    assert frozen == now  # the deal's lines as they are; the first version as they were
    amount = rows(store, "SELECT amount FROM deals WHERE id = ?", [second["deal_id"]])[0][0]
    assert amount == second["total"] != first["total"]
    # The line was changed through the write path: an edit in the change log.
    assert max(x["version"] for x in lines[second["deal_id"]]) == 2


def test_quotes_expired_accepted_and_waiting(small):
    store, _ = small
    kinds = {stage.id: stage.kind for stage in store.stages()}
    deals = {d["id"]: d for d in table_dicts(store, "deals")}
    quotes = table_dicts(store, "quotes")
    superseded = {(q["year"], q["seq"]) for q in quotes if q["revision"] > 1}
    accepted = expired = waiting = 0
    for quote in quotes:
        deal = deals[quote["deal_id"]]
        if quote["status"] != "sent" or (
            quote["revision"] == 1 and (quote["year"], quote["seq"]) in superseded
        ):
            continue
        won = kinds[deal["stage_id"]] == pipeline.WON
        if won:
            assert deal["closed_on"] >= quote["sent_at"][:10]
            accepted += 1
        elif quote["valid_until"] < TODAY.isoformat():
            expired += 1
        else:
            waiting += 1
        assert quote["issued_on"] <= TODAY.isoformat()
    assert accepted >= 1 and expired >= 1 and waiting >= 3
    stages = {deals[q["deal_id"]]["stage_id"] for q in quotes}
    assert {"stage-quote", "stage-negotiation"} <= stages


# -- contracts, payment plans, receipts and cases in the small demo -----------------------------


def entered(store: Store, deal_id: str, stage: str) -> str | None:
    found = rows(
        store, "SELECT min(at) FROM stage_changes WHERE deal_id = ? AND to_stage = ?", [deal_id, stage]
    )
    return found[0][0]


def deal_contracts(store: Store) -> list[dict]:
    return [c for c in table_dicts(store, "contracts") if c["deal_id"] is not None]


def test_every_signed_or_paid_deal_has_a_contract_of_its_own(small):
    store, counts = small
    deals = {d["id"]: d for d in table_dicts(store, "deals")}
    won = {deal_id for deal_id, d in deals.items() if d["stage_id"] in ("stage-signed", "stage-paid")}
    contracts = deal_contracts(store)
    assert sorted(c["deal_id"] for c in contracts) == sorted(won) and len(won) >= 20
    quotes = table_dicts(store, "quotes")
    for contract in contracts:
        deal = deals[contract["deal_id"]]
        signed = entered(store, deal["id"], "stage-signed")
        assert contract["signed_on"] == signed[:10]
        assert signed < contract["created_at"] <= timestamp(NOW)
        assert (contract["amount"], contract["currency"]) == (deal["amount"], deal["currency"])
        assert contract["customer_id"] == deal["customer_id"]
        starts, ends = date.fromisoformat(contract["starts_on"]), date.fromisoformat(contract["ends_on"])
        assert contract["signed_on"] <= contract["starts_on"]
        assert ends + timedelta(days=1) in (add_months(starts, 12), add_months(starts, 24))
        sent = [
            q
            for q in quotes
            if q["deal_id"] == deal["id"] and q["status"] == "sent" and q["sent_at"] < signed
        ]
        latest = max(sent, key=lambda q: q["sent_at"])["id"] if sent else None
        assert contract["quote_id"] == latest
    assert sum(c["quote_id"] is not None for c in contracts) >= 1
    assert 1 <= sum(bool(c["notes"]) for c in contracts) < len(contracts)
    two_years = [c for c in contracts if c["ends_on"][:4] >= str(int(c["starts_on"][:4]) + 2)]
    assert two_years and len(two_years) < len(contracts)
    # Numbered C-<year>-0001 on, in the order they were signed.
    for year in {c["signed_on"][:4] for c in contracts}:
        mine = sorted((c for c in contracts if c["signed_on"][:4] == year), key=lambda c: c["created_at"])
        assert [c["number"] for c in mine] == [contract_number(int(year), n + 1) for n in range(len(mine))]
    assert counts["contracts"] == len(table_dicts(store, "contracts"))


def test_a_customers_contract_end_is_a_contract_of_that_end(small):
    store, _ = small
    ends = {c["id"]: c["contract_end"] for c in table_dicts(store, "customers") if c["contract_end"]}
    assert len(ends) >= 5
    carried = {c["id"]: c for c in table_dicts(store, "contracts") if c["deal_id"] is None}
    assert sorted(carried) == sorted(customer_end_id(customer_id) for customer_id in ends)
    for customer_id, end in ends.items():
        contract = carried[customer_end_id(customer_id)]
        assert (contract["customer_id"], contract["ends_on"], contract["amount"]) == (customer_id, end, 0)


def test_each_plan_adds_up_to_its_contract(small):
    store, _ = small
    plans: dict[str, list[dict]] = {}
    for instalment in table_dicts(store, "instalments"):
        plans.setdefault(instalment["contract_id"], []).append(instalment)
    sizes = Counter()
    for contract in deal_contracts(store):
        plan = sorted(plans[contract["id"]], key=lambda i: i["position"])
        assert sum(i["amount"] for i in plan) == contract["amount"], contract["number"]
        assert [i["position"] for i in plan] == list(range(len(plan)))
        assert [i["due_on"] for i in plan] == sorted(i["due_on"] for i in plan)
        assert plan[0]["due_on"] == contract["signed_on"]  # something on signing, always
        assert all(i["label"] and i["snoozed_until"] is None for i in plan)
        sizes[len(plan)] += 1
    assert sizes[1] and sizes[2] and sizes[3] and sum(n for size, n in sizes.items() if size >= 4)
    labels = {i["label"] for i in table_dicts(store, "instalments")}
    assert {"100%", "30% on signing", "70% in 60 days", "1 of 3"} <= labels


def collections(store: Store) -> dict[str, tuple[dict, object]]:
    """contract number -> (its deal, its collection on TODAY)."""
    deals = {d["id"]: d for d in table_dicts(store, "deals")}
    contracts = ContractStore(store)
    return {
        c["number"]: (deals[c["deal_id"]], contracts.collection(c["id"], TODAY))
        for c in deal_contracts(store)
    }


def test_paid_deals_are_fully_collected_on_time_or_late(small):
    store, _ = small
    on_time = late = overpaid = 0
    for deal, state in collections(store).values():
        if deal["stage_id"] != "stage-paid":
            continue
        assert state.fully_collected and state.outstanding == 0 and state.overdue == 0
        assert all(s.status == PAID for s in state.instalments)
        # The money was in by the moment the deal moved to Paid.
        assert state.collected_on is not None
        assert state.collected_on.isoformat() == entered(store, deal["id"], "stage-paid")[:10]
        overpaid += state.overpaid > 0
        if any(s.paid_on > s.instalment.due_on for s in state.instalments):
            late += 1
        else:
            on_time += 1
    assert overpaid == 1 and on_time >= 3 and late >= 3


def test_signed_deals_are_partly_paid_with_a_partial_payment_and_a_refund(small):
    store, _ = small
    signed = [
        (deal, state) for deal, state in collections(store).values() if deal["stage_id"] == "stage-signed"
    ]
    assert len(signed) >= 5
    for _deal, state in signed:
        assert 0 < state.collected < state.amount and not state.fully_collected
    partial = [s for _deal, state in signed for s in state.instalments if 0 < s.applied < s.instalment.amount]
    assert partial and all(s.status == OVERDUE for s in partial)
    refunds = rows(
        store,
        "SELECT r.amount, d.stage_id FROM receipts r JOIN contracts c ON c.id = r.contract_id "
        "JOIN deals d ON d.id = c.deal_id WHERE r.amount < 0",
    )
    assert len(refunds) == 1 and refunds[0][1] == "stage-signed"
    # Refunded what arrived twice: the same amount came in on two days before it.
    ((amount, _stage),) = refunds
    assert rows(store, "SELECT count(*) FROM receipts WHERE amount = ?", [-amount])[0][0] >= 2
    methods = {m for (m,) in rows(store, "SELECT DISTINCT method FROM receipts")}
    assert "transfer" in methods and len(methods) >= 2
    assert rows(store, "SELECT max(received_on) FROM receipts")[0][0] <= TODAY.isoformat()


def test_overdue_instalments_fill_the_age_buckets_and_some_fall_due_this_week(small):
    store, _ = small
    overdue, soon = Counter(), 0
    for _deal, state in collections(store).values():
        for s in state.instalments:
            if s.status == OVERDUE:
                overdue[age_of(s.instalment.due_on, TODAY)] += 1
                assert s.days_late(TODAY) > 0 and s.outstanding > 0
            elif s.status != PAID and TODAY < s.instalment.due_on <= TODAY + timedelta(days=7):
                soon += 1
    assert NOT_DUE not in overdue
    assert set(overdue) == set(AGES) - {NOT_DUE}  # every bucket of the ageing report
    assert 1 <= soon <= 4
    # What is overdue is a small part of what was planned.
    assert sum(overdue.values()) * 5 < rows(store, "SELECT count(*) FROM instalments")[0][0]


def test_after_sales_cases_are_open_waiting_and_closed_on_customers_who_bought(small):
    store, counts = small
    cases = table_dicts(store, "cases")
    assert 4 <= counts["cases"] == len(cases) <= 10
    assert Counter(c["status"] for c in cases).keys() == {"open", "waiting", "closed"}
    owners = dict(rows(store, "SELECT id, owner FROM customers"))
    lines = deal_lines_of(store)
    for case in cases:
        deal = rows(store, "SELECT customer_id, stage_id FROM deals WHERE id = ?", [case["deal_id"]])[0]
        assert deal == (case["customer_id"], deal[1]) and deal[1] in ("stage-signed", "stage-paid")
        assert case["product_id"] in {line["product_id"] for line in lines[case["deal_id"]]}
        assert case["owner"] == owners[case["customer_id"]] and case["title"] and case["notes"]
        assert case["opened_on"] <= TODAY.isoformat()
        assert (
            case["opened_on"]
            >= rows(store, "SELECT signed_on FROM contracts WHERE deal_id = ?", [case["deal_id"]])[0][0]
        )
        if case["status"] == "closed":
            assert case["opened_on"] <= case["closed_on"] <= TODAY.isoformat() and case["version"] == 2
        else:
            assert case["closed_on"] is None
            assert case["version"] == (2 if case["status"] == "waiting" else 1)
    # The customer paid four weeks ago, whose check-in is due, has an open case.
    paid = {
        customer_id
        for customer_id, at in rows(
            store,
            "SELECT d.customer_id, s.at FROM stage_changes s JOIN deals d ON d.id = s.deal_id "
            "WHERE s.to_stage = 'stage-paid'",
        )
        if parse_timestamp(at).date() == TODAY - timedelta(days=28)
    }
    assert paid & {c["customer_id"] for c in cases if c["status"] == "open"}


def test_the_chinese_demo_names_its_products_in_chinese(tmp_path):
    path = tmp_path / "演示.db"
    i18n.set_language("zh")
    try:
        write_demo(path, "small", NOW, USER)
    finally:
        i18n.set_language("en")
    store = open_store(path)
    try:

        def chinese(text: str) -> bool:
            return any("\u4e00" <= ch <= "\u9fff" for ch in text)

        products = table_dicts(store, "products")
        assert all(chinese(p["name"]) for p in products)
        assert "年度维保合同" in {p["name"] for p in products} and "备件框架协议" in {
            p["name"] for p in products
        }
        assert sum(chinese(p["category"]) for p in products) >= len(products) - 1
        names = {p["id"]: p["name"] for p in products}
        for line in table_dicts(store, "deal_lines"):
            if line["product_id"]:
                assert line["description"] == names[line["product_id"]]
            else:
                assert chinese(line["description"])
        quotes = table_dicts(store, "quotes")
        assert quotes and all(q["language"] == "zh" for q in quotes)
        assert chinese(store.setting("seller")["name"]) and chinese(store.setting("quote_terms"))
        # Its plans were typed in Chinese, and so are its contracts' notes and its cases.
        labels = [i["label"] for i in table_dicts(store, "instalments")]
        assert labels and all(chinese(label) or label == "100%" for label in labels)
        assert any("签约时" in label for label in labels) and any(label.startswith("第") for label in labels)
        notes = [c["notes"] for c in table_dicts(store, "contracts") if c["notes"]]
        assert notes and all(chinese(note) for note in notes)
        cases = table_dicts(store, "cases")
        assert cases and all(chinese(c["title"]) and chinese(c["notes"]) for c in cases)
    finally:
        store.close()


def test_the_english_demo_names_its_products_in_english(small):
    store, _ = small
    for (name,) in rows(store, "SELECT name FROM products WHERE currency = 'USD'"):
        assert name.isascii(), name


# -- writing the file safely ----------------------------------------------------------


def test_the_result_is_one_self_contained_file(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    assert sidecars(path) == []
    assert not demo_build_path(path).exists()
    conn = sqlite3.connect(path)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    finally:
        conn.close()


def test_refuses_to_overwrite_a_real_database_without_force(tmp_path):
    path = tmp_path / "salesdesk.db"
    store = open_store(path)
    store.add_customer("Real Customer Ltd")
    store.close()
    before = path.read_bytes()
    with pytest.raises(SalesdeskError, match="--force"):
        write_demo(path, "small", NOW, USER)
    assert path.read_bytes() == before
    assert sidecars(path) == []


def test_force_overwrites_a_real_database(tmp_path):
    path = tmp_path / "salesdesk.db"
    store = open_store(path)
    store.add_customer("Real Customer Ltd")
    store.close()
    counts = write_demo(path, "small", NOW, USER, force=True)
    store = open_store(path)
    try:
        assert store.meta("demo") == "small"
        assert store.counts() == counts
        names = [name for (name,) in rows(store, "SELECT name FROM customers")]
        assert "Real Customer Ltd" not in names
    finally:
        store.close()


def test_a_demo_is_overwritten_without_force(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    first = path.read_bytes()
    write_demo(path, "small", NOW + timedelta(days=1), USER)
    assert path.read_bytes() != first
    store = open_store(path)
    try:
        assert store.meta("demo") == "small"
    finally:
        store.close()


def test_a_demo_only_looked_at_is_rebuilt_without_force(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    store = open_store(path)
    store.stages(), store.counts()
    store.close()
    write_demo(path, "small", NOW + timedelta(days=1), USER)
    assert counts_of(path)["customers"] >= 35


def test_a_demo_with_work_added_is_not_rebuilt_without_force(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    store = open_store(path)
    store.add_customer("Real Customer Ltd")
    store.close()
    before = path.read_bytes()
    with pytest.raises(SalesdeskError, match="changes made since it was built.*--force"):
        write_demo(path, "small", NOW, USER)
    assert path.read_bytes() == before and sidecars(path) == []
    write_demo(path, "small", NOW, USER, force=True)
    store = open_store(path)
    try:
        assert "Real Customer Ltd" not in [name for (name,) in rows(store, "SELECT name FROM customers")]
    finally:
        store.close()


def test_a_demo_built_without_a_stamp_is_not_rebuilt_without_force(tmp_path):
    """A demo of an older salesdesk cannot tell whether it was changed: it is kept."""
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM meta WHERE key = 'demo_built'")
    conn.close()
    with pytest.raises(SalesdeskError, match="--force"):
        write_demo(path, "small", NOW, USER)


def test_a_device_or_a_pipe_is_never_replaced(tmp_path):
    pipe = tmp_path / "a-pipe"
    os.mkfifo(pipe)
    for force in (False, True):
        with pytest.raises(SalesdeskError, match="not a regular file"):
            write_demo(pipe, "small", NOW, USER, force=force)
    assert pipe.is_fifo()


def test_stale_wal_files_of_the_old_target_are_removed(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    Path(f"{path}-wal").write_bytes(b"stale")
    Path(f"{path}-shm").write_bytes(b"stale")
    demo_build_path(path).write_bytes(b"left over from a killed build")
    write_demo(path, "small", NOW, USER)
    assert sidecars(path) == [] and not demo_build_path(path).exists()
    assert counts_of(path)["customers"] >= 35


@pytest.mark.parametrize("force", [False, True])
def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path, force):
    path = tmp_path / "notes.db"
    path.write_text("my precious notes\n")
    with pytest.raises(SalesdeskError, match="not a SQLite database"):
        write_demo(path, "small", NOW, USER, force=force)
    assert path.read_text() == "my precious notes\n"
    assert not demo_build_path(path).exists()


def test_a_newer_schema_is_refused_untouched(tmp_path):
    path = tmp_path / "future.db"
    write_demo(path, "small", NOW, USER)
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA user_version = 999")
    conn.close()
    before = path.read_bytes()
    with pytest.raises(SalesdeskError, match="newer"):
        write_demo(path, "small", NOW, USER, force=True)
    assert path.read_bytes() == before


def test_another_programs_database_needs_force(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE photos (name TEXT)")
    conn.commit()
    conn.close()
    with pytest.raises(SalesdeskError, match="--force"):
        write_demo(path, "small", NOW, USER)
    write_demo(path, "small", NOW, USER, force=True)
    assert counts_of(path)["customers"] >= 35


def test_an_empty_file_is_simply_replaced(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    assert write_demo(path, "small", NOW, USER)["customers"] >= 35


def test_a_missing_folder_or_unknown_size_is_refused(tmp_path):
    with pytest.raises(SalesdeskError, match="does not exist"):
        write_demo(tmp_path / "nowhere" / "demo.db", "small", NOW, USER)
    with pytest.raises(SalesdeskError, match="small or large"):
        write_demo(tmp_path / "demo.db", "medium", NOW, USER)
    assert list(tmp_path.iterdir()) == []


def test_a_failed_build_leaves_the_target_untouched(tmp_path, monkeypatch):
    path = tmp_path / "demo.db"
    write_demo(path, "small", NOW, USER)
    before = path.read_bytes()

    def broken(store, clock, rng):
        store.add_customer("Half a demo")
        raise RuntimeError("disk full")

    monkeypatch.setattr("salesdesk.demo.small.build_small", broken)
    with pytest.raises(RuntimeError):
        write_demo(path, "small", NOW, USER)
    assert path.read_bytes() == before
    assert sidecars(path) == [] and not demo_build_path(path).exists()


# -- the large demo, scaled down ----------------------------------------------------------

SCALE = {"customers": 1000, "deals": 300, "interactions": 10_000, "followups": 200}


@pytest.fixture(scope="module")
def large(tmp_path_factory):
    path = tmp_path_factory.mktemp("large") / "large.db"
    store = open_store(path)
    build_large(store, NOW, random.Random(7), **SCALE)
    yield store
    store.close()


def test_large_counts(large):
    counts = large.counts()
    for table, count in SCALE.items():
        assert counts[table] == count, table
    assert counts["tags"] >= 5 and counts["customer_tags"] >= SCALE["customers"] // 5
    assert counts["stage_changes"] > 2 * SCALE["deals"]


def test_large_records_carry_the_write_path_stamps(large):
    for table in LOADED:
        for record in table_dicts(large, table):
            assert record["version"] == 1 and record["deleted_at"] is None
            assert record["updated_at"] == record["created_at"]
            assert record["updated_by"] == USER
            created = parse_timestamp(record["created_at"])
            assert record["created_at"] == timestamp(created)
            assert created <= NOW
            if record["id"].startswith("contract-end-"):  # named after its customer
                assert table == "contracts" and record["id"] == customer_end_id(record["customer_id"])
            elif table != "customer_tags":
                assert id_time_ms(record["id"]) == epoch_ms(created), table


def test_large_change_log_holds_every_record_once(large):
    device = large.device
    clocks = []
    for table in LOADED:
        records = {r["id"]: r for r in table_dicts(large, table)}
        changes = rows(large, "SELECT row_id, clock, data FROM changes WHERE tbl = ?", [table])
        assert sorted(row_id for row_id, _, _ in changes) == sorted(records), table
        for row_id, clock, data in changes:
            record = dict(records[row_id])
            record.pop("rid", None)
            assert json.loads(data) == record
            ms = epoch_ms(parse_timestamp(record["created_at"]))
            assert clock == format_clock(ms, 0, device)
            clocks.append(clock)
    assert len(set(clocks)) == len(clocks)
    # The seller and the terms of its quotes were set through the write path, at now.
    settings = rows(large, "SELECT max(clock) FROM changes WHERE tbl = 'settings'")[0][0]
    assert large.meta("clock") == max(*clocks, settings) and settings > max(clocks)
    for table in LOADED:  # logged in time order within each table
        in_seq = [
            clock
            for (clock,) in rows(
                large, "SELECT clock FROM changes WHERE device = ? AND tbl = ? ORDER BY seq", [device, table]
            )
        ]
        assert in_seq == sorted(in_seq), table


def test_large_rows_are_consistent(large):
    conn = large.db.conn
    assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    for record in table_dicts(large, "customers"):
        assert record["phone_key"] == phone_key(record["phone"])
        latest = rows(
            large, "SELECT max(at) FROM interactions WHERE customer_id = ? AND kind != 'note'", [record["id"]]
        )[0][0]  # a note is not contact
        assert record["last_contact_at"] == latest
    for _, deal_created, customer_created in rows(
        large,
        "SELECT d.customer_id, d.created_at, c.created_at FROM deals d "
        "JOIN customers c ON c.id = d.customer_id",
    ):
        assert customer_created < deal_created
    assert (
        rows(
            large,
            "SELECT count(*) FROM interactions i JOIN customers c "
            "ON c.id = i.customer_id WHERE i.at < c.created_at",
        )[0][0]
        == 0
    )


def test_large_deals_have_stage_histories(large):
    kinds = {stage.id: stage.kind for stage in large.stages()}
    in_stage = Counter()
    for deal in table_dicts(large, "deals"):
        history = large.stage_history(deal["id"])
        assert history[0].from_stage is None and history[0].at >= deal["created_at"]
        assert history[-1].to_stage == deal["stage_id"]
        assert history[-1].at == deal["stage_entered_at"]
        assert all(a.to_stage == b.from_stage for a, b in pairwise(history))
        kind = kinds[deal["stage_id"]]
        assert bool(deal["lost_reason"]) == (kind == pipeline.LOST)
        if kind != pipeline.OPEN:
            assert deal["closed_on"] == deal["stage_entered_at"][:10]
        in_stage[deal["stage_id"]] += 1
    assert set(in_stage) == set(kinds)


def test_large_full_text_search_still_works(large):
    triggers = rows(large, "SELECT name FROM sqlite_master WHERE type = 'trigger'")
    assert {name for (name,) in triggers} >= FTS_TRIGGERS
    rid, phone = rows(large, "SELECT rid, phone FROM customers WHERE phone LIKE '+86 %' LIMIT 1")[0]
    part = phone.split()[-1]
    found = [
        r
        for (r,) in rows(large, "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?", [f'"{part}"'])
    ]
    assert rid in found
    hits = rows(large, "SELECT count(*) FROM interactions_fts WHERE interactions_fts MATCH 'quote'")
    assert hits[0][0] > 0
    # The recreated triggers index new records, whose clocks come after the loaded ones.
    last_loaded = large.meta("clock")
    large.db.execute("BEGIN")  # rolled back, so the other tests see the loaded data only
    try:
        new_id = large.add_customer("Zyxwv Quasar", phone="+86 139 4242 7777")
        new_rid = rows(large, "SELECT rid FROM customers WHERE id = ?", [new_id])[0][0]
        found = [
            r
            for (r,) in rows(
                large, "SELECT rowid FROM customers_fts WHERE customers_fts MATCH ?", ['"4242 7777"']
            )
        ]
        assert found == [new_rid]
        clock = rows(large, "SELECT clock FROM changes WHERE row_id = ?", [new_id])[0][0]
        assert parse_clock(clock)[2] == large.device and clock > last_loaded
    finally:
        large.db.execute("ROLLBACK")


def test_large_followups_come_after_what_they_are_about(large):
    assert rows(large, "SELECT count(*) FROM followups WHERE done_at <= created_at")[0][0] == 0
    assert (
        rows(
            large,
            "SELECT count(*) FROM followups f JOIN deals d ON d.id = f.deal_id "
            "WHERE f.created_at <= d.created_at",
        )[0][0]
        == 0
    )
    assert (
        rows(
            large,
            "SELECT count(*) FROM followups f JOIN customers c ON c.id = f.customer_id "
            "WHERE f.created_at <= c.created_at",
        )[0][0]
        == 0
    )
    kinds = {stage.id: stage.kind for stage in large.stages()}
    for (stage_id,) in rows(large, "SELECT d.stage_id FROM followups f JOIN deals d ON d.id = f.deal_id"):
        assert kinds[stage_id] == pipeline.OPEN


def test_large_timestamps_match_the_store_format():
    stamp = _Stamps()
    moments = [0, 951_782_400_000, 1_795_000_000_123, epoch_ms(NOW) - 1]
    moments += [random.Random(n).randrange(4_102_444_800_000) for n in range(200)]
    for ms in moments:
        assert stamp(ms) == timestamp(datetime.fromtimestamp(0, UTC) + timedelta(milliseconds=ms))


def test_large_followups_and_segments(large):
    dues = [
        date.fromisoformat(d) for (d,) in rows(large, "SELECT due_date FROM followups WHERE done_at IS NULL")
    ]
    assert any(d < TODAY for d in dues) and any(d == TODAY for d in dues)
    assert any(d > TODAY for d in dues)
    ids = [cid for (cid,) in rows(large, "SELECT id FROM customers LIMIT 400")]
    segments = Counter(large.segment_and_tier(cid, TODAY)[0] for cid in ids)
    assert segments["dormant"] and segments["prospect"] and segments["customer"]


def test_large_same_seed_same_data(large, tmp_path):
    store = open_store(tmp_path / "again.db")
    try:
        build_large(store, NOW, random.Random(7), **SCALE)
        for sql in (
            "SELECT name, phone, created_at FROM customers ORDER BY rid",
            "SELECT amount, stage_id, stage_entered_at FROM deals ORDER BY created_at",
            "SELECT at, kind, summary FROM interactions ORDER BY rid",
            "SELECT number, signed_on, ends_on, amount FROM contracts ORDER BY created_at",
            "SELECT due_on, amount, label FROM instalments ORDER BY created_at",
            "SELECT received_on, amount, method FROM receipts ORDER BY created_at",
        ):
            assert rows(store, sql) == rows(large, sql)
    finally:
        store.close()


def test_large_refuses_a_database_with_records(large):
    with pytest.raises(ValueError, match="empty"):
        build_large(large, NOW, random.Random(7), **SCALE)


def test_write_demo_large_goes_through_the_bulk_loader(tmp_path, monkeypatch):
    from salesdesk.demo import large as large_module

    real = large_module.build_large
    monkeypatch.setattr(large_module, "build_large", lambda store, now, rng: real(store, now, rng, **SCALE))
    path = tmp_path / "large.db"
    counts = write_demo(path, "large", NOW, USER)
    assert counts["customers"] == SCALE["customers"]
    assert sidecars(path) == []
    store = open_store(path)
    try:
        assert store.meta("demo") == "large"
        assert store.db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        # The Targets view has something to show: this month and the two before, the user's.
        months = {m for (m,) in store.db.execute("SELECT month FROM targets WHERE person = ?", [USER])}
        assert len(months) == 3 and NOW.strftime("%Y-%m") in months
    finally:
        store.close()


def test_large_has_two_hundred_products_in_its_language(large):
    products = table_dicts(large, "products")
    assert len(products) == 200 and len({p["code"] for p in products}) == 200
    assert 5 <= sum(not p["active"] for p in products) <= 30
    assert all(p["name"].isascii() for p in products if p["currency"] == "USD")
    assert {p["currency"] for p in products} == {"USD", "CNY"}


def test_large_deals_amount_to_their_lines(large):
    lines = deal_lines_of(large)
    deals = table_dicts(large, "deals")
    for deal in deals:
        mine = lines.get(deal["id"], [])
        for line in mine:
            assert line["total"] == line_total(
                line["quantity_milli"], line["unit_price"], line["discount_kind"], line["discount"]
            )
            assert line["created_at"] >= deal["created_at"]
        if mine:
            assert deal["amount"] == sum(line["total"] for line in mine)
            assert sorted(line["position"] for line in mine) == list(range(len(mine)))
    count = sum(len(mine) for mine in lines.values())
    assert 1.6 * len(deals) <= count <= 2.6 * len(deals)
    assert 0.02 * len(deals) <= len(deals) - len(lines) <= 0.15 * len(deals)
    codes = dict(rows(large, "SELECT id, code FROM products"))
    used = {codes[line["product_id"]] for mine in lines.values() for line in mine if line["product_id"]}
    assert len(used) >= 50  # models are sold too, not only the small catalogue


def test_large_repeat_buyers_reorder_at_their_own_pace(large):
    overdue = steady = 0
    for orders in bought_by_customer(large).values():
        counted = Counter(code for _, codes in orders for code in codes)
        if not counted:
            continue
        code, times = counted.most_common(1)[0]
        if times < 3:
            continue
        days = sorted({date.fromisoformat(closed) for closed, codes in orders if code in codes})
        gaps = [(b - a).days for a, b in pairwise(days)]
        interval = usual_interval(days)
        assert interval is not None and len(set(gaps)) > 1
        if all(abs(gap - interval) <= interval * 0.5 for gap in gaps):
            steady += 1
        overdue += days[-1] + timedelta(days=interval) < TODAY
    assert steady >= 3 and overdue >= 2


def test_large_quotes_are_numbered_once_per_year(large):
    quotes = table_dicts(large, "quotes")
    assert len(quotes) >= 50
    keys = [(q["year"], q["seq"], q["revision"]) for q in quotes]
    assert len(set(keys)) == len(keys)
    for year in {q["year"] for q in quotes}:
        seqs = sorted({q["seq"] for q in quotes if q["year"] == year})
        assert seqs == list(range(1, len(seqs) + 1))
    lines = deal_lines_of(large)
    for quote in quotes:
        assert quote["number"] == quote_number(quote["year"], quote["seq"])
        assert quote["device"] == large.device
        frozen = lines_from_json(quote["lines"])
        sums = totals([(x.quantity_milli, x.unit_price, x.discount_kind, x.discount) for x in frozen])
        assert quote["total"] == sums.total and quote["subtotal"] == sums.subtotal
        if quote["revision"] == 1 and (quote["year"], quote["seq"], 2) in keys:
            now = sum(line["total"] for line in lines[quote["deal_id"]])
            assert quote["total"] != now  # the first version kept the lines as they were
    assert any(q["revision"] == 2 for q in quotes) and any(q["status"] == "draft" for q in quotes)
    expired = [q for q in quotes if q["status"] == "sent" and q["valid_until"] < TODAY.isoformat()]
    assert expired


def test_large_maintenance_comes_with_spare_parts_often_not_always(large):
    codes = dict(rows(large, "SELECT id, code FROM products"))
    deals = [
        {codes[line["product_id"]] for line in mine if line["product_id"]}
        for mine in deal_lines_of(large).values()
    ]
    maintenance = [deal for deal in deals if deal & {"MT-AMC", "CN-AMC"}]
    share = sum("MT-SPF" in deal for deal in maintenance) / len(maintenance)
    others = [deal for deal in deals if not deal & {"MT-AMC", "CN-AMC"}]
    base = sum("MT-SPF" in deal for deal in others) / len(others)
    assert len(maintenance) >= 20 and 0.45 <= share < 0.95 and share > 3 * base


def test_large_every_signed_or_paid_deal_has_a_contract(large):
    deals = {d["id"]: d for d in table_dicts(large, "deals")}
    won = {i for i, d in deals.items() if d["stage_id"] in ("stage-signed", "stage-paid")}
    contracts = deal_contracts(large)
    assert sorted(c["deal_id"] for c in contracts) == sorted(won) and len(won) >= 100
    sent = {(q["id"], q["deal_id"]) for q in table_dicts(large, "quotes") if q["status"] == "sent"}
    for contract in contracts:
        deal = deals[contract["deal_id"]]
        signed = entered(large, deal["id"], "stage-signed")
        assert contract["signed_on"] == signed[:10] and signed < contract["created_at"]
        assert (contract["amount"], contract["currency"]) == (deal["amount"], deal["currency"])
        assert contract["customer_id"] == deal["customer_id"]
        assert contract["signed_on"] <= contract["starts_on"] < contract["ends_on"]
        assert contract["quote_id"] is None or (contract["quote_id"], deal["id"]) in sent
    assert any(c["quote_id"] for c in contracts)
    for year in {c["signed_on"][:4] for c in contracts}:
        mine = sorted(
            (c for c in contracts if c["signed_on"][:4] == year), key=lambda c: (c["signed_on"], c["number"])
        )
        assert [c["number"] for c in mine] == [contract_number(int(year), n + 1) for n in range(len(mine))]
    ends = {c["id"]: c["contract_end"] for c in table_dicts(large, "customers") if c["contract_end"]}
    carried = {c["id"]: c for c in table_dicts(large, "contracts") if c["deal_id"] is None}
    assert sorted(carried) == sorted(customer_end_id(customer_id) for customer_id in ends)
    assert all(carried[customer_end_id(i)]["ends_on"] == end for i, end in ends.items())


def test_large_plans_add_up_and_the_money_came_in(large):
    deals = {d["id"]: d for d in table_dicts(large, "deals")}
    contracts = ContractStore(large)
    planned = Counter(contract_id for (contract_id,) in rows(large, "SELECT contract_id FROM instalments"))
    states, overdue = Counter(), Counter()
    for contract in deal_contracts(large):
        plan = contracts.instalments(contract["id"])
        assert sum(i.amount for i in plan) == contract["amount"] and all(i.label for i in plan)
        state = contracts.collection(contract["id"], TODAY)
        if deals[contract["deal_id"]]["stage_id"] == "stage-paid":
            assert state.fully_collected
            paid = entered(large, contract["deal_id"], "stage-paid")
            assert state.collected_on is not None and state.collected_on.isoformat() == paid[:10]
        else:
            assert not state.fully_collected and any(s.status != PAID for s in state.instalments)
        for s in state.instalments:
            states[s.status] += 1
            if s.status == OVERDUE:
                overdue[age_of(s.instalment.due_on, TODAY)] += 1
    instalments = sum(states.values())
    assert 2 <= instalments / len(planned) <= 3  # two or three a contract
    assert 0.005 <= states[OVERDUE] / instalments <= 0.04 and len(overdue) >= 3
    assert states["pending"] and states[PAID] > instalments * 0.8
    assert rows(large, "SELECT max(received_on) FROM receipts")[0][0] <= TODAY.isoformat()


def test_large_after_sales_cases(large):
    cases = table_dicts(large, "cases")
    assert cases and {c["status"] for c in cases} <= {"open", "waiting", "closed"}
    deals = {d["id"]: d for d in table_dicts(large, "deals")}
    for case in cases:
        assert deals[case["deal_id"]]["customer_id"] == case["customer_id"]
        assert deals[case["deal_id"]]["stage_id"] in ("stage-signed", "stage-paid")
        assert (case["closed_on"] is not None) == (case["status"] == "closed")
        assert case["opened_on"] <= (case["closed_on"] or TODAY.isoformat()) <= TODAY.isoformat()
