"""The Trash screen: every deleted customer, deal, follow-up and interaction, one key to restore."""

from datetime import date

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Header, Static

from salesdesk.core.dates import parse_timestamp
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, pgettext
from salesdesk.store.store import Store
from salesdesk.store.trash import Trashed, TrashStore
from salesdesk.tui.screens.base import SalesdeskScreen, writes
from salesdesk.tui.text import fill_table, literal_text
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys

SHOWN_AT_MOST = 1000  # the latest deleted; the command line lists them all
# Name and Of hold free text: cut to fit a narrow terminal, as on Conflicts.
FREE_COLUMNS = (1, 2)
EMPTY_TEXT = N_(
    "The Trash is empty.\n\n"
    "Whatever you or a teammate deletes (customers, deals, follow-ups, interactions)\n"
    "is listed here, and r brings it back on every copy at the next sync."
)
NOTHING_TO_RESTORE = N_("Nothing to restore.")
# What a person calls a record of each table the Trash lists (store.trash.TRASHED).
KINDS = {
    "customers": N_("customer"),
    "deals": N_("deal"),
    "followups": N_("follow-up"),
    "interactions": N_("interaction"),
}


def kind_name(item: Trashed) -> str:
    """What the deleted record is, in the language shown."""
    return _(KINDS[item.table]) if item.table in KINDS else item.kind


class TrashScreen(SalesdeskScreen):
    BINDINGS = [
        Binding("r", "restore", N_("Restore"), id="trash.restore"),
        Binding("c", "conflicts", N_("Conflicts"), id="trash.conflicts"),
    ]

    def __init__(self, store: Store, *, today: date):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.today = today
        self.trash = TrashStore(store)
        self.shown: list[Trashed] = []
        self.loaded_generation = 0  # the app's data_generation when the list was last read

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="trash-status", markup=False)
        yield DataTable(id="trash-table", cursor_type="row", zebra_stripes=True)
        yield Static(_(EMPTY_TEXT), id="trash-empty", markup=False)
        yield KeyBar()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.reload_data()

    def on_screen_resume(self) -> None:
        if self.loaded_generation != self.app.data_generation:
            self.reload_data()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.reload_data()  # the names fit the new width

    def reload_data(self) -> None:
        """Read the Trash again, keeping the cursor near where it was."""
        self.loaded_generation = self.app.data_generation
        table = self.table
        row = table.cursor_row
        self.shown = self.trash.items(limit=SHOWN_AT_MOST)
        # 'Name' is a customer's name or a deal's, follow-up's or interaction's title.
        headers = [
            Text(pgettext("trash", "What")),
            Text(pgettext("record", "Name")),
            Text(_("Of")),
            Text(_("Deleted")),
            Text(_("By")),
        ]
        rows = [
            [
                Text(kind_name(item)),
                literal_text(item.name),
                literal_text(item.customer),
                Text(f"{parse_timestamp(item.deleted_at).astimezone():%Y-%m-%d %H:%M}"),
                literal_text(item.deleted_by),
            ]
            for item in self.shown
        ]
        fill_table(table, headers, rows, [f"{item.table}:{item.id}" for item in self.shown], FREE_COLUMNS)
        empty = not self.shown
        table.display = not empty
        self.query_one("#trash-empty").display = empty
        if not empty:
            table.move_cursor(row=min(row, len(self.shown) - 1))
            table.focus()
        total = len(self.shown) if len(self.shown) < SHOWN_AT_MOST else self.trash.count()
        count = ngettext("{n} deleted record", "{n} deleted records", total).format(n=f"{total:,}")
        if total > len(self.shown):
            count = _("{count} (the latest {shown} shown)").format(count=count, shown=f"{len(self.shown):,}")
        self.query_one("#trash-status", Static).update(
            "  ·  ".join((count, _("r restores one"), _("salesdesk trash restore --by NAME for many")))
        )

    @writes
    def action_restore(self) -> None:
        if not self.shown:
            self.notify(_(NOTHING_TO_RESTORE), severity="warning")
            return
        item = self.shown[min(self.table.cursor_row, len(self.shown) - 1)]
        restored, done = self._try(lambda: self.trash.restore([item.id]))
        if done and restored:
            names = _(", ").join(
                _("{kind} {name}").format(kind=kind_name(r), name=literal(r.name)) for r in restored
            )
            self.notify(_("Restored {names}.").format(names=names), markup=False)
        self.reload_data()

    def action_conflicts(self) -> None:
        self.app.switch_mode("conflicts")
