"""The command palette (ctrl+p): every action of the app by its name, once, with its key.

The commands are read from the bindings with an id: the app's own, then each screen's
and the widget that acts on its items (the agenda, the board). A command of another
screen goes to that screen and runs there. Bindings without an id (cursor moves, a
dialog's keys) are not commands. The palette is opened by a key, so the screens'
modules it reads are imported then, never at start-up.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from importlib import import_module
from typing import TYPE_CHECKING

from textual.binding import Binding
from textual.command import DiscoveryHit, Hit, Hits, Provider

if TYPE_CHECKING:
    from textual.app import App
    from textual.css.query import DOMQuery

# mode, title, the screen's class, the widget that holds the item keys (or None)
SCREENS = (
    ("today", "Today", "salesdesk.tui.screens.today:TodayScreen", "salesdesk.tui.widgets.agenda:AgendaList"),
    (
        "pipeline",
        "Pipeline",
        "salesdesk.tui.screens.pipeline:PipelineScreen",
        "salesdesk.tui.widgets.board:Board",
    ),
    ("customers", "Customers", "salesdesk.tui.screens.customers:CustomersScreen", None),
    ("reports", "Reports", "salesdesk.tui.screens.reports:ReportsScreen", None),
    ("conflicts", "Conflicts", "salesdesk.tui.screens.conflicts:ConflictsScreen", None),
)

# The name of each command, by its binding's id: the key bar's short word is not always
# enough on its own. A binding with an id that is not here is named by its description.
# The app's own commands have no screen in front of their name.
NAMES = {
    "screen.today": "Go to Today",
    "screen.pipeline": "Go to Pipeline",
    "screen.customers": "Go to Customers",
    "screen.reports": "Go to Reports",
    "screen.conflicts": "Go to Conflicts",
    "app.privacy": "Privacy mode on or off",
    "app.keys": "Show or hide the keys",
    "app.quit": "Quit",
    "app.export_weekly": "Export the week's summary",
    "app.export_vcard": "Export customers as vCards",
    "app.export_calendar": "Export follow-ups as a calendar",
    "today.settings": "Settings",
    "today.triage": "Triage overdue and today's items",
    "today.mine": "Mine or everyone's",
    "today.undo": "Undo the last done, move or dismiss",
    "today.done": "Mark done",
    "today.snooze": "Snooze",
    "today.reschedule": "Reschedule",
    "today.dismiss": "Dismiss a reminder",
    "today.log": "Log an interaction",
    "today.open": "Open the customer",
    "pipeline.new": "New deal",
    "pipeline.undo": "Undo the last move",
    "pipeline.filter": "Filter the cards",
    "pipeline.mine": "Mine or everyone's",
    "pipeline.lost": "Show or hide Lost",
    "board.forward": "Move the deal a stage forward",
    "board.back": "Move the deal a stage back",
    "board.won": "Mark the deal won",
    "board.lost": "Mark the deal lost",
    "board.open": "Open the deal",
    "board.followup": "Book a follow-up on the deal",
    "board.assign": "Assign the deal",
    "customers.search": "Search customers",
    "customers.add": "Add a customer",
    "customers.edit": "Edit the customer",
    "customers.log": "Log an interaction",
    "customers.tags": "Tag the customer",
    "customers.followup": "Book a follow-up",
    "customers.deal": "New deal for the customer",
    "customers.filters": "Filters",
    "customers.sort": "Sort",
    "customers.copy": "Copy a phone or email",
    "customers.assign": "Assign the customer",
    "customers.delete": "Delete the customer",
    "reports.period": "Switch the period (90 days, 30 days, week…)",
    "reports.period_back": "Switch the period back",
    "reports.earlier": "An earlier period",
    "reports.later": "A later period",
    "reports.mine": "Mine or everyone's",
    "conflicts.keep": "Keep the kept value",
    "conflicts.restore": "Restore the lost value",
}
CLOSE_THE_DIALOG = "Close the dialog first, then choose the command again."
APP_WIDE = {"today.settings"}  # bound on Today, but a command of the whole app
# Commands the palette has once as the app's own, though a screen binds them too.
AS_APP_COMMAND = {"reports.export": "app.export_weekly"}
# The app's commands with no binding of their own: id, action.
APP_COMMANDS = (
    ("app.export_weekly", "export('weekly')"),
    ("app.export_vcard", "export('vcard')"),
    ("app.export_calendar", "export('calendar')"),
)
NO_KEY = "no key: the palette only"


@dataclass(frozen=True)
class Command:
    name: str
    help: str  # its key, and on which screen
    run: Callable[[], Awaitable[None]]


def _load(where: str) -> type:
    module, name = where.split(":")
    return getattr(import_module(module), name)


def _key(app: App, binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    first = binding.key.split(",")[0].strip()
    return app.get_key_display(Binding(first, binding.action))


def _bindings(cls: type) -> list[Binding]:
    return [b for b in getattr(cls, "BINDINGS", ()) if isinstance(b, Binding) and b.id]


def commands(app: App) -> list[Command]:
    """Every command of the app, each once: the app's, then the current screen's, then
    the other screens'."""
    found: list[Command] = []
    seen: set[str] = set()

    def add(binding_id: str, name: str, help_text: str, run: Callable[[], Awaitable[None]]) -> None:
        if binding_id in seen:
            return
        seen.add(binding_id)
        found.append(Command(name, help_text, run))

    for binding in _bindings(type(app)):
        add(
            binding.id or "",
            NAMES.get(binding.id or "", binding.description),
            f"key {_key(app, binding)}",
            _runner(app, None, None, binding.action),
        )
    keyed = {
        AS_APP_COMMAND[b.id or ""]: f"{_key(app, b)} on {title}"
        for _, title, screen, widget in SCREENS
        for cls in filter(None, (screen, widget))
        for b in _bindings(_load(cls))
        if b.id in AS_APP_COMMAND
    }
    for binding_id, action in APP_COMMANDS:
        key = f"key {keyed[binding_id]}" if binding_id in keyed else NO_KEY
        add(binding_id, NAMES[binding_id], key, _runner(app, None, None, action))
    here = [entry for entry in SCREENS if entry[0] == getattr(app, "current_mode", None)]
    for mode, title, screen, widget in here + [entry for entry in SCREENS if entry not in here]:
        for cls_name in filter(None, (screen, widget)):
            for binding in _bindings(_load(cls_name)):
                binding_id = binding.id or ""
                if binding_id in AS_APP_COMMAND:
                    continue
                name = NAMES.get(binding_id, binding.description)
                if binding_id not in APP_WIDE:
                    name = f"{title}: {name}"
                target = widget if cls_name == widget else None
                add(
                    binding_id,
                    name,
                    f"key {_key(app, binding)} on {title}",
                    _runner(app, mode, target, binding.action),
                )
    return found


def _runner(app: App, mode: str | None, widget: str | None, action: str) -> Callable[[], Awaitable[None]]:
    """Go to `mode` (if given) and run `action` there, on its `widget` if one is named."""

    async def run() -> None:
        if mode is not None and app.current_mode != mode:
            await app.switch_mode(mode)

        async def act() -> None:
            screen = app.screen
            target = screen
            if widget is not None:
                found: DOMQuery = screen.query(_load(widget))
                if not found:  # a dialog is open over the screen
                    app.notify(CLOSE_THE_DIALOG, severity="warning")
                    return
                target = found.first()
            await app.run_action(action, target)

        if mode is None:
            await app.run_action(action)
        else:
            app.call_after_refresh(act)  # a screen built just now has loaded its items

    return run


class AppCommands(Provider):
    """The palette's commands: `commands(app)`, found by any part of their name."""

    async def startup(self) -> None:
        self._commands = commands(self.app)

    async def discover(self) -> Hits:
        for command in self._commands:
            yield DiscoveryHit(command.name, command.run, help=command.help)

    async def search(self, query: str) -> Hits:
        matcher = self.matcher(query)
        for command in self._commands:
            score = matcher.match(command.name)
            if score > 0:
                shown = matcher.highlight(command.name)
                yield Hit(score, shown, command.run, text=command.name, help=command.help)
