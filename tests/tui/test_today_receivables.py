"""Money to collect on Today: the receivable rows and their keys, asserted on the database."""

from contextlib import asynccontextmanager
from datetime import timedelta

import pytest

from salesdesk.core.agenda import OVERDUE, RECEIVABLE
from salesdesk.core.agenda import TODAY as TODAY_SECTION
from salesdesk.store.contracts import ContractStore
from salesdesk.store.store import Store
from salesdesk.tui.screens.today_dialogs import PaidScreen, SnoozeScreen
from tests.conftest import TODAY, FakeClock
from tests.tui.conftest import SIZE, make_app, no_blink, settle
from tests.tui.receivable_seed import seed_receivables

ACME = "Collect ¥7,000 from Acme (C-2026-0007, 2 of 3)"
BETA = "Collect $500 from Beta (C-2026-0008)"


@pytest.fixture
def owed(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "owed.db", "ann", clock)
    ids = seed_receivables(store)
    yield store, ids
    store.close()


async def ready(pilot) -> None:
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


@asynccontextmanager
async def today_screen(store):
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        yield pilot


def rows(pilot):
    return [i for i in pilot.app.screen.agenda_list.items if i.kind == RECEIVABLE]


async def on_row(pilot, what):
    agenda_list = pilot.app.screen.agenda_list
    assert agenda_list.select(next(i.key for i in agenda_list.items if i.what == what))
    await settle(pilot)


def receipts(store, contract):
    return store.db.execute(
        "SELECT amount, received_on, instalment_id FROM receipts "
        "WHERE contract_id = ? AND deleted_at IS NULL ORDER BY created_at",
        [contract],
    ).fetchall()


async def test_receivable_rows_sit_in_their_sections_with_what_is_owed(owed):
    store, _ids = owed
    async with today_screen(store) as pilot:
        agenda = pilot.app.screen.agenda
        assert [i.what for i in agenda.section(OVERDUE).items if i.kind == RECEIVABLE] == [ACME]
        assert [i.what for i in agenda.section(TODAY_SECTION).items if i.kind == RECEIVABLE] == [BETA]
        whats = {i.what: i.why for i in rows(pilot)}
        assert whats[ACME] == "12 days late" and whats[BETA] == "instalment due"
        assert whats["Collect ¥1,500 from Gamma (C-2026-0009)"] == "instalment due"  # 500 paid
        assert not any("Delta" in what for what in whats)  # snoozed until after today
        screen = pilot.app.screen.agenda_list.render()
        assert "12 days late" in str(screen) and "¥7,000" in str(screen)


async def test_d_records_the_instalment_in_full_and_u_takes_it_back(owed):
    store, ids = owed
    acme = ids["acme"]
    async with today_screen(store) as pilot:
        await on_row(pilot, ACME)
        await pilot.press("d")  # one key
        await ready(pilot)
        assert receipts(store, acme["contract"]) == [
            (3_000_00, (TODAY - timedelta(days=40)).isoformat(), None),
            (7_000_00, TODAY.isoformat(), acme["plan"][1]),
        ]
        assert ACME not in [i.what for i in rows(pilot)]
        said = [n.message for n in pilot.app._notifications]
        assert any("received ¥7,000" in message for message in said), said
        assert store.deal(acme["deal"]).stage_id == "stage-signed"  # 5,000 is still to come
        await pilot.press("u")
        await ready(pilot)
        assert len(receipts(store, acme["contract"])) == 1
        assert ACME in [i.what for i in rows(pilot)]


async def test_d_on_the_last_instalment_moves_the_deal_to_paid_and_says_so(owed):
    store, ids = owed
    beta = ids["beta"]
    async with today_screen(store) as pilot:
        await on_row(pilot, BETA)
        await pilot.press("d")
        await ready(pilot)
        assert store.deal(beta["deal"]).stage_id == "stage-paid"
        assert ContractStore(store).collection(beta["contract"], TODAY).fully_collected
        said = " ".join(n.message for n in pilot.app._notifications)
        assert "fully collected: the deal moved to Paid" in said
        await pilot.press("u")  # the receipt and the move, both taken back
        await ready(pilot)
        assert store.deal(beta["deal"]).stage_id == "stage-signed"
        assert receipts(store, beta["contract"]) == []


async def test_with_paid_on_collection_ask_the_move_waits_for_a_yes(owed):
    store, ids = owed
    store.set_setting("paid_on_collection", "ask")
    async with today_screen(store) as pilot:
        await on_row(pilot, BETA)
        await pilot.press("d")
        await ready(pilot)
        assert isinstance(pilot.app.screen, PaidScreen)
        assert store.deal(ids["beta"]["deal"]).stage_id == "stage-signed"
        await pilot.press("y")
        await ready(pilot)
        assert store.deal(ids["beta"]["deal"]).stage_id == "stage-paid"


async def test_s_snoozes_the_reminder_and_the_debt_stays(owed):
    store, ids = owed
    acme = ids["acme"]
    async with today_screen(store) as pilot:
        await on_row(pilot, ACME)
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SnoozeScreen)
        await pilot.press("w")
        await ready(pilot)
        snoozed = store.records.get("instalments", acme["plan"][1])["snoozed_until"]
        assert snoozed == (TODAY + timedelta(days=7)).isoformat()
        assert ACME not in [i.what for i in rows(pilot)]
        assert ContractStore(store).collection(acme["contract"], TODAY).overdue == 7_000_00
        await pilot.press("u")
        await ready(pilot)
        assert store.records.get("instalments", acme["plan"][1])["snoozed_until"] is None
        assert ACME in [i.what for i in rows(pilot)]


async def test_x_and_r_explain_and_change_nothing(owed):
    store, ids = owed
    async with today_screen(store) as pilot:
        await on_row(pilot, ACME)
        for key in ("x", "r"):
            await pilot.press(key)
            await ready(pilot)
        said = " ".join(n.message for n in pilot.app._notifications)
        assert "Money owed is not dismissed" in said and "s hides it until a later day" in said
        assert len(receipts(store, ids["acme"]["contract"])) == 1
        assert store.db.execute("SELECT count(*) FROM reminder_dismissals").fetchone()[0] == 0
        assert ACME in [i.what for i in rows(pilot)]


async def test_a_read_only_database_records_nothing(owed, tmp_path):
    store, ids = owed
    async with today_screen(store) as pilot:
        await on_row(pilot, ACME)
        store.db.execute("PRAGMA query_only = ON")
        try:
            await pilot.press("d")
            await ready(pilot)
        finally:
            store.db.execute("PRAGMA query_only = OFF")
        assert len(receipts(store, ids["acme"]["contract"])) == 1
        assert ACME in [i.what for i in rows(pilot)]


async def test_triage_records_an_overdue_instalment_with_d(owed):
    store, ids = owed
    async with today_screen(store) as pilot:
        await pilot.press("t")  # the first overdue item: Acme's instalment
        await settle(pilot)
        assert pilot.app.screen.triage.display
        await pilot.press("d")
        await ready(pilot)
        assert [r[0] for r in receipts(store, ids["acme"]["contract"])] == [3_000_00, 7_000_00]


class TestTodayReceivables:
    def test_rows(self, snap_compare, owed):
        store, _ids = owed

        async def run_before(pilot):
            for _ in range(2):
                await settle(pilot)
                await pilot.app.workers.wait_for_complete()
            no_blink(pilot.app)
            await settle(pilot)

        assert snap_compare(make_app(store), terminal_size=SIZE, run_before=run_before)


async def test_dollar_records_part_of_an_instalment_in_four_keys_at_most(owed):
    from salesdesk.tui.screens.receipt_forms import ReceiptDialog

    store, ids = owed
    acme = ids["acme"]
    async with today_screen(store) as pilot:
        await on_row(pilot, ACME)
        await pilot.press("dollar_sign")  # 1: the dialog, its amount selected
        await ready(pilot)
        assert isinstance(pilot.app.screen, ReceiptDialog)
        await pilot.press(*"2000")  # the amount, typed over the one offered
        await pilot.press("enter")  # 2: recorded
        await ready(pilot)
        assert not isinstance(pilot.app.screen, ReceiptDialog)
        assert receipts(store, acme["contract"])[-1][:2] == (2_000_00, TODAY.isoformat())
        assert "Collect ¥5,000 from Acme (C-2026-0007, 2 of 3)" in [i.what for i in rows(pilot)]


async def test_dollar_on_a_row_that_is_not_money_to_collect_says_so(owed):
    store, _ids = owed
    async with today_screen(store) as pilot:
        agenda_list = pilot.app.screen.agenda_list
        other = next(i for i in agenda_list.items if i.kind != RECEIVABLE)
        assert agenda_list.select(other.key)
        await settle(pilot)
        await pilot.press("dollar_sign")
        await ready(pilot)
        said = [n.message for n in pilot.app._notifications]
        assert any("money to collect" in message for message in said), said
