"""The customer list in SQL: segments and tiers agree with the domain rules, search,
filters, order, duplicates and merging."""

import random
from datetime import timedelta

import pytest

from salesdesk.core.segments import segment, tier
from salesdesk.store.customers import CustomerFilter, CustomerQueries, merge_customers
from tests.conftest import TODAY

SETTINGS = ("dormant_days", "tier_thresholds")


def queries(store):
    return CustomerQueries(store.db, {key: store.setting(key) for key in SETTINGS})


def test_sql_segments_and_tiers_match_the_domain_rules(store, clock):
    rng = random.Random(5)
    start = clock.now
    for n in range(60):
        clock.now = start - timedelta(days=rng.randint(0, 400))
        customer = store.add_customer(f"Customer {n:02d}")
        for _ in range(rng.randint(0, 3)):
            deal = store.add_deal(customer, "deal", rng.randint(1, 80_000) * 100)
            fate = rng.choice(["open", "won", "lost", "won"])
            if fate == "won":
                store.mark_won(deal)
            elif fate == "lost":
                store.mark_lost(deal, "price")
        if rng.random() < 0.6:
            store.log_interaction(customer, "call", "hello")
    clock.now = start
    rows = queries(store).page(CustomerFilter(), TODAY, 0, 100)
    assert len(rows) == 60
    for row in rows:
        facts = store.customer_facts(row.id, TODAY)
        assert row.segment == segment(facts, TODAY, store.setting("dormant_days")), row.name
        assert row.tier == tier(facts.won_revenue_12m, store.tier_thresholds()), row.name
    seen = {row.segment for row in rows}
    assert {"prospect", "dormant", "customer", "repeat"} <= seen


def test_tiers_count_every_currency_against_its_own_thresholds(store, clock):
    """¥141,000 paid is tier B like $12,600, not C as if it were dollars."""
    yuan = store.add_customer("朱艳")
    store.mark_won(store.add_deal(yuan, "Lab equipment", 141_000_00, "CNY"))
    dollars = store.add_customer("Lucas Schmidt")
    store.mark_won(store.add_deal(dollars, "ERP rollout", 12_600_00, "USD"))
    big = store.add_customer("Mary Cooper")
    store.mark_won(store.add_deal(big, "Fleet", 400_000_00, "CNY"))
    store.mark_won(store.add_deal(big, "Fleet", 100_00, "USD"))
    pounds = store.add_customer("Oliver Collins")
    store.mark_won(store.add_deal(pounds, "Shelving", 900_000_00, "GBP"))
    listing = queries(store)
    tiers = {row.name: row.tier for row in listing.page(CustomerFilter(), TODAY, 0, 10)}
    assert tiers == {"朱艳": "B", "Lucas Schmidt": "B", "Mary Cooper": "A", "Oliver Collins": "C"}
    for customer, expected in ((yuan, "B"), (big, "A"), (pounds, "C")):
        assert store.segment_and_tier(customer, TODAY)[1] == expected
    by_tier = [r.name for r in listing.page(CustomerFilter(tier="B"), TODAY, 0, 10)]
    assert sorted(by_tier) == ["Lucas Schmidt", "朱艳"]
    by_value = [r.name for r in listing.page(CustomerFilter(sort="value"), TODAY, 0, 10)]
    assert by_value[0] == "Mary Cooper" and by_value[-1] == "Oliver Collins"


def test_a_database_from_before_per_currency_tiers_keeps_its_thresholds(store):
    store.db.execute("DELETE FROM settings WHERE id = 'tier_thresholds'")
    store.set_setting("tier_a_minor", 2_000_000)
    store.set_setting("tier_b_minor", 300_000)
    thresholds = store.tier_thresholds()
    assert thresholds["USD"] == (2_000_000, 300_000)
    assert thresholds["CNY"] == (35_000_000, 7_000_000)


@pytest.fixture
def people(store):
    wang = store.add_customer("王伟", company="华信科技", phone="+86 138-0013-8000", email="wang@huaxin.cn")
    sarah = store.add_customer(
        "Sarah Miller", company="Northwind", phone="+1 415 555 0100", notes="prefers email"
    )
    tom = store.add_customer("Tom Baker", company="Baker & Sons")
    store.log_interaction(tom, "call", "Discussed the warehouse shelving quote")
    store.add_tag(sarah, "vip")
    return {"wang": wang, "sarah": sarah, "tom": tom}


@pytest.mark.parametrize(
    "text, who",
    [
        ("13800138", "wang"),  # digits across the typed spaces and dashes
        ("0013-8000", "wang"),  # as typed
        ("华信", "wang"),  # two characters, inside a company name
        ("王", "wang"),  # one character: a surname
        ("伟", "wang"),  # one character inside a name
        ("wa", "wang"),  # two letters inside an email
        ("80", "wang"),  # two digits inside a phone
        ("138-0013", "wang"),  # a phone typed with other separators than stored
        ("+86 1380013 8000", "wang"),  # ... and with the country code
        ("8613800138000", "wang"),  # ... the whole number as digits, country code first
        ("415 555", "sarah"),
        ("northw", "sarah"),  # part of a company
        ("prefers", "sarah"),  # the notes
        ("shelving", "tom"),  # the interaction history
        ("huaxin.cn", "wang"),  # part of an email
    ],
)
def test_search_finds_by_any_part(store, people, text, who):
    rows = queries(store).page(CustomerFilter(search=text), TODAY, 0, 10)
    assert [row.id for row in rows] == [people[who]]


def test_filters_combine_and_sort(store, people, clock):
    deal = store.add_deal(people["sarah"], "Printers", 10_000_00)
    q = queries(store)
    assert [r.name for r in q.page(CustomerFilter(tag="VIP"), TODAY, 0, 10)] == ["Sarah Miller"]
    assert q.count(CustomerFilter(tag="vip", segment="prospect"), TODAY) == 1
    assert q.count(CustomerFilter(tag="vip", segment="lead"), TODAY) == 0
    store.mark_won(deal)
    q.invalidate()
    assert [r.name for r in q.page(CustomerFilter(sort="value"), TODAY, 0, 1)] == ["Sarah Miller"]
    by_contact = [r.name for r in q.page(CustomerFilter(sort="last contact"), TODAY, 0, 10)]
    assert by_contact[0] == "Tom Baker"
    assert q.position(people["tom"], CustomerFilter(), TODAY) == 1  # Sarah, Tom, 王伟


def test_duplicates_by_email_phone_or_name_and_company(store, people):
    q = queries(store)
    assert [d[3] for d in q.duplicates("W. Wang", "", "WANG@huaxin.cn", "")] == ["the same email"]
    assert [d[0] for d in q.duplicates("x", "", "", "13800138000")] == [people["wang"]]
    assert [d[3] for d in q.duplicates("tom baker", "baker & sons", "", "")] == ["the same name and company"]
    assert q.duplicates("Tom Baker", "Baker & Sons", "", "", exclude=people["tom"]) == []


def test_why_a_customer_looks_like_another_is_said_in_the_language_shown(store, people):
    from salesdesk import i18n

    q = queries(store)
    i18n.set_language("zh")
    try:
        assert [d[3] for d in q.duplicates("W. Wang", "", "WANG@huaxin.cn", "")] == ["邮箱相同"]
        assert [d[3] for d in q.duplicates("x", "", "", "13800138000")] == ["电话相同"]
        assert [d[3] for d in q.duplicates("tom baker", "baker & sons", "", "")] == ["姓名和公司相同"]
    finally:
        i18n.set_language("en")


def test_merge_keeps_everything_of_both_and_says_what_it_did(store, people):
    copy = store.add_customer("Sarah M.", email="sarah@northwind.com", notes="met at the fair")
    deal = store.add_deal(copy, "Gift cards", 500_00)
    store.log_interaction(copy, "email", "Sent the catalogue")
    store.add_followup(copy, TODAY + timedelta(days=3), "Call Sarah")
    store.add_tag(copy, "trade-show")
    moved = merge_customers(store, people["sarah"], copy)
    assert moved == {"deals": 1, "interactions": 1, "followups": 1, "contracts": 0, "cases": 0, "tags": 1}
    keep = store.customer(people["sarah"])
    assert keep.email == "sarah@northwind.com"
    assert "prefers email" in keep.notes and "met at the fair" in keep.notes
    assert store.deal(deal).customer_id == people["sarah"]
    assert set(store.tags_of(people["sarah"])) == {"vip", "trade-show"}
    assert store.records.get("customers", copy) is None  # a tombstone
    assert store.records.get("customers", copy, include_deleted=True)["deleted_at"]
    history = store.interactions_of(people["sarah"])
    assert history[0].summary == "Merged Sarah M. into this customer"
    assert "Moved 1 deals, 1 interactions, 1 follow-ups and 1 tags" in history[0].body


def test_a_note_is_not_contact(store, people):
    before = store.customer(people["wang"]).last_contact_at
    store.log_interaction(people["wang"], "note", "Thinks about a second order")
    assert store.customer(people["wang"]).last_contact_at == before


@pytest.mark.parametrize("sort", ["name", "last contact", "value"])
def test_position_agrees_with_the_page_order(store, clock, sort):
    rng = random.Random(11)
    for n in range(40):
        customer = store.add_customer(rng.choice(["Ann", "ann", "Bob", "Chen", "陈"]), company=f"Co {n}")
        if rng.random() < 0.6:
            clock.now -= timedelta(days=rng.choice([0, 0, 1, 5]))  # ties on purpose
            store.log_interaction(customer, "call", "hi")
    q = queries(store)
    for search in ("", "co 1"):
        customer_filter = CustomerFilter(search=search, sort=sort)
        rows = q.page(customer_filter, TODAY, 0, 100)
        assert len(rows) == q.count(customer_filter, TODAY)
        assert [q.position(row.id, customer_filter, TODAY) for row in rows] == list(range(len(rows)))
