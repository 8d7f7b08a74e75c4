"""Exports from the app go to the one export folder of the settings (the documents
folder by default), and the message after one shows the whole path."""

import pytest
from textual.widgets._toast import Toast

from salesdesk.tui import exports
from salesdesk.tui.screens.today_dialogs import SettingsScreen
from tests.tui.conftest import SIZE, make_app, settle


@pytest.fixture(autouse=True)
def documents(tmp_path, monkeypatch):
    folder = tmp_path / "Documents"
    monkeypatch.setenv("XDG_DOCUMENTS_DIR", str(folder))
    return folder


async def wait_for(pilot, check, tries: int = 60) -> None:
    for _ in range(tries):
        await pilot.pause(0.05)
        if check():
            return
    raise AssertionError("the app never got there")


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def toast_text(app) -> str:
    """What the notifications show on screen, their lines joined (a wrapped path is whole)."""
    lines = []
    for toast in app.screen.query(Toast):
        region = toast.content_region
        strips = app.screen._compositor.render_strips()
        for y in range(region.y, region.bottom):
            lines.append(strips[y].crop(region.x, region.right).text)
    return "".join("".join(lines).split())  # spaces left out: a line may wrap at one


def unspaced(path) -> str:
    return "".join(str(path).split())


async def test_the_weekly_export_goes_to_the_documents_folder_with_the_whole_path_shown(seeded, documents):
    store, _, _ = seeded
    app = make_app(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        await pilot.press("x")
        target = documents / "salesdesk" / "salesdesk-week-2026-W48.md"
        await wait_for(pilot, target.exists)
        await wait_for(pilot, lambda: any(str(target) in m for m in messages(app)))
        assert f"Wrote the summary of 2026-W48 to {target}" in messages(app)
        # All of it on screen, wrapped in the pop-up.
        await wait_for(pilot, lambda: unspaced(target) in toast_text(app))
        # The line under the status says it too, above the panels, where no pop-up covers it.
        line = app.screen.query_one("#reports-export")
        assert str(line.render()) == f"Weekly summary written to {target}"
        assert line.region.y < app.screen.query_one("#reports-body").region.y


async def test_the_export_folder_is_a_setting_and_every_export_uses_it(seeded, tmp_path):
    store, _, _ = seeded
    folder = tmp_path / "team exports" / "ann's very long folder name for the exports of this year"
    app = make_app(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        field = app.screen.query_one("#export_folder-input")
        assert field.value == "" and field.placeholder.endswith("Documents/salesdesk")
        field.value = str(folder)
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, SettingsScreen))
        assert exports.folder_setting(store) == str(folder)

        await pilot.press("4")
        await settle(pilot)
        await pilot.press("x")
        await wait_for(pilot, (folder / "salesdesk-week-2026-W48.md").exists)
        app.action_export("calendar")
        calendar = folder / "salesdesk-follow-ups-2026-11-27.ics"
        await wait_for(pilot, calendar.exists)
        assert calendar.read_text().count("BEGIN:VEVENT") >= 4  # ann's follow-ups of 6 weeks
        await wait_for(pilot, lambda: any(str(calendar) in m for m in messages(app)))
        await wait_for(pilot, lambda: unspaced(calendar) in toast_text(app))


async def test_a_file_is_refused_as_the_export_folder_and_nothing_is_saved(seeded, tmp_path):
    store, _, _ = seeded
    (tmp_path / "notes.txt").write_text("a file")
    app = make_app(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        await pilot.press("comma")
        await wait_for(pilot, lambda: isinstance(app.screen, SettingsScreen))
        app.screen.query_one("#export_folder-input").value = str(tmp_path / "notes.txt")
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, SettingsScreen)  # open, with what was typed
        hint = str(app.screen.query_one("#export_folder-hint").render())
        assert hint.startswith(f"{tmp_path / 'notes.txt'} is a file, not a folder;")
        assert exports.folder_setting(store) == ""


async def test_an_export_folder_that_cannot_be_made_is_a_message_not_a_crash(seeded, tmp_path):
    store, _, _ = seeded
    (tmp_path / "notes.txt").write_text("a file")
    exports.set_folder_setting(store, str(tmp_path / "notes.txt" / "exports"))  # e.g. set elsewhere
    app = make_app(store)
    async with app.run_test(size=SIZE, notifications=True) as pilot:
        await settle(pilot)
        app.action_export("vcard")
        refused = "The vCard file was not written:"
        await wait_for(pilot, lambda: any(m.startswith(refused) for m in messages(app)))
        said = next(m for m in messages(app) if m.startswith(refused))
        assert str(tmp_path / "notes.txt") in said
        assert app.is_running and (tmp_path / "notes.txt").read_text() == "a file"
