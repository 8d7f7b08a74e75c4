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

from salesdesk.i18n import N_, _

if TYPE_CHECKING:
    from textual.app import App
    from textual.css.query import DOMQuery

# mode, title, the screen's class, the widget that holds the item keys (or None)
SCREENS = (
    (
        "today",
        N_("Today"),
        "salesdesk.tui.screens.today:TodayScreen",
        "salesdesk.tui.widgets.agenda:AgendaList",
    ),
    (
        "pipeline",
        N_("Pipeline"),
        "salesdesk.tui.screens.pipeline:PipelineScreen",
        "salesdesk.tui.widgets.board:Board",
    ),
    ("customers", N_("Customers"), "salesdesk.tui.screens.customers:CustomersScreen", None),
    ("reports", N_("Reports"), "salesdesk.tui.screens.reports:ReportsScreen", None),
    ("conflicts", N_("Conflicts"), "salesdesk.tui.screens.conflicts:ConflictsScreen", None),
    ("trash", N_("Trash"), "salesdesk.tui.screens.trash:TrashScreen", None),
    ("products", N_("Products"), "salesdesk.tui.screens.products:ProductsScreen", None),
    ("targets", N_("Targets"), "salesdesk.tui.screens.targets:TargetsScreen", None),
    ("pool", N_("Pool"), "salesdesk.tui.screens.pool:PoolScreen", None),
)

# The name of each command, by its binding's id: the key bar's short word is not always
# enough on its own. A binding with an id that is not here is named by its description.
# The app's own commands have no screen in front of their name.
NAMES = {
    "screen.today": N_("Go to Today"),
    "screen.pipeline": N_("Go to Pipeline"),
    "screen.customers": N_("Go to Customers"),
    "screen.reports": N_("Go to Reports"),
    "screen.conflicts": N_("Go to Conflicts"),
    "screen.trash": N_("Go to the Trash"),
    "screen.products": N_("Go to Products"),
    "screen.targets": N_("Go to Targets"),
    "screen.pool": N_("Go to the lead pool"),
    "pool.claim": N_("Claim the lead from the pool"),
    "pool.open": N_("Open the customer"),
    "pool.filter": N_("Filter the pool"),
    "pool.clear": N_("Clear the filter"),
    "pool.settings": N_("The lead pool's rules"),
    "app.privacy": N_("Privacy mode on or off"),
    "app.keys": N_("Show or hide the keys"),
    "app.quit": N_("Quit"),
    "app.export_weekly": N_("Export the week's summary"),
    "app.export_vcard": N_("Export customers as vCards"),
    "app.export_calendar": N_("Export follow-ups as a calendar"),
    "today.settings": N_("Settings"),
    "today.triage": N_("Triage overdue and today's items"),
    "today.mine": N_("Mine or everyone's"),
    "today.undo": N_("Undo the last done, move or dismiss"),
    "today.done": N_("Mark done"),
    "today.snooze": N_("Snooze"),
    "today.reschedule": N_("Reschedule"),
    "today.dismiss": N_("Dismiss a reminder"),
    "today.log": N_("Log an interaction"),
    "today.open": N_("Open the customer"),
    "pipeline.new": N_("New deal"),
    "pipeline.undo": N_("Undo the last move"),
    "pipeline.filter": N_("Filter the cards"),
    "pipeline.mine": N_("Mine or everyone's"),
    "pipeline.lost": N_("Show or hide Lost"),
    "board.forward": N_("Move the deal a stage forward"),
    "board.back": N_("Move the deal a stage back"),
    "board.won": N_("Mark the deal won"),
    "board.lost": N_("Mark the deal lost"),
    "board.open": N_("Open the deal"),
    "board.followup": N_("Book a follow-up on the deal"),
    "board.assign": N_("Assign the deal"),
    "board.quote": N_("Make or open the deal's quote"),
    "customers.receipt": N_("Record money received from the customer"),
    "today.receipt": N_("Record money received for the instalment, part of it or all"),
    "board.contract": N_("Open the deal's contract and payment plan"),
    "board.receipt": N_("Record money received for the deal"),
    "customers.search": N_("Search customers"),
    "customers.add": N_("Add a customer"),
    "customers.edit": N_("Edit the customer"),
    "customers.log": N_("Log an interaction"),
    "customers.tags": N_("Tag the customer"),
    "customers.followup": N_("Book a follow-up"),
    "customers.deal": N_("New deal for the customer"),
    "customers.case": N_("Open an after-sales case"),
    "customers.filters": N_("Filters"),
    "customers.sort": N_("Sort"),
    "customers.copy": N_("Copy a phone or email"),
    "customers.assign": N_("Assign the customer"),
    "customers.delete": N_("Delete the customer"),
    "reports.period": N_("Switch the period (90 days, 30 days, week…)"),
    "reports.period_back": N_("Switch the period back"),
    "reports.earlier": N_("An earlier period"),
    "reports.later": N_("A later period"),
    "reports.mine": N_("Mine or everyone's"),
    "conflicts.keep": N_("Keep the kept value"),
    "conflicts.restore": N_("Restore the lost value"),
    "conflicts.trash": N_("Open the Trash"),
    "trash.restore": N_("Restore the deleted record"),
    "trash.conflicts": N_("Back to Conflicts"),
    "products.search": N_("Search products"),
    "products.add": N_("Add a product"),
    "products.edit": N_("Edit the product"),
    "products.retire": N_("Retire the product, or offer it again"),
    "products.retired": N_("Show or hide retired products"),
    "targets.set": N_("Set the target of the person shown"),
    "targets.remove": N_("Remove the month's targets of the row"),
    "targets.previous": N_("The period before"),
    "targets.next": N_("The period after"),
    "targets.kind": N_("A month, a quarter or a year"),
}
CLOSE_THE_DIALOG = N_("Close the dialog first, then choose the command again.")
APP_WIDE = {"today.settings"}  # bound on Today, but a command of the whole app
# Commands the palette has once as the app's own, though a screen binds them too.
AS_APP_COMMAND = {"reports.export": "app.export_weekly"}
# The app's commands with no binding of their own: id, action.
APP_COMMANDS = (
    ("app.export_weekly", "export('weekly')"),
    ("app.export_vcard", "export('vcard')"),
    ("app.export_calendar", "export('calendar')"),
)
NO_KEY = N_("no key: the palette only")
KEY = N_("key {key}")
KEY_ON = N_("key {key} on {screen}")
ON_SCREEN = N_("{screen}: {command}")


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
            _(NAMES.get(binding.id or "", binding.description)),
            _(KEY).format(key=_key(app, binding)),
            _runner(app, None, None, binding.action),
        )
    keyed = {
        AS_APP_COMMAND[b.id or ""]: _(KEY_ON).format(key=_key(app, b), screen=_(title))
        for _mode, title, screen, widget in SCREENS
        for cls in filter(None, (screen, widget))
        for b in _bindings(_load(cls))
        if b.id in AS_APP_COMMAND
    }
    for binding_id, action in APP_COMMANDS:
        key = keyed[binding_id] if binding_id in keyed else _(NO_KEY)
        add(binding_id, _(NAMES[binding_id]), key, _runner(app, None, None, action))
    here = [entry for entry in SCREENS if entry[0] == getattr(app, "current_mode", None)]
    for mode, title, screen, widget in here + [entry for entry in SCREENS if entry not in here]:
        for cls_name in filter(None, (screen, widget)):
            for binding in _bindings(_load(cls_name)):
                binding_id = binding.id or ""
                if binding_id in AS_APP_COMMAND:
                    continue
                name = _(NAMES.get(binding_id, binding.description))
                if binding_id not in APP_WIDE:
                    name = _(ON_SCREEN).format(screen=_(title), command=name)
                target = widget if cls_name == widget else None
                add(
                    binding_id,
                    name,
                    _(KEY_ON).format(key=_key(app, binding), screen=_(title)),
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
                    app.notify(_(CLOSE_THE_DIALOG), severity="warning")
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
