"""The daily tasks in at most four keys each, besides the text typed.

Each test presses exactly the keys of its task (`TASKS`), from the app as it opens on
Today with the cursor where the task starts (the row or card to act on, or the customer
found), and asserts the database. `test_every_daily_task_takes_four_keys_at_most` holds
the count; the closing note of issue 15 quotes the table below.
"""

from datetime import timedelta

import pytest

from salesdesk.store.agenda import AgendaStore
from salesdesk.tui.screens.customers import CustomersScreen
from salesdesk.tui.screens.pipeline import PipelineScreen
from salesdesk.tui.screens.today import TodayScreen
from tests.conftest import TODAY
from tests.tui.conftest import SIZE, make_app, settle

KEY, TEXT = "key", "text"
MOST_KEYS = 4

# task -> the steps, a key pressed or text typed (the text is not counted)
TASKS = {
    "open Today (from another screen)": [(KEY, "1")],
    "mark a follow-up done, log what happened and book the next": [
        (KEY, "d"),
        (TEXT, "Budget confirmed"),
        (KEY, "enter"),  # logged; the next follow-up is asked for, its date selected
        (TEXT, "fri"),
        (KEY, "enter"),
    ],
    "mark a follow-up done and book the next, logging nothing": [
        (KEY, "d"),
        (KEY, "escape"),  # no log
        (TEXT, "3d"),
        (KEY, "enter"),
    ],
    "log a call with a next step, from a found customer": [
        (KEY, "i"),  # opens on the summary, a call, now
        (TEXT, "Agreed to send the revised quote"),
        (KEY, "tab"),  # details
        (KEY, "tab"),  # the next step's date
        (TEXT, "fri"),
        (KEY, "ctrl+s"),
    ],
    "move a deal one stage": [(KEY, "2"), (KEY, "right_square_bracket")],
    "mark a deal lost with a reason": [
        (KEY, "2"),
        (KEY, "x"),
        (TEXT, "went with a competitor"),
        (KEY, "enter"),
        (KEY, "enter"),  # close its follow-ups too (yes by default)
    ],
    "find a customer by part of a phone number": [
        (KEY, "3"),
        (KEY, "slash"),
        (TEXT, "0013 8000"),
        (KEY, "enter"),  # back in the list, on the customer found
    ],
    "tag a customer": [(KEY, "t"), (TEXT, "reseller"), (KEY, "enter"), (KEY, "ctrl+s")],
    "export the week's summary": [(KEY, "4"), (KEY, "x")],
    "export the week's summary, from any screen": [
        (KEY, "ctrl+p"),
        (TEXT, "export the week"),
        (KEY, "enter"),
    ],
}


def keys_of(task: str) -> list[str]:
    return [value for kind, value in TASKS[task] if kind == KEY]


@pytest.fixture(autouse=True)
def documents(tmp_path, monkeypatch):
    folder = tmp_path / "Documents"
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(folder))
    return folder


@pytest.fixture
def day(seeded):
    """The seeded pipeline, with a phone typed with separators and a follow-up on Wang Wei."""
    store, ids, clock = seeded
    for name in ("Wang Wei", "李娜", "Tom Baker"):
        ids[name] = store.db.execute("SELECT id FROM customers WHERE name = ?", [name]).fetchone()[0]
    store.update_customer(ids["Wang Wei"], {"phone": "+86 138-0013-8000"})
    return store, ids


async def wait_for(pilot, check, tries: int = 60) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if check():
            return
    raise AssertionError("the app never got there")


async def ready(pilot) -> None:
    for _ in range(2):
        await settle(pilot)
        await pilot.app.workers.wait_for_complete()
    await settle(pilot)


async def run(pilot, task: str) -> None:
    """Press the task's keys and type its text, waiting for the app after each step."""
    for kind, value in TASKS[task]:
        if kind == KEY:
            await pilot.press(value)
        else:
            await pilot.press(*value)
        await ready(pilot)
        await pilot.pause(0.1)  # a dialog pushed after the refresh, a palette's search


def open_followups(store, customer_id):
    return store.db.execute(
        "SELECT due_date, title FROM followups WHERE customer_id = ? AND done_at IS NULL "
        "AND deleted_at IS NULL ORDER BY due_date",
        [customer_id],
    ).fetchall()


def test_every_daily_task_takes_four_keys_at_most():
    counts = {task: len(keys_of(task)) for task in TASKS}
    assert {task: n for task, n in counts.items() if n > MOST_KEYS} == {}


async def test_open_today(day):
    store, _ = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await pilot.press("3")  # somewhere else first
        await ready(pilot)
        await run(pilot, "open Today (from another screen)")
        assert isinstance(app.screen, TodayScreen)
        expected = AgendaStore(store).load(TODAY)
        assert [item.key for item in app.screen.agenda_list.items] == [item.key for item in expected.items]


async def _on_today_item(pilot, what: str):
    agenda_list = pilot.app.screen.agenda_list
    item = next(i for i in agenda_list.items if i.what == what)
    assert agenda_list.select(item.key)
    await settle(pilot)
    return item


async def test_done_logs_and_books_the_next(day):
    store, ids = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        item = await _on_today_item(pilot, "Call 李娜")
        await run(pilot, "mark a follow-up done, log what happened and book the next")
        assert isinstance(app.screen, TodayScreen)
        assert store.followup(item.followup_id).done_at is not None
        call = store.interactions_of(ids["李娜"], limit=1)[0]
        assert (call.kind, call.summary) == ("call", "Budget confirmed")
        assert open_followups(store, ids["李娜"]) == [("2026-12-04", "Call 李娜")]


async def test_done_and_book_the_next_without_a_log(day):
    store, ids = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        item = await _on_today_item(pilot, "Call 李娜")
        logged = len(store.interactions_of(ids["李娜"]))
        await run(pilot, "mark a follow-up done and book the next, logging nothing")
        assert store.followup(item.followup_id).done_at is not None
        assert len(store.interactions_of(ids["李娜"])) == logged
        assert open_followups(store, ids["李娜"]) == [((TODAY + timedelta(days=3)).isoformat(), "Call 李娜")]


async def test_log_a_call_with_a_next_step_from_a_found_customer(day):
    store, ids = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await run(pilot, "find a customer by part of a phone number")
        assert app.screen.current_id == ids["Wang Wei"]
        await run(pilot, "log a call with a next step, from a found customer")
        assert isinstance(app.screen, CustomersScreen)
        call = store.interactions_of(ids["Wang Wei"], limit=1)[0]
        assert (call.kind, call.summary) == ("call", "Agreed to send the revised quote")
        assert ("2026-12-04", "Follow up: Agreed to send the revised quote") in open_followups(
            store, ids["Wang Wei"]
        )


async def test_move_a_deal_one_stage(day):
    store, ids = day
    deal_id = ids["50 laptops for Shenzhen"]  # the first card of the board, where the cursor starts
    store.tick_checklist(deal_id, list(store.stage(store.deal(deal_id).stage_id).checklist))
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await run(pilot, "move a deal one stage")
        assert isinstance(app.screen, PipelineScreen)
        assert store.deal(deal_id).stage_id == "stage-qualified"


async def test_mark_a_deal_lost_with_a_reason(day):
    store, ids = day
    deal_id = ids["50 laptops for Shenzhen"]
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await run(pilot, "mark a deal lost with a reason")
        assert isinstance(app.screen, PipelineScreen)
        deal = store.deal(deal_id)
        assert (deal.stage_id, deal.lost_reason) == ("stage-lost", "went with a competitor")
        assert open_followups(store, ids["Wang Wei"]) == []  # its follow-up left Today with it


async def test_find_a_customer_by_part_of_a_phone_number(day):
    store, ids = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await run(pilot, "find a customer by part of a phone number")
        screen = app.screen
        assert isinstance(screen, CustomersScreen)
        assert screen.current_id == ids["Wang Wei"] and screen.customer_list.total == 1
        assert screen.focused is screen.customer_list  # the next key acts on them


async def test_tag_a_customer(day):
    store, ids = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await run(pilot, "find a customer by part of a phone number")
        await run(pilot, "tag a customer")
        assert store.tags_of(ids["Wang Wei"]) == ["reseller"]


async def test_export_the_week(day, documents):
    store, _ = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await run(pilot, "export the week's summary")
        target = documents / "salesdesk" / "salesdesk-week-2026-W48.md"
        await wait_for(pilot, target.exists)
        assert target.read_text().startswith("# ")


async def test_export_the_week_from_any_screen(day, documents):
    store, _ = day
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await ready(pilot)
        await run(pilot, "export the week's summary, from any screen")
        target = documents / "salesdesk" / "salesdesk-week-2026-W48.md"
        await wait_for(pilot, target.exists)
        assert isinstance(app.screen, TodayScreen)
