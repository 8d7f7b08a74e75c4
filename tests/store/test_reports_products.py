"""Won revenue by product and by category, the top products, and quotes sent, accepted and
expired, from a database made for it, every figure worked out by hand.

Today is Friday 27 November 2026; the week is 2026-W48, 23 to 29 November. Deals (owner
ann unless said), their lines (quantity x unit price, less a discount) and how they closed:

| deal | currency | lines | history |
| --- | --- | --- | --- |
| acme-rollout | USD | 2 Maintenance @ $1,200; 10 Sensor @ $25 less 10%; "Travel" $150 | won 24 Nov |
|  |  | (and 100 Sensor, deleted) |  |
| birch-parts | CNY | 2.5 Spare parts @ ¥50; "安装 & setup" ¥300 | won 25 Nov |
| cedar-service (bob) | USD | 1 Maintenance @ $1,200 less $200; 1.5 Setup @ $100 | won 26 Nov |
| cedar-lost | USD | 5 Maintenance @ $1,200 | lost 25 Nov |
| acme-open | USD | 3 Sensor @ $25 | open |
| acme-early | USD | 4 Sensor @ $25 | won 10 Nov |
| dune-gone | USD | 1 Maintenance @ $1,200 | won 24 Nov, then deleted |

Products: Maintenance (MNT, Services, year, USD), Sensor (SEN, Hardware, pcs, USD), Spare
parts (SP, Hardware, box, CNY), Setup (no category, hour, USD).

Quotes: Q-2026-0001 for acme-rollout sent 10 Nov (valid to 10 Dec) and its v2 sent 20 Nov
(to 20 Dec); 0002 for cedar-lost sent 23 Nov, valid to 26 Nov; 0003 for birch-parts sent
24 Nov (CNY); 0004 for acme-open sent 25 Nov, valid to 27 Nov (today: not expired yet);
0005 for cedar-service sent 27 Nov, after the deal was won; 0006 a draft of acme-open
valid to 24 Nov; 0007 of acme-open sent 24 Nov and deleted; 0008 for acme-early sent 1
Nov, valid to 24 Nov, and won on 10 Nov (accepted, so never expired).
"""

from datetime import UTC, date, datetime

import pytest

from salesdesk.core.periods import IsoWeek, Period
from salesdesk.core.reports import (
    ACCEPTED,
    DRAFT,
    EXPIRED,
    SENT,
    SUPERSEDED,
    quote_status,
)
from salesdesk.store.reports import ReportQueries, ReportStore
from salesdesk.store.store import Store
from tests.conftest import TODAY
from tests.reports_seed import add_line, add_product, add_quote, at

W48 = IsoWeek(2026, 48).period
LAST_30 = Period(date(2026, 10, 29), TODAY)


def _sent(month: int, day: int) -> datetime:
    return datetime(2026, month, day, 10, tzinfo=UTC)


@pytest.fixture
def shop(store, clock):
    ids: dict[str, str] = {}
    at(clock, 11, 1)
    for name in ("Acme", "Birch", "Cedar", "Dune"):
        ids[name] = store.add_customer(name)
    ids["mnt"] = add_product(store, "Maintenance", 120_000, code="MNT", category="Services", unit="year")
    ids["sen"] = add_product(store, "Sensor", 2_500, code="SEN", category="Hardware", unit="pcs")
    ids["sp"] = add_product(store, "Spare parts", 5_000, "CNY", code="SP", category=" Hardware ", unit="box")
    ids["setup"] = add_product(store, "Setup", 10_000, code="SET", unit="hour")

    def deal(key, customer, currency="USD", **values):
        ids[key] = store.add_deal(ids[customer], key, 0, currency=currency, **values)
        return ids[key]

    acme = deal("acme-rollout", "Acme")
    add_line(store, acme, "Maintenance", 2_000, 120_000, ids["mnt"])
    add_line(store, acme, "Sensor", 10_000, 2_500, ids["sen"], "percent", 1_000)
    add_line(store, acme, "Travel", 1_000, 15_000)
    gone_line = add_line(store, acme, "Sensor", 100_000, 2_500, ids["sen"])
    store.records.delete("deal_lines", gone_line)
    from salesdesk.store.lines import refresh

    refresh(store, [acme])
    birch = deal("birch-parts", "Birch", "CNY")
    add_line(store, birch, "Spare parts", 2_500, 5_000, ids["sp"])
    add_line(store, birch, "安装 & setup", 1_000, 30_000)
    cedar = deal("cedar-service", "Cedar", owner="bob")
    add_line(store, cedar, "Maintenance", 1_000, 120_000, ids["mnt"], "amount", 20_000)
    add_line(store, cedar, "Setup", 1_500, 10_000, ids["setup"])
    lost = deal("cedar-lost", "Cedar")
    add_line(store, lost, "Maintenance", 5_000, 120_000, ids["mnt"])
    still_open = deal("acme-open", "Acme")
    add_line(store, still_open, "Sensor", 3_000, 2_500, ids["sen"])
    early = deal("acme-early", "Acme")
    add_line(store, early, "Sensor", 4_000, 2_500, ids["sen"])
    dune = deal("dune-gone", "Dune")
    add_line(store, dune, "Maintenance", 1_000, 120_000, ids["mnt"])

    ids["q1"] = add_quote(store, acme, 1, 277_500, date(2026, 11, 10), date(2026, 12, 10), _sent(11, 10))
    ids["q1v2"] = add_quote(
        store, acme, 1, 277_500, date(2026, 11, 20), date(2026, 12, 20), _sent(11, 20), revision=2
    )
    ids["q2"] = add_quote(store, lost, 2, 600_000, date(2026, 11, 23), date(2026, 11, 26), _sent(11, 23))
    ids["q3"] = add_quote(
        store, birch, 3, 42_500, date(2026, 11, 24), date(2026, 12, 24), _sent(11, 24), currency="CNY"
    )
    ids["q4"] = add_quote(store, still_open, 4, 7_500, date(2026, 11, 25), date(2026, 11, 27), _sent(11, 25))
    ids["q5"] = add_quote(store, cedar, 5, 115_000, date(2026, 11, 27), date(2026, 11, 30), _sent(11, 27))
    ids["q6"] = add_quote(store, still_open, 6, 7_500, date(2026, 11, 20), date(2026, 11, 24), None)
    ids["q7"] = add_quote(store, still_open, 7, 7_500, date(2026, 11, 24), date(2026, 12, 24), _sent(11, 24))
    store.records.delete("quotes", ids["q7"])
    ids["q8"] = add_quote(store, early, 8, 10_000, date(2026, 11, 1), date(2026, 11, 24), _sent(11, 1))

    at(clock, 11, 10)
    store.mark_won(early)
    at(clock, 11, 24)
    store.mark_won(acme)
    store.mark_won(dune)
    store.delete_deal(dune)
    at(clock, 11, 25)
    store.mark_won(birch)
    store.mark_lost(lost, "price")
    at(clock, 11, 26)
    store.mark_won(cedar)
    return ids


def _products(sales) -> list[tuple]:
    return [(s.name, s.code, s.amount, s.quantity_milli, s.deals, s.other) for s in sales]


def test_deal_amounts_are_the_sums_of_their_lines(store, shop):
    # The arithmetic the figures below rest on: 240,000 + 22,500 + 15,000 (the deleted line gone).
    assert store.deal(shop["acme-rollout"]).amount == 277_500
    assert store.deal(shop["birch-parts"]).amount == 42_500
    assert store.deal(shop["cedar-service"]).amount == 115_000


def test_won_revenue_by_product_per_currency_with_the_other_lines_last(store, shop):
    report = ReportStore(store).report(W48, TODAY, everyone=True)
    assert list(report.by_product) == ["USD", "CNY"]
    # Not counted: the deleted Sensor line, the lost deal, the open one, the one won on 10
    # Nov, and the deleted deal won in the week.
    assert _products(report.by_product["USD"]) == [
        ("Maintenance", "MNT", 340_000, 3_000, 2, False),
        ("Sensor", "SEN", 22_500, 10_000, 1, False),
        ("Setup", "SET", 15_000, 1_500, 1, False),
        ("other lines", "", 15_000, 0, 0, True),
    ]
    assert _products(report.by_product["CNY"]) == [
        ("Spare parts", "SP", 12_500, 2_500, 1, False),
        ("other lines", "", 30_000, 0, 0, True),
    ]
    # Each currency's products add up to what was won in it.
    for code, sales in report.by_product.items():
        assert sum(s.amount for s in sales) == report.won.amounts[code]


def test_won_revenue_by_category(store, shop):
    report = ReportStore(store).report(W48, TODAY, everyone=True)
    assert [(s.name, s.amount, s.other) for s in report.by_category["USD"]] == [
        ("Services", 340_000, False),
        ("Hardware", 22_500, False),
        ("(no category)", 15_000, False),
        ("other lines", 15_000, True),
    ]
    # " Hardware " as typed is the same category as "Hardware".
    assert [(s.name, s.amount) for s in report.by_category["CNY"]] == [
        ("Hardware", 12_500),
        ("other lines", 30_000),
    ]


def test_top_products_by_quantity_whatever_the_currency(store, shop):
    report = ReportStore(store).report(LAST_30, TODAY, everyone=True)
    # The last 30 days add acme-early's 4 Sensors.
    assert [(s.name, s.quantity_milli, s.unit, s.deals) for s in report.top_quantity] == [
        ("Sensor", 14_000, "pcs", 2),
        ("Maintenance", 3_000, "year", 2),
        ("Spare parts", 2_500, "box", 1),
        ("Setup", 1_500, "hour", 1),
    ]


def test_mine_is_the_lines_of_the_deals_i_own(store, shop):
    report = ReportStore(store).report(W48, TODAY)  # ann's: not bob's cedar-service
    assert _products(report.by_product["USD"]) == [
        ("Maintenance", "MNT", 240_000, 2_000, 1, False),
        ("Sensor", "SEN", 22_500, 10_000, 1, False),
        ("other lines", "", 15_000, 0, 0, True),
    ]
    assert (report.quotes.sent.count, report.quotes.accepted.count) == (3, 2)


def test_quotes_sent_accepted_and_expired_in_the_week(store, shop):
    quotes = ReportStore(store).report(W48, TODAY, everyone=True).quotes
    # Sent: 0002, 0003, 0004, 0005 (0007 was deleted, 0006 is a draft).
    assert (quotes.sent.count, quotes.sent.amounts) == (4, {"USD": 722_500, "CNY": 42_500})
    # Accepted: 0001 v2 (its v1 is superseded) and 0003; not 0005, sent after the deal was won.
    assert (quotes.accepted.count, quotes.accepted.amounts) == (2, {"USD": 277_500, "CNY": 42_500})
    # Expired: 0002 (valid to 26 Nov, its deal lost). Not 0004 (valid through today), not
    # the draft 0006, not 0008 (accepted on 10 Nov).
    assert (quotes.expired.count, quotes.expired.amounts) == (1, {"USD": 600_000})


def test_quotes_of_the_last_30_days_and_of_a_week_seen_later(store, shop):
    reports = ReportStore(store)
    quotes = reports.report(LAST_30, TODAY, everyone=True).quotes
    assert quotes.sent.count == 7  # 0001, 0001 v2, 0002 - 0005, 0008
    assert quotes.accepted.count == 3  # 0001 v2, 0003, 0008
    assert quotes.expired.count == 1
    # Seen on 1 December, 0004 (valid to 27 Nov) has expired in W48 too.
    later = reports.report(W48, date(2026, 12, 1), everyone=True).quotes
    assert (later.expired.count, later.expired.amounts) == (2, {"USD": 607_500})


def test_each_status_worked_out_agrees_with_the_counts(store, shop):
    """`quote_status` for every quote, as of today and of 1 December, beside the queries."""
    won = dict(
        store.db.execute(
            "SELECT d.id, d.closed_on FROM deals d JOIN stages s ON s.id = d.stage_id "
            "WHERE s.kind = 'won' AND d.deleted_at IS NULL"
        ).fetchall()
    )
    rows = store.db.execute(
        "SELECT id, deal_id, sent_at, valid_until, revision, year, seq FROM quotes WHERE deleted_at IS NULL"
    ).fetchall()
    expected = {
        "q1": SUPERSEDED,
        "q1v2": ACCEPTED,
        "q2": EXPIRED,
        "q3": ACCEPTED,
        "q4": SENT,
        "q5": SENT,
        "q6": DRAFT,
        "q8": ACCEPTED,
    }
    names = {shop[key]: key for key in expected}

    def statuses(today: date) -> dict[str, str]:
        found = {}
        for quote_id, deal_id, sent_at, valid_until, revision, year, seq in rows:
            latest = not any(
                r[1] == deal_id and (r[5], r[6]) == (year, seq) and r[4] > revision for r in rows
            )
            found[names[quote_id]] = quote_status(
                sent_on=date.fromisoformat(sent_at[:10]) if sent_at else None,
                valid_until=date.fromisoformat(valid_until),
                latest=latest,
                won_on=date.fromisoformat(won[deal_id]) if deal_id in won else None,
                today=today,
            )
        return found

    assert statuses(TODAY) == expected
    assert statuses(date(2026, 12, 1)) == {**expected, "q4": EXPIRED, "q5": EXPIRED}
    counted = ReportStore(store).report(Period(date(2026, 1, 1), date(2026, 11, 26)), TODAY, everyone=True)
    shown = statuses(TODAY)
    assert counted.quotes.accepted.count == sum(1 for s in shown.values() if s == ACCEPTED)
    assert counted.quotes.expired.count == sum(1 for s in shown.values() if s == EXPIRED)


def test_a_period_without_lines_or_quotes_has_none(store, shop):
    report = ReportStore(store).report(Period(date(2026, 9, 1), date(2026, 9, 30)), TODAY, everyone=True)
    assert (report.by_product, report.by_category, report.top_quantity) == ({}, {}, ())
    assert report.quotes.sent.count == report.quotes.accepted.count == report.quotes.expired.count == 0


def test_a_retired_product_still_names_its_lines(store, shop):
    store.records.update("products", shop["setup"], {"active": 0})
    report = ReportStore(store).report(W48, TODAY, everyone=True)
    assert "Setup" in [s.name for s in report.by_product["USD"]]


def _plan(store: Store, sql: str, params) -> str:
    return "\n".join(row[-1] for row in store.db.execute("EXPLAIN QUERY PLAN " + sql, params))


def test_the_queries_read_through_indexes(store, shop, monkeypatch):
    """The deals won in the period are read from `deals_won`, their lines by
    `deal_lines_deal`, quotes sent by `quotes_sent`, expired by `quotes_valid` and each
    deal's quotes by `quotes_deal`: no scan of every deal, line or quote."""
    queries = ReportQueries(store.db)
    seen: list[tuple[str, object]] = []
    original = queries._rows

    def rows(sql, params):
        seen.append((sql, params))
        return original(sql, params)

    monkeypatch.setattr(queries, "_rows", rows)
    queries.products(W48, None)
    queries.quotes(W48, None, TODAY)
    (products_sql, products_params), (quotes_sql, quotes_params) = seen
    products = _plan(store, products_sql, products_params)
    assert "deals_won" in products and "deal_lines_deal" in products, products
    quotes = _plan(store, quotes_sql, quotes_params)
    assert "quotes_sent" in quotes and "quotes_deal" in quotes and "deals_won" in quotes, quotes
    assert "quotes_valid" in quotes, quotes
    for plan in (products, quotes):
        assert not any(f"SCAN {table}" in plan for table in ("d ", "l ", "q ")), plan
