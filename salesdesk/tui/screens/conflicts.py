"""The Conflicts screen: fields two teammates edited at once, with one key to keep either value."""

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from salesdesk.core.dates import parse_timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.text import literal
from salesdesk.store.conflicts import Conflict, ConflictStore
from salesdesk.store.store import Store
from salesdesk.tui.privacy import HIDDEN, PRIVATE_FIELDS, masked
from salesdesk.tui.screens.base import SalesdeskScreen
from salesdesk.tui.text import literal_text
from salesdesk.tui.widgets.key_bar import KeyBar

EMPTY_TEXT = (
    "No conflicts.\n\n"
    "When you and a teammate edit the same field before syncing,\n"
    "the newer edit wins and the other value is listed here to review."
)
EMPTY_VALUE = "(empty)"
# A conflict of a record's life: a delete against an edit made without seeing it.
LIFE_FIELD = "deleted or alive"
ALIVE = "alive, edited"
DELETED = "deleted {:%Y-%m-%d %H:%M}"


def _value(value: object, private: bool) -> Text:
    if private and value not in (None, ""):
        return Text(HIDDEN)
    if value is None or value == "":
        return Text(EMPTY_VALUE, style="dim")
    return literal_text(value)


def _life(value: object) -> Text:
    """A record's life in a conflict: alive (an edit), or deleted at a time."""
    if isinstance(value, str):
        return Text(DELETED.format(parse_timestamp(value).astimezone()))
    return Text(ALIVE)


def _life_text(value: object) -> str:
    return _life(value).plain


class ConflictsScreen(SalesdeskScreen):
    BINDINGS = [
        Binding("k", "keep", "Keep kept value", id="conflicts.keep"),
        Binding("r", "restore", "Restore lost value", id="conflicts.restore"),
        Binding("t", "trash", "Trash", id="conflicts.trash"),
    ]

    def __init__(self, store: Store, *, today: date):
        super().__init__()
        self.store = store
        self.today = today
        self.conflicts = ConflictStore(store)
        self.shown: list[Conflict] = []
        self.loaded_generation = 0  # the app's data_generation when the list was last read

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="conflicts-status", markup=False)
        yield DataTable(id="conflicts-table", cursor_type="row", zebra_stripes=True)
        yield Static(EMPTY_TEXT, id="conflicts-empty", markup=False)
        yield KeyBar()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.table.add_columns("Table", "Record", "Field", "Kept (in the record)", "Lost", "Detected")
        self.reload_data()
        self.watch(self.app, "privacy", lambda _: self.reload_data(), init=False)

    def on_screen_resume(self) -> None:
        if self.loaded_generation != self.app.data_generation:
            self.reload_data()

    def reload_data(self) -> None:
        """Read the unresolved conflicts again, keeping the cursor near where it was."""
        self.loaded_generation = self.app.data_generation
        table = self.table
        row = table.cursor_row
        self.shown = self.conflicts.unresolved()
        table.clear()
        for conflict in self.shown:
            detected = parse_timestamp(conflict.detected_at).astimezone()
            life = conflict.about_life
            table.add_row(
                literal_text(conflict.table),
                literal_text(conflict.record),
                Text(LIFE_FIELD) if life else literal_text(conflict.field),
                _life(conflict.kept) if life else _value(conflict.kept, self._private(conflict)),
                _life(conflict.lost) if life else _value(conflict.lost, self._private(conflict)),
                f"{detected:%Y-%m-%d %H:%M}",
                key=str(conflict.id),
            )
        empty = not self.shown
        table.display = not empty
        self.query_one("#conflicts-empty").display = empty
        if not empty:
            table.move_cursor(row=min(row, len(self.shown) - 1))
            table.focus()
        noun = "conflict" if len(self.shown) == 1 else "conflicts"
        self.query_one("#conflicts-status", Static).update(
            f"{len(self.shown):,} unresolved {noun}  ·  k keeps the kept value  ·  "
            "r restores the lost one (a deleted record, a delete)  ·  t Trash"
        )

    def _private(self, conflict: Conflict) -> bool:
        return self.app.privacy and conflict.field in PRIVATE_FIELDS

    def _current(self) -> Conflict | None:
        if not self.shown:
            self.notify("No conflict to resolve.", severity="warning")
            return None
        return self.shown[min(self.table.cursor_row, len(self.shown) - 1)]

    def action_keep(self) -> None:
        self._settle(lambda c: self.conflicts.keep(c.id), "Kept")

    def action_restore(self) -> None:
        self._settle(lambda c: self.conflicts.restore(c.id), "Restored")

    def _settle(self, call, verb: str) -> None:
        conflict = self._current()
        if conflict is None:
            return
        try:
            call(conflict)
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
        else:
            value = conflict.kept if verb == "Kept" else conflict.lost
            if conflict.about_life:
                self.notify(f"{verb} {literal(conflict.record)}: {_life_text(value)}.", markup=False)
            else:
                shown = (
                    EMPTY_VALUE if value in (None, "") else masked(literal(value), self._private(conflict))
                )
                self.notify(f"{verb} {literal(conflict.field)}: {shown}.", markup=False)
        self.reload_data()

    def action_trash(self) -> None:
        self.app.switch_mode("trash")
