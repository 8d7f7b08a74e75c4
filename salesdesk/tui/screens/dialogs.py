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
from salesdesk.core.model import INTERACTION_KINDS
from salesdesk.core.text import literal
from salesdesk.tui.screens.base import DialogScreen, Save, SavingDialog
from salesdesk.tui.text import literal_text
from salesdesk.tui.widgets.form import FormBody, FormField


class LostReasonScreen(SavingDialog[str | None]):
    """Why was the deal lost? Pick a past reason or type a new one."""

    def __init__(self, deal_title: str, reasons: list[str], *, save: Save | None = None):
        super().__init__(save=save)
        self.deal_title = deal_title
        self.reasons = reasons

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="lost-dialog"):
            yield Label("Mark lost", classes="dialog-title")
            yield Static(f"Why was “{literal(self.deal_title)}” lost?", markup=False)
            yield FormField("Reason", placeholder="type a reason, or pick one below", id="reason")
            yield OptionList(
                *[Option(literal_text(r), id=str(i)) for i, r in enumerate(self.reasons)], id="reasons"
            )
            yield Static("enter: mark lost  ↓: past reasons  esc: cancel", classes="dialog-keys")

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
        self.query_one("#reason", FormField).show_error("Say why the deal was lost; a reason is required.")

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
        Binding("y,enter", "dismiss(True)", "Close them"),
        Binding("n,escape", "dismiss(False)", "Keep them"),
    ]

    def __init__(self, deal_title: str, outcome: str, followups: list[str]):
        super().__init__()
        self.deal_title = deal_title
        self.outcome = outcome
        self.followups = followups

    def compose(self) -> ComposeResult:
        count = len(self.followups)
        noun = "follow-up" if count == 1 else "follow-ups"
        with Vertical(classes="dialog", id="close-followups-dialog"):
            yield Label(f"Close its open {noun}?", classes="dialog-title")
            yield Static(
                Text.assemble(
                    (literal(self.deal_title), "bold"),
                    f" is {self.outcome}. It has {count} open {noun}, still on Today:",
                )
            )
            yield Static(Text("\n").join(Text("  " + literal(title)) for title in self.followups[:5]))
            if count > 5:
                yield Static(f"  and {count - 5} more", classes="dim")
            yield Static("enter or y: close them  n or esc: keep them", classes="dialog-keys")


class ChecklistScreen(SavingDialog[list[str] | None]):
    """Asked once when a deal leaves a stage whose standard is not met."""

    BINDINGS = [
        Binding("escape", "cancel", "Stay"),
        Binding("ctrl+m,enter", "move", "Move", priority=True),
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
            yield Label(f"Leaving {literal(self.stage_name)}", classes="dialog-title", markup=False)
            yield Static(
                f"“{literal(self.deal_title)}” has not met the standard of "
                f"{literal(self.stage_name)}. Tick what is done:",
                markup=False,
            )
            yield SelectionList[str](*[(literal_text(item), item) for item in self.unmet], id="checklist")
            yield Static(
                f"space: tick  enter: move to {literal(self.target_name)} anyway  esc: stay",
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
        heading: str = "Book a follow-up",
        escape: str = "cancel",
        kind: str = "call",
        save: Save | None = None,
    ):
        super().__init__(save=save)
        self.subject = subject
        self.today = today
        self.default_title = default_title
        self.heading = heading
        self.escape = escape
        self.kind = kind

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form", id="followup-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            with FormBody():
                yield Static(literal(self.subject), markup=False)
                yield FormField("When", "tomorrow", placeholder=ACCEPTED, id="due")
                yield FormField("What", self.default_title, id="title")
                yield FormField("How", self.kind, placeholder=", ".join(INTERACTION_KINDS), id="kind")
            yield Static(
                f"enter: book  tab: next field  esc: {self.escape}", classes="dialog-keys", markup=False
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
        field.show_hint(f"{due:%a %d %b %Y}")
        return due

    @on(Input.Submitted)
    def _submit(self) -> None:
        due = self._read_due(self.query_one("#due", FormField).value)
        title = self.query_one("#title", FormField)
        kind = self.query_one("#kind", FormField)
        ok = True
        if not title.value.strip():
            title.show_error("Say what the follow-up is for.")
            ok = False
        if kind.value.strip() not in INTERACTION_KINDS:
            kind.show_error(f"Use one of {', '.join(INTERACTION_KINDS)}.")
            ok = False
        if ok and due is not None:
            self.finish((due, title.value.strip(), kind.value.strip()))


class AssignScreen(SavingDialog[str | None]):
    """Give a lead to a teammate: a name, completed from the people in the team."""

    def __init__(self, subject: str, current: str, people: list[str], *, save: Save | None = None):
        super().__init__(save=save)
        self.subject = subject
        self.current = current
        self.people = people

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="assign-dialog"):
            yield Label("Assign", classes="dialog-title")
            yield Static(
                f"{literal(self.subject)}, owned by {literal(self.current) or 'nobody'}", markup=False
            )
            yield FormField("To", placeholder="a teammate's name (→ completes)", id="owner")
            yield Static("enter: assign  esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        from textual.suggester import SuggestFromList

        self.query_one("#owner", FormField).input.suggester = SuggestFromList(
            self.people, case_sensitive=False
        )

    @on(Input.Submitted, "#owner-input")
    def _assign(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.query_one("#owner", FormField).show_error("Type who should own it.")
            return
        known = {person.lower(): person for person in self.people}
        self.finish(known.get(name.lower(), name))
