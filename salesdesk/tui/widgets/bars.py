"""A titled block of report lines with bars, drawn to the width it is given.

A panel is one widget however many lines it holds: each line is a label, a bar, a value
and an optional mark, measured in terminal cells (CJK is two wide) so columns line up.
"""

from dataclasses import dataclass

from rich.cells import cell_len
from rich.console import RenderableType
from rich.text import Text
from textual.widget import Widget

from salesdesk.core.reports import bar
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _

LABEL_SHARE = 0.4  # at most this much of the width for the labels
NOTHING = N_("Nothing in this period.")  # what a panel says when it has no rows


@dataclass(frozen=True)
class PanelRow:
    """One line: `label` (shown literally), a bar `fraction` of the bar's width (None: no bar),
    the `value` at the right, and a `mark` after it (e.g. the bottleneck)."""

    label: str
    value: str = ""
    fraction: float | None = None
    mark: str = ""
    heading: bool = False  # a sub-heading (e.g. a currency) instead of a figure


class ReportPanel(Widget):
    COMPONENT_CLASSES = {
        "report-panel--title",
        "report-panel--heading",
        "report-panel--bar",
        "report-panel--dim",
        "report-panel--mark",
        "report-panel--value",
    }

    def __init__(self, title: str, *, id: str | None = None):
        super().__init__(id=id)
        self.title = title
        self.rows: list[PanelRow] = []
        self.empty = _(NOTHING)

    def show(self, rows: list[PanelRow], empty: str | None = None) -> None:
        """Show these rows; `empty` is what the panel says when there are none."""
        self.rows = list(rows)
        self.empty = _(NOTHING) if empty is None else empty
        self.refresh(layout=True)

    def get_content_height(self, container, viewport, width: int) -> int:
        return 1 + max(1, len(self.rows))

    def render(self) -> RenderableType:
        width = max(self.size.width, 20)
        style = self.get_component_rich_style
        lines = [Text(literal(self.title), style=style("report-panel--title"))]
        if not self.rows:
            lines.append(Text(self.empty, style=style("report-panel--dim")))
        else:
            figures = [row for row in self.rows if not row.heading]
            label_w = min(
                max((cell_len(literal(r.label)) for r in figures), default=0), int(width * LABEL_SHARE)
            )
            value_w = max((cell_len(r.value) for r in figures), default=0)
            mark_w = max((cell_len(r.mark) + 1 for r in figures if r.mark), default=0)
            # The bar takes what the words leave; on a narrow terminal it goes first.
            bar_w = max(0, width - label_w - value_w - mark_w - 4)
            for row in self.rows:
                lines.append(self._line(row, width, label_w, value_w, bar_w))
        for line in lines:
            line.truncate(width, overflow="ellipsis", pad=True)
        return Text("\n").join(lines)

    def _line(self, row: PanelRow, width: int, label_w: int, value_w: int, bar_w: int) -> Text:
        style = self.get_component_rich_style
        if row.heading:
            return Text(literal(row.label), style=style("report-panel--heading"))
        line = Text(" ")
        label = Text(literal(row.label), no_wrap=True, overflow="ellipsis")
        label.truncate(label_w, overflow="ellipsis", pad=True)
        line.append_text(label)
        line.append(" ")
        drawn = bar(row.fraction, 1.0, bar_w) if row.fraction is not None else ""
        line.append(drawn, style=style("report-panel--bar"))
        line.append(" " * (bar_w - cell_len(drawn)))
        line.append(" ")
        line.append(" " * (value_w - cell_len(row.value)) + row.value, style=style("report-panel--value"))
        if row.mark:
            line.append(" " + row.mark, style=style("report-panel--mark"))
        return line
