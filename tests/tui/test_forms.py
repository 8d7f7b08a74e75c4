"""The forms from the keyboard: where each opens, Tab down it, Esc on it, the one log form.

Each test presses real keys and asserts what the form holds and what the database got.
"""

from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from datetime import timedelta

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from salesdesk.tui.screens.base import DISCARD_TITLE, DiscardScreen, SavingDialog
from salesdesk.tui.screens.customer_forms import NEXT_STEP_NEEDS_A_DAY, InteractionForm
from salesdesk.tui.screens.customers import CustomersScreen
from salesdesk.tui.screens.deal import DealScreen, NewDealScreen
from salesdesk.tui.screens.pipeline import PipelineScreen
from salesdesk.tui.screens.today import TodayScreen
from tests.conftest import TODAY
from tests.tui.conftest import SIZE, make_app, settle

LAPTOPS, ERP = "50 laptops for Shenzhen", "ERP rollout phase 2"


async def ready(pilot: Pilot) -> None:
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()
    await settle(pilot)


@asynccontextmanager
async def running(store, size=SIZE):
    app = make_app(store)
    async with app.run_test(size=size) as pilot:
        await ready(pilot)
        yield pilot


async def on_today_item(pilot: Pilot, what: str):
    agenda_list = pilot.app.screen.agenda_list
    item = next(i for i in agenda_list.items if i.what == what)
    assert agenda_list.select(item.key)
    await settle(pilot)
    return item


async def on_deal(pilot: Pilot, deal_id: str) -> None:
    await pilot.press("2")
    await settle(pilot)
    assert pilot.app.screen.board.focus_deal(deal_id)
    await settle(pilot)


async def on_customer(pilot: Pilot, customer_id: str) -> None:
    await pilot.press("3")
    await settle(pilot)
    pilot.app.screen.show_customer(customer_id)
    await settle(pilot)


def customer_id(store, name: str) -> str:
    return store.db.execute("SELECT id FROM customers WHERE name = ?", [name]).fetchone()[0]


def interactions(store, customer: str) -> list[tuple]:
    return store.db.execute(
        "SELECT kind, summary, deal_id FROM interactions WHERE customer_id = ? ORDER BY at", [customer]
    ).fetchall()


def open_followups(store, customer: str) -> list[tuple]:
    return store.db.execute(
        "SELECT due_date, title, kind, deal_id FROM followups WHERE customer_id = ? AND done_at IS NULL "
        "AND deleted_at IS NULL ORDER BY due_date, title",
        [customer],
    ).fetchall()


def focused_id(pilot: Pilot) -> str | None:
    return pilot.app.focused.id if pilot.app.focused is not None else None


# -- Today's l: the one log form, with its next step ------------------------------------------


async def test_today_l_opens_the_log_form_on_its_summary_with_a_call_now_and_a_next_step(seeded):
    store, ids, _ = seeded
    li = customer_id(store, "李娜")
    async with running(store) as pilot:
        await on_today_item(pilot, "Call 李娜")
        await pilot.press("l")
        await settle(pilot)
        form = pilot.app.screen
        assert isinstance(form, InteractionForm)
        assert focused_id(pilot) == "summary-input"
        assert form.query_one("#kind-input", Input).value == "call"
        assert form.query_one("#when-input", Input).value == "now"
        await pilot.press(*"Budget signed off", "tab", "tab")  # the details, then the next step's day
        assert focused_id(pilot) == "next_due-input"
        await pilot.press(*"3d", "tab", *"Send the contract", "ctrl+s")
        await ready(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)
    assert interactions(store, li) == [("call", "Budget signed off", ids[ERP])]
    booked = (TODAY + timedelta(days=3)).isoformat()
    assert (booked, "Send the contract", "call", ids[ERP]) in open_followups(store, li)


async def test_today_log_and_its_next_step_are_one_write(seeded):
    """A next step the database refuses takes the log back with it; the form keeps both."""
    store, ids, _ = seeded
    li = customer_id(store, "李娜")
    before = open_followups(store, li)
    async with running(store) as pilot:
        await on_today_item(pilot, "Call 李娜")
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"Budget signed off", "tab", "tab", *"3d", "tab", *"Send the contract")
        store.db.execute(
            "CREATE TEMP TRIGGER refuse BEFORE INSERT ON followups BEGIN SELECT RAISE(ABORT, 'full'); END"
        )
        await pilot.press("ctrl+s")
        await ready(pilot)
        form = pilot.app.screen
        assert isinstance(form, InteractionForm)  # still open, with what was typed
        assert form.query_one("#summary-input", Input).value == "Budget signed off"
        assert interactions(store, li) == [] and open_followups(store, li) == before
        store.db.execute("DROP TRIGGER refuse")
        await pilot.press("ctrl+s")
        await ready(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)
    assert interactions(store, li) == [("call", "Budget signed off", ids[ERP])]
    assert len(open_followups(store, li)) == len(before) + 1


async def test_a_next_step_without_a_day_is_asked_for_not_dropped(seeded):
    store, _, _ = seeded
    li = customer_id(store, "李娜")
    async with running(store) as pilot:
        await on_today_item(pilot, "Call 李娜")
        await pilot.press("l")
        await settle(pilot)
        await pilot.press(*"Budget signed off", "tab", "tab", "tab", *"Send the contract", "ctrl+s")
        await ready(pilot)
        form = pilot.app.screen
        assert isinstance(form, InteractionForm)
        assert str(form.query_one("#next_due-hint").render()) == NEXT_STEP_NEEDS_A_DAY
    assert interactions(store, li) == []


async def test_done_with_a_next_step_in_its_log_books_it_and_asks_nothing_more(seeded):
    store, ids, _ = seeded
    li = customer_id(store, "李娜")
    async with running(store) as pilot:
        item = await on_today_item(pilot, "Call 李娜")
        await pilot.press("d")
        await settle(pilot)
        assert isinstance(pilot.app.screen, InteractionForm)
        await pilot.press("tab", "tab", *"fri", "ctrl+s")  # the summary as offered: the follow-up's title
        await ready(pilot)
        assert isinstance(pilot.app.screen, TodayScreen)  # no second question for the next one
    assert store.followup(item.followup_id).done_at is not None
    assert interactions(store, li) == [("call", "Call 李娜", ids[ERP])]
    assert [row[1:] for row in open_followups(store, li)] == [("Follow up: Call 李娜", "call", ids[ERP])]


def _a_log_form_with_its_next_step(screen) -> bool:
    return (
        isinstance(screen, InteractionForm)
        and bool(screen.query("#next_due-input"))
        and bool(screen.query("#next_title-input"))
    )


async def test_every_log_form_of_the_app_is_the_one_with_the_next_step(seeded):
    store, ids, _ = seeded
    async with running(store) as pilot:
        await on_today_item(pilot, "Call 李娜")
        for key in ("l", "d"):
            await pilot.press(key)
            await settle(pilot)
            assert _a_log_form_with_its_next_step(pilot.app.screen), key
            while not isinstance(pilot.app.screen, TodayScreen):  # done asks for the next one too
                await pilot.press("escape")
                await ready(pilot)
        await on_customer(pilot, customer_id(store, "Wang Wei"))
        await pilot.press("i")
        await settle(pilot)
        assert _a_log_form_with_its_next_step(pilot.app.screen)


# -- where a form opens, and Tab down it ---------------------------------------------------------


async def test_the_deal_dialog_opens_on_its_next_step_and_typing_goes_there(seeded):
    store, ids, _ = seeded
    async with running(store) as pilot:
        await on_deal(pilot, ids[LAPTOPS])
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(pilot.app.screen, DealScreen)
        assert focused_id(pilot) == "next_step-input"
        await pilot.press(*"Send the quote", "ctrl+s")
        await settle(pilot)
        assert isinstance(pilot.app.screen, PipelineScreen)
    deal = store.deal(ids[LAPTOPS])
    assert (deal.next_step, deal.title) == ("Send the quote", LAPTOPS)


async def test_tab_goes_down_the_deal_dialog_in_reading_order_and_never_selects_the_text(seeded):
    store, ids, _ = seeded
    async with running(store) as pilot:
        await on_deal(pilot, ids[ERP])  # a stage with a checklist: the last stop
        await pilot.press("enter")
        await settle(pilot)
        visited = [focused_id(pilot)]
        for _ in range(8):
            await pilot.press("tab")
            visited.append(focused_id(pilot))
            if isinstance(pilot.app.focused, Input):
                assert pilot.app.focused.selection.is_empty, f"{focused_id(pilot)} has its text selected"
        assert visited == [
            "next_step-input",
            "owner-input",
            "deal-checklist",
            "title-input",
            "amount-input",
            "currency-input",
            "probability-input",
            "expected_close-input",
            "next_step-input",
        ]
        # Tab onto the title and type: the title grows, it is not replaced.
        await pilot.press("shift+tab", "shift+tab", "shift+tab", "shift+tab", "shift+tab")
        assert focused_id(pilot) == "title-input"
        await pilot.press(*" (phase 3)", "ctrl+s")
        await settle(pilot)
    assert store.deal(ids[ERP]).title == ERP + " (phase 3)"


async def test_the_customer_form_tabs_across_then_down_and_keeps_each_fields_text(seeded):
    store, _, _ = seeded
    async with running(store) as pilot:
        await on_customer(pilot, customer_id(store, "Wang Wei"))
        await pilot.press("e")
        await settle(pilot)
        order = [focused_id(pilot)]
        for _ in range(4):
            await pilot.press("tab")
            order.append(focused_id(pilot))
            assert pilot.app.focused.selection.is_empty
        assert order == ["name-input", "company-input", "title-input", "phone-input", "email-input"]
        await pilot.press("shift+tab", "shift+tab", "shift+tab", *" Ltd")  # onto Company, typed on
        assert pilot.app.screen.query_one("#company-input", Input).value == "Huaxin Technology Ltd"


async def test_a_suggestion_in_the_field_a_form_opens_on_is_replaced_by_typing(seeded):
    """The follow-up's day (tomorrow) and a done's summary are offered selected; Tab selects nothing."""
    store, ids, _ = seeded
    async with running(store) as pilot:
        await on_deal(pilot, ids[LAPTOPS])
        await pilot.press("f")
        await settle(pilot)
        assert focused_id(pilot) == "due-input"
        await pilot.press(*"fri", "tab")
        assert pilot.app.screen.query_one("#due-input", Input).value == "fri"
        assert focused_id(pilot) == "title-input" and pilot.app.focused.selection.is_empty


async def test_a_new_deal_opens_on_the_customer_and_from_a_customer_on_its_title(seeded):
    store, _, _ = seeded
    async with running(store) as pilot:
        await pilot.press("2")
        await settle(pilot)
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, NewDealScreen)
        assert focused_id(pilot) == "customer-input"
        await pilot.press("escape")
        await settle(pilot)
        await on_customer(pilot, customer_id(store, "Wang Wei"))
        await pilot.press("n")
        await settle(pilot)
        assert isinstance(pilot.app.screen, NewDealScreen)
        assert focused_id(pilot) == "title-input"


# -- Esc: at once on an unchanged form, asks on a changed one ----------------------------------


Open = Callable[[Pilot, dict], Awaitable[None]]


def _press(*keys: str) -> Callable[[Pilot], Awaitable[None]]:
    async def press(pilot: Pilot) -> None:
        await pilot.press(*keys)
        await settle(pilot)

    return press


async def _today_log(pilot, ids):
    await on_today_item(pilot, "Call 李娜")
    await pilot.press("l")


async def _deal(pilot, ids):
    await on_deal(pilot, ids[ERP])
    await pilot.press("enter")


async def _deal_follow_up(pilot, ids):
    await on_deal(pilot, ids[LAPTOPS])
    await pilot.press("f")


async def _customer(pilot, ids, key):
    await on_customer(pilot, ids["wang"])
    await pilot.press(key)


FORMS: dict[str, tuple[Open, Callable[[Pilot], Awaitable[None]]]] = {
    # form: how it is opened, and one change made in it
    "today-log": (_today_log, _press(*"Left a voicemail")),
    "deal-dialog": (_deal, _press(*" soon")),
    "deal-checklist-ticked": (_deal, _press("tab", "tab", "space")),
    "deal-follow-up": (_deal_follow_up, _press("tab", *" again")),
    "customer-form": (lambda p, ids: _customer(p, ids, "e"), _press(*" Jr")),
    "customer-log": (lambda p, ids: _customer(p, ids, "i"), _press(*"Met at the fair")),
    "customer-follow-up": (lambda p, ids: _customer(p, ids, "f"), _press("backspace")),
    "customer-tags": (lambda p, ids: _customer(p, ids, "t"), _press(*"vip", "enter")),
    "new-customer": (lambda p, ids: _customer(p, ids, "a"), _press(*"Grace Kim")),
    "new-deal": (lambda p, ids: _customer(p, ids, "n"), _press(*"Printers")),
}


def _everything(store) -> list:
    return [
        store.db.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()
        for table in ("customers", "deals", "followups", "interactions", "tags")
    ]


@pytest.fixture
def crm(seeded):
    store, ids, _ = seeded
    return store, {**ids, "wang": customer_id(store, "Wang Wei")}


@pytest.mark.parametrize("form", FORMS)
async def test_esc_on_an_unchanged_form_closes_it_at_once(crm, form):
    store, ids = crm
    opening, _ = FORMS[form]
    async with running(store) as pilot:
        await opening(pilot, ids)
        await settle(pilot)
        dialog = pilot.app.screen
        assert isinstance(dialog, SavingDialog)
        await pilot.press("escape")
        await settle(pilot)
        assert pilot.app.screen is not dialog and not isinstance(pilot.app.screen, DiscardScreen)


@pytest.mark.parametrize("form", FORMS)
async def test_esc_on_a_changed_form_asks_and_keeps_it_unless_told_to_discard(crm, form):
    store, ids = crm
    opening, change = FORMS[form]
    async with running(store) as pilot:
        await opening(pilot, ids)
        await settle(pilot)
        dialog = pilot.app.screen
        await change(pilot)
        typed = [box.value for box in dialog.query(Input)]
        saved = _everything(store)
        for keep in ("escape", "n", "enter"):  # each keeps editing, enter too: the default
            await pilot.press("escape")
            await settle(pilot)
            asking = pilot.app.screen
            assert isinstance(asking, DiscardScreen), f"{form}: esc closed a changed form"
            assert DISCARD_TITLE in str(asking.query_one(".dialog-title").render())
            await pilot.press(keep)
            await settle(pilot)
            assert pilot.app.screen is dialog
            assert [box.value for box in dialog.query(Input)] == typed
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("y")
        await settle(pilot)
        assert pilot.app.screen is not dialog
        assert isinstance(pilot.app.screen, (TodayScreen, PipelineScreen, CustomersScreen))
        assert _everything(store) == saved, f"{form}: discarding wrote something"


async def test_esc_on_a_form_changed_and_changed_back_closes_at_once(crm):
    store, ids = crm
    async with running(store) as pilot:
        await _customer(pilot, ids, "e")
        await settle(pilot)
        await pilot.press(*"xy", "backspace", "backspace")
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(pilot.app.screen, CustomersScreen)
