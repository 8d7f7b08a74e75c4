"""Triage: every overdue and today item, one at a time, one key per action.

The panel only shows and counts; it posts what the person chose and the screen
does it (the same code as the list's keys), then tells the panel to move on.
"""

from dataclasses import dataclass
from datetime import date

from rich.console import RenderableType
from rich.text import Text
from textual.binding import Binding
from textual.message import Message
from textual.widget import Widget

from salesdesk.core.agenda import OVERDUE, TODAY, AgendaItem, section_of, when_text
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext
from salesdesk.tui.text import padded
from salesdesk.tui.widgets.key_bar import translate_keys

# What each outcome is called in the summary, in the order it is listed.
OUTCOMES = {
    "done": N_("done"),
    "snoozed": N_("snoozed"),
    "rescheduled": N_("rescheduled"),
    "dismissed": N_("dismissed"),
    "skipped": N_("skipped"),
}
KEYS = N_(
    "d done   s tomorrow   w next week   r pick a date   x dismiss   "
    "l log   enter open   space skip   esc stop"
)
# The labels of an item's facts, right-aligned in a column this many cells wide.
FACTS = {
    "when": N_("when"),
    "company": N_("company"),
    "why": N_("why"),
    "deal": N_("deal"),
    "owner": N_("owner"),
}
FACT_CELLS = 8
OUTCOME_CELLS = 11


@dataclass
class _Step:
    item: AgendaItem
    outcome: str = ""
    note: str = ""


class TriagePanel(Widget, can_focus=True):
    COMPONENT_CLASSES = {
        "triage-panel--title",
        "triage-panel--what",
        "triage-panel--dim",
        "triage-panel--late",
        "triage-panel--keys",
        "triage-panel--done",
    }

    BINDINGS = [
        Binding("d", "act('done')", N_("Done"), id="triage.done"),
        Binding("s", "act('tomorrow')", N_("Tomorrow"), id="triage.tomorrow"),
        Binding("w", "act('next_week')", N_("Next week"), id="triage.week"),
        Binding("r", "act('reschedule')", N_("Pick a date"), id="triage.reschedule"),
        Binding("x", "act('dismiss')", N_("Dismiss"), id="triage.dismiss"),
        Binding("l", "act('log')", N_("Log"), id="triage.log"),
        Binding("enter", "act('open')", N_("Open"), id="triage.open"),
        Binding("space,n", "skip", N_("Skip"), key_display="space", id="triage.skip"),
        Binding("escape", "stop", N_("Stop"), id="triage.stop"),
    ]

    class Act(Message):
        """The person chose an action for the current item."""

        def __init__(self, action: str, item: AgendaItem):
            super().__init__()
            self.action = action
            self.item = item

    class Finished(Message):
        """Triage is over and the summary was read: back to the list."""

    def __init__(self, today: date, *, id: str | None = None):
        super().__init__(id=id)
        translate_keys(self)
        self.today = today
        self.steps: list[_Step] = []
        self.index = 0
        self.busy = False  # an action's dialogs are open: keys wait

    def start(self, items: list[AgendaItem]) -> None:
        self.steps = [_Step(item) for item in items]
        self.index = 0
        self.busy = False
        self.refresh()
        self.refresh_bindings()

    @property
    def current(self) -> AgendaItem | None:
        return self.steps[self.index].item if self.index < len(self.steps) else None

    @property
    def finished(self) -> bool:
        return self.index >= len(self.steps)

    def record(self, outcome: str, note: str = "") -> None:
        """The current item was dealt with: note how, and show the next."""
        if not self.finished:
            self.steps[self.index].outcome = outcome
            self.steps[self.index].note = note
            self.index += 1
        self.busy = False
        self.refresh()
        self.refresh_bindings()

    def summary(self) -> dict[str, int]:
        counts = {name: 0 for name in OUTCOMES}
        for step in self.steps:
            if step.outcome:
                counts[step.outcome] += 1
        return counts

    # -- keys -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        # Once finished, only the way back is a key.
        if self.finished:
            return action == "stop" or (action == "act" and parameters == ("open",))
        return True

    def action_act(self, action: str) -> None:
        if self.finished:
            if action == "open":
                self.post_message(self.Finished())
            return
        current = self.current
        if not self.busy and current is not None:
            self.busy = True
            self.post_message(self.Act(action, current))

    def action_skip(self) -> None:
        if not self.finished and not self.busy:
            self.record("skipped")

    def action_stop(self) -> None:
        if self.finished or not any(step.outcome for step in self.steps):
            self.post_message(self.Finished())
            return
        self.index = len(self.steps)  # stopping early still ends with what was done
        self.refresh()
        self.refresh_bindings()

    # -- drawing ------------------------------------------------------------------

    def render(self) -> RenderableType:
        style = self.get_component_rich_style
        item = self.current
        if item is None:
            return self._render_summary()
        section = section_of(item.due, self.today) or TODAY
        lines = [
            Text.assemble(
                (
                    _("Triage  {n} of {total}").format(n=self.index + 1, total=len(self.steps)),
                    style("triage-panel--title"),
                ),
                (
                    "   " + _(section),
                    style("triage-panel--late") if section == OVERDUE else style("triage-panel--dim"),
                ),
            ),
            Text(""),
            Text(literal(item.what), style=style("triage-panel--what")),
            Text(literal(item.who)),
            Text(""),
        ]
        facts = [("when", when_text(item, self.today)), ("why", item.why)]
        if item.company:
            facts.insert(1, ("company", item.company))
        if item.deal:
            facts.append(("deal", " · ".join(p for p in (item.deal, item.stage) if p)))
        if item.owner:
            facts.append(("owner", item.owner))
        for label, value in facts:
            line = Text(
                padded(_(FACTS[label]), FACT_CELLS, right=True) + "  ", style=style("triage-panel--dim")
            )
            line.append(literal(value))
            lines.append(line)
        lines += [Text(""), Text(_(KEYS), style=style("triage-panel--keys"))]
        return Text("\n").join(lines)

    def _render_summary(self) -> RenderableType:
        style = self.get_component_rich_style
        counts = self.summary()
        untouched = len(self.steps) - sum(counts.values())
        lines = [
            Text(
                ngettext("Triage finished: {n} item", "Triage finished: {n} items", len(self.steps)).format(
                    n=len(self.steps)
                ),
                style=style("triage-panel--title"),
            ),
            Text(""),
        ]
        parts = [
            _("{n} {outcome}").format(n=count, outcome=_(OUTCOMES[name]))
            for name, count in counts.items()
            if count
        ]
        if untouched:
            parts.append(_("{n} not reached").format(n=untouched))
        lines.append(Text(" · ".join(parts), style=style("triage-panel--done")))
        lines.append(Text(""))
        for step in self.steps:
            if not step.outcome or step.outcome == "skipped":
                continue
            outcome = padded(_(OUTCOMES[step.outcome]), OUTCOME_CELLS, right=True)
            line = Text(f"{outcome}  ", style=style("triage-panel--dim"))
            line.append(literal(step.item.what), style="bold")
            line.append(f" — {literal(step.item.who)}")
            if step.note:
                line.append(f"  ({literal(step.note)})", style=style("triage-panel--dim"))
            lines.append(line)
        if not any(step.outcome and step.outcome != "skipped" for step in self.steps):
            lines.append(Text(_("Nothing was changed."), style=style("triage-panel--dim")))
        lines += [Text(""), Text(_("enter or esc: back to the agenda"), style=style("triage-panel--keys"))]
        return Text("\n").join(lines)
