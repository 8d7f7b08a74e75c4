"""Small modal dialogs of the Pipeline: why a deal was lost, the stage checklist, a follow-up."""

from datetime import date

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.widgets import Input, Label, OptionList, SelectionList, Static
from textual.widgets.option_list import Option

from salesdesk.core.dates import ACCEPTED, parse_quick_date
from salesdesk.core.errors import InvalidValue
from salesdesk.core.model import kind_name, kind_typed
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, pgettext
from salesdesk.tui.screens.base import DialogScreen, Save, SavingDialog
from salesdesk.tui.text import literal_text
from salesdesk.tui.widgets.form import FormBody, FormField, day_shown, kinds_listed

# What esc does in a form that follows another step (`escape=`), as its keys say it.
ESCAPES = (N_("cancel"), N_("skip"))


class LostReasonScreen(SavingDialog[str | None]):
    """Why was the deal lost? Pick a past reason or type a new one."""

    def __init__(self, deal_title: str, reasons: list[str], *, save: Save | None = None):
        super().__init__(save=save)
        self.deal_title = deal_title
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="lost-dialog"):
            yield Label(_("Mark lost"), classes="dialog-title")
            yield Static(_("Why was “{deal}” lost?").format(deal=literal(self.deal_title)), markup=False)
            yield FormField(_("Reason"), placeholder=_("type a reason, or pick one below"), id="reason")
            yield OptionList(
                *[Option(literal_text(r), id=str(i)) for i, r in enumerate(self.reasons)], id="reasons"
            )
            yield Static(_("enter: mark lost  ↓: past reasons  esc: cancel"), classes="dialog-keys")

    @on(Input.Changed, "#reason-input")
    def _filter(self, event: Input.Changed) -> None:
        typed = event.value.strip().lower()
        options = self.query_one("#reasons", OptionList)
        options.clear_options()
        options.add_options(
            [Option(literal_text(r), id=str(i)) for i, r in enumerate(self.reasons) if typed in r.lower()]
        )

    @on(Input.Submitted, "#reason-input")
    def _typed(self, event: Input.Submitted) -> None:
        if event.value.strip():
            self.finish(event.value.strip())
            return
        options = self.query_one("#reasons", OptionList)
        if options.highlighted is not None and options.option_count:
            self.finish(self._reason(options.get_option_at_index(options.highlighted)))
            return
        self.query_one("#reason", FormField).show_error(_("Say why the deal was lost; a reason is required."))

    @on(OptionList.OptionSelected, "#reasons")
    def _picked(self, event: OptionList.OptionSelected) -> None:
        self.finish(self._reason(event.option))

    def _reason(self, option: Option) -> str:
        return self.reasons[int(option.id or 0)]  # each option's id is its reason's place

    def key_down(self, event: events.Key) -> None:
        if self.focused is self.query_one("#reason-input"):
            options = self.query_one("#reasons", OptionList)
            if options.option_count:
                # This key only moves into the list, onto its first reason: the list's
                # own binding for it must not move on to the second.
                event.prevent_default()
                event.stop()
                options.focus()
                options.highlighted = 0


class CloseFollowupsScreen(DialogScreen[bool]):
    """A deal was closed: close its open follow-ups too? Yes unless said otherwise."""

    BINDINGS = [
        Binding("y,enter", "dismiss(True)", N_("Close them")),
        Binding("n,escape", "dismiss(False)", N_("Keep them")),
    ]

    def __init__(self, deal_title: str, outcome: str, followups: list[str]):
        super().__init__()
        self.deal_title = deal_title
        self.outcome = outcome
        self.followups = followups

    def compose(self) -> ComposeResult:
        count = len(self.followups)
        if self.outcome == "lost":
            said = ngettext(
                "{deal} is lost. It has {n} open follow-up, still on Today:",
                "{deal} is lost. It has {n} open follow-ups, still on Today:",
                count,
            )
        else:
            said = ngettext(
                "{deal} is won. It has {n} open follow-up, still on Today:",
                "{deal} is won. It has {n} open follow-ups, still on Today:",
                count,
            )
        before, _deal, after = said.format(n=count, deal="{deal}").partition("{deal}")
        with Vertical(classes="dialog", id="close-followups-dialog"):
            title = ngettext("Close its open follow-up?", "Close its open follow-ups?", count)
            yield Label(title, classes="dialog-title")
            yield Static(Text.assemble(before, (literal(self.deal_title), "bold"), after))
            yield Static(Text("\n").join(Text("  " + literal(title)) for title in self.followups[:5]))
            if count > 5:
                more = ngettext("and {n} more", "and {n} more", count - 5).format(n=count - 5)
                yield Static("  " + more, classes="dim", markup=False)
            yield Static(_("enter or y: close them  n or esc: keep them"), classes="dialog-keys")


class ChecklistScreen(SavingDialog[list[str] | None]):
    """Asked once when a deal leaves a stage whose standard is not met."""

    BINDINGS = [
        Binding("escape", "cancel", N_("Stay")),
        Binding("ctrl+m,enter", "move", N_("Move"), priority=True),
    ]

    def __init__(
        self,
        deal_title: str,
        stage_name: str,
        target_name: str,
        unmet: list[str],
        *,
        save: Save | None = None,
    ):
        super().__init__(save=save)
        self.deal_title = deal_title
        self.stage_name = stage_name
        self.target_name = target_name
        self.unmet = unmet

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="checklist-dialog"):
            stage = literal(self.stage_name)
            yield Label(_("Leaving {stage}").format(stage=stage), classes="dialog-title", markup=False)
            yield Static(
                _("“{deal}” has not met the standard of {stage}. Tick what is done:").format(
                    deal=literal(self.deal_title), stage=stage
                ),
                markup=False,
            )
            yield SelectionList[str](*[(literal_text(item), item) for item in self.unmet], id="checklist")
            yield Static(
                _("space: tick  enter: move to {stage} anyway  esc: stay").format(
                    stage=literal(self.target_name)
                ),
                classes="dialog-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        # Focused now, not when the screen is first shown: a space typed right after
        # the move key would otherwise reach the screen before the list and be lost.
        self.query_one("#checklist", SelectionList).focus()

    def action_move(self) -> None:
        self.finish(list(self.query_one("#checklist", SelectionList).selected))


class FollowUpScreen(SavingDialog[tuple[date, str, str] | None]):
    """Book a follow-up: when (quick forms), what, and how."""

    def __init__(
        self,
        subject: str,
        today: date,
        default_title: str,
        *,
        heading: str | None = None,
        escape: str = "cancel",
        kind: str = "call",
        save: Save | None = None,
    ):
        super().__init__(save=save)
        self.subject = subject
        self.today = today
        self.default_title = default_title
        self.heading = _("Book a follow-up") if heading is None else heading
        self.escape = escape  # a word of ESCAPES
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form", id="followup-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            with FormBody():
                yield Static(literal(self.subject), markup=False)
                yield FormField(_("When"), _("tomorrow"), placeholder=_(ACCEPTED), id="due")
                yield FormField(_("What"), self.default_title, id="title")
                yield FormField(_("How"), kind_name(self.kind), placeholder=kinds_listed(), id="kind")
            yield Static(
                _("enter: book  tab: next field  esc: {escape}").format(escape=_(self.escape)),
                classes="dialog-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        due = self.query_one("#due", FormField)
        # Opened on the day, its suggestion selected: a day typed replaces it, enter keeps it.
        due.input.focus()
        due.input.select_all()
        self._read_due(due.value)

    @on(Input.Changed, "#due-input")
    def _due_changed(self, event: Input.Changed) -> None:
        self._read_due(event.value)

    def _read_due(self, text: str) -> date | None:
        field = self.query_one("#due", FormField)
        try:
            due = parse_quick_date(text, self.today, "date")
        except InvalidValue as error:
            field.show_error(str(error))
            return None
        field.show_hint(day_shown(due))
        return due

    @on(Input.Submitted)
    def _submit(self) -> None:
        due = self._read_due(self.query_one("#due", FormField).value)
        title = self.query_one("#title", FormField)
        kind = self.query_one("#kind", FormField)
        ok = True
        if not title.value.strip():
            title.show_error(_("Say what the follow-up is for."))
            ok = False
        how = kind_typed(kind.value)
        if how is None:
            kind.show_error(_("Use one of {kinds}.").format(kinds=kinds_listed()))
            ok = False
        if ok and due is not None and how is not None:
            self.finish((due, title.value.strip(), how))


class AssignScreen(SavingDialog[str | None]):
    """Give a lead to a teammate: a name, completed from the people in the team."""

    def __init__(self, subject: str, current: str, people: list[str], *, save: Save | None = None):
        super().__init__(save=save)
        self.subject = subject
        self.current = current
        self.people = people

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="assign-dialog"):
            yield Label(_("Assign"), classes="dialog-title")
            yield Static(
                _("{subject}, owned by {owner}").format(
                    subject=literal(self.subject), owner=literal(self.current) or _("nobody")
                ),
                markup=False,
            )
            yield FormField(
                pgettext("assign", "To"), placeholder=_("a teammate's name (→ completes)"), id="owner"
            )
            yield Static(_("enter: assign  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        from textual.suggester import SuggestFromList

        self.query_one("#owner", FormField).input.suggester = SuggestFromList(
            self.people, case_sensitive=False
        )

    @on(Input.Submitted, "#owner-input")
    def _assign(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#owner", FormField).show_error(_("Type who should own it."))
            return
        known = {person.lower(): person for person in self.people}
        self.finish(known.get(name.lower(), name))
