"""Contracts, payment plans and receipts with every collection figure worked out by hand.

Today is Friday 27 November 2026 (tests.conftest.TODAY). Written straight into the
records (the contract store is not needed). Amounts in minor units.

Contracts (customer and its owner; deal and its owner; amount; signed; plan; receipts):
- C-2026-0001: Acme (ann); acme-rollout, won (ann); $10,000.00; 1 Jun; due 1 Jun $2,000,
  15 Jul $2,000, 10 Sep $2,000, 15 Oct $2,000, 20 Nov $1,000, 20 Dec $1,000; received
  1 Jun $2,000, 5 Nov $500 (a partial receipt), and 10 Nov $1,000, deleted.
- C-2026-0002: Birch (bob); no deal; ¥50,000.00; 1 Oct; no plan (all due on signing);
  received 20 Oct ¥50,000, then ¥10,000 refunded on 12 Nov.
- C-2026-0003: Cedar (ann); cedar-kiosks, won (bob); $3,000.00; 2 Nov; due 2 Nov and
  16 Nov $1,500 each; received 3 Nov and 16 Nov $1,500 each.
- C-2026-0004: Acme (ann); no deal; $1,000.00; 1 Oct; no plan; received 21 Nov $1,000.
- C-2026-0005: Dune (ann); no deal; $2,000.00; 1 Sep; no plan; received 10 Oct $2,000.
- C-2026-0006: Elm (ann), a deleted customer; $900.00; 1 Nov; received 2 Nov $400.

On 27 Nov: C-0001 owes $7,500 (of $10,000, $2,500 received): 15 Jul's $1,500 left is 135
days late (90+), 10 Sep's 78 (61–90), 15 Oct's 43 (31–60), 20 Nov's 7 (0–30), and 20
Dec's $1,000 not yet due. C-0002 owes ¥10,000 (the refund), due on signing 1 Oct: 57
days late (31–60). The others are fully collected, or of a deleted customer.

Collected from 1 to 27 November: $500 + $3,000 + $1,000 = $4,500 and -¥10,000 (5
receipts); in the 27 days before (5 to 31 October): $2,000 and ¥50,000. Fully collected
in November: C-0003 on 16 Nov (14 days after signing), C-0004 on 21 Nov (51 days); the
median is 32.5 days. An open deal of Acme, $1,000 at 50 %, expected to close 15 Dec,
weighs $500 in December.
"""

from datetime import date

from salesdesk.core import pipeline
from salesdesk.core.periods import Period
from salesdesk.store.store import Store
from tests.conftest import FakeClock
from tests.reports_seed import at

NOVEMBER = Period(date(2026, 11, 1), date(2026, 11, 27))


def contract(
    store: Store, customer_id: str, number: str, amount: int, currency: str, signed: str, deal_id=None
):
    return store.records.insert(
        "contracts",
        {
            "number": number,
            "deal_id": deal_id,
            "customer_id": customer_id,
            "signed_on": signed,
            "amount": amount,
            "currency": currency,
        },
    )


def instalment(store: Store, contract_id: str, position: int, due_on: str, amount: int) -> str:
    return store.records.insert(
        "instalments", {"contract_id": contract_id, "position": position, "due_on": due_on, "amount": amount}
    )


def receipt(store: Store, contract_id: str, received_on: str, amount: int, method: str = "transfer") -> str:
    return store.records.insert(
        "receipts",
        {"contract_id": contract_id, "received_on": received_on, "amount": amount, "method": method},
    )


def seed_collections(store: Store, clock: FakeClock) -> dict[str, str]:
    ids: dict[str, str] = {}
    at(clock, 5, 1)
    for name, owner in (("Acme", "ann"), ("Birch", "bob"), ("Cedar", "ann"), ("Dune", "ann"), ("Elm", "ann")):
        ids[name] = store.add_customer(name, owner=owner)
    won = pipeline.first_stage(store.stages(), pipeline.WON)
    ids["acme-rollout"] = store.add_deal(ids["Acme"], "acme-rollout", 1_000_000, "USD", won.id)
    ids["cedar-kiosks"] = store.add_deal(ids["Cedar"], "cedar-kiosks", 300_000, "USD", won.id, owner="bob")
    store.add_deal(ids["Acme"], "acme-more", 100_000, "USD", probability=50, expected_close="2026-12-15")

    one = ids["C1"] = contract(
        store, ids["Acme"], "C-2026-0001", 1_000_000, "USD", "2026-06-01", ids["acme-rollout"]
    )
    for position, (due, amount) in enumerate(
        (
            ("2026-06-01", 200_000),
            ("2026-07-15", 200_000),
            ("2026-09-10", 200_000),
            ("2026-10-15", 200_000),
            ("2026-11-20", 100_000),
            ("2026-12-20", 100_000),
        )
    ):
        instalment(store, one, position, due, amount)
    receipt(store, one, "2026-06-01", 200_000)
    receipt(store, one, "2026-11-05", 50_000, "cash")
    store.records.delete("receipts", receipt(store, one, "2026-11-10", 100_000))

    two = ids["C2"] = contract(store, ids["Birch"], "C-2026-0002", 5_000_000, "CNY", "2026-10-01")
    receipt(store, two, "2026-10-20", 5_000_000, "alipay")
    at(clock, 11, 12)
    receipt(store, two, "2026-11-12", -1_000_000)

    three = ids["C3"] = contract(
        store, ids["Cedar"], "C-2026-0003", 300_000, "USD", "2026-11-02", ids["cedar-kiosks"]
    )
    instalment(store, three, 0, "2026-11-02", 150_000)
    instalment(store, three, 1, "2026-11-16", 150_000)
    receipt(store, three, "2026-11-03", 150_000)
    receipt(store, three, "2026-11-16", 150_000)

    four = ids["C4"] = contract(store, ids["Acme"], "C-2026-0004", 100_000, "USD", "2026-10-01")
    receipt(store, four, "2026-11-21", 100_000)
    five = ids["C5"] = contract(store, ids["Dune"], "C-2026-0005", 200_000, "USD", "2026-09-01")
    receipt(store, five, "2026-10-10", 200_000)
    six = ids["C6"] = contract(store, ids["Elm"], "C-2026-0006", 90_000, "USD", "2026-11-01")
    receipt(store, six, "2026-11-02", 40_000)
    store.delete_customer(ids["Elm"])
    at(clock, 11, 27)
    return ids
