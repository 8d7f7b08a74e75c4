"""The Conflicts screen: fields two teammates edited at once, with one key to keep either value."""

from collections.abc import Callable
from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from salesdesk.core.dates import parse_timestamp
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.tables import TABLE_WORDS
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, pgettext
from salesdesk.store.conflicts import Conflict, ConflictStore
from salesdesk.store.store import Store
from salesdesk.tui.privacy import HIDDEN, PRIVATE_FIELDS, masked
from salesdesk.tui.screens.base import SalesdeskScreen
from salesdesk.tui.text import fill_table, literal_text
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys

EMPTY_TEXT = N_(
    "No conflicts.\n\n"
    "When you and a teammate edit the same field before syncing,\n"
    "the newer edit wins and the other value is listed here to review."
)
EMPTY_VALUE = N_("(empty)")
# A conflict of a record's life: a delete against an edit made without seeing it.
LIFE_FIELD = N_("deleted or alive")
ALIVE = N_("alive, edited")
DELETED = N_("deleted {time}")
# Record, Kept and Lost hold free text: on a narrow terminal they are cut (with an ellipsis)
# so that the table fits, down to ten cells each; narrower, the table scrolls sideways.
FREE_COLUMNS = (1, 3, 4)
# Each field a person edits, in the language shown; in English as stored
# (`expected_close`), as the list has always shown them. Literal calls, so that the
# catalogue extracts them; a column not listed is shown as stored (tables: `core.tables`).
FIELDS: dict[str, Callable[[], str]] = {
    "name": lambda: pgettext("column", "name"),  # of a tag or a stage
    "customers.name": lambda: pgettext("customer column", "name"),
    "company": lambda: pgettext("column", "company"),
    "title": lambda: pgettext("column", "title"),  # a customer's job title
    "deals.title": lambda: pgettext("deal column", "title"),
    "followups.title": lambda: pgettext("follow-up column", "title"),
    "phone": lambda: pgettext("column", "phone"),
    "email": lambda: pgettext("column", "email"),
    "handle": lambda: pgettext("column", "handle"),
    "industry": lambda: pgettext("column", "industry"),
    "source": lambda: pgettext("column", "source"),
    "owner": lambda: pgettext("column", "owner"),
    "notes": lambda: pgettext("column", "notes"),
    "birthday": lambda: pgettext("column", "birthday"),
    "lunar_birthday": lambda: pgettext("column", "lunar_birthday"),
    "contract_end": lambda: pgettext("column", "contract_end"),
    "amount": lambda: pgettext("column", "amount"),
    "currency": lambda: pgettext("column", "currency"),
    "probability": lambda: pgettext("column", "probability"),
    "expected_close": lambda: pgettext("column", "expected_close"),
    "next_step": lambda: pgettext("column", "next_step"),
    "stage_id": lambda: pgettext("column", "stage_id"),
    "lost_reason": lambda: pgettext("column", "lost_reason"),
    "checklist_done": lambda: pgettext("column", "checklist_done"),
    "due_date": lambda: pgettext("column", "due_date"),
    "rrule": lambda: pgettext("column", "rrule"),
    "due_time": lambda: pgettext("column", "due_time"),
    "done_at": lambda: pgettext("column", "done_at"),
    "summary": lambda: pgettext("column", "summary"),
    "body": lambda: pgettext("column", "body"),
    "kind": lambda: pgettext("column", "kind"),
    "at": lambda: pgettext("column", "at"),
    "value": lambda: pgettext("column", "value"),  # of a setting
    "checklist": lambda: pgettext("column", "checklist"),
    "rotting_days": lambda: pgettext("column", "rotting_days"),
    "position": lambda: pgettext("column", "position"),
    "customer_id": lambda: pgettext("column", "customer_id"),
    "deal_id": lambda: pgettext("column", "deal_id"),
}


def table_name(table: str) -> Text:
    """A synced table in the language shown; one not listed, as stored."""
    word = TABLE_WORDS.get(table)
    return Text(word()) if word else literal_text(table)


def field_label(table: str, field: str) -> Text:
    """A field of `table` in the language shown; a column not listed, as stored."""
    name = FIELDS.get(f"{table}.{field}") or FIELDS.get(field)
    return Text(name()) if name else literal_text(field)


def _value(value: object, private: bool) -> Text:
    if private and value not in (None, ""):
        return Text(HIDDEN)
    if value is None or value == "":
        return Text(_(EMPTY_VALUE), style="dim")
    return literal_text(value)


def _life(value: object) -> Text:
    """A record's life in a conflict: alive (an edit), or deleted at a time."""
    if isinstance(value, str):
        return Text(_(DELETED).format(time=f"{parse_timestamp(value).astimezone():%Y-%m-%d %H:%M}"))
    return Text(_(ALIVE))


def _life_text(value: object) -> str:
    return _life(value).plain


class ConflictsScreen(SalesdeskScreen):
    BINDINGS = [
        Binding("k", "keep", N_("Keep kept value"), id="conflicts.keep"),
        Binding("r", "restore", N_("Restore lost value"), id="conflicts.restore"),
        Binding("t", "trash", N_("Trash"), id="conflicts.trash"),
    ]

    def __init__(self, store: Store, *, today: date):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.today = today
        self.conflicts = ConflictStore(store)
        self.shown: list[Conflict] = []
        self.loaded_generation = 0  # the app's data_generation when the list was last read

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="conflicts-status", markup=False)
        yield DataTable(id="conflicts-table", cursor_type="row", zebra_stripes=True)
        yield Static(_(EMPTY_TEXT), id="conflicts-empty", markup=False)
        yield KeyBar()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.reload_data()
        self.watch(self.app, "privacy", lambda _: self.reload_data(), init=False)

    def on_screen_resume(self) -> None:
        if self.loaded_generation != self.app.data_generation:
            self.reload_data()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.reload_data()  # the free-text columns fit the new width

    def reload_data(self) -> None:
        """Read the unresolved conflicts again, keeping the cursor near where it was."""
        self.loaded_generation = self.app.data_generation
        table = self.table
        row = table.cursor_row
        self.shown = self.conflicts.unresolved()
        headers = [
            Text(_("Table")),
            Text(_("Record")),
            Text(_("Field")),
            Text(_("Kept (in the record)")),
            Text(pgettext("conflict", "Lost")),
            Text(_("Detected")),
        ]
        rows = []
        for conflict in self.shown:
            detected = parse_timestamp(conflict.detected_at).astimezone()
            life = conflict.about_life
            rows.append(
                [
                    table_name(conflict.table),
                    literal_text(conflict.record),
                    Text(_(LIFE_FIELD)) if life else field_label(conflict.table, conflict.field),
                    _life(conflict.kept) if life else _value(conflict.kept, self._private(conflict)),
                    _life(conflict.lost) if life else _value(conflict.lost, self._private(conflict)),
                    Text(f"{detected:%Y-%m-%d %H:%M}"),
                ]
            )
        fill_table(table, headers, rows, [str(conflict.id) for conflict in self.shown], FREE_COLUMNS)
        empty = not self.shown
        table.display = not empty
        self.query_one("#conflicts-empty").display = empty
        if not empty:
            table.move_cursor(row=min(row, len(self.shown) - 1))
            table.focus()
        count = ngettext("{n} unresolved conflict", "{n} unresolved conflicts", len(self.shown))
        self.query_one("#conflicts-status", Static).update(
            "  ·  ".join(
                (
                    count.format(n=f"{len(self.shown):,}"),
                    _("k keeps the kept value"),
                    _("r restores the lost one (a deleted record, a delete)"),
                    _("t Trash"),
                )
            )
        )

    def _private(self, conflict: Conflict) -> bool:
        return self.app.privacy and conflict.field in PRIVATE_FIELDS

    def _current(self) -> Conflict | None:
        if not self.shown:
            self.notify(_("No conflict to resolve."), severity="warning")
            return None
        return self.shown[min(self.table.cursor_row, len(self.shown) - 1)]

    def action_keep(self) -> None:
        self._settle(lambda c: self.conflicts.keep(c.id), kept=True)

    def action_restore(self) -> None:
        self._settle(lambda c: self.conflicts.restore(c.id), kept=False)

    def _settle(self, call, *, kept: bool) -> None:
        conflict = self._current()
        if conflict is None:
            return
        try:
            call(conflict)
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
        else:
            value = conflict.kept if kept else conflict.lost
            said = _("Kept {what}: {value}.") if kept else _("Restored {what}: {value}.")
            if conflict.about_life:
                self.notify(said.format(what=literal(conflict.record), value=_life_text(value)), markup=False)
            else:
                shown = (
                    _(EMPTY_VALUE) if value in (None, "") else masked(literal(value), self._private(conflict))
                )
                what = field_label(conflict.table, conflict.field).plain
                self.notify(said.format(what=what, value=shown), markup=False)
        self.reload_data()

    def action_trash(self) -> None:
        self.app.switch_mode("trash")
