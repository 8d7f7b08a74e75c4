"""Two devices record receipts for one contract before they sync, through a real team
folder: both receipts are kept on both copies, the statuses agree, and when together
they complete the contract the deal moves to Paid once, on the owner's copy."""

from datetime import timedelta

import pytest

from salesdesk.core.contracts import OVERDUE, PAID, PARTLY_PAID
from salesdesk.store.contracts import ContractStore
from salesdesk.sync import team as teamsync
from tests.conftest import TODAY
from tests.sync.conftest import Device, enter_team


@pytest.fixture
def pair(tmp_path):
    """ann (who owns the deal) and bob, in one encrypted team folder, bob's clock behind."""
    shared = tmp_path / "share"
    shared.mkdir()
    ann, bob = Device(tmp_path, "ann"), Device(tmp_path, "bob", timedelta(hours=-3))
    enter_team(ann.store, shared)
    enter_team(bob.store, shared)
    yield ann, bob
    for device in (ann, bob):
        device.store.close()


def signed_contract(ann, bob, amount=10_000_00, currency="CNY"):
    """ann's signed deal with a contract of 30% on signing and 70% in 60 days, on both copies."""
    customer = ann.store.add_customer("李娜", company="华信科技有限公司")
    deal = ann.store.add_deal(customer, "年度维保", amount, currency, stage_id="stage-signed")
    contracts = ContractStore(ann.store)
    contract = contracts.make(deal, contracts.prefill(deal, TODAY))
    contracts.set_plan(contract, contracts.plan_from_pattern(contract, "30% on signing, 70% in 60 days"))
    teamsync.sync_once(ann.store)
    teamsync.sync_once(bob.store)
    assert ContractStore(bob.store).get(contract) is not None
    return deal, contract


def statuses(device, contract, today):
    state = ContractStore(device.store).collection(contract, today)
    return state.collected, state.outstanding, [(s.status, s.applied) for s in state.instalments]


def paid_moves(device, deal):
    return device.store.db.execute(
        "SELECT count(*) FROM stage_changes WHERE deal_id = ? AND to_stage = 'stage-paid'", [deal]
    ).fetchone()[0]


def sync_round(ann, bob):
    """ann publishes, bob takes it and publishes, ann takes bob's: each has the other's."""
    return [teamsync.sync_once(device.store) for device in (ann, bob, ann)]


def test_receipts_recorded_on_two_devices_are_both_kept_and_the_statuses_agree(pair):
    ann, bob = pair
    deal, contract = signed_contract(ann, bob)
    ann.clock.advance(minutes=10)
    bob.clock.advance(minutes=10)
    # Offline, each records money received for the same contract.
    mine = ContractStore(ann.store).record_receipt(
        contract, 2_000_00, TODAY, method="transfer", reference="TT-1"
    )
    theirs = ContractStore(bob.store).record_receipt(
        contract, 2_500_00, TODAY + timedelta(days=1), method="cash", reference="收据 0042"
    )
    assert statuses(ann, contract, TODAY)[0] == 2_000_00 and statuses(bob, contract, TODAY)[0] == 2_500_00

    sync_round(ann, bob)

    later = TODAY + timedelta(days=1)
    for device in (ann, bob):
        receipts = ContractStore(device.store).receipts(contract)
        assert {(r.id, r.amount, r.method, r.reference) for r in receipts} == {
            (mine.receipt_id, 2_000_00, "transfer", "TT-1"),
            (theirs.receipt_id, 2_500_00, "cash", "收据 0042"),
        }
        assert statuses(device, contract, later) == (
            4_500_00,
            5_500_00,
            [(PAID, 3_000_00), (PARTLY_PAID, 1_500_00)],
        )
        # Past the second due day the rest is overdue, on both copies alike.
        assert [s for s, _ in statuses(device, contract, TODAY + timedelta(days=61))[2]] == [PAID, OVERDUE]
        assert device.store.deal(deal).stage_id == "stage-signed"  # not all in: it stays Signed
    assert ann.digest() == bob.digest()


def test_two_partial_receipts_that_together_complete_the_contract_move_the_deal_once(pair):
    ann, bob = pair
    deal, contract = signed_contract(ann, bob)
    ann.clock.advance(minutes=10)
    bob.clock.advance(minutes=10)
    first = ContractStore(ann.store).record_receipt(contract, 4_000_00, TODAY, method="transfer")
    second = ContractStore(bob.store).record_receipt(contract, 6_000_00, TODAY, method="alipay")
    assert not first.completed and not second.completed  # neither copy had it all

    ann_first, bob_takes, ann_takes = sync_round(ann, bob)
    # bob's copy saw the contract complete but bob does not own the deal: ann's copy moves it.
    assert bob.store.deal(deal).stage_id == "stage-signed" and paid_moves(bob, deal) == 0
    assert ann.store.deal(deal).stage_id == "stage-paid"
    assert any("The money for 年度维保 is all in: it moved to Paid." in line for line in ann_takes.lines())
    assert not any("is all in" in line for line in bob_takes.lines())
    teamsync.sync_once(bob.store)
    teamsync.sync_once(ann.store)

    for device in (ann, bob):
        state = ContractStore(device.store).collection(contract, TODAY)
        assert state.fully_collected and (state.collected, state.outstanding) == (10_000_00, 0)
        assert [s.status for s in state.instalments] == [PAID, PAID]
        assert device.store.deal(deal).stage_id == "stage-paid"
        assert paid_moves(device, deal) == 1  # moved once, by one copy
    assert ann.digest() == bob.digest()


def test_with_the_ask_setting_a_merge_that_completes_the_contract_leaves_the_deal(pair):
    ann, bob = pair
    ann.store.set_setting("paid_on_collection", "ask")
    deal, contract = signed_contract(ann, bob, amount=500_00, currency="USD")
    ann.clock.advance(minutes=10)
    bob.clock.advance(minutes=10)
    ContractStore(ann.store).record_receipt(contract, 200_00, TODAY)
    ContractStore(bob.store).record_receipt(contract, 300_00, TODAY)
    sync_round(ann, bob)
    teamsync.sync_once(bob.store)
    for device in (ann, bob):
        assert ContractStore(device.store).collection(contract, TODAY).fully_collected
        assert device.store.deal(deal).stage_id == "stage-signed"


def test_a_receipt_beyond_a_contract_already_collected_does_not_move_a_deal_put_back(pair):
    ann, bob = pair
    deal, contract = signed_contract(ann, bob, amount=500_00, currency="USD")
    ContractStore(ann.store).record_receipt(contract, 500_00, TODAY)
    ann.store.move_deal(deal, "stage-signed")  # the person put it back by hand
    teamsync.sync_once(ann.store)
    teamsync.sync_once(bob.store)
    bob.clock.advance(minutes=10)
    ContractStore(bob.store).record_receipt(contract, 50_00, TODAY, reference="late fee")
    teamsync.sync_once(bob.store)
    teamsync.sync_once(ann.store)
    assert len(ContractStore(ann.store).receipts(contract)) == 2
    assert ann.store.deal(deal).stage_id == "stage-signed"


def test_a_copy_that_joins_does_not_move_the_deals_its_owner_kept_in_signed(pair, tmp_path):
    ann, bob = pair
    deal, contract = signed_contract(ann, bob, amount=500_00, currency="USD")
    assert ContractStore(ann.store).record_receipt(contract, 500_00, TODAY).moved
    ann.clock.advance(minutes=1)
    ann.store.move_deal(deal, "stage-signed")  # all in, but kept in Signed on purpose
    teamsync.sync_once(ann.store)
    (tmp_path / "laptop").mkdir()
    laptop = Device(tmp_path / "laptop", "ann")  # ann's second computer joins the team
    try:
        enter_team(laptop.store, tmp_path / "share")
        teamsync.sync_once(laptop.store)
        assert ContractStore(laptop.store).collection(contract, TODAY).fully_collected
        assert laptop.store.deal(deal).stage_id == "stage-signed"
        assert paid_moves(laptop, deal) == 1  # the one move ann made, and no other
    finally:
        laptop.store.close()
