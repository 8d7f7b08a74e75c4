"""The weekly summary as markdown (GitHub-flavoured tables), for chat, a wiki or a repository.

Every value from the database is escaped so that it reads as typed and cannot break a
table or turn into markup: markdown punctuation is backslash-escaped, and line breaks and
other control characters are shown as their visible pictures (a newline as ␊), as the
app shows them. Dates and numbers are written the same way on every machine (no locale),
and every list is sorted, so the same data always gives the same bytes.
"""

import re
from collections.abc import Callable, Iterable, Sequence
from datetime import date
from pathlib import Path

from salesdesk.core.agenda import AgendaItem
from salesdesk.core.contracts import AGE_NAMES, AGES, METHOD_NAMES
from salesdesk.core.lines import format_quantity
from salesdesk.core.model import kind_name
from salesdesk.core.money import format_money
from salesdesk.core.performance import PersonRow, attainment_text, person_name
from salesdesk.core.periods import IsoWeek, day_text, month_text, span_text
from salesdesk.core.reports import Sale, days_text, percent
from salesdesk.core.weekly import COUNT, MONEY, DealLine, Headline, WeeklySummary
from salesdesk.i18n import _, ngettext, sentences

# C0 controls and DEL as their Unicode pictures (newline -> ␊), C1 controls as U+FFFD.
_PICTURES = {code: 0x2400 + code for code in range(0x20)}
_PICTURES[0x7F] = 0x2421
_PICTURES.update({code: 0xFFFD for code in range(0x80, 0xA0)})
# What markdown (CommonMark, GitHub tables, strikethrough, math) could read as syntax.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|&~#$!])")


# The count line of "Due next week" per kind of item: '1 birthday', '3 follow-ups'.
_KIND_COUNTS: dict[str, Callable[[int], str]] = {
    "follow-up": lambda count: ngettext("{n} follow-up", "{n} follow-ups", count),
    "birthday": lambda count: ngettext("{n} birthday", "{n} birthdays", count),
    "lunar-birthday": lambda count: ngettext("{n} lunar birthday", "{n} lunar birthdays", count),
    "renewal": lambda count: ngettext("{n} contract renewal", "{n} contract renewals", count),
    "holiday": lambda count: ngettext("{n} holiday greeting", "{n} holiday greetings", count),
    "dormant": lambda count: ngettext("{n} dormant customer", "{n} dormant customers", count),
    "repeat": lambda count: ngettext("{n} repeat buyer", "{n} repeat buyers", count),
    "check-in": lambda count: ngettext("{n} check-in", "{n} check-ins", count),
    "new-lead": lambda count: ngettext("{n} new lead", "{n} new leads", count),
    "rotting": lambda count: ngettext("{n} rotting deal", "{n} rotting deals", count),
    "receivable": lambda count: ngettext("{n} instalment to collect", "{n} instalments to collect", count),
}


def _kind_count(kind: str, count: int) -> str:
    n = f"{count:,}"
    words = _KIND_COUNTS.get(kind)
    return words(count).format(n=n) if words else f"{n} {md(kind)}"


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
    return _("{points} pts").format(points=f"{points:+g}" if points else "0")


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
            cut.append(
                _("the {listed} largest of {total} in {currency}").format(
                    listed=listed, total=f"{total:,}", currency=code
                )
            )
    return ["", _("Listed: {which} {what}.").format(which=_(" and ").join(cut), what=what)] if cut else []


def render_weekly(summary: WeeklySummary) -> str:
    """The summary as markdown text, ending with a newline."""
    everyone = summary.everyone
    whose = _("Everyone") if everyone else md(summary.user)
    week = summary.week
    span = span_text(week.monday, week.sunday)
    lines = [_("# {whose}: week {week}, {span}").format(whose=whose, week=week, span=span), ""]
    if everyone:
        scope = _("Everyone's deals, interactions and follow-ups, Monday to Sunday (UTC days).")
    else:
        scope = _(
            "The deals {user} owns, the interactions {user} logged and {user}'s follow-ups, "
            "Monday to Sunday (UTC days)."
        ).format(user=md(summary.user))
    so_far = (
        "" if summary.finished else _("The week so far, up to {day}.").format(day=day_text(summary.today))
    )
    lines.append(sentences(scope, so_far, _("Amounts are shown in their own currency, never converted.")))

    lines += ["", _("## Headline"), ""]
    lines += _table(
        (_("Figure"), _("This week"), _("Week before"), _("Change")),
        (1, 2, 3),
        (
            (row.label, _figure(row, row.this), _figure(row, row.before), _change(row))
            for row in summary.headline
        ),
    )

    lines += ["", _("## Stage moves"), ""]
    if summary.moves:
        lines += _table(
            (_("From"), _("To"), _("Deals"), _("Value")),
            (2, 3),
            ((md(m.from_name), md(m.to_name), f"{m.count:,}", _amounts(m.amounts)) for m in summary.moves),
        )
    else:
        lines.append(_("No deal moved this week."))

    owner = (_("Owner"),) if everyone else ()
    lines += ["", _("## Won ({n})").format(n=f"{sum(summary.won_count.values()):,}"), ""]
    if summary.won:
        lines += _table(
            (_("Deal"), _("Customer"), _("Amount"), _("Closed"), _("Stage"), *owner),
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
        lines += _listed(_("won deals"), summary.won_count, summary.won)
    else:
        lines.append(_("No deal won this week."))

    lines += ["", _("## Lost ({n})").format(n=f"{sum(summary.lost_count.values()):,}"), ""]
    if summary.lost:
        lines += _table(
            (_("Deal"), _("Customer"), _("Amount"), _("Closed"), _("Reason"), *owner),
            (2,),
            (
                (
                    md(d.title),
                    md(d.customer),
                    format_money(d.amount, d.currency),
                    day_text(d.day),
                    md(d.reason.strip() or _("(no reason given)")),
                    *((md(d.owner),) if everyone else ()),
                )
                for d in summary.lost
            ),
        )
        lines += _listed(_("lost deals"), summary.lost_count, summary.lost)
    else:
        lines.append(_("No deal lost this week."))

    lines += _products(summary)
    lines += _quotes(summary)
    lines += _collections(summary)
    lines += _cases(summary)
    lines += _targets(summary)

    report = summary.report
    total = report.activity_total
    lines += [
        "",
        ngettext("## Activity ({n} interaction)", "## Activity ({n} interactions)", total).format(
            n=f"{total:,}"
        ),
        "",
    ]
    if report.activity_total:
        lines += _table(
            (_("Kind"), _("Interactions")),
            (1,),
            ((md(kind_name(t.name)), f"{t.count:,}") for t in report.activity_by_kind),
        )
        lines.append("")
        lines += _table(
            (_("Person"), _("Interactions")),
            (1,),
            ((md(t.name), f"{t.count:,}") for t in report.activity_by_person),
        )
    else:
        lines.append(_("No interaction logged this week."))
    lines += _team(summary)

    lines += ["", _("## Follow-ups"), ""]
    done, overdue = f"{summary.followups_done:,}", f"{summary.overdue_count:,}"
    lines.append(
        _("Done this week: {done}. Overdue at the end of the week: {overdue}.").format(
            done=done, overdue=overdue
        )
        if summary.finished
        else _("Done this week: {done}. Overdue now: {overdue}.").format(done=done, overdue=overdue)
    )
    if summary.overdue:
        lines.append("")
        lines += _table(
            (_("Due"), _("Follow-up"), _("Customer"), _("Deal"), *owner),
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
            lines += [
                "",
                _("Listed: the {shown} oldest of {total}.").format(
                    shown=len(summary.overdue), total=f"{summary.overdue_count:,}"
                ),
            ]

    following = summary.next_week
    span = span_text(following.monday, following.sunday)
    lines += ["", _("## Due next week, {span}").format(span=span), ""]
    if summary.due_count:
        kinds = _(", ").join(_kind_count(kind, count) for kind, count in summary.due_kinds)
        lines.append(_("{n} in all: {kinds}.").format(n=f"{summary.due_count:,}", kinds=kinds))
        lines.append("")
        lines += _table(
            (_("Due"), _("What"), _("Who"), _("Why"), _("Deal"), *owner),
            (),
            (_due_row(item, everyone) for item in summary.due_next_week),
        )
        if summary.due_count > len(summary.due_next_week):
            lines += [
                "",
                _("Listed: the first {shown} of {total}.").format(
                    shown=len(summary.due_next_week), total=f"{summary.due_count:,}"
                ),
            ]
    else:
        lines.append(_("Nothing due next week."))

    lines += ["", _("## Closing soon: expected by {day}").format(day=day_text(summary.closing_last)), ""]
    if summary.closing:
        lines += _table(
            (_("Deal"), _("Customer"), _("Stage"), _("Amount"), _("Weighted"), _("Expected close"), *owner),
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
        lines += _listed(_("open deals"), summary.closing_count, summary.closing)
    else:
        lines.append(_("No open deal is expected to close by then."))
    return "\n".join(lines) + "\n"


def _quantity(sale: Sale) -> str:
    if sale.other:
        return "–"
    return format_quantity(sale.quantity_milli) + (f" {md(sale.unit)}" if sale.unit else "")


def _products(summary: WeeklySummary) -> list[str]:
    """The products won this week, the most revenue first, and the revenue by category."""
    lines = ["", _("## Products won"), ""]
    if not summary.products:
        return [*lines, _("No deal won this week has lines.")]
    lines.append(
        _(
            "From the lines of the deals won this week, per currency; lines without a product "
            "are counted together as other lines."
        )
    )
    lines.append("")
    lines += _table(
        (_("Product"), _("Code"), _("Category"), _("Quantity"), _("Deals"), _("Revenue")),
        (3, 4, 5),
        (
            (
                md(sale.name),
                "–" if sale.other else md(sale.code),
                "–" if sale.other else md(sale.category),
                _quantity(sale),
                "–" if sale.other else f"{sale.deals:,}",
                format_money(sale.amount, code),
            )
            for code, sales in summary.products.items()
            for sale in sales
        ),
    )
    cut = []
    for code, total in summary.product_count.items():
        listed = sum(1 for sale in summary.products[code] if not sale.other)
        if total > listed:
            cut.append(
                _("the {listed} with the most revenue of {total} products sold in {currency}").format(
                    listed=listed, total=f"{total:,}", currency=code
                )
            )
    if cut:
        lines += ["", _("Listed: {which}.").format(which=_(" and ").join(cut))]
    lines += ["", _("## Won by category"), ""]
    lines += _table(
        (_("Category"), _("Revenue")),
        (1,),
        (
            (md(sale.name), format_money(sale.amount, code))
            for code, sales in summary.categories.items()
            for sale in sales
        ),
    )
    return lines


def _quotes(summary: WeeklySummary) -> list[str]:
    quotes = summary.quotes
    lines = ["", _("## Quotes"), ""]
    lines.append(
        _(
            "Accepted: the deal was won after the quote was sent. Expired: its last valid day "
            "was this week, before today, and it was not accepted. A version replaced by a "
            "later one is neither."
        )
    )
    lines.append("")
    lines += _table(
        (_("Quotes"), _("Count"), _("Value")),
        (1, 2),
        (
            (_("Sent"), f"{quotes.sent.count:,}", _amounts(quotes.sent.amounts)),
            (_("Accepted"), f"{quotes.accepted.count:,}", _amounts(quotes.accepted.amounts)),
            (_("Expired"), f"{quotes.expired.count:,}", _amounts(quotes.expired.amounts)),
        ),
    )
    return lines


def _heading(words: str) -> str:
    """A column's name from words written to go in a sentence: 'not yet due' -> 'Not yet due'."""
    return words[:1].upper() + words[1:]


def _money(amount: int, currency: str) -> str:
    """An amount of money, a refund with its minus sign in front: '-$1,000'."""
    return "-" + format_money(-amount, currency) if amount < 0 else format_money(amount, currency)


def _collections(summary: WeeklySummary) -> list[str]:
    """Money collected this week and the week before, what is owed by age, the receipts of
    the week and the instalments that became overdue in it."""
    money = summary.collections
    everyone = summary.everyone
    person = (_("Person"),) if everyone else ()
    lines = ["", _("## Money collected"), ""]
    lines.append(
        _(
            "Receipts received, refunds taken off; what contracts are owed on {day}, by how "
            "late each instalment is."
        ).format(day=day_text(summary.today))
    )
    lines.append("")
    codes = [code for code in summary.currencies if code in money.collected or code in money.collected_before]
    if codes:
        lines += _table(
            (_("Currency"), _("This week"), _("Week before"), _("Change")),
            (1, 2, 3),
            (
                (
                    code,
                    _money(money.collected.get(code, 0), code),
                    _money(money.collected_before.get(code, 0), code),
                    _signed(money.collected.get(code, 0) - money.collected_before.get(code, 0), code),
                )
                for code in codes
            ),
        )
    else:
        lines.append(_("No money received this week or the week before."))
    lines.append("")
    if money.by_age:
        lines += _table(
            (_("Currency"), _("Outstanding"), *(_heading(_(AGE_NAMES[age])) for age in AGES), _("Overdue")),
            range(1, len(AGES) + 3),
            (
                (
                    code,
                    format_money(money.outstanding[code], code),
                    *(format_money(ages[age], code) for age in AGES),
                    format_money(money.overdue[code], code),
                )
                for code, ages in money.by_age.items()
            ),
        )
    else:
        lines.append(_("No contract is owed money."))

    lines += ["", _("### Receipts this week ({n})").format(n=f"{summary.receipt_count:,}"), ""]
    if summary.receipts:
        lines += _table(
            (_("Received"), _("Customer"), _("Contract"), _("Amount"), _("Method"), *person),
            (3,),
            (
                (
                    day_text(r.received_on),
                    md(r.customer),
                    md(r.number) or "–",
                    _money(r.amount, r.currency),
                    _(METHOD_NAMES[r.method]) if r.method in METHOD_NAMES else md(r.method),
                    *((md(r.person),) if everyone else ()),
                )
                for r in summary.receipts
            ),
        )
        if summary.receipt_count > len(summary.receipts):
            lines += [
                "",
                _("Listed: the first {shown} of {total}.").format(
                    shown=len(summary.receipts), total=f"{summary.receipt_count:,}"
                ),
            ]
    else:
        lines.append(_("No money received this week."))

    lines += ["", _("### Became overdue this week ({n})").format(n=f"{summary.late_count:,}"), ""]
    if summary.late:
        lines.append(
            _("Instalments that fell due and are still not fully paid on {day}.").format(
                day=day_text(summary.today)
            )
        )
        lines.append("")
        lines += _table(
            (_("Due"), _("Customer"), _("Contract"), _("Outstanding"), *person),
            (3,),
            (
                (
                    day_text(late.due_on),
                    md(late.customer),
                    md(late.number) or "–",
                    format_money(late.outstanding, late.currency),
                    *((md(late.person),) if everyone else ()),
                )
                for late in summary.late
            ),
        )
        if summary.late_count > len(summary.late):
            lines += [
                "",
                _("Listed: the {shown} oldest of {total}.").format(
                    shown=len(summary.late), total=f"{summary.late_count:,}"
                ),
            ]
    else:
        lines.append(_("No instalment became overdue this week."))
    return lines


def _cases(summary: WeeklySummary) -> list[str]:
    cases = summary.cases
    lines = ["", _("## After-sales cases"), ""]
    lines += _table(
        (_("Cases"), _("How many")),
        (1,),
        (
            (_("Opened this week"), f"{cases.opened:,}"),
            (_("Closed this week"), f"{cases.closed:,}"),
            (_("Open or waiting now"), f"{cases.open_now:,}"),
        ),
    )
    return lines


def _targets(summary: WeeklySummary) -> list[str]:
    """This month's and this quarter's progress against the targets: the person's, or (for
    everyone) each member's and the team's, one row per measure and currency with a target.
    Left out when no target is set at all."""
    from salesdesk.core.targets import measure_label, needed_text, percent_text, person_label
    from salesdesk.i18n import ngettext

    if not summary.targets:
        return []
    everyone = summary.everyone
    lines = ["", _("## Targets"), ""]
    lines.append(
        _("Won value and money collected against the targets, as of {day}.").format(
            day=day_text(summary.today)
        )
    )
    for found in summary.targets:
        left = ngettext("{n} working day left", "{n} working days left", found.days_left).format(
            n=found.days_left
        )
        lines += ["", _("### {period} ({left})").format(period=found.period.label(), left=left), ""]
        rows = [
            (
                *((md(person_label(member.person)),) if everyone else ()),
                measure_label(progress.measure),
                _money(progress.done, progress.currency),
                _money(progress.target, progress.currency),
                percent_text(progress),
                _money(progress.needed, progress.currency)
                if progress.needed
                else needed_text(progress, _money),
            )
            for member in found.rows
            for progress in member.progress
            if progress.has_target
        ]
        if not rows:
            lines.append(_("No targets set for {period}.").format(period=found.period.label()))
            continue
        person = (_("Person"),) if everyone else ()
        headers = (*person, _("Measure"), _("Done"), _("Target"), "%", _("Needed a working day"))
        lines += _table(headers, (len(person) + 1, len(person) + 2, len(person) + 3), rows)
    return lines


def _money_cell(amounts: dict[str, int]) -> str:
    """Amounts in their currencies in one cell, a refund with its minus sign: '$1,200 · ¥8,000'."""
    return " · ".join(_money(amount, code) for code, amount in amounts.items()) or "–"


def _team_cells(row: PersonRow) -> tuple[str, ...]:
    return (
        person_name(row, md),
        f"{row.new_leads:,}",
        *(f"{count:,}" for count in row.interactions.values()),
        f"{row.moved:,}",
        f"{row.won:,}",
        _money_cell(row.won_value),
        f"{row.lost:,}",
        percent(row.win_rate),
        days_text(row.days_to_win),
        _money_cell(row.collected),
        attainment_text(row),
    )


def _team(summary: WeeklySummary) -> list[str]:
    """Everyone's summary: a row per person and the team's, as one table."""
    team = summary.team
    if team is None:
        return []
    months = _(", ").join(month_text(date.fromisoformat(f"{month}-01")) for month in team.months)
    lines = ["", _("## Team"), ""]
    lines.append(
        _(
            "Per person: customers made this week they own, interactions they logged, stage "
            "moves they made, their deals won and lost, money collected on the contracts they "
            "are the person of, and won value against their won targets of {months}. The team "
            "row adds everyone up; its rates come from the sums."
        ).format(months=months)
    )
    lines.append("")
    kinds = tuple(team.team.interactions)
    lines += _table(
        (
            _("Person"),
            _("Leads added"),
            *(_heading(kind_name(kind)) for kind in kinds),
            _("Deals moved"),
            _("Won"),
            _("Won value"),
            _("Lost"),
            _("Win rate"),
            _("Days to win"),
            _("Collected"),
            _("Of target"),
        ),
        range(1, len(kinds) + 11),
        (_team_cells(row) for row in (*team.rows, team.team)),
    )
    return lines


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
