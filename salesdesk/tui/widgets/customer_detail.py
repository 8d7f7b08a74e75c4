"""The detail pane: who the customer is, what we know, what comes next, what happened."""

from datetime import date

from rich.console import Group
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from salesdesk.core.dates import parse_timestamp
from salesdesk.core.money import format_money
from salesdesk.core.text import literal
from salesdesk.store.customers import CustomerDetail
from salesdesk.tui.privacy import HIDDEN
from salesdesk.tui.widgets.customer_list import SEGMENT_STYLES

KIND_MARKS = {"call": "☎", "email": "✉", "meeting": "◆", "visit": "⌂", "message": "✎", "note": "•"}


class HistoryList(OptionList):
    """Interactions, newest first; enter opens or closes one to show its body."""

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.items: list[tuple] = []
        self.expanded: set[str] = set()

    def show(self, items: list[tuple]) -> None:
        self.items = items
        self.expanded &= {item[0] for item in items}
        self.clear_options()
        self.add_options([Option(self._prompt(item), id=item[0]) for item in items])

    def _prompt(self, item: tuple) -> Text:
        interaction_id, kind, at, by, summary, body = item
        when = parse_timestamp(at).astimezone()
        text = Text()
        text.append(f"{KIND_MARKS.get(kind, '•')} {when:%Y-%m-%d %H:%M} ", style="dim")
        text.append(f"{kind:<8}", style="bold")
        text.append(literal(summary) or "(no summary)")
        text.append(f"  {literal(by)}", style="dim")
        if body:
            if interaction_id in self.expanded:
                for line in str(body).splitlines() or [""]:
                    text.append("\n      " + literal(line))
            else:
                text.append("  …", style="dim")
        return text

    def on_focus(self) -> None:
        if self.highlighted is None and self.option_count:
            self.highlighted = 0

    @on(OptionList.OptionSelected)
    def _toggle(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        item = self.items[event.option_index]
        self.expanded ^= {item[0]}
        self.replace_option_prompt_at_index(event.option_index, self._prompt(item))


class CustomerDetailPane(VerticalScroll, can_focus=False):
    """Attributes down: `show(detail)` draws it; it holds no data of its own."""

    def compose(self) -> ComposeResult:
        yield Static(id="detail-head")
        yield Label("History, newest first", classes="section-title", id="history-title")
        yield HistoryList(id="history")

    def show(self, detail: CustomerDetail | None, today: date, privacy: bool) -> None:
        head = self.query_one("#detail-head", Static)
        history = self.query_one(HistoryList)
        if detail is None:
            head.update(Text("No customer selected.", style="dim"))
            history.show([])
            return
        head.update(self._head(detail, today, privacy))
        history.show(detail.interactions)

    def _head(self, detail: CustomerDetail, today: date, privacy: bool) -> Group:
        record, row = detail.record, detail.row
        title = Text()
        title.append(literal(record["name"]), style="bold")
        title.append("   ")
        title.append(row.segment, style=SEGMENT_STYLES.get(row.segment, ""))
        title.append(f" · tier {row.tier}", style="bold" if row.tier == "A" else "dim")
        lines = [title]
        work = " · ".join(literal(v) for v in (record["company"], record["title"]) if v)
        if work:
            lines.append(Text(work))
        contact = Text()
        for mark, key in (("☎ ", "phone"), ("✉ ", "email"), ("@ ", "handle")):
            if record[key]:
                value = HIDDEN if privacy else literal(record[key])
                contact.append(mark, style="dim")
                contact.append(value + "   ")
        if contact:
            lines.append(contact)
        facts = [
            f"{label} {literal(record[key])}"
            for label, key in (("industry", "industry"), ("source", "source"), ("owner", "owner"))
            if record[key]
        ]
        if facts:
            lines.append(Text(" · ".join(facts), style="dim"))
        dates = []
        if record["birthday"]:
            dates.append(f"birthday {record['birthday']}")
        if record.get("lunar_birthday"):
            dates.append(f"lunar birthday {record['lunar_birthday']}")
        if record["contract_end"]:
            dates.append(f"contract ends {record['contract_end']}")
        if dates:
            lines.append(Text(" · ".join(dates), style="dim"))
        lines.append(self._last_contact(row.last_contact, today))
        tags = Text("Tags: ", style="dim")
        for name in detail.tags:
            tags.append(f" {literal(name)} ", style="reverse")
            tags.append(" ")
        if not detail.tags:
            tags.append("none (t to add)", style="dim")
        lines.append(tags)
        if record["notes"]:
            lines.append(Text(""))
            lines.append(Text("\n".join(literal(line) for line in record["notes"].splitlines())))
        lines.append(Text(""))
        lines.append(Text("Open deals", style="bold"))
        for _, title_, stage, amount, currency in detail.open_deals:
            line = Text(f"  {literal(stage):<12} ")
            line.append(f"{HIDDEN if privacy else format_money(amount, currency):>10}  ", style="bold")
            line.append(literal(title_))
            lines.append(line)
        if not detail.open_deals:
            lines.append(Text("  none (n to add one)", style="dim"))
        lines.append(Text("Upcoming follow-ups", style="bold"))
        for _, due, title_, kind in detail.followups:
            day = date.fromisoformat(due)
            line = Text(f"  {day:%a %d %b}  ", style="bold red" if day < today else "")
            line.append(literal(title_))
            line.append(f"  ({kind})", style="dim")
            lines.append(line)
        if not detail.followups:
            lines.append(Text("  none (f to book one)", style="dim"))
        return Group(*lines)

    @staticmethod
    def _last_contact(day: date | None, today: date) -> Text:
        if day is None:
            return Text("Never contacted", style="yellow")
        days = (today - day).days
        when = "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"
        return Text(f"Last contacted {when} ({day:%Y-%m-%d})", style="yellow" if days >= 90 else "")
