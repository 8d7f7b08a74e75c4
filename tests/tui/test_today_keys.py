"""The Today screen from the keyboard: each key, asserted on the database."""

from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from textual.widgets import Select

from salesdesk.core.agenda import DISMISSED, OVERDUE
from salesdesk.core.agenda import TODAY as TODAY_SECTION
from salesdesk.store.store import Store
from salesdesk.tui.screens.customer_forms import InteractionForm
from salesdesk.tui.screens.dialogs import FollowUpScreen
from salesdesk.tui.screens.pipeline import PipelineScreen
from salesdesk.tui.screens.today import TodayScreen
from salesdesk.tui.screens.today_dialogs import GreetingScreen, SettingsScreen, SnoozeScreen
from tests.conftest import TODAY, FakeClock
from tests.tui.agenda_seed import seed_agenda
from tests.tui.conftest import SIZE, make_app, settle


@pytest.fixture
def agenda_db(tmp_path):
    clock = FakeClock()
    store = Store.open(tmp_path / "today.db", "ann", clock)
    ids = seed_agenda(store, clock)
    yield store, ids
    store.close()


async def ready(pilot) -> None:
    """Settled, with the agenda the worker loads on screen."""
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


@asynccontextmanager
async def today_screen(store, item=None):
    """The app as it opens, on Today, with the cursor on the item whose title is `item`."""
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        if item is not None:
            await select(pilot, item)
        yield pilot


async def select(pilot, what: str):
    agenda_list = pilot.app.screen.agenda_list
    found = next(i for i in agenda_list.items if i.what == what)
    assert agenda_list.select(found.key)
    await settle(pilot)
    assert agenda_list.current.what == what
    return found


def open_followups(store, customer_id):
    return store.db.execute(
        "SELECT due_date, title, deal_id FROM followups WHERE customer_id = ? AND done_at IS NULL "
        "AND deleted_at IS NULL ORDER BY due_date",
        [customer_id],
    ).fetchall()


async def test_the_app_opens_on_today_and_number_keys_switch(agenda_db):
    store, _ = agenda_db
    async with today_screen(store) as pilot:
        app = pilot.app
        assert app.current_mode == "today" and isinstance(app.screen, TodayScreen)
        status = str(app.screen.query_one("#today-status").render())
        assert "5 overdue" in status and "2 today" in status and "6 in the next 7 days" in status
        await pilot.press("2")
        await settle(pilot)
        assert isinstance(app.screen, PipelineScreen)
        await pilot.press("1")
        await ready(pilot)
        assert isinstance(app.screen, TodayScreen)


async def test_done_logs_a_call_and_books_the_next_follow_up(agenda_db):
    store, ids = agenda_db
    customer = ids["李娜"]
    async with today_screen(store, "Call 李娜") as pilot:
        app = pilot.app
        item = app.screen.agenda_list.current
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(app.screen, InteractionForm)
        app.screen.query_one("#summary-input").value = "Budget confirmed for phase 2"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, FollowUpScreen)
        await pilot.press("enter")  # tomorrow, the same title
        await ready(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert store.followup(item.followup_id).done_at is not None
        call = store.interactions_of(customer, limit=1)[0]
        assert (call.kind, call.summary, call.deal_id) == (
            "call",
            "Budget confirmed for phase 2",
            ids["ERP rollout phase 2"],
        )
        assert open_followups(store, customer) == [
            ((TODAY + timedelta(days=1)).isoformat(), "Call 李娜", ids["ERP rollout phase 2"])
        ]
        assert item.key not in [i.key for i in app.screen.agenda_list.items]


async def test_done_with_one_key_to_skip_each_question(agenda_db):
    store, ids = agenda_db
    async with today_screen(store, "Send the contract") as pilot:
        item = pilot.app.screen.agenda_list.current
        before = len(store.interactions_of(ids["Sarah Miller"]))
        await pilot.press("d", "escape", "escape")
        await ready(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)
        assert store.followup(item.followup_id).done_at is not None
        assert len(store.interactions_of(ids["Sarah Miller"])) == before
        assert open_followups(store, ids["Sarah Miller"]) == []


async def test_snooze_a_day_a_week_or_to_a_typed_date(agenda_db):
    store, _ = agenda_db
    async with today_screen(store, "Call 李娜") as pilot:
        item = pilot.app.screen.agenda_list.current
        await pilot.press("s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SnoozeScreen)
        await pilot.press("d")
        await ready(pilot)
        assert store.followup(item.followup_id).due_date == "2026-11-28"
        await select(pilot, "Call 李娜")
        await pilot.press("s", "w")
        await ready(pilot)
        assert store.followup(item.followup_id).due_date == "2026-12-04"
        await select(pilot, "Call 李娜")
        await pilot.press("s", "t", *"next mon", "enter")
        await ready(pilot)
        assert store.followup(item.followup_id).due_date == "2026-11-30"


async def test_reschedule_refuses_a_past_date_and_takes_a_good_one(agenda_db):
    store, _ = agenda_db
    async with today_screen(store, "Call Chen Jing") as pilot:
        item = pilot.app.screen.agenda_list.current
        await pilot.press("r", *"2026-11-01", "enter")
        await settle(pilot)
        assert "in the past" in str(pilot.app.screen.query_one("#when-hint").render())
        pilot.app.screen.query_one("#when-input").value = "2026-12-10"
        await pilot.press("enter")
        await ready(pilot)
        assert store.followup(item.followup_id).due_date == "2026-12-10"


async def test_x_dismisses_a_care_reminder_for_this_time_only(agenda_db):
    store, ids = agenda_db
    async with today_screen(store, "Get back in touch") as pilot:
        item = pilot.app.screen.agenda_list.current
        await pilot.press("x")
        await ready(pilot)
        row = store.records.require("reminder_dismissals", item.key)
        assert (row["outcome"], row["customer_id"]) == (DISMISSED, ids["Greg Howard"])
        assert item.key not in [i.key for i in pilot.app.screen.agenda_list.items]
        # A follow-up is not dismissed: it is done or moved.
        followup = await select(pilot, "Call Chen Jing")
        await pilot.press("x")
        await ready(pilot)
        assert store.followup(followup.followup_id).done_at is None
        assert followup.key in [i.key for i in pilot.app.screen.agenda_list.items]


async def test_triage_steps_through_overdue_and_today_and_ends_with_a_summary(agenda_db):
    store, ids = agenda_db
    async with today_screen(store) as pilot:
        app = pilot.app
        screen = app.screen
        expected = screen.agenda.triage()
        assert [i.what for i in expected][:2] == ["Contract renewal", "New Year's Day greetings"]
        await pilot.press("t")
        await settle(pilot)
        panel = screen.triage
        assert panel.display and not screen.agenda_list.display
        assert panel.current.key == expected[0].key
        await pilot.press("d", "escape", "escape")  # renewal done; log nothing, book nothing
        await settle(pilot)
        await pilot.press("x")  # the holiday greeting: dismissed
        await settle(pilot)
        await pilot.press("s")  # 李娜's call: tomorrow
        await settle(pilot)
        await pilot.press("space")  # Greg Howard: skipped
        await settle(pilot)
        await pilot.press("w")  # the rotting deal: a follow-up next week
        await settle(pilot)
        await pilot.press("d", "escape", "escape")  # Sarah's contract: done
        await settle(pilot)
        assert panel.current.what == "First contact"
        await pilot.press("escape")  # stop early: the summary
        await settle(pilot)
        assert panel.finished
        assert panel.summary() == {"done": 2, "snoozed": 2, "rescheduled": 0, "dismissed": 1, "skipped": 1}
        summary = panel.render().plain
        assert "2 done · 2 snoozed · 1 dismissed · 1 skipped" in summary
        assert "1 not reached" in summary
        await pilot.press("enter")
        await ready(pilot)
        assert screen.agenda_list.display and not panel.display
        # What triage did is in the database.
        assert store.records.require("reminder_dismissals", expected[0].key)["outcome"] == "done"
        assert store.records.require("reminder_dismissals", expected[1].key)["outcome"] == "dismissed"
        assert store.followup(expected[2].followup_id).due_date == "2026-11-28"
        assert open_followups(store, ids["Omar Haddad"]) == [
            ("2026-12-04", "Move the deal on", ids["Warehouse robots"])
        ]
        assert store.followup(ids["today"]).done_at is not None
        remaining = [i.what for i in screen.agenda.section(OVERDUE).items]
        assert remaining == ["Get back in touch"]
        assert [i.what for i in screen.agenda.section(TODAY_SECTION).items] == ["First contact"]


async def test_mine_or_everyone(agenda_db):
    store, _ = agenda_db
    async with today_screen(store) as pilot:
        whats = lambda: [i.what for i in pilot.app.screen.agenda_list.items]  # noqa: E731
        assert "Bob's call about support" not in whats()
        await pilot.press("m")
        await ready(pilot)
        assert "Bob's call about support" in whats()
        assert "everyone's" in str(pilot.app.screen.query_one("#today-status").render())


async def test_enter_opens_the_customer_and_l_logs_an_interaction(agenda_db):
    store, ids = agenda_db
    async with today_screen(store, "Get back in touch") as pilot:
        app = pilot.app
        await pilot.press("enter")
        await settle(pilot)
        assert app.current_mode == "customers"
        assert app.screen.current_id == ids["Greg Howard"]
        await pilot.press("1")
        await ready(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert app.screen.agenda_list.current.what == "Get back in touch"
        await pilot.press("l")
        await settle(pilot)
        assert isinstance(app.screen, InteractionForm)
        await pilot.press(*"Left a voicemail", "enter")
        await ready(pilot)
        latest = store.interactions_of(ids["Greg Howard"], limit=1)[0]
        assert (latest.kind, latest.summary) == ("call", "Left a voicemail")
        # Contacted today: no longer dormant.
        assert "Get back in touch" not in [i.what for i in app.screen.agenda_list.items]


async def test_enter_on_a_holiday_lists_whom_to_greet(agenda_db):
    store, _ = agenda_db
    async with today_screen(store, "New Year's Day greetings") as pilot:
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, GreetingScreen)
        shown = str(pilot.app.screen.query_one("#greeting-dialog VerticalScroll Static").render())
        assert "Emma Clark" in shown and "Grace Kim" in shown
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)


async def test_settings_are_edited_in_the_app(agenda_db):
    store, _ = agenda_db
    async with today_screen(store) as pilot:
        await pilot.press("comma")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SettingsScreen)
        pilot.app.screen.query_one("#dormant_days-input").value = "soon"
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, SettingsScreen)  # refused, and says why
        assert "whole number" in str(pilot.app.screen.query_one("#dormant_days-hint").render())
        pilot.app.screen.query_one("#dormant_days-input").value = "120"
        pilot.app.screen.query_one("#holiday_country-input").value = ""
        await pilot.press("enter")
        await ready(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)
        assert (store.setting("dormant_days"), store.setting("holiday_country")) == (120, "")
        whats = [i.what for i in pilot.app.screen.agenda_list.items]
        assert "Get back in touch" not in whats and "New Year's Day greetings" not in whats


async def test_money_to_collect_is_set_in_the_settings(agenda_db):
    store, _ = agenda_db
    async with today_screen(store) as pilot:
        await pilot.press("comma")
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, SettingsScreen)
        assert dialog.query_one("#receivable_days-input").value == "7"
        choice = dialog.query_one("#paid_on_collection", Select)
        assert choice.value == "move"
        dialog.query_one("#receivable_days-input").value = "91"
        choice.focus()
        await pilot.press("enter", "down", "enter")  # open the list, the next choice, take it
        await settle(pilot)
        assert choice.value == "ask"
        dialog.query_one("#receivable_days-input").focus()
        await pilot.press("enter")
        await settle(pilot)
        assert pilot.app.screen is dialog  # 91 refused, and said why
        assert "0 to 90" in str(dialog.query_one("#receivable_days-hint").render())
        dialog.query_one("#receivable_days-input").value = "14"
        await pilot.press("enter")
        await ready(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)
        assert (store.setting("receivable_days"), store.setting("paid_on_collection")) == (14, "ask")


async def test_the_collector_paused_for_the_start_up_is_back_once_the_agenda_shows(agenda_db):
    import gc

    store, _ = agenda_db
    gc.disable()  # as the command line does before it starts the app
    try:
        async with today_screen(store) as pilot:
            await settle(pilot)
            assert pilot.app.screen.agenda is not None
            assert gc.isenabled()
    finally:
        gc.enable()


async def test_u_takes_back_a_done_a_move_and_a_dismiss_in_turn(agenda_db):
    store, ids = agenda_db
    changes = store.db.execute("SELECT count(*) FROM followups WHERE deleted_at IS NULL").fetchone()[0]
    async with today_screen(store, "Get back in touch") as pilot:
        app = pilot.app
        care = app.screen.agenda_list.current
        await pilot.press("x")  # dismiss a care reminder
        await ready(pilot)
        call = await select(pilot, "Call 李娜")
        due = store.followup(call.followup_id).due_date
        await pilot.press("s", "w")  # a week later
        await ready(pilot)
        done = await select(pilot, "Send the contract")
        await pilot.press("d", "escape")
        await settle(pilot)
        await pilot.press("enter")  # and book the next one, tomorrow
        await ready(pilot)
        assert store.followup(done.followup_id).done_at is not None
        assert len(open_followups(store, ids["Sarah Miller"])) == 1

        await pilot.press("u")  # the done, with the follow-up it booked
        await ready(pilot)
        assert store.followup(done.followup_id).done_at is None
        assert open_followups(store, ids["Sarah Miller"])[0][1] == "Send the contract"
        assert len(open_followups(store, ids["Sarah Miller"])) == 1
        assert "Undone: done: Send the contract." in [n.message for n in app._notifications]
        assert app.screen.agenda_list.current.key == done.key  # the cursor is on what came back
        await pilot.press("u")  # the move
        await ready(pilot)
        assert store.followup(call.followup_id).due_date == due
        assert app.screen.agenda_list.current.key == call.key
        await pilot.press("u")  # the dismiss
        await ready(pilot)
        assert care.key in [i.key for i in app.screen.agenda_list.items]
        assert app.screen.agenda_list.current.key == care.key
        await pilot.press("u")
        await settle(pilot)
        assert "Nothing to undo on Today." in [n.message for n in app._notifications]
    live = store.db.execute("SELECT count(*) FROM followups WHERE deleted_at IS NULL").fetchone()[0]
    assert live == changes
