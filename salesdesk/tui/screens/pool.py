"""The Pool screen (公海): the leads and prospects nobody is working, why, since when; `p` claims."""

import sqlite3
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import DataTable, Header, Input, Static

from salesdesk.core.errors import SalesdeskError
from salesdesk.core.pool import reason_text
from salesdesk.i18n import N_, _, ngettext, short_date
from salesdesk.store.pool import Pool, PoolPage, PoolRow
from salesdesk.store.store import Store
from salesdesk.tui.live import database_path
from salesdesk.tui.screens.base import SalesdeskScreen, writes
from salesdesk.tui.text import fill_table, literal_text
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys

SHOWN_AT_MOST = 100  # the latest to go back (a screen or two); the filter finds the others
FREE_COLUMNS = (0, 1, 4)  # name, company and why are cut to fit a narrow terminal
EMPTY_TEXT = N_(
    "The pool is empty.\n\n"
    "Leads and prospects with no owner, and those their owner has not worked for the days\n"
    "the settings give (, on Today), are listed here; p claims one."
)
NOTHING_MATCHES = N_("Nothing in the pool matches.")
READING = N_("Reading the pool…")


class PoolScreen(SalesdeskScreen):
    AUTO_FOCUS = "DataTable"  # keys pressed before the first read go to the screen, not the filter
    BINDINGS = [
        Binding("p", "claim", N_("Claim"), id="pool.claim"),
        Binding("enter", "open", N_("Open"), id="pool.open"),
        Binding("slash", "filter", N_("Filter"), key_display="/", id="pool.filter"),
        Binding("escape", "clear_filter", N_("Clear"), id="pool.clear", show=False),
        Binding("comma", "settings", N_("Rules"), key_display=",", id="pool.settings"),
    ]

    def __init__(self, store: Store, *, user: str, today: date):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.user = user
        self.today = today
        self.pool = Pool(store)
        self.shown: list[PoolRow] = []
        self.search = ""
        self.loaded_generation = 0
        self._asked = 0  # reads asked for: only the latest is shown
        self._path = database_path(store)  # the worker reads it on a connection of its own

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="pool-status", markup=False)
        yield Input(placeholder=_("Name, company or former owner"), id="pool-filter")
        yield DataTable(id="pool-table", cursor_type="row", zebra_stripes=True)
        yield Static(_(EMPTY_TEXT), id="pool-empty", markup=False)
        yield KeyBar()

    @property
    def table(self) -> DataTable:
        return self.query_one(DataTable)

    def on_mount(self) -> None:
        self.query_one("#pool-filter").display = False
        self.query_one("#pool-empty").display = False  # until the first read says so
        self.query_one("#pool-status", Static).update(_(READING))
        self.reload_data()

    def on_screen_resume(self) -> None:
        if self.loaded_generation != self.app.data_generation:
            self.reload_data()

    def on_resize(self) -> None:
        if self.is_mounted:
            self.reload_data()

    class Read(Message):
        def __init__(self, page: PoolPage, asked: int):
            super().__init__()
            self.page, self.asked = page, asked

    def reload_data(self) -> None:
        """Read the pool's first rows again, off the UI thread (after a large upgrade the
        first read works every customer out), keeping the cursor near where it was."""
        self.loaded_generation = self.app.data_generation
        self._asked += 1
        self._read(self._asked, self.search)

    @work(thread=True, group="pool")
    def _read(self, asked: int, search: str) -> None:
        try:
            page = Pool.first_page_from(
                self._path, self.user, self.store.clock, self.today, SHOWN_AT_MOST, search
            )
        except (SalesdeskError, sqlite3.Error) as error:  # e.g. locked by a long write elsewhere
            self.read_failed(
                _("The pool could not be read ({error}); it is read again after the next change.").format(
                    error=error
                )
            )
            return
        self.post_message(self.Read(page, asked))

    @on(Read)
    def _read_done(self, event: Read) -> None:
        if event.asked == self._asked:  # else a newer read is on its way
            self._draw(event.page)

    def _draw(self, page: PoolPage) -> None:
        table = self.table
        row = table.cursor_row
        rules = page.rules
        self.shown = page.rows
        headers = [
            Text(_("Name")),
            Text(_("Company")),
            Text(_("Former owner")),
            Text(_("In the pool since")),
            Text(_("Why")),
        ]
        rows = [
            [
                literal_text(item.name),
                literal_text(item.company),
                literal_text(item.state.owner) if item.state.owner else Text("-"),
                Text(short_date(item.state.back_on) if item.state.back_on else ""),
                Text(reason_text(item.state, rules)),
            ]
            for item in self.shown
        ]
        fill_table(table, headers, rows, [item.customer_id for item in self.shown], FREE_COLUMNS)
        empty = not self.shown
        table.display = not empty
        placeholder = self.query_one("#pool-empty", Static)
        placeholder.display = empty
        placeholder.update(_(NOTHING_MATCHES) if self.search else _(EMPTY_TEXT))
        if not empty:
            table.move_cursor(row=min(row, len(self.shown) - 1))
            if not self.query_one("#pool-filter").display:
                table.focus()
        total = page.total
        count = ngettext("{n} lead in the pool", "{n} leads in the pool", total).format(n=f"{total:,}")
        if total > len(self.shown):
            count = _("{count} (the latest {shown} shown)").format(count=count, shown=f"{len(self.shown):,}")
        self.query_one("#pool-status", Static).update(
            "  ·  ".join((count, _("p claims one"), _("enter opens it"), _("/ filters")))
        )

    def _focused(self) -> PoolRow | None:
        if not self.shown:
            return None
        return self.shown[min(self.table.cursor_row, len(self.shown) - 1)]

    @writes
    def action_claim(self) -> None:
        item = self._focused()
        if item is None:
            self.notify(_("Nothing to claim."), severity="warning")
            return
        _result, done = self._try(lambda: self.pool.claim(item.customer_id, self.today))
        if done:
            self.notify(_("{name} is yours now: it left the pool.").format(name=item.name), markup=False)
            self.app.data_generation += 1  # the other screens show its new owner
        self.reload_data()

    @writes
    def action_settings(self) -> None:
        from salesdesk.tui.screens.pool_dialogs import open_pool_settings

        open_pool_settings(self, self.store, self.reload_data)

    def action_open(self) -> None:
        item = self._focused()
        if item is not None:
            self.app.open_customer(item.customer_id)

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        event.stop()
        self.action_open()

    def action_filter(self) -> None:
        field = self.query_one("#pool-filter", Input)
        field.display = True
        field.focus()

    def action_clear_filter(self) -> None:
        field = self.query_one("#pool-filter", Input)
        if field.display:
            field.value = ""
            field.display = False
            self.table.focus()

    def on_input_changed(self, event: Input.Changed) -> None:
        if event.input.id == "pool-filter" and event.value.strip() != self.search:
            self.search = event.value.strip()
            self.reload_data()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "pool-filter":
            self.table.focus()
