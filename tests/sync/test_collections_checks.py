"""A teammate's bad contract, instalment or receipt is held back with its reason, and
everything else of theirs merges: the contract, its plan and the good receipts."""

import json

import pytest

from salesdesk.store.contracts import ContractStore
from salesdesk.sync import team as teamsync
from tests.conftest import TODAY
from tests.sync.conftest import Device
from tests.sync.test_hostile import held_rows, inject

MOMENT = "2026-11-27T09:00:00.000Z"


@pytest.fixture
def crew(tmp_path):
    """ann (who syncs), mal (whose copy sends a bad record beside good ones), one folder."""
    shared = tmp_path / "share"
    shared.mkdir()
    devices = [Device(tmp_path, name) for name in ("ann", "mal")]
    for device in devices:
        teamsync.join_plain(device.store, shared)
    yield devices
    for device in devices:
        device.store.close()


def honest_contract(mal):
    """A contract with a plan of two and one receipt, made the ordinary way on mal's copy."""
    store = mal.store
    customer = store.add_customer("Wang Wei", company="Acme")
    deal = store.add_deal(customer, "Laptops", 10_000_00, "CNY", stage_id="stage-signed")
    contracts = ContractStore(store)
    contract = contracts.make(deal, contracts.prefill(deal, TODAY))
    first, second = contracts.set_plan(
        contract, contracts.plan_from_pattern(contract, "30% on signing, 70% in 60 days")
    )
    receipt = contracts.record_receipt(contract, 1_000_00, TODAY, method="transfer").receipt_id
    return {"customer": customer, "deal": deal, "contract": contract, "instalment": first, "receipt": receipt}


def new(table, record_id, **fields):
    return {
        "id": record_id,
        **fields,
        "created_at": MOMENT,
        "updated_at": MOMENT,
        "updated_by": "mal",
        "version": 1,
        "deleted_at": None,
    }


# case -> (table, the record's id or the honest record it edits, its data, kind, reason)
BAD = {
    "a contract currency that is not a code": (
        "contracts",
        "contract",
        lambda ids: {"currency": "dollars"},
        "invalid",
        "its contract currency is not a currency code",
    ),
    "a contract signed on a day that is not one": (
        "contracts",
        "contract",
        lambda ids: {"signed_on": "2026-02-30"},
        "invalid",
        'its contract signed_on is "2026-02-30", not a date',
    ),
    "a new contract with a negative amount": (
        "contracts",
        "evil-contract",
        lambda ids: new("contracts", "evil-contract", customer_id=ids["customer"], amount=-5, currency="CNY"),
        "invalid",
        "its contract amount is -5, not an amount of zero or more",
    ),
    "a contract number far too long": (
        "contracts",
        "contract",
        lambda ids: {"number": "C" * 500},
        "invalid",
        "its contract number is longer than 60 characters",
    ),
    "an instalment due on a day written another way": (
        "instalments",
        "instalment",
        lambda ids: {"due_on": "31/12/2026"},
        "invalid",
        'its instalment due_on is "31/12/2026", not a date',
    ),
    "an instalment of a negative amount": (
        "instalments",
        "instalment",
        lambda ids: {"amount": -100},
        "invalid",
        "its instalment amount is -100, not an amount of zero or more",
    ),
    "an instalment snoozed until a number": (
        "instalments",
        "instalment",
        lambda ids: {"snoozed_until": "20261231"},
        "invalid",
        'its instalment snoozed_until is "20261231", not a date',
    ),
    "a receipt of nothing": (
        "receipts",
        "evil-receipt",
        lambda ids: new(
            "receipts", "evil-receipt", contract_id=ids["contract"], received_on="2026-11-27", amount=0
        ),
        "invalid",
        "its receipt amount is 0, not an amount other than zero",
    ),
    "a receipt paid in a way salesdesk does not know": (
        "receipts",
        "receipt",
        lambda ids: {"method": "bitcoin"},
        "invalid",
        'its receipt method is "bitcoin", not one of transfer, cash',
    ),
    "a receipt received on a time, not a day": (
        "receipts",
        "receipt",
        lambda ids: {"received_on": "2026-11-27T09:00"},
        "invalid",
        'its receipt received_on is "2026-11-27T09:00", not a date',
    ),
    "a receipt for a contract that does not exist": (
        "receipts",
        "evil-orphan",
        lambda ids: new(
            "receipts", "evil-orphan", contract_id="no-such-contract", received_on="2026-11-27", amount=5
        ),
        "waiting",
        "it names contract no-such-contract, which has not arrived yet",
    ),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_a_bad_collection_record_is_held_with_its_reason_and_the_rest_merges(crew, case):
    ann, mal = crew
    ids = honest_contract(mal)
    table, target, data, kind, reason = BAD[case]
    record_id = ids.get(target, target)
    mal.clock.advance(minutes=1)
    inject(mal, table, record_id, data(ids))
    mal.clock.advance(minutes=1)
    late = ContractStore(mal.store).record_receipt(ids["contract"], 2_000_00, TODAY, reference="TT-2")
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    [(got_table, got_id, got_kind, got_reason, author)] = held_rows(ann)
    assert (got_table, got_id, got_kind, author) == (table, record_id, kind, "mal")
    assert reason in got_reason
    # The rest of mal's work is here, whole: the contract, its plan, both good receipts.
    contracts = ContractStore(ann.store)
    contract = contracts.get(ids["contract"])
    assert (contract.currency, contract.amount, contract.signed_on) == ("CNY", 10_000_00, TODAY.isoformat())
    assert [i.amount for i in contracts.instalments(ids["contract"])] == [3_000_00, 7_000_00]
    assert {r.id for r in contracts.receipts(ids["contract"])} == {ids["receipt"], late.receipt_id}
    assert contracts.collection(ids["contract"], TODAY).collected == 3_000_00


@pytest.mark.parametrize(
    ("key", "value", "reason"),
    [
        ("receivable_days", 400, "not a whole number from 0 to 90"),
        ("receivable_days", "soon", "not a whole number from 0 to 90"),
        ("paid_on_collection", "always", "not move or ask"),
        ("paid_on_collection", ["ask"], "not move or ask"),
    ],
)
def test_a_bad_setting_of_money_to_collect_is_held_and_the_good_one_arrives(crew, key, value, reason):
    ann, mal = crew
    inject(mal, "settings", key, {"value": json.dumps(value)})
    mal.clock.advance(minutes=1)
    good = {"receivable_days": "paid_on_collection", "paid_on_collection": "receivable_days"}[key]
    mal.store.set_setting(good, {"receivable_days": 14, "paid_on_collection": "ask"}[good])
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    [(table, row_id, kind, said, author)] = held_rows(ann)
    assert (table, row_id, kind, author) == ("settings", key, "invalid", "mal") and reason in said
    assert ann.store.setting(key) == {"receivable_days": 7, "paid_on_collection": "move"}[key]
    assert ann.store.setting(good) == {"receivable_days": 14, "paid_on_collection": "ask"}[good]
