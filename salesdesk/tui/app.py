"""The salesdesk app: handed its store, its user and its today; screens do the work."""

import asyncio
import gc
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date

from rich.text import Text
from textual import on, work
from textual.app import App
from textual.binding import Binding
from textual.command import Provider
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen

from salesdesk.core.errors import SalesdeskError
from salesdesk.i18n import N_, _, ngettext
from salesdesk.store.connection import snapshot_note
from salesdesk.store.store import Store
from salesdesk.sync.team import team_folder
from salesdesk.tui import live
from salesdesk.tui.screens.base import SalesdeskScreen
from salesdesk.tui.widgets.key_bar import translate_keys

POLL_SECONDS = 1.0  # how often the app asks whether another process changed the database
SYNC_CHECK_SECONDS = 5.0  # how often it asks whether a team sync round is due
QUIT_PUBLISH_SECONDS = 10.0  # the longest quitting waits to publish to the team folder
STARTED_AT_THE_LATEST = 10.0  # the garbage collector is back on by then, agenda or not
# The longest the app waits for a write lock another process holds (an import holds it
# for the whole import): the app writes on its UI thread, so this is the longest the
# screen can freeze on a save. A busy database is then a message and a retry.
LOCK_WAIT_SECONDS = 0.25


def _palette_commands() -> type[Provider]:
    from salesdesk.tui.palette import AppCommands

    return AppCommands


class SalesdeskApp(App):
    # Hides amounts, phone numbers and email addresses on every screen, for sharing
    # a screen with a customer in the room. Screens watch it.
    privacy = reactive(False)
    # The database cannot be written (a read-only file or disk): everything is shown,
    # and keys that would write say why they cannot.
    read_only = reactive(False)

    # Every screen's CSS is the app's, read once at start-up: a screen with a CSS file
    # of its own has Textual parse all the CSS again when it is first shown.
    CSS_PATH = ["salesdesk.tcss", "screens/today.tcss", "screens/customers.tcss", "screens/reports.tcss"]
    TITLE = "salesdesk"
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = {_palette_commands}  # every action of every screen, once (tui/palette.py)
    DEFAULT_MODE = "today"

    # Screens get a number key as they land: 1 Today, 2 Pipeline, 3 Customers, 4 Reports,
    # 5 Conflicts, 6 Trash, 7 Products, 8 Targets, 9 Pool (the lead pool).
    BINDINGS = [
        Binding("1", "show_screen('today')", N_("Today"), id="screen.today", show=False),
        Binding("2", "show_screen('pipeline')", N_("Pipeline"), id="screen.pipeline", show=False),
        Binding("3", "show_screen('customers')", N_("Customers"), id="screen.customers", show=False),
        Binding("4", "show_screen('reports')", N_("Reports"), id="screen.reports", show=False),
        Binding("5", "show_screen('conflicts')", N_("Conflicts"), id="screen.conflicts", show=False),
        Binding("6", "show_screen('trash')", N_("Trash"), id="screen.trash", show=False),
        Binding("7", "show_screen('products')", N_("Products"), id="screen.products", show=False),
        Binding("8", "show_screen('targets')", N_("Targets"), id="screen.targets", show=False),
        Binding("9", "show_screen('pool')", N_("Pool"), id="screen.pool", show=False),
        Binding("asterisk", "toggle_privacy", N_("Privacy"), key_display="*", id="app.privacy", show=False),
        Binding("question_mark", "toggle_keys", N_("Keys"), id="app.keys"),
        Binding("q", "quit", N_("Quit"), id="app.quit"),
    ]

    def __init__(self, store: Store, *, user: str, today: date, first_agenda: Future | None = None):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.user = user
        self.today = today
        self._first_agenda = first_agenda  # Today's first load, begun before the app
        self.sub_title = user
        store.limit_lock_wait(LOCK_WAIT_SECONDS)
        self.set_reactive(SalesdeskApp.read_only, not store.writable())
        # Counts changes made by other processes; a screen that loaded at an older
        # count reloads when it is shown again.
        self.data_generation = 0
        self.sync_schedule = live.SyncSchedule()
        self._team = team_folder(store)
        self._path = live.database_path(store)

        # Each screen is a mode with its own stack, built (and its module imported)
        # the first time it is shown. Today, the one shown first, starts as the default
        # screen (`get_default_screen`) and becomes a mode once mounted: a mode built at
        # start-up has Textual parse all the CSS three more times (25 ms).
        self.add_mode("pipeline", self._styled(self._pipeline_screen))
        self.add_mode("customers", self._styled(self._customers_screen))
        self.add_mode("reports", self._styled(self._reports_screen))
        self.add_mode("conflicts", self._styled(self._conflicts_screen))
        self.add_mode("trash", self._styled(self._trash_screen))
        self.add_mode("products", self._styled(self._products_screen))
        self.add_mode("targets", self._styled(self._targets_screen))
        self.add_mode("pool", self._styled(self._pool_screen))

    def _styled(self, build: Callable[[], Screen]) -> Callable[[], Screen]:
        """`build`, with the new screen marked as styled by the CSS already parsed.

        All CSS is the app's, parsed at start-up. Textual takes a screen it has not
        seen for one whose CSS may be stale and parses all of it twice more on its
        first visit (20 ms, a tenth of it); this tells it the CSS is current.
        """

        def build_styled() -> Screen:
            screen = build()
            screen._css_update_count = self._css_update_count
            return screen

        return build_styled

    def get_default_screen(self) -> Screen:
        from salesdesk.tui.screens.today import TodayScreen

        first, self._first_agenda = self._first_agenda, None
        return TodayScreen(self.store, user=self.user, today=self.today, first_agenda=first)

    def _pipeline_screen(self) -> Screen:
        from salesdesk.tui.screens.pipeline import PipelineScreen

        return PipelineScreen(self.store, user=self.user, today=self.today)

    def _reports_screen(self) -> Screen:
        from salesdesk.tui.screens.reports import ReportsScreen

        return ReportsScreen(self.store, user=self.user, today=self.today)

    def _customers_screen(self) -> Screen:
        from salesdesk.tui.screens.customers import CustomersScreen

        return CustomersScreen(self.store, user=self.user, today=self.today)

    def _conflicts_screen(self) -> Screen:
        from salesdesk.tui.screens.conflicts import ConflictsScreen

        return ConflictsScreen(self.store, today=self.today)

    def _trash_screen(self) -> Screen:
        from salesdesk.tui.screens.trash import TrashScreen

        return TrashScreen(self.store, today=self.today)

    def _products_screen(self) -> Screen:
        from salesdesk.tui.screens.products import ProductsScreen

        return ProductsScreen(self.store, today=self.today)

    def _targets_screen(self) -> Screen:
        from salesdesk.tui.screens.targets import TargetsScreen

        return TargetsScreen(self.store, user=self.user, today=self.today)

    def _pool_screen(self) -> Screen:
        from salesdesk.tui.screens.pool import PoolScreen

        return PoolScreen(self.store, user=self.user, today=self.today)

    def open_customer(self, customer_id: str) -> None:
        """Show one customer on the Customers screen, from anywhere."""
        self.switch_mode("customers")
        self.call_after_refresh(self._show_customer, customer_id)

    def _show_customer(self, customer_id: str) -> None:
        from salesdesk.tui.screens.customers import CustomersScreen

        if isinstance(self.screen, CustomersScreen):
            self.screen.show_customer(customer_id)

    def action_toggle_privacy(self) -> None:
        self.privacy = not self.privacy
        self.notify(
            _("Privacy on: amounts, phones and emails hidden.") if self.privacy else _("Privacy off.")
        )

    def started(self) -> None:
        """The first agenda is on screen (or could not be read): collect garbage again.

        The command line pauses the collector for the start-up; what the start-up built
        is frozen out of later collections, which then walk only what came after.
        """
        if not gc.isenabled():
            gc.freeze()
            gc.enable()

    def on_mount(self) -> None:
        self.add_mode("today", self.get_default_screen)  # its stack is there already
        self.set_timer(STARTED_AT_THE_LATEST, self.started)
        self._watch = live.DataWatch(self.store)
        self.set_interval(POLL_SECONDS, self.check_for_changes)
        self.watch_read_only(self.read_only)
        note = snapshot_note(self.store.db)  # a read-only folder: what is seen, and what is not
        if note:
            self.notify(note, title=_("Read-only"), severity="warning", timeout=15, markup=False)
        if self._team is not None and not self.read_only:  # a sync round writes
            self.set_interval(SYNC_CHECK_SECONDS, self.check_team_sync)
            self.call_after_refresh(self.check_team_sync)

    def watch_read_only(self, read_only: bool) -> None:
        self.title = _("salesdesk · read-only") if read_only else "salesdesk"
        self.set_class(read_only, "-read-only")

    def became_read_only(self) -> None:
        """A write was refused as read-only (the disk was remounted, the file locked)."""
        self.read_only = True

    # -- changes made elsewhere ------------------------------------------------------

    def check_for_changes(self) -> None:
        """Reload what is shown if another process (or the sync worker) committed."""
        if not self._watch.changed():
            return
        self.data_generation += 1
        base = self.screen_stack[0] if self.screen_stack else None
        if isinstance(base, SalesdeskScreen) and base.is_mounted:
            base.reload_data()

    # -- team sync while the app runs ------------------------------------------------

    class Synced(Message):
        def __init__(self, result: live.Round):
            super().__init__()
            self.result = result

    class SyncFailed(Message):
        def __init__(self, error: str):
            super().__init__()
            self.error = error

    def check_team_sync(self) -> None:
        if self._team is None or self.read_only:
            return
        publish = self.sync_schedule.due(
            time.monotonic(), live.own_changes(self.store), live.folder_signature(self._team)
        )
        if publish is not None:
            self._sync_round(publish)

    @work(thread=True, group="team-sync", exit_on_error=False)
    def _sync_round(self, publish: bool) -> None:
        try:
            result = live.sync_round(self._path, self.user, self.store.clock, publish=publish)
        except (SalesdeskError, sqlite3.Error, OSError) as error:
            self.post_message(self.SyncFailed(str(error)))
        except Exception as error:  # never a crash: the next round tries again
            self.post_message(self.SyncFailed(f"{type(error).__name__}: {error}"))
        else:
            self.post_message(self.Synced(result))

    @on(Synced)
    def _synced(self, event: Synced) -> None:
        result = event.result
        self.sync_schedule.finished(time.monotonic(), result.own_seq if result.published else None)
        if result.device != self.store.device:  # the round gave this copy a device id of its own
            self.store.records.log.device = result.device
        people = ngettext("{n} person", "{n} people", result.people).format(n=result.people)
        held = f" · {result.held}" if result.held else ""  # from whom: salesdesk team held
        self.sub_title = (
            _("{user} · synced {time} · {people}").format(
                user=self.user, time=f"{result.finished.astimezone():%H:%M}", people=people
            )
            + held
        )
        if result.brought_in:
            self.check_for_changes()
            brought = ngettext(
                "Team sync brought in {n} change.", "Team sync brought in {n} changes.", result.brought_in
            )
            self.notify(brought.format(n=f"{result.brought_in:,}"), markup=False)

    @on(SyncFailed)
    def _sync_failed(self, event: SyncFailed) -> None:
        self.sync_schedule.failed(time.monotonic())
        self.notify(
            _("Team sync failed: {error} It is tried again in a while.").format(error=event.error),
            severity="error",
            markup=False,
        )

    async def action_quit(self) -> None:
        """Publish unpublished changes to the team folder (briefly), then quit."""
        if (
            self._team is not None
            and not self.read_only
            and self.sync_schedule.unpublished(live.own_changes(self.store))
        ):
            self.notify(_("Publishing your changes to the team folder…"))
            failed: list[str] = []

            def publish() -> None:
                try:
                    live.publish_now(self._path, self.user, self.store.clock)
                except Exception as error:  # reported after exit; never blocks quitting
                    failed.append(str(error))

            # A daemon thread: a hung network share must not keep the app from quitting.
            thread = threading.Thread(target=publish, daemon=True)
            thread.start()
            deadline = time.monotonic() + QUIT_PUBLISH_SECONDS
            while thread.is_alive() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if thread.is_alive() or failed:
                reason = (
                    failed[0]
                    if failed
                    else _("it took over {seconds} s").format(seconds=f"{QUIT_PUBLISH_SECONDS:.0f}")
                )
                self.exit(
                    message=Text(
                        _(
                            "salesdesk: your latest changes were not published to the "
                            "team folder ({reason}); run 'salesdesk sync' to publish them."
                        ).format(reason=reason)
                    )
                )
                return
        self.exit()

    def action_command_palette(self) -> None:
        """Textual's palette, with its prompt in the language shown (tui/palette.py)."""
        from textual.command import CommandPalette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(CommandPalette(id="--command-palette", placeholder=_("Search for commands…")))

    def action_show_screen(self, name: str) -> None:
        if self.current_mode != name:
            self.switch_mode(name)

    def action_toggle_keys(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_export(self, kind: str) -> None:
        """Write the week's summary (the week shown on Reports), the customers as vCards, or
        my follow-ups as a calendar, into the export folder; the whole path is shown after."""
        from salesdesk.tui import exports
        from salesdesk.tui.screens.reports import ReportsScreen

        if kind == "weekly" and isinstance(self.screen, ReportsScreen):
            self.screen.action_export()
            return
        today = self.today
        if kind == "weekly":
            from salesdesk.core.periods import IsoWeek

            week = IsoWeek.of(today)
            exports.start_export(
                self, kind, lambda store, folder: exports.write_weekly(store, week, today, folder, False)
            )
        elif kind == "vcard":
            exports.start_export(self, kind, lambda store, folder: exports.write_vcards(store, today, folder))
        else:
            exports.start_export(
                self, kind, lambda store, folder: exports.write_calendar(store, today, folder)
            )
