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

# What each outcome is called in the summary, in the order it is listed.
OUTCOMES = {
    "done": "done",
    "snoozed": "snoozed",
    "rescheduled": "rescheduled",
    "dismissed": "dismissed",
    "skipped": "skipped",
}
KEYS = (
    "d done   s tomorrow   w next week   r pick a date   x dismiss   "
    "l log   enter open   space skip   esc stop"
)


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
        Binding("d", "act('done')", "Done", id="triage.done"),
        Binding("s", "act('tomorrow')", "Tomorrow", id="triage.tomorrow"),
        Binding("w", "act('next_week')", "Next week", id="triage.week"),
        Binding("r", "act('reschedule')", "Pick a date", id="triage.reschedule"),
        Binding("x", "act('dismiss')", "Dismiss", id="triage.dismiss"),
        Binding("l", "act('log')", "Log", id="triage.log"),
        Binding("enter", "act('open')", "Open", id="triage.open"),
        Binding("space,n", "skip", "Skip", key_display="space", id="triage.skip"),
        Binding("escape", "stop", "Stop", id="triage.stop"),
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
                (f"Triage  {self.index + 1} of {len(self.steps)}", style("triage-panel--title")),
                (
                    "   " + section,
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
            line = Text(f"{label:>8}  ", style=style("triage-panel--dim"))
            line.append(literal(value))
            lines.append(line)
        lines += [Text(""), Text(KEYS, style=style("triage-panel--keys"))]
        return Text("\n").join(lines)

    def _render_summary(self) -> RenderableType:
        style = self.get_component_rich_style
        counts = self.summary()
        untouched = len(self.steps) - sum(counts.values())
        lines = [
            Text(f"Triage finished: {len(self.steps)} items", style=style("triage-panel--title")),
            Text(""),
        ]
        parts = [f"{count} {OUTCOMES[name]}" for name, count in counts.items() if count]
        if untouched:
            parts.append(f"{untouched} not reached")
        lines.append(Text(" · ".join(parts), style=style("triage-panel--done")))
        lines.append(Text(""))
        for step in self.steps:
            if not step.outcome or step.outcome == "skipped":
                continue
            line = Text(f"{step.outcome:>11}  ", style=style("triage-panel--dim"))
            line.append(literal(step.item.what), style="bold")
            line.append(f" — {literal(step.item.who)}")
            if step.note:
                line.append(f"  ({literal(step.note)})", style=style("triage-panel--dim"))
            lines.append(line)
        if not any(step.outcome and step.outcome != "skipped" for step in self.steps):
            lines.append(Text("Nothing was changed.", style=style("triage-panel--dim")))
        lines += [Text(""), Text("enter or esc: back to the agenda", style=style("triage-panel--keys"))]
        return Text("\n").join(lines)
