"""The weekly summary as markdown (GitHub-flavoured tables), for chat, a wiki or a repository.

Every value from the database is escaped so that it reads as typed and cannot break a
table or turn into markup: markdown punctuation is backslash-escaped, and line breaks and
other control characters are shown as their visible pictures (a newline as ␊), as the
app shows them. Dates and numbers are written the same way on every machine (no locale),
and every list is sorted, so the same data always gives the same bytes.
"""

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from salesdesk.core.agenda import AgendaItem
from salesdesk.core.money import format_money
from salesdesk.core.periods import IsoWeek, day_text, span_text
from salesdesk.core.reports import percent
from salesdesk.core.weekly import COUNT, MONEY, DealLine, Headline, WeeklySummary

# C0 controls and DEL as their Unicode pictures (newline -> ␊), C1 controls as U+FFFD.
_PICTURES = {code: 0x2400 + code for code in range(0x20)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({code: 0xFFFD for code in range(0x80, 0xA0)})
# What markdown (CommonMark, GitHub tables, strikethrough, math) could read as syntax.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|&~#$!])")

# (one, many) of each kind of item due, for the count line of "Due next week".
KIND_NAMES = {
    "follow-up": ("follow-up", "follow-ups"),
    "birthday": ("birthday", "birthdays"),
    "lunar-birthday": ("lunar birthday", "lunar birthdays"),
    "renewal": ("contract renewal", "contract renewals"),
    "holiday": ("holiday greeting", "holiday greetings"),
    "dormant": ("dormant customer", "dormant customers"),
    "repeat": ("repeat buyer", "repeat buyers"),
    "check-in": ("check-in", "check-ins"),
    "new-lead": ("new lead", "new leads"),
    "rotting": ("rotting deal", "rotting deals"),
}


def _kind_count(kind: str, count: int) -> str:
    one, many = KIND_NAMES.get(kind, (md(kind), md(kind)))
    return f"{count:,} {one if count == 1 else many}"


def file_name(week: IsoWeek) -> str:
    """The summary's default file name: 'salesdesk-week-2026-W48.md'."""
    return f"salesdesk-week-{week}.md"


def md(value: object) -> str:
    """A value from the database as markdown text that shows it exactly as typed."""
    text = "" if value is None else str(value)
    return _MARKDOWN.sub(r"\\\1", text.translate(_PICTURES))


def _signed(value: int, currency: str | None = None) -> str:
    if value == 0:
        return "0" if currency is None else format_money(0, currency)
    sign = "+" if value > 0 else "-"
    return sign + (f"{abs(value):,}" if currency is None else format_money(abs(value), currency))


def _figure(row: Headline, value: int | float | None) -> str:
    if row.kind == COUNT:
        return f"{value:,}"
    if row.kind == MONEY:
        # `build_weekly` makes every money row with its currency and whole minor units.
        assert isinstance(value, int) and row.currency is not None
        return format_money(value, row.currency)
    return percent(value)


def _change(row: Headline) -> str:
    change = row.change
    if change is None:
        return "–"
    if row.kind in (COUNT, MONEY):
        assert isinstance(change, int)  # counts and minor units are whole; only a rate is not
        return _signed(change, row.currency if row.kind == MONEY else None)
    # From the percentages as shown, so the column adds up for the reader.
    points = round(float(percent(row.this)[:-1]) - float(percent(row.before)[:-1]), 1)
    return f"{points:+g} pts" if points else "0 pts"


def _table(headers: Sequence[str], right: Iterable[int], rows: Iterable[Sequence[str]]) -> list[str]:
    """A GitHub table; cells are already markdown (values escaped with `md`)."""
    right = set(right)
    lines = [
        "| " + " | ".join(headers) + " |",
        "| " + " | ".join("---:" if i in right else "---" for i in range(len(headers))) + " |",
    ]
    for row in rows:
        lines.append("| " + " | ".join(cell if cell else " " for cell in row) + " |")
    return lines


def _amounts(amounts: dict[str, int]) -> str:
    return ", ".join(format_money(amount, code) for code, amount in amounts.items()) or "–"


def _listed(what: str, counts: dict[str, int], shown: Sequence[DealLine]) -> list[str]:
    """A note under a list of deals cut to the largest of each currency."""
    cut = []
    for code, total in counts.items():
        listed = sum(1 for line in shown if line.currency == code)
        if total > listed:
            cut.append(f"the {listed} largest of {total:,} in {code}")
    return ["", f"Listed: {' and '.join(cut)} {what}."] if cut else []


def render_weekly(summary: WeeklySummary) -> str:
    """The summary as markdown text, ending with a newline."""
    everyone = summary.everyone
    whose = "Everyone" if everyone else md(summary.user)
    week = summary.week
    lines = [f"# {whose}: week {week}, {span_text(week.monday, week.sunday)}", ""]
    if everyone:
        scope = "Everyone's deals, interactions and follow-ups"
    else:
        user = md(summary.user)
        scope = f"The deals {user} owns, the interactions {user} logged and {user}'s follow-ups"
    lines.append(
        f"{scope}, Monday to Sunday (UTC days). "
        + ("" if summary.finished else f"The week so far, up to {day_text(summary.today)}. ")
        + "Amounts are shown in their own currency, never converted."
    )

    lines += ["", "## Headline", ""]
    lines += _table(
        ("Figure", "This week", "Week before", "Change"),
        (1, 2, 3),
        (
            (row.label, _figure(row, row.this), _figure(row, row.before), _change(row))
            for row in summary.headline
        ),
    )

    lines += ["", "## Stage moves", ""]
    if summary.moves:
        lines += _table(
            ("From", "To", "Deals", "Value"),
            (2, 3),
            ((md(m.from_name), md(m.to_name), f"{m.count:,}", _amounts(m.amounts)) for m in summary.moves),
        )
    else:
        lines.append("No deal moved this week.")

    owner = ("Owner",) if everyone else ()
    lines += ["", f"## Won ({sum(summary.won_count.values()):,})", ""]
    if summary.won:
        lines += _table(
            ("Deal", "Customer", "Amount", "Closed", "Stage", *owner),
            (2,),
            (
                (
                    md(d.title),
                    md(d.customer),
                    format_money(d.amount, d.currency),
                    day_text(d.day),
                    md(d.stage),
                    *((md(d.owner),) if everyone else ()),
                )
                for d in summary.won
            ),
        )
        lines += _listed("won deals", summary.won_count, summary.won)
    else:
        lines.append("No deal won this week.")

    lines += ["", f"## Lost ({sum(summary.lost_count.values()):,})", ""]
    if summary.lost:
        lines += _table(
            ("Deal", "Customer", "Amount", "Closed", "Reason", *owner),
            (2,),
            (
                (
                    md(d.title),
                    md(d.customer),
                    format_money(d.amount, d.currency),
                    day_text(d.day),
                    md(d.reason.strip() or "(no reason given)"),
                    *((md(d.owner),) if everyone else ()),
                )
                for d in summary.lost
            ),
        )
        lines += _listed("lost deals", summary.lost_count, summary.lost)
    else:
        lines.append("No deal lost this week.")

    report = summary.report
    lines += ["", f"## Activity ({report.activity_total:,} interactions)", ""]
    if report.activity_total:
        lines += _table(
            ("Kind", "Interactions"), (1,), ((md(t.name), f"{t.count:,}") for t in report.activity_by_kind)
        )
        lines.append("")
        lines += _table(
            ("Person", "Interactions"),
            (1,),
            ((md(t.name), f"{t.count:,}") for t in report.activity_by_person),
        )
    else:
        lines.append("No interaction logged this week.")

    lines += ["", "## Follow-ups", ""]
    when = "at the end of the week" if summary.finished else "now"
    lines.append(f"Done this week: {summary.followups_done:,}. Overdue {when}: {summary.overdue_count:,}.")
    if summary.overdue:
        lines.append("")
        lines += _table(
            ("Due", "Follow-up", "Customer", "Deal", *owner),
            (),
            (
                (
                    day_text(f.due),
                    md(f.title),
                    md(f.customer),
                    md(f.deal),
                    *((md(f.owner),) if everyone else ()),
                )
                for f in summary.overdue
            ),
        )
        if summary.overdue_count > len(summary.overdue):
            lines += ["", f"Listed: the {len(summary.overdue)} oldest of {summary.overdue_count:,}."]

    following = summary.next_week
    lines += ["", f"## Due next week, {span_text(following.monday, following.sunday)}", ""]
    if summary.due_count:
        kinds = ", ".join(_kind_count(kind, count) for kind, count in summary.due_kinds)
        lines.append(f"{summary.due_count:,} in all: {kinds}.")
        lines.append("")
        lines += _table(
            ("Due", "What", "Who", "Why", "Deal", *owner),
            (),
            (_due_row(item, everyone) for item in summary.due_next_week),
        )
        if summary.due_count > len(summary.due_next_week):
            lines += ["", f"Listed: the first {len(summary.due_next_week)} of {summary.due_count:,}."]
    else:
        lines.append("Nothing due next week.")

    lines += ["", f"## Closing soon: expected by {day_text(summary.closing_last)}", ""]
    if summary.closing:
        lines += _table(
            ("Deal", "Customer", "Stage", "Amount", "Weighted", "Expected close", *owner),
            (3, 4),
            (
                (
                    md(d.title),
                    md(d.customer),
                    md(d.stage),
                    format_money(d.amount, d.currency),
                    format_money(d.weighted, d.currency),
                    day_text(d.day),
                    *((md(d.owner),) if everyone else ()),
                )
                for d in summary.closing
            ),
        )
        lines += _listed("open deals", summary.closing_count, summary.closing)
    else:
        lines.append("No open deal is expected to close by then.")
    return "\n".join(lines) + "\n"


def _due_row(item: AgendaItem, everyone: bool) -> tuple[str, ...]:
    due = day_text(item.due) + (f" {md(item.due_time)}" if item.due_time else "")
    deal = md(item.deal) + (f" ({md(item.stage)})" if item.deal and item.stage else "")
    return (due, md(item.what), md(item.who), md(item.why), deal, *((md(item.owner),) if everyone else ()))


def save_summary(text: str, target: Path) -> Path:
    """Write the markdown to `target` atomically: a partial file never replaces a good one."""
    from salesdesk.io.files import write_atomically

    target = Path(target).expanduser()
    write_atomically(target, lambda stream: stream.write(text.encode("utf-8")))
    return target
