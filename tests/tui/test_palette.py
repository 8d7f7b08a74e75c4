"""The command palette (ctrl+p): every action of every screen by its name, once, with its
key, and a command of another screen goes there and runs."""

import pytest
from textual.command import CommandList, CommandPalette

from salesdesk.tui import palette
from salesdesk.tui.screens.customer_forms import CustomerForm
from salesdesk.tui.screens.dialogs import ChecklistScreen
from salesdesk.tui.screens.pipeline import PipelineScreen
from salesdesk.tui.screens.today import TodayScreen
from tests.tui.conftest import SIZE, make_app, settle


@pytest.fixture(autouse=True)
def documents(tmp_path, monkeypatch):
    """The user's documents folder, in the test's own folder."""
    folder = tmp_path / "Documents"
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(folder))
    return folder


async def wait_for(pilot, check, tries: int = 40) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if check():
            return
    raise AssertionError("the app never got there")


def shown(app) -> list[tuple[str, str]]:
    """The palette's list: (name, help) of each line."""
    commands = app.screen.query_one(CommandList)
    lines = [str(commands.get_option_at_index(i).prompt) for i in range(commands.option_count)]
    return [tuple(line.split("\n", 1)) if "\n" in line else (line, "") for line in lines]


async def open_palette(pilot, query: str = "") -> list[tuple[str, str]]:
    await pilot.press("ctrl+p")
    await wait_for(pilot, lambda: isinstance(pilot.app.screen, CommandPalette))
    if query:
        await pilot.press(*query)
    await pilot.pause(0.3)  # the palette gathers its hits in a worker of its own
    await wait_for(pilot, lambda: pilot.app.screen.query_one(CommandList).option_count > 0)
    return shown(pilot.app)


def every_bound_id() -> set[str]:
    ids = {binding.id for binding in palette._bindings(make_app.__globals__["SalesdeskApp"])}
    for _, _, screen, widget in palette.SCREENS:
        for where in filter(None, (screen, widget)):
            ids |= {binding.id for binding in palette._bindings(palette._load(where))}
    return ids


async def test_the_palette_lists_every_action_of_every_screen_once_with_its_key(seeded):
    store, _, _ = seeded
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = await open_palette(pilot)
        names = [name for name, _ in lines]
        assert len(names) == len(set(names)), "a command is listed twice"
        assert names.count("Show or hide the keys") == 1 and "Keys" not in names
        assert not [n for n in names if n.split(": ")[-1] in ("Left", "Up", "Down", "Page up", "Cursor left")]
        assert "Theme" not in names and "Screenshot" not in names
        # Every binding with an id is a command (the Reports x is the app's weekly export).
        ids = every_bound_id()
        assert len(lines) == len(ids - set(palette.AS_APP_COMMAND)) + len(palette.APP_COMMANDS)
        for expected, help_text in [
            ("Go to Customers", "key 3"),
            ("Export the week's summary", "key x on Reports"),
            ("Export customers as vCards", palette.NO_KEY),
            ("Export follow-ups as a calendar", palette.NO_KEY),
            ("Settings", "key , on Today"),
            ("Today: Mark done", "key d on Today"),
            ("Pipeline: Move the deal a stage forward", "key ] on Pipeline"),
            ("Customers: Tag the customer", "key t on Customers"),
            ("Reports: An earlier period", "key [ on Reports"),
            ("Conflicts: Keep the kept value", "key k on Conflicts"),
        ]:
            assert (expected, help_text) in lines
        # The app's own first, then the screen it was opened on.
        assert names.index("Quit") < names.index("Today: Mark done") < names.index("Pipeline: New deal")


async def test_a_command_of_another_screen_goes_there_and_runs(seeded):
    store, ids, _ = seeded
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        lines = await open_palette(pilot, "stage forward")
        assert lines[0][0] == "Pipeline: Move the deal a stage forward"
        await pilot.press("enter")
        # Lead's checklist is not met: asked once, as the ] key asks; enter moves it anyway.
        await wait_for(pilot, lambda: isinstance(app.screen, ChecklistScreen))
        await pilot.press("enter")
        await wait_for(pilot, lambda: store.deal(ids["50 laptops for Shenzhen"]).stage_id != "stage-lead")
        assert isinstance(app.screen, PipelineScreen)
        # The first card of the board (Lead) moved on to Qualified, and nothing else moved.
        assert store.deal(ids["50 laptops for Shenzhen"]).stage_id == "stage-qualified"
        assert store.deal(ids["POS terminals, 12 stores"]).stage_id == "stage-lead"

        await open_palette(pilot, "add a customer")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, CustomerForm))
        assert app.current_mode == "customers"


async def test_the_exports_of_the_app_are_in_the_palette_of_today(seeded, documents):
    store, _, _ = seeded
    app = make_app(store)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        lines = await open_palette(pilot, "export customers")
        assert lines[0][0] == "Export customers as vCards"
        await pilot.press("enter")
        target = documents / "salesdesk" / "salesdesk-customers-2026-11-27.vcf"
        await wait_for(pilot, target.exists)
        assert target.read_text().count("BEGIN:VCARD") == 8
        assert isinstance(app.screen, TodayScreen)  # written from where it was asked for


def test_every_command_has_a_name_of_its_own():
    """A new binding with an id gets a palette name, not only its key bar word."""
    assert every_bound_id() - set(palette.NAMES) - set(palette.AS_APP_COMMAND) == set()
    assert set(palette.NAMES) - every_bound_id() - {i for i, _ in palette.APP_COMMANDS} == set()
