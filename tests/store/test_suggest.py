"""What to offer next, read from a real database: won deals' lines only, before a day."""

from datetime import timedelta

import pytest

from salesdesk.core.lines import line_total
from salesdesk.core.suggest import REORDER, TOGETHER
from salesdesk.store.connection import connect
from salesdesk.store.suggest import SuggestQueries, index_of
from tests.conftest import START, TODAY

CATALOGUE = {
    "maint": ("年度维保合同", 120_000_00),
    "parts": ("备件框架协议", 30_000_00),
    "training": ("培训服务", 8_000_00),
    "install": ("安装调试", 15_000_00),
    "licence": ("软件许可", 50_000_00),
}


def products(store, clock, retired=()):
    clock.now = START - timedelta(days=800)
    found = {}
    for key, (name, price) in CATALOGUE.items():
        found[key] = store.records.insert(
            "products",
            {
                "name": name,
                "code": key.upper(),
                "price": price,
                "currency": "CNY",
                "active": int(key not in retired),
            },
        )
    clock.now = START
    return found


def deal_with(store, clock, customer_id, days_ago, product_ids, stage="stage-signed", free_text=False):
    """A deal closed (or opened) `days_ago`, with a line of each product."""
    clock.now = START - timedelta(days=days_ago)
    deal_id = store.add_deal(customer_id, f"Order {days_ago}", 0, "CNY", stage_id=stage)
    lines = [(product_id, "") for product_id in product_ids]
    if free_text:
        lines.append((None, "Travel costs"))
    for position, (product_id, text) in enumerate(lines):
        store.records.insert(
            "deal_lines",
            {
                "deal_id": deal_id,
                "product_id": product_id,
                "position": position,
                "description": text or "line",
                "quantity_milli": 1000,
                "unit_price": 100_00,
                "total": line_total(1000, 100_00),
            },
        )
    clock.now = START
    return deal_id


def story(store, clock, retired=()):
    """Nine customers bought the maintenance contract, seven of them the spare parts too;
    Li buys spare parts every 90 days, last 122 days ago; Wang bought maintenance only."""
    p = products(store, clock, retired)
    clock.now = START - timedelta(days=900)
    ids = {name: store.add_customer(name, industry="制造") for name in ("Wang", "Li")}
    for n in range(8):
        ids[f"c{n}"] = store.add_customer(f"Customer {n}", industry="制造" if n < 2 else "零售")
    clock.now = START
    deal_with(store, clock, ids["Wang"], 300, [p["maint"]], free_text=True)
    for n in range(8):
        bought = [p["maint"], *([p["parts"]] if n < 7 else []), *([p["licence"]] if n in (0, 1, 7) else [])]
        if n in (2, 3, 4):
            bought.append(p["training"])
        deal_with(store, clock, ids[f"c{n}"], 200 + n, bought)
    for days_ago in (392, 302, 212, 122):
        deal_with(store, clock, ids["Li"], days_ago, [p["parts"]])
    return ids, p


def test_a_customer_is_offered_what_those_who_bought_the_same_bought(store, clock):
    ids, p = story(store, clock)
    found = SuggestQueries(store.db).suggestions(ids["Wang"], TODAY)
    assert [(s.kind, s.product_id) for s in found] == [
        (TOGETHER, p["parts"]),
        (TOGETHER, p["licence"]),
        (TOGETHER, p["training"]),
    ]
    assert found[0].reason == "7 of 9 customers who bought 年度维保合同 also bought 备件框架协议"
    # 3 of 9 each: Wang's industry decides (two of its customers bought the licence, none
    # the training), not the names, which would put 培训服务 first.
    assert [(s.support, s.buyers, s.similar) for s in found[1:]] == [(3, 9, 2), (3, 9, 0)]


def test_a_due_reorder_comes_first_with_its_interval_in_words(store, clock):
    ids, p = story(store, clock)
    found = SuggestQueries(store.db).suggestions(ids["Li"], TODAY)
    assert found[0].kind == REORDER and found[0].product_id == p["parts"]
    last = (START - timedelta(days=122)).date()
    assert found[0].last == last and found[0].interval == 90
    assert (
        found[0].reason
        == "Bought 备件框架协议 4 times, about every 90 days; last on Tue 28 Jul (122 days ago)"
    )
    # All seven others who bought the spare parts bought the maintenance contract.
    assert found[1].kind == TOGETHER and found[1].product_id == p["maint"]
    assert found[1].reason == "7 of 8 customers who bought 备件框架协议 also bought 年度维保合同"


def test_only_won_deals_count_and_only_lines_with_a_product(store, clock):
    ids, p = story(store, clock)
    queries = SuggestQueries(store.db)
    lost = deal_with(store, clock, ids["Wang"], 100, [p["install"]], stage="stage-lead")
    store.mark_lost(lost, "budget")
    deal_with(store, clock, ids["Wang"], 50, [p["install"]], stage="stage-lead")  # still open
    purchases = queries.purchases(ids["Wang"], TODAY)
    assert {purchase.product_id for purchase in purchases} == {p["maint"]}
    line = store.db.execute(
        "SELECT l.id FROM deal_lines l JOIN deals d ON d.id = l.deal_id "
        "WHERE d.customer_id = ? AND l.product_id = ?",
        [ids["c0"], p["parts"]],
    ).fetchone()[0]
    store.records.delete("deal_lines", line)  # c0 no longer bought the spare parts
    found = queries.suggestions(ids["Wang"], TODAY)
    assert found[0].reason == "6 of 9 customers who bought 年度维保合同 also bought 备件框架协议"


def test_a_retired_product_is_not_offered(store, clock):
    ids, p = story(store, clock, retired=("parts",))
    found = SuggestQueries(store.db).suggestions(ids["Wang"], TODAY)
    assert p["parts"] not in {s.product_id for s in found}
    # Li's spare parts are not offered again, but still say what goes with them.
    found = SuggestQueries(store.db).suggestions(ids["Li"], TODAY)
    assert [s.kind for s in found] == [TOGETHER, TOGETHER, TOGETHER]
    assert found[0].because == p["parts"] and p["parts"] not in {s.product_id for s in found}


def test_nothing_closed_on_or_after_before_is_known(store, clock):
    ids, p = story(store, clock)
    queries = SuggestQueries(store.db)
    # Before the seven others bought anything, Wang's maintenance contract has no rule.
    cutoff = (START - timedelta(days=210)).date()
    assert queries.suggestions(ids["Wang"], cutoff, before=cutoff) == []
    # Li on the day of the last purchase, without it: three purchases, due then.
    last = (START - timedelta(days=122)).date()
    [due, *_rest] = queries.suggestions(ids["Li"], last, before=last)
    assert (due.kind, due.times, due.interval) == (REORDER, 3, 90)
    assert queries.popular(ids["Li"], last, before=last) == [p["maint"], p["training"], p["licence"]]


def test_a_customer_with_no_purchases_is_offered_nothing(store, clock):
    story(store, clock)
    lone = store.add_customer("Zhao")
    assert SuggestQueries(store.db).suggestions(lone, TODAY) == []


def test_the_baseline_is_the_most_bought_products_not_yet_bought(store, clock):
    ids, p = story(store, clock)
    queries = SuggestQueries(store.db)
    # Three customers each for the training and the licence: the name decides.
    assert queries.popular(ids["Wang"], TODAY) == [p["parts"], p["training"], p["licence"]]


@pytest.mark.parametrize("limit", [1, 2])
def test_the_limit_is_kept(store, clock, limit):
    ids, _p = story(store, clock)
    assert len(SuggestQueries(store.db).suggestions(ids["Li"], TODAY, limit=limit)) == limit


def test_the_purchases_are_read_once_until_something_is_written(store, clock):
    ids, p = story(store, clock)
    first = index_of(store.db)
    assert index_of(store.db) is first
    other = connect(store.path)  # another connection to the same file (the pane's worker)
    try:
        assert index_of(other) is first
        store.log_interaction(ids["Wang"], "call", "Asked about spare parts")
        assert index_of(other) is not first
    finally:
        other.close()
