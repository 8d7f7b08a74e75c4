"""The offline evaluation of what to offer next: hide each repeat customer's latest
purchase, suggest 3 from what was known before it, and beat offering the most popular."""

import random
from datetime import timedelta

from salesdesk.demo import write_demo
from salesdesk.store.connection import connect
from salesdesk.store.suggest import evaluate, latest_purchases, read_index
from tests.conftest import START
from tests.store.test_suggest import deal_with

# name, industry it sells to (None: any), how often a buyer orders it again (None: once)
CATALOGUE = [
    ("数控机床", "制造", None),
    ("收银系统", "零售", None),
    ("影像设备", "医疗", None),
    ("安装调试", None, None),
    ("培训服务", None, None),
    ("通用配件包", None, None),
    ("备件框架协议", None, 90),
    ("耗材包", None, 60),
    ("年度维保合同", None, 365),
    ("软件许可", None, 365),
]
INDUSTRIES = ("制造", "零售", "医疗")


def purchase_histories(store, clock, customers=36, seed=19):
    """Two years of won deals: each customer buys their industry's equipment, mostly with
    its installation, often training, sometimes the accessory pack everyone buys; then
    spare parts or consumables again and again at an interval of their own, and some a
    yearly maintenance contract or licence; what they did not buy with the machine they
    sometimes buy with a later order. Returns product name -> id."""
    rng = random.Random(seed)
    clock.now = START - timedelta(days=900)
    ids = {
        name: store.records.insert("products", {"name": name, "currency": "CNY", "price": 1000_00})
        for name, _industry, _every in CATALOGUE
    }
    for n in range(customers):
        industry = INDUSTRIES[n % 3]
        clock.now = START - timedelta(days=800)
        customer = store.add_customer(f"Customer {n:02d}", industry=industry)
        start = rng.randint(380, 720)
        orders: dict[int, set[str]] = {}
        first = {next(name for name, sold_to, _ in CATALOGUE if sold_to == industry)}
        for extra, chance in (("安装调试", 0.8), ("培训服务", 0.5), ("通用配件包", 0.4)):
            if rng.random() < chance:
                first.add(extra)
        orders[start] = first
        habits = [rng.choice(["备件框架协议", "耗材包"])]
        if rng.random() < 0.5:
            habits.append(rng.choice(["年度维保合同", "软件许可"]))
        for habit in habits:
            every = dict((name, e) for name, _i, e in CATALOGUE)[habit]
            own = round(every * rng.uniform(0.8, 1.2))
            day = start - rng.randint(10, 40)
            while day > 0:
                # Orders close to one another are one deal.
                near = next((d for d in orders if abs(d - day) <= 7), day)
                orders.setdefault(near, set()).add(habit)
                day -= own + rng.randint(-4, 4)
        # What was not bought with the machine is sometimes bought with a later order.
        for extra in ("培训服务", "通用配件包", "软件许可"):
            if extra not in first and rng.random() < 0.3:
                orders[rng.choice(sorted(orders))].add(extra)
        for days_ago, names in sorted(orders.items(), reverse=True):
            deal_with(store, clock, customer, days_ago, [ids[name] for name in sorted(names)])
    clock.now = START
    return ids


def test_the_suggestions_beat_the_most_popular_products(store, clock):
    purchase_histories(store, clock)
    latest = latest_purchases(read_index(store.db))
    assert len(latest) == 36  # every customer bought on two days or more
    result = evaluate(store.db)
    print(f"hit rate {result.hit_rate:.0%} against {result.baseline_rate:.0%} for the most popular")
    assert result.customers == 36 and result.limit == 3
    assert result.hit_rate > result.baseline_rate
    assert result.hits > result.baseline_hits + 5  # by a margin, not by one customer


def test_the_evaluation_knows_nothing_of_the_purchase_it_hides(store, clock):
    ids = purchase_histories(store, clock, customers=6)
    # One customer's latest order is a product nobody had bought before: only knowing
    # the hidden deal could suggest it.
    customer = store.add_customer("Newcomer", industry="制造")
    clock.now = START - timedelta(days=800)
    novel = store.records.insert("products", {"name": "全新型号", "currency": "CNY"})
    clock.now = START
    deal_with(store, clock, customer, 300, [ids["数控机床"]])
    deal_with(store, clock, customer, 10, [novel])
    day, hidden = latest_purchases(read_index(store.db))[customer]
    assert hidden == {novel}
    index = read_index(store.db)
    assert novel not in {s.product_id for s in index.suggestions(customer, day, day.isoformat(), 3)}
    assert novel not in index.popular(customer, day.isoformat())


def test_on_the_small_demo_the_suggestions_beat_the_most_popular_products(tmp_path):
    path = tmp_path / "demo.db"
    write_demo(path, "small", START, "ann")
    db = connect(path)
    try:
        result = evaluate(db)
    finally:
        db.close()
    print(
        f"small demo: {result.customers} repeat customers, suggestions {result.hit_rate:.0%}, "
        f"most popular {result.baseline_rate:.0%}"
    )
    assert result.customers >= 5
    assert result.hit_rate > result.baseline_rate
