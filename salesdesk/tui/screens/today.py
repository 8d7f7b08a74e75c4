"""The Today screen: the morning agenda, what each key does to an item, and triage.

The dialogs are imported by the keys that open them: their forms are a fair part of
the start-up, and the agenda is shown before any of them is needed.
"""

import sqlite3
from collections.abc import Callable
from concurrent.futures import Future
from datetime import date, timedelta

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.message import Message
from textual.widgets import Header, Static

from salesdesk.core.agenda import NEXT, OVERDUE, TODAY, Agenda, AgendaItem
from salesdesk.core.errors import SalesdeskError
from salesdesk.core.model import INTERACTION_KINDS, kind_name
from salesdesk.i18n import N_, _, long_date, ngettext, short_date
from salesdesk.store.agenda import AgendaStore, AgendaUndo
from salesdesk.store.store import Store
from salesdesk.tui.screens.base import AGAIN, ENTER_AGAIN, SAVE_AGAIN, SalesdeskScreen, writes
from salesdesk.tui.widgets.agenda import AgendaList
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys
from salesdesk.tui.widgets.triage import TriagePanel

# How a care reminder is usually acted on, for the "log what happened" prompt.
CARE_CONTACT = {
    "birthday": "message",
    "lunar-birthday": "message",
    "holiday": "message",
    "check-in": "call",
    "renewal": "call",
    "dormant": "call",
    "repeat": "call",
    "new-lead": "call",
    "rotting": "call",
}

# What the list's keys say when they are done, by outcome: "Done." or "Done: next on …".
DONE_SAYS = {"done": N_("Done"), "rescheduled": N_("Rescheduled")}
STATUS_SEPARATOR = "  ·  "
WRAP_TARGETS_FROM = 100  # columns from which the header wraps to say the progress on targets

Finish = Callable[[str | None, str], None]  # (outcome or None when nothing changed, a note)


class TodayScreen(SalesdeskScreen):
    # Its CSS (today.tcss) is the app's: Today is the default screen (see the app).

    BINDINGS = [
        Binding("t", "triage", N_("Triage"), id="today.triage"),
        Binding("m", "toggle_mine", N_("Mine/all"), id="today.mine"),
        Binding("comma", "settings", N_("Settings"), key_display=",", id="today.settings"),
        Binding("u", "undo", N_("Undo"), id="today.undo"),
    ]

    def __init__(self, store: Store, *, user: str, today: date, first_agenda: Future | None = None):
        super().__init__()
        translate_keys(self)
        self._first_agenda = first_agenda  # my agenda of `today`, already being read
        self._away = False  # another screen (or a dialog) is over this one
        self.store = store
        self.user = user
        self.today = today
        self.everyone = False
        self.agendas = AgendaStore(store)
        self.undo_stack: list[AgendaUndo] = []  # what was done here since the app opened
        self._cursor_to: str | None = None  # an item to put the cursor on once the agenda is shown
        self.agenda: Agenda | None = None
        self._generation = 0  # of the latest load asked for
        self._path = self.agendas.path  # the worker opens its own connection to it
        self.target_progress: tuple = ()  # this month's, against the user's targets (issue 21)

    def compose(self) -> ComposeResult:
        yield Header()
        loading = _("{day}  ·  loading the agenda…").format(day=long_date(self.today))
        yield Static(loading, id="today-status", markup=False)
        yield AgendaList(self.today, self.user, id="agenda")
        yield TriagePanel(self.today, id="triage")
        yield KeyBar()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # During triage its own keys are the only ones that act on the agenda.
        return not (
            action in ("triage", "toggle_mine", "settings", "undo")
            and self.is_mounted
            and self.triage.display
        )

    @property
    def agenda_list(self) -> AgendaList:
        return self.query_one(AgendaList)

    @property
    def triage(self) -> TriagePanel:
        return self.query_one(TriagePanel)

    class Loaded(Message):
        """A worker loaded the agenda."""

        def __init__(self, agenda: Agenda, generation: int):
            super().__init__()
            self.agenda = agenda
            self.generation = generation

    def on_mount(self) -> None:
        self.triage.display = False
        self.agenda_list.focus()
        first = self._first_agenda
        if first is not None and first.done() and first.exception() is None:
            # Read already (the usual case): in the first frame, not in a frame after it.
            self._first_agenda = None
            self._show(first.result())
        else:
            self.reload()

    def on_screen_suspend(self) -> None:
        self._away = True

    def on_screen_resume(self) -> None:
        # Back from another screen (a deal moved, a follow-up booked): show what is true now.
        if self._away and self.agenda is not None and not self.triage.display:
            self.reload()
        self._away = False

    def reload_data(self) -> None:
        """Show what is true now (another process or a teammate changed the database)."""
        self.reload()

    def reload(self) -> None:
        """Load the agenda again, off the UI thread: on a large database it takes a moment."""
        self._generation += 1
        self._load(self._generation, self.everyone)

    @work(thread=True, group="agenda")
    def _load(self, generation: int, everyone: bool) -> None:
        first, self._first_agenda = self._first_agenda, None
        try:
            if first is not None and not everyone:
                agenda = first.result()
            else:
                agenda = AgendaStore.load_from(
                    self._path, self.user, self.store.clock, self.today, everyone=everyone
                )
        except (SalesdeskError, sqlite3.Error) as error:  # e.g. locked by a long write elsewhere
            self.read_failed(
                _("The agenda could not be read ({error}); it is read again after the next change.").format(
                    error=error
                )
            )
            self.app.call_from_thread(self.app.started)
            return
        self.post_message(self.Loaded(agenda, generation))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.generation != self._generation:
            return  # a newer load is on its way
        self._show(event.agenda)

    def _show(self, agenda: Agenda) -> None:
        self.agenda = agenda
        self.agenda_list.show(agenda)
        if self._cursor_to is not None:
            self.agenda_list.select(self._cursor_to)
            self._cursor_to = None
        self._update_status()
        self.call_after_refresh(self.app.started)
        self._load_targets()

    class TargetsLoaded(Message):
        def __init__(self, progress: tuple):
            super().__init__()
            self.progress = progress

    @work(thread=True, group="targets", exclusive=True)
    def _load_targets(self) -> None:
        """This month's progress against the user's targets, for the header, off the UI thread."""
        from salesdesk.tui.widgets.targets import read_month_progress

        try:
            progress = read_month_progress(self._path, self.user, self.store.clock, self.today)
        except (SalesdeskError, sqlite3.Error):
            return  # the header goes without it until the next load
        self.post_message(self.TargetsLoaded(progress))

    def on_resize(self) -> None:
        if self.target_progress:
            self._update_status()  # wrapped or not, for the new width

    @on(TargetsLoaded)
    def _targets_loaded(self, event: TargetsLoaded) -> None:
        if event.progress != self.target_progress:
            self.target_progress = event.progress
            self._update_status()

    def _update_status(self) -> None:
        agenda = self.agenda
        if agenda is None:
            return
        overdue, today, coming = agenda.count(OVERDUE), agenda.count(TODAY), agenda.count(NEXT)
        parts = [
            long_date(self.today),
            _("everyone's") if agenda.everyone else _("mine"),
            ngettext("{n} overdue", "{n} overdue", overdue).format(n=f"{overdue:,}"),
            ngettext("{n} today", "{n} today", today).format(n=f"{today:,}"),
            ngettext("{n} in the next 7 days", "{n} in the next 7 days", coming).format(n=f"{coming:,}"),
        ]
        if self.target_progress:
            from salesdesk.tui.privacy import privacy_on
            from salesdesk.tui.widgets.targets import header_line

            parts.append(header_line(self.target_progress, privacy_on(self)))
        # Wrapped on a terminal wide enough for it; on a small one the header stays one line
        # (the Targets view, 8, has it all).
        wide = self.app.size.width >= WRAP_TARGETS_FROM
        self.query_one("#today-status", Static).set_class(bool(self.target_progress) and wide, "-targets")
        self.query_one("#today-status", Static).update(STATUS_SEPARATOR.join(parts))

    def _guard(self, call, retry: str = AGAIN):
        """Run a store call: (its result, whether it was done); a refusal, or a database
        that cannot take the write (busy, read-only, full), is a message, never a crash."""
        return self._try(call, retry)

    # -- what the list and triage ask for ------------------------------------------------

    @on(AgendaList.ItemAction)
    def _list_action(self, event: AgendaList.ItemAction) -> None:
        def finish(outcome: str | None, note: str) -> None:
            if outcome in DONE_SAYS:
                said = _(DONE_SAYS[outcome])
                if note:
                    text = _("{outcome}: {note}.").format(outcome=said, note=note)
                else:
                    text = _("{outcome}.").format(outcome=said)
                self.notify(text, markup=False)
            self.reload()

        self._run(event.action, event.item, finish)

    @on(TriagePanel.Act)
    def _triage_action(self, event: TriagePanel.Act) -> None:
        def finish(outcome: str | None, note: str) -> None:
            if outcome is None:
                self.triage.busy = False
            else:
                self.triage.record(outcome, note)
            self.reload()

        self._run(event.action, event.item, finish)

    def _run(self, action: str, item: AgendaItem, finish: Finish) -> None:
        if action != "open" and self.refused_read_only():  # every other key writes
            finish(None, "")
            return
        if action == "receive":
            self._receive(item, finish)
        elif item.is_receivable and action in ("done", "reschedule", "dismiss"):
            getattr(self, f"_{action}_receivable")(item, finish)
        elif action == "tomorrow":
            self._snooze_to(item, self.today + timedelta(days=1), finish)
        elif action == "next_week":
            self._snooze_to(item, self.today + timedelta(days=7), finish)
        else:
            getattr(self, f"_{action}")(item, finish)

    def _done(self, item: AgendaItem, finish: Finish) -> None:
        from salesdesk.tui.screens.customer_forms import InteractionForm, write_log
        from salesdesk.tui.screens.dialogs import FollowUpScreen
        from salesdesk.tui.screens.today_dialogs import subject

        booked, ok = self._guard(lambda: self.agendas.done(item, self.today))
        if not ok:
            finish(None, "")
            return
        step = AgendaUndo.of("done", item, booked)
        self.undo_stack.append(step)
        self.reload()
        customer_id = item.customer_id
        if customer_id is None:  # a holiday: many customers, nothing single to log
            finish("done", "")
            return
        notes: list[str] = []
        if booked:
            following = self.store.followup(booked)
            notes.append(_("next on {date}").format(date=short_date(date.fromisoformat(following.due_date))))

        def log(result: dict) -> bool:
            _, ok = self._guard(lambda: write_log(self.store, customer_id, result, item.deal_id), SAVE_AGAIN)
            return ok

        def logged(result) -> None:
            if result is not None:
                notes.append(_("{kind} logged").format(kind=kind_name(result["kind"])))
                if result["next_due"]:  # the next step was booked with the log
                    notes.append(_("next on {date}").format(date=short_date(result["next_due"])))
            if booked or (result is not None and result["next_due"]):
                finish("done", _(", ").join(notes))  # a repeating one has booked its next already
                return
            self.app.push_screen(
                FollowUpScreen(
                    f"{item.customer}" + (f" · {item.deal}" if item.deal else ""),
                    self.today,
                    item.what,
                    heading=_("Book the next follow-up?"),
                    escape="skip",
                    kind=self._contact_kind(item),
                    save=book,
                ),
                booked_next,
            )

        def book(result: tuple[date, str, str]) -> bool:
            due, title, kind = result
            next_id, ok = self._guard(
                lambda: self.store.add_followup(customer_id, due, title, kind=kind, deal_id=item.deal_id),
                ENTER_AGAIN,
            )
            if ok:
                step.booked.append(next_id)  # `u` takes the done back with what it booked
            return ok

        def booked_next(result) -> None:
            if result is not None:
                notes.append(_("next on {date}").format(date=short_date(result[0])))
            finish("done", _(", ").join(notes))

        self.app.push_screen(
            InteractionForm(
                item.customer,
                self.today,
                self.store.clock(),
                heading=_("Done. Log what happened?"),
                about=subject(item),
                kind=self._contact_kind(item),
                summary=item.what,
                escape="skip",
                save=log,
            ),
            logged,
        )

    @staticmethod
    def _contact_kind(item: AgendaItem) -> str:
        if item.how in INTERACTION_KINDS:
            return item.how
        return CARE_CONTACT.get(item.kind, "call")

    def _snooze(self, item: AgendaItem, finish: Finish) -> None:
        from salesdesk.tui.screens.today_dialogs import SnoozeScreen

        def save(day: date) -> bool:
            return self._snooze_write(item, day)

        def answered(day: date | None) -> None:
            if day is None:
                finish(None, "")
            else:
                self._snoozed(day, finish)

        self.app.push_screen(SnoozeScreen(item, self.today, save=save), answered)

    def _snooze_to(self, item: AgendaItem, day: date, finish: Finish) -> None:
        if self._snooze_write(item, day):
            self._snoozed(day, finish)
        else:
            finish(None, "")

    def _snooze_write(self, item: AgendaItem, day: date, retry: str = AGAIN) -> bool:
        if item.is_receivable:  # hidden until then; the money is still owed
            step, ok = self._guard(lambda: self.agendas.snooze_receivable(item, day), retry)
            if ok:
                self.undo_stack.append(step)
            return bool(ok)
        carrier, ok = self._guard(
            lambda: self.agendas.snooze(item, day, kind=self._contact_kind(item)), retry
        )
        if ok:
            self.undo_stack.append(AgendaUndo.of("moved", item, carrier))
        return ok

    def _snoozed(self, day: date, finish: Finish) -> None:
        if not self.triage.display:  # triage counts it in its summary instead
            self.notify(_("Moved to {date}.").format(date=short_date(day)), markup=False)
        finish("snoozed", _("to {date}").format(date=short_date(day)))

    def _reschedule(self, item: AgendaItem, finish: Finish) -> None:
        from salesdesk.tui.screens.dialogs import FollowUpScreen
        from salesdesk.tui.screens.today_dialogs import DateScreen, subject

        if item.is_followup:

            def move(day: date) -> bool:
                carrier, ok = self._guard(lambda: self.agendas.snooze(item, day), ENTER_AGAIN)
                if ok:
                    self.undo_stack.append(AgendaUndo.of("moved", item, carrier))
                return ok

            def answered(day: date | None) -> None:
                if day is None:
                    finish(None, "")
                else:
                    finish("rescheduled", _("to {date}").format(date=short_date(day)))

            self.app.push_screen(DateScreen(item, self.today, save=move), answered)
            return
        if item.customer_id is None:
            self._guard(lambda: self.agendas.snooze(item, self.today))  # explains why not
            finish(None, "")
            return

        def book(result: tuple[date, str, str]) -> bool:
            due, title, kind = result
            carrier, ok = self._guard(lambda: self.agendas.snooze(item, due, title, kind), ENTER_AGAIN)
            if ok:
                self.undo_stack.append(AgendaUndo.of("moved", item, carrier))
            return ok

        def booked(result) -> None:
            if result is None:
                finish(None, "")
            else:
                finish("rescheduled", _("to {date}").format(date=short_date(result[0])))

        self.app.push_screen(
            FollowUpScreen(
                subject(item),
                self.today,
                item.what,
                heading=_("Turn it into a follow-up"),
                kind=self._contact_kind(item),
                save=book,
            ),
            booked,
        )

    # -- a receivable row: money to collect -----------------------------------------------

    def _done_receivable(self, item: AgendaItem, finish: Finish) -> None:
        """d: the instalment received in full today; the deal moves to Paid when that
        completes the contract (or, with paid_on_collection = ask, after a yes)."""
        from salesdesk.core.money import format_money

        found, ok = self._guard(lambda: self.agendas.collect(item, self.today))
        if not ok:
            finish(None, "")
            return
        outcome, step, received = found
        self.undo_stack.append(step)
        amount = format_money(received, item.currency)
        notes = [_("received {amount}").format(amount=amount)]
        if outcome.moved:
            notes.append(_("fully collected: the deal moved to Paid"))
        elif outcome.completed:
            notes.append(_("fully collected"))
            if item.deal_id and self.store.setting("paid_on_collection") == "ask":
                self._ask_paid(item, step, notes, finish)
                return
        finish("done", _(", ").join(notes))

    def _ask_paid(self, item: AgendaItem, step: AgendaUndo, notes: list[str], finish: Finish) -> None:
        from salesdesk.store.contracts import ContractStore
        from salesdesk.tui.screens.today_dialogs import PaidScreen

        deal_id = item.deal_id
        contracts = ContractStore(self.store)
        if deal_id is None or contracts.paid_stage_for(deal_id) is None:
            finish("done", _(", ").join(notes))
            return
        before = self.store.deal(deal_id).stage_id

        def answered(move: bool | None) -> None:
            if move:
                moved, ok = self._guard(lambda: contracts.move_to_paid(deal_id))
                if ok and moved:
                    step.unmoved = (deal_id, before)
                    notes.append(_("the deal moved to Paid"))
            finish("done", _(", ").join(notes))

        self.app.push_screen(PaidScreen(item.deal or item.what), answered)

    def _receive(self, item: AgendaItem, finish: Finish) -> None:
        """$: the receipt dialog for the row's instalment: part of it, all, or more."""
        if not item.is_receivable or item.contract_id is None:
            self.notify(
                _("$ records money received on a row of money to collect; open the customer for others."),
                severity="warning",
            )
            finish(None, "")
            return
        from salesdesk.tui.screens.receipt_forms import open_receipt

        def then(outcome: object) -> None:
            finish(None, "")  # the dialog said what it did; the agenda is read again

        open_receipt(
            self, self.store, item.contract_id, self.today, instalment_id=item.instalment_id, then=then
        )

    def _reschedule_receivable(self, item: AgendaItem, finish: Finish) -> None:
        self.notify(
            _("An instalment is due when its plan says: s hides it until a later day, d records it paid."),
            severity="warning",
        )
        finish(None, "")

    def _dismiss_receivable(self, item: AgendaItem, finish: Finish) -> None:
        self.notify(
            _("Money owed is not dismissed: d records it paid, s hides it until a later day."),
            severity="warning",
        )
        finish(None, "")

    def _dismiss(self, item: AgendaItem, finish: Finish) -> None:
        if item.is_followup:
            self.notify(
                _("A follow-up is not dismissed: d marks it done, s or r moves it."), severity="warning"
            )
            finish(None, "")
            return
        _done, ok = self._guard(lambda: self.agendas.dismiss(item))
        if ok:
            self.undo_stack.append(AgendaUndo.of("dismissed", item))
        if ok and not self.triage.display:
            self.notify(_("Dismissed for this time."), markup=False)
        finish("dismissed" if ok else None, "")

    def _log(self, item: AgendaItem, finish: Finish) -> None:
        from salesdesk.tui.screens.customer_forms import InteractionForm, write_log
        from salesdesk.tui.screens.today_dialogs import subject

        customer_id = item.customer_id
        if customer_id is None:
            self.notify(_("A holiday names many customers; open one to log with them."), severity="warning")
            finish(None, "")
            return

        def log(result: dict) -> bool:
            _, ok = self._guard(lambda: write_log(self.store, customer_id, result, item.deal_id), SAVE_AGAIN)
            return ok

        def answered(result) -> None:
            if result is not None:
                due = result["next_due"]
                booked = _("; next step {date}").format(date=short_date(due)) if due else ""
                kind = kind_name(result["kind"])
                self.notify(_("Logged the {kind}{booked}.").format(kind=kind, booked=booked), markup=False)
            finish(None, "")

        self.app.push_screen(
            InteractionForm(
                item.customer,
                self.today,
                self.store.clock(),
                about=subject(item),
                kind=self._contact_kind(item),
                save=log,
            ),
            answered,
        )

    def _open(self, item: AgendaItem, finish: Finish) -> None:
        from salesdesk.tui.screens.today_dialogs import GreetingScreen

        if item.customer_id is None:  # a holiday: whom to greet
            self.app.push_screen(GreetingScreen(item), lambda _: finish(None, ""))
            return
        finish(None, "")
        self.app.open_customer(item.customer_id)  # the Customers screen; 1 comes back

    # -- screen actions -------------------------------------------------------------------

    @writes
    def action_triage(self) -> None:
        items = self.agenda.triage() if self.agenda else []
        if not items:
            self.notify(_("Nothing overdue or due today: nothing to triage."))
            return
        self.agenda_list.display = False
        self.triage.display = True
        self.triage.start(items)
        self.triage.focus()
        self.refresh_bindings()

    @on(TriagePanel.Finished)
    def _triage_finished(self) -> None:
        self.triage.display = False
        self.agenda_list.display = True
        self.agenda_list.focus()
        self.refresh_bindings()
        self.reload()

    def action_toggle_mine(self) -> None:
        self.everyone = not self.everyone
        self.reload()

    @writes
    def action_undo(self) -> None:
        """Take back the last done, move or dismiss made on this screen."""
        if not self.undo_stack:
            self.notify(_("Nothing to undo on Today."), severity="warning")
            return
        step = self.undo_stack.pop()
        _done, ok = self._guard(lambda: self.agendas.undo(step))
        if ok:
            self.notify(_("Undone: {what}.").format(what=step.what), markup=False)
            self._cursor_to = step.key  # the item is back: the cursor goes to it once shown
        else:
            self.undo_stack.append(step)  # refused (a busy database): u tries again
        self.reload()

    @writes
    def action_settings(self) -> None:
        from salesdesk.tui.exports import folder_setting, set_folder_setting
        from salesdesk.tui.screens.today_dialogs import SettingsScreen

        def save(values: dict) -> bool:
            care = {key: value for key, value in values.items() if key != "export_folder"}

            def write() -> None:
                with self.store.records.transaction():
                    self.agendas.save_settings(care)
                    if values["export_folder"] != folder_setting(self.store):
                        set_folder_setting(self.store, values["export_folder"])

            return self._guard(write, ENTER_AGAIN)[1]

        def answered(values: dict | None) -> None:
            if values is not None:
                self.notify(_("Settings saved."))
                self.reload()

        settings = SettingsScreen(
            self.agendas.settings(), export_folder=folder_setting(self.store), save=save
        )
        self.app.push_screen(settings, answered)
