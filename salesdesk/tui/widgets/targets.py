"""Targets as the screens show them: the rows of the Targets view and the Reports' panel,
a line of Today's header. Names come from the database and are shown literally; amounts
are hidden in privacy mode."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from rich.text import Text

from salesdesk.core.money import format_short
from salesdesk.core.targets import (
    MEASURES,
    MONTH,
    QUARTER,
    WON,
    MemberProgress,
    PeriodProgress,
    Progress,
    TargetPeriod,
    measure_label,
    percent_text,
    person_label,
    progress_phrase,
)
from salesdesk.i18n import _, pgettext
from salesdesk.tui.privacy import masked
from salesdesk.tui.widgets.bars import PanelRow


def headers() -> list[Text]:
    """Who, then done / target / % / a working day for won and for collected."""
    cells = [Text(pgettext("target", "Who"))]
    for measure in MEASURES:
        name = _("Won") if measure == WON else _("Collected")
        cells += [
            Text(name),
            Text(_("Target")),
            Text("%", justify="right"),
            Text(_("Per day"), justify="right"),
        ]
    return cells


def _money(private: bool):
    return lambda amount, currency: masked(format_short(amount, currency), private)


def _measure_cells(progress: Progress | None, private: bool) -> list[Text]:
    if progress is None:
        return [Text(""), Text(""), Text(""), Text("")]
    money = _money(private)
    style = "" if not progress.has_target else ("green" if progress.remaining == 0 else "")
    return [
        Text(money(progress.done, progress.currency), justify="right"),
        Text(money(progress.target, progress.currency) if progress.has_target else "–", justify="right"),
        Text(percent_text(progress), style=style, justify="right"),
        Text(_needed(progress, private), justify="right"),
    ]


def _needed(progress: Progress, private: bool) -> str:
    """What is needed a working day, the amount alone (the column says the rest)."""
    if progress.needed is None:
        return "–" if progress.has_target else ""
    if progress.needed == 0:
        return _("reached")
    return masked(format_short(progress.needed, progress.currency), private)


def currencies_of(row: MemberProgress, default: str) -> list[str]:
    """The currencies a member's rows show: those of their progress, else the default."""
    found = list(dict.fromkeys(p.currency for p in row.progress))
    return found or [default]


def member_rows(row: MemberProgress, default: str, private: bool) -> list[tuple[str, list[Text]]]:
    """A member's rows: one per currency, keyed 'person\\x1fcurrency'; the name on the first."""
    lines = []
    for index, currency in enumerate(currencies_of(row, default)):
        found = {p.measure: p for p in row.progress if p.currency == currency}
        name = person_label(row.person) if index == 0 else ""
        who = Text(name)
        cells = [who]
        for measure in MEASURES:
            cells += _measure_cells(found.get(measure), private)
        lines.append((f"{row.person}\x1f{currency}", cells))
    return lines


def report_period(first: date, last: date, quarter: bool) -> TargetPeriod:
    """The targets a Reports period is measured against: its quarter when it is a quarter,
    else the month of its last day (targets are set a month at a time)."""
    return TargetPeriod.of(QUARTER if quarter else MONTH, last)


@dataclass(frozen=True)
class PanelFacts:
    """What the Reports' Targets panel shows: the period and the rows read (None: the
    database has no target at all, and the panel is left out)."""

    period: TargetPeriod
    rows: tuple[MemberProgress, ...] | None


def read_panel(
    path: Path, user: str, clock: Callable[[], datetime], period: TargetPeriod, today: date, everyone: bool
) -> PanelFacts:
    """The user's progress (with `everyone`, each member's and the team's), on a
    connection of its own, for the Reports' worker."""
    from salesdesk.store.connection import connect
    from salesdesk.store.store import Store
    from salesdesk.store.targets import TargetStore

    db = connect(path)
    try:
        targets = TargetStore(Store(db, user, clock))
        if not targets.any():
            return PanelFacts(period, None)
        rows = targets.board(period, today, all_done=False) if everyone else [targets.progress(period, today)]
        return PanelFacts(period, tuple(rows))
    finally:
        db.close()


def panel_rows(facts: PanelFacts, private: bool, everyone: bool) -> list[PanelRow]:
    """A heading naming the period, then one row per measure and currency with a target
    (with `everyone`, per person): done / target and percent, a bar, what a working day needs."""
    money = _money(private)
    rows = [PanelRow(facts.period.label(), heading=True)]
    for member in facts.rows or ():
        for progress in member.progress:
            if not progress.has_target:
                continue
            measure = measure_label(progress.measure)
            label = f"{person_label(member.person)} · {measure}" if everyone else measure
            value = f"{money(progress.done, progress.currency)} / {money(progress.target, progress.currency)}"
            value += f" · {percent_text(progress)}"
            fraction = min((progress.percent or 0) / 100, 1.0)
            rows.append(PanelRow(label, value, fraction, _needed(progress, private)))
    return rows if len(rows) > 1 else []


def header_line(progress: Sequence[Progress], private: bool) -> str:
    """Today's header: 'Won ¥120k / ¥500k (24%), ¥19k a working day · Collected …' (only
    the measures with a target; '' when none has one)."""
    money = _money(private)
    return "  ·  ".join(progress_phrase(p, money) for p in progress if p.has_target)


def read_month_progress(
    path: Path, user: str, clock: Callable[[], datetime], today: date
) -> tuple[Progress, ...]:
    """The user's progress this month, on a connection of its own (for a worker thread)."""
    from salesdesk.store.connection import connect
    from salesdesk.store.store import Store
    from salesdesk.store.targets import TargetStore

    db = connect(path)
    try:
        return TargetStore(Store(db, user, clock)).progress(TargetPeriod.of(MONTH, today), today).progress
    finally:
        db.close()


def read_board(
    path: Path, user: str, clock: Callable[[], datetime], period: TargetPeriod, today: date
) -> PeriodProgress:
    """Each member's and the team's progress over `period`, on a connection of its own."""
    from salesdesk.store.connection import connect
    from salesdesk.store.store import Store
    from salesdesk.store.targets import TargetStore

    db = connect(path)
    try:
        targets = TargetStore(Store(db, user, clock))
        return PeriodProgress(period, targets.days_left(period, today), tuple(targets.board(period, today)))
    finally:
        db.close()
