"""Every screen and dialog at 60x15, with privacy on: it fits, and each field can be reached.

A dialog wider or taller than the terminal loses its right edge, its lower fields or its
key hint; at this size a form's fields scroll between its title and its keys, and the
field Tab lands on is scrolled into view. Each surface is also a snapshot (privacy on),
so a change of layout at this size is seen.
"""

from collections.abc import Awaitable, Callable

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widget import Widget
from textual.widgets import Input

from salesdesk.tui.screens.base import DialogScreen
from tests.tui.conftest import make_app, no_blink, settle
from tests.tui.test_privacy import (
    _board,
    _conflicts,
    _customer_form,
    _customers,
    _deal_dialog,
    _new_deal,
    _reports,
    _stale_dialog,
    private,  # noqa: F401  (the fixture: Wang Wei with a phone, an email, a handle; a conflict)
)

SMALL = (60, 15)

Surface = Callable[[Pilot, dict[str, str]], Awaitable[None]]


def keys(*pressed: str) -> Surface:
    async def press(pilot: Pilot, ids: dict[str, str]) -> None:
        for key in pressed:
            await pilot.press(key)
            await settle(pilot)

    return press


def then(first: Surface, *pressed: str) -> Surface:
    async def run(pilot: Pilot, ids: dict[str, str]) -> None:
        await first(pilot, ids)
        await settle(pilot)
        await keys(*pressed)(pilot, ids)

    return run


async def _today(pilot: Pilot, ids: dict[str, str]) -> None:
    await settle(pilot)
    await pilot.app.workers.wait_for_complete()


async def _on_deal(pilot: Pilot, ids: dict[str, str], title: str) -> None:
    await pilot.press("2")
    await settle(pilot)
    pilot.app.screen.board.focus_deal(ids[title])
    await settle(pilot)


def deal(title: str, *pressed: str) -> Surface:
    async def run(pilot: Pilot, ids: dict[str, str]) -> None:
        await _on_deal(pilot, ids, title)
        await keys(*pressed)(pilot, ids)

    return run


SCREENS: dict[str, Surface] = {
    "today": _today,
    "pipeline": _board,
    "customers": _customers,
    "reports": _reports,
    "conflicts": _conflicts,
}

DIALOGS: dict[str, Surface] = {
    # Today
    "today-log": then(_today, "l"),
    "today-done-log": then(_today, "d"),
    "today-book-next": then(_today, "d", "enter"),
    "today-snooze": then(_today, "s"),
    "today-snooze-date": then(_today, "s", "t"),
    "today-reschedule": then(_today, "r"),
    "today-settings": then(_today, "comma"),
    "discard-changes": then(_today, "l", "x", "escape"),
    # Pipeline
    "deal-dialog": _deal_dialog,
    "new-deal": _new_deal,
    "lost-reason": deal("50 laptops for Shenzhen", "x"),
    "checklist": deal("ERP rollout phase 2", "right_square_bracket"),
    "deal-follow-up": deal("50 laptops for Shenzhen", "f"),
    "deal-assign": deal("50 laptops for Shenzhen", "O"),
    "close-follow-ups": deal("50 laptops for Shenzhen", "w", "escape"),
    "contract": deal("50 laptops for Shenzhen", "w"),
    "receipt": deal("50 laptops for Shenzhen", "w", "ctrl+s", "escape", "dollar_sign"),
    "changed-elsewhere": _stale_dialog,
    "line-picker": deal("50 laptops for Shenzhen", "enter", "ctrl+l"),
    "deal-with-a-line": deal("50 laptops for Shenzhen", "enter", "ctrl+l", *"Setup", "enter"),
    "line-dialog": deal("50 laptops for Shenzhen", "enter", "ctrl+l", *"Setup", "enter", "enter"),
    # Customers
    "customer-form": _customer_form,
    "new-customer": then(_customers, "a"),
    "duplicate": then(_customers, "a", *"Wang Wei", "tab", *"Huaxin Technology", "ctrl+s"),
    "customer-log": then(_customers, "i"),
    "customer-tags": then(_customers, "t"),
    "customer-follow-up": then(_customers, "f"),
    "customer-filter": then(_customers, "F"),
    "customer-copy": then(_customers, "c"),
    "customer-assign": then(_customers, "O"),
    "customer-delete": then(_customers, "d"),
    "customer-new-deal": then(_customers, "n"),
    "customer-case": then(_customers, "s", *"Printer jams", "tab", "l"),
}


async def _open(pilot: Pilot, ids: dict[str, str], surface: Surface) -> None:
    await settle(pilot)
    pilot.app.privacy = True
    await surface(pilot, ids)
    await settle(pilot)
    await settle(pilot)


def _within(outer: Region, inner: Region) -> bool:
    return outer.contains_region(inner)


def _shown(widget: Widget) -> bool:
    """Not hidden (a date field before t, a closed pick list's overlay)."""
    return all(node.display for node in widget.ancestors_with_self if isinstance(node, Widget))


def _view(widget: Widget, dialog: Widget) -> Region:
    """What of the dialog can be seen around the widget: clipped by each container that scrolls."""
    view = dialog.region
    for node in widget.ancestors:
        if node is dialog:
            break
        if isinstance(node, Widget) and node.styles.overflow_y in ("auto", "scroll"):
            view = view.intersection(node.region)
    return view


@pytest.mark.parametrize("name", DIALOGS)
async def test_each_dialog_fits_and_every_field_scrolls_into_view(private, name):  # noqa: F811
    store, ids = private
    app = make_app(store)
    async with app.run_test(size=SMALL) as pilot:
        await _open(pilot, ids, DIALOGS[name])
        screen = app.screen
        assert isinstance(screen, DialogScreen), f"{name}: no dialog open but {screen!r}"
        whole = Region(0, 0, *SMALL)
        dialog = screen.query_one(".dialog")
        assert _within(whole, dialog.region), f"{name}: the dialog {dialog.region} is off the screen"
        for hint in screen.query(".dialog-keys"):
            if hint.display:
                assert _within(dialog.region, hint.region), f"{name}: its key hint is cut off"
                assert hint.region.height >= 1
        opened_on = screen.focused
        if opened_on is not None:
            view = _view(opened_on, dialog)
            assert _within(view, opened_on.region), f"{name}: it opens on {opened_on!r}, out of view"
        fields = [w for w in screen.query("*") if w.focusable and _shown(w)]
        assert fields or not any(_shown(box) for box in screen.query(Input)), f"{name}: no field to focus"
        for field in fields:
            field.focus()
            await settle(pilot)
            await settle(pilot)
            assert field.region.height >= 1, f"{name}: {field!r} is not shown"
            assert _within(dialog.region, field.region), f"{name}: {field!r} is outside the dialog"
            assert _within(_view(field, dialog), field.region), f"{name}: {field!r} is scrolled out of view"


def _snapshot(snap_compare, store, ids, surface: Surface):
    async def run_before(pilot):
        await _open(pilot, ids, surface)
        no_blink(pilot.app)
        await settle(pilot)

    return snap_compare(make_app(store), terminal_size=SMALL, run_before=run_before)


class TestSmallTerminal:
    """60x15, privacy on: each screen, and each dialog."""

    @pytest.mark.parametrize("name", SCREENS)
    def test_screen(self, snap_compare, private, name):  # noqa: F811
        store, ids = private
        assert _snapshot(snap_compare, store, ids, SCREENS[name])

    @pytest.mark.parametrize("name", DIALOGS)
    def test_dialog(self, snap_compare, private, name):  # noqa: F811
        store, ids = private
        assert _snapshot(snap_compare, store, ids, DIALOGS[name])
