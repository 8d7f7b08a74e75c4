"""The Reports screen: a period's funnel, stage times, revenue, forecast and activity, won
revenue by product and by category and the quotes sent, accepted and expired, the money
collected and what contracts are owed (by age, customer and person, expected by month
beside the weighted forecast), as bars in the terminal, and the weekly summary written to
a file with one key. The panels of money collected are left out while no contract has an
amount, so a team that does not use contracts sees the screen as before; they are read
after the rest (a second read on the same worker: what is owed means every owed
contract's plan and receipts), and say "loading…" until then. Everyone's figures (`m`)
come with the team table above the panels, a line per person and the team's
(`salesdesk.tui.widgets.team_table`), read after the rest of the report too.

The figures come from `ReportStore` (the same ones the weekly summary prints), read by a
worker on a connection of its own: a year of a large database takes a moment.
"""

from datetime import date
from pathlib import Path
from typing import Any

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from salesdesk.core.contracts import AGE_NAMES
from salesdesk.core.lines import format_quantity
from salesdesk.core.model import kind_name
from salesdesk.core.money import format_money, format_short
from salesdesk.core.performance import Performance
from salesdesk.core.periods import (
    DAYS,
    DEFAULT_PRESET,
    PRESETS,
    QUARTER,
    WEEK,
    IsoWeek,
    Period,
    day_text,
    preset_period,
)
from salesdesk.core.reports import Collections, Receivable, Report, Sale, days_text, percent
from salesdesk.i18n import N_, _, ngettext
from salesdesk.store.performance import team_performance
from salesdesk.store.reports import ReportStore
from salesdesk.store.store import Store
from salesdesk.tui.privacy import HIDDEN, privacy_on
from salesdesk.tui.widgets.bars import PanelRow, ReportPanel
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys
from salesdesk.tui.widgets.team_table import TeamTable

PANELS = {  # id -> title; the left column, then the right
    "summary": N_("Won, lost and customers"),
    "collected": N_("Money collected: this period · the one before"),
    "receivables": N_("Owed today by age (contracts)"),
    "owed-customers": N_("Owed by customer: outstanding · overdue"),
    "owed-people": N_("Owed by person: outstanding · overdue"),
    "quotes": N_("Quotes: sent, accepted (deal won), expired"),
    "funnel": N_("Funnel: deals entering each stage · moved on"),
    "stage-days": N_("Days in each stage: median · average (stays)"),
    "probability": N_("Win probability: set · seen from the stage"),
    "reasons": N_("Lost reasons"),
    "activity": N_("Activity"),
    "by-week": N_("Won by week"),
    "by-month": N_("Won by month"),
    "products": N_("Won by product: revenue · quantity"),
    "categories": N_("Won by category"),
    "top-quantity": N_("Top products by quantity: sold · deals"),
    "expected": N_("Expected by month: collections · weighted open deals"),
    "forecast": N_("Weighted forecast by expected close (open deals now)"),
    "targets": N_("Targets: done / target · percent, needed a working day"),
}
# The panels of contracts and the money collected: left out while no contract has an amount.
MONEY_PANELS = ("collected", "receivables", "owed-customers", "owed-people", "expected")
# The periods of core.periods.PRESETS as the status line names them.
PRESET_NAMES = {
    "last 90 days": N_("Last 90 days"),
    "last 30 days": N_("Last 30 days"),
    "last 365 days": N_("Last 365 days"),
    "this week": N_("This week"),
    "last week": N_("Last week"),
    "this quarter": N_("This quarter"),
    "last quarter": N_("Last quarter"),
}
LEFT = (
    "summary",
    "collected",
    "receivables",
    "owed-customers",
    "owed-people",
    "quotes",
    "funnel",
    "stage-days",
    "probability",
    "reasons",
    "activity",
)
RIGHT = ("by-week", "by-month", "products", "categories", "top-quantity", "expected", "forecast", "targets")
SHOWN_PRODUCTS = 10  # products a panel lists per currency (and the other lines), by quantity


def _fraction(value: float | None, most: float) -> float | None:
    """`value` as a share of the largest, for its bar; None draws no bar."""
    if value is None:
        return None
    return value / most if most else 0.0


class ReportsScreen(Screen):
    BINDINGS = [
        Binding("p", "cycle_period(1)", N_("Period"), id="reports.period"),
        Binding("P", "cycle_period(-1)", N_("Period back"), id="reports.period_back", show=False),
        Binding("left_square_bracket", "shift(-1)", N_("Earlier"), key_display="[", id="reports.earlier"),
        Binding("right_square_bracket", "shift(1)", N_("Later"), key_display="]", id="reports.later"),
        Binding(
            "m",
            "toggle_mine",
            N_("Mine/all"),
            tooltip=N_("Mine, or everyone's with the team table"),
            id="reports.mine",
        ),
        Binding("x", "export", N_("Export week"), id="reports.export"),
    ]

    class Loaded(Message):
        def __init__(self, report: Report, generation: int):
            super().__init__()
            self.report = report
            self.generation = generation

    class TargetsLoaded(Message):
        """The targets panel's progress (tui.widgets.targets), read after the report."""

        def __init__(self, facts: Any, generation: int):
            super().__init__()
            self.facts = facts
            self.generation = generation

    class TeamLoaded(Message):
        """Everyone's performance over the period, for the team table."""

        def __init__(self, performance: Performance, generation: int):
            super().__init__()
            self.performance = performance
            self.generation = generation

    class MoneyLoaded(Message):
        """The money collected, read after the rest of the report (it is the slowest part)."""

        def __init__(self, collections: Collections, generation: int):
            super().__init__()
            self.collections = collections
            self.generation = generation

    def __init__(self, store: Store, *, user: str, today: date, folder: Path | None = None):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.user = user
        self.today = today
        self.folder = folder  # None: the export folder of the settings
        self.preset = DEFAULT_PRESET
        self.steps = 0  # periods back (negative) or forward from the preset's
        self.everyone = False
        self.report: Report | None = None
        self.targets: Any = None  # tui.widgets.targets.PanelFacts, once read
        self.collections: Collections | None = None  # None: being read
        self.team: Performance | None = None  # everyone's, for the team table; None: being read
        self.exported: Path | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="reports-status", markup=False)
        # Above the panels: at the foot of the screen the notification would cover it.
        yield Static("", id="reports-export", markup=False)
        with VerticalScroll(id="reports-body"):
            yield TeamTable(id="team-table")
            with Horizontal(id="reports-columns"):
                for column, ids in (("reports-left", LEFT), ("reports-right", RIGHT)):
                    with Vertical(id=column, classes="reports-column"):
                        for panel_id in ids:
                            yield ReportPanel(_(PANELS[panel_id]), id=f"panel-{panel_id}")
        yield KeyBar()

    def on_mount(self) -> None:
        self._path = ReportStore(self.store).path
        self.watch(self.app, "privacy", lambda _: self._show(), init=False)
        self.watch(self.app, "privacy", lambda _: self._show_targets(), init=False)
        self.query_one("#reports-export").display = False
        self._panel("targets").display = False  # until targets are read, and only if any is set
        self.query_one(TeamTable).display = False
        self.query_one("#reports-body").focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.report is not None:
            self.reload()

    # -- the period ---------------------------------------------------------------------

    @property
    def period(self) -> Period:
        period = preset_period(self.preset, self.today)
        for _step in range(abs(self.steps)):
            period = period.previous() if self.steps < 0 else period.next()
        return period

    @property
    def week(self) -> IsoWeek:
        """The week the export writes: the one shown, if a week is shown; else this week."""
        period = self.period
        return IsoWeek.of(period.first) if period.kind == WEEK else IsoWeek.of(self.today)

    def action_cycle_period(self, step: int) -> None:
        self.preset = PRESETS[(PRESETS.index(self.preset) + step) % len(PRESETS)]
        self.steps = 0
        self.reload()

    def action_shift(self, step: int) -> None:
        if step > 0 and self.period.last >= self.today:
            self.notify(_("This period already reaches today."), severity="warning")
            return
        self.steps += step
        self.reload()

    def action_toggle_mine(self) -> None:
        self.everyone = not self.everyone
        self.reload()

    # -- loading ------------------------------------------------------------------------

    def reload(self) -> None:
        self._generation += 1
        self._update_status(loading=True)
        self._load(self._generation, self.period, self.everyone)

    @work(thread=True, group="reports")
    def _load(self, generation: int, period: Period, everyone: bool) -> None:
        report = ReportStore.load_from(
            self._path,
            self.user,
            self.store.clock,
            lambda reports: reports.report(period, self.today, everyone=everyone, money=False),
        )
        self.post_message(self.Loaded(report, generation))
        from salesdesk.tui.widgets.targets import read_panel, report_period

        chosen = report_period(period.first, period.last, period.kind == QUARTER)
        facts = read_panel(self._path, self.user, self.store.clock, chosen, self.today, everyone)
        self.post_message(self.TargetsLoaded(facts, generation))
        if everyone:
            performance = ReportStore.load_from(
                self._path,
                self.user,
                self.store.clock,
                lambda reports: team_performance(reports.store, period),
            )
            self.post_message(self.TeamLoaded(performance, generation))
        if report.collections.contracts:
            collections = ReportStore.load_from(
                self._path,
                self.user,
                self.store.clock,
                lambda reports: reports.collections(period, self.today, everyone=everyone),
            )
            self.post_message(self.MoneyLoaded(collections, generation))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.generation != self._generation:
            return  # a newer load is on its way
        self.report = event.report
        self.collections = None
        self.team = None
        self._show()
        self._update_status()

    @on(TargetsLoaded)
    def _targets_loaded(self, event: TargetsLoaded) -> None:
        if event.generation == self._generation:
            self.targets = event.facts
            self._show_targets()

    def _show_targets(self) -> None:
        from salesdesk.tui.widgets.targets import panel_rows

        panel = self._panel("targets")
        panel.display = self.targets is not None and self.targets.rows is not None
        if panel.display:
            empty = _("No targets set for {period}.").format(period=self.targets.period.label())
            panel.show(panel_rows(self.targets, privacy_on(self), self.everyone), empty)

    @on(TeamLoaded)
    def _team_loaded(self, event: TeamLoaded) -> None:
        if event.generation != self._generation:
            return
        self.team = event.performance
        self._show_team()

    def _show_team(self) -> None:
        table = self.query_one(TeamTable)
        table.display = self.everyone
        if self.everyone:
            table.show(self.team, hidden=privacy_on(self))

    @on(MoneyLoaded)
    def _money_loaded(self, event: MoneyLoaded) -> None:
        if event.generation != self._generation:
            return
        self.collections = event.collections
        if self.report is not None:
            self._show_collections(self.report)

    def _update_status(self, loading: bool = False) -> None:
        period = self.period
        if self.steps == 0:
            name = _(PRESET_NAMES[self.preset]) if self.preset in PRESET_NAMES else self.preset.capitalize()
            shown = _("{period}: {span}").format(
                period=name, span=period.span() if period.kind == DAYS else period.describe()
            )
        else:
            shown = period.describe()
        parts = [shown, _("everyone's") if self.everyone else _("mine")]
        if loading:
            parts.append(_("loading…"))
        self.query_one("#reports-status", Static).update("  ·  ".join(parts))

    # -- the export ---------------------------------------------------------------------

    def action_export(self) -> None:
        """The week's summary, written to the export folder (the whole path is shown after)."""
        from salesdesk.tui.exports import start_export, write_weekly

        week, everyone, today, folder = self.week, self.everyone, self.today, self.folder

        def work(store: Store, setting: str) -> tuple[Path, str]:
            return write_weekly(store, week, today, str(folder) if folder else setting, everyone)

        start_export(self, "weekly", work, self._exported)

    def _exported(self, path: Path) -> None:
        self.exported = path
        line = self.query_one("#reports-export", Static)
        line.update(_("Weekly summary written to {path}").format(path=path))
        line.display = True

    # -- drawing ------------------------------------------------------------------------

    def _panel(self, panel_id: str) -> ReportPanel:
        return self.query_one(f"#panel-{panel_id}", ReportPanel)

    def _money(self, amount: int, currency: str, short: bool = False) -> str:
        if privacy_on(self):
            return HIDDEN
        return format_short(amount, currency) if short else format_money(amount, currency)

    def _amounts(self, amounts: dict[str, int]) -> str:
        return "  ".join(self._money(amount, code, short=True) for code, amount in amounts.items())

    def _show(self) -> None:
        report = self.report
        if report is None:
            return
        self._panel("summary").show(self._summary_rows(report))
        most = max((step.entered for step in report.funnel), default=0)
        self._panel("funnel").show(
            [
                PanelRow(
                    step.stage.name,
                    f"{step.entered:,}  → {percent(step.share)}"
                    if step.advanced is not None
                    else f"{step.entered:,}",
                    _fraction(step.entered, most),
                )
                for step in report.funnel
            ]
        )
        slowest = max((time.median or 0 for time in report.stage_times), default=0)
        self._panel("stage-days").show(
            [
                PanelRow(
                    time.stage.name,
                    f"{days_text(time.median)} · {days_text(time.average)} ({time.visits:,})",
                    _fraction(time.median, slowest),
                    _("◀ bottleneck") if time.bottleneck else "",
                )
                for time in report.stage_times
            ]
        )
        self._panel("probability").show(
            [
                PanelRow(
                    check.stage.name,
                    _("{set}% · {seen}  ({n} closed)").format(
                        set=check.configured, seen=percent(check.observed), n=f"{check.closed:,}"
                    ),
                    check.observed,
                )
                for check in report.probabilities
            ]
        )
        top = max((reason.count for reason in report.lost_reasons), default=0)
        self._panel("reasons").show(
            [
                PanelRow(
                    reason.reason,
                    f"{reason.count:,}  {self._amounts(reason.amounts)}",
                    _fraction(reason.count, top),
                )
                for reason in report.lost_reasons
            ]
        )
        self._panel("activity").show(self._activity_rows(report))
        nothing = _("Nothing won in this period.")
        self._panel("by-week").show(self._bucket_rows(report.won_by_week), nothing)
        self._panel("by-month").show(self._bucket_rows(report.won_by_month), nothing)
        self._panel("forecast").show(self._forecast_rows(report), _("No open deals."))
        no_lines = _("No deal won in this period has lines.")
        self._panel("products").show(self._sale_rows(report.by_product, products=True), no_lines)
        self._panel("categories").show(self._sale_rows(report.by_category, products=False), no_lines)
        self._panel("top-quantity").show(self._quantity_rows(report), no_lines)
        self._panel("quotes").show(self._quote_rows(report))
        self._show_collections(report)
        self._show_team()

    def _summary_rows(self, report: Report) -> list[PanelRow]:
        closed = report.won.count + report.lost.count
        customers = report.customers
        return [
            PanelRow(
                _("Win rate"),
                ngettext("{share} of {n} closed", "{share} of {n} closed", closed).format(
                    share=percent(report.win_rate), n=f"{closed:,}"
                )
                if closed
                else _("no deal closed"),
                report.win_rate,
            ),
            PanelRow(_("Won"), f"{report.won.count:,}  {self._amounts(report.won.amounts)}".rstrip()),
            PanelRow(_("Lost"), f"{report.lost.count:,}  {self._amounts(report.lost.amounts)}".rstrip()),
            PanelRow(
                _("Repeat purchase"),
                ngettext("{share} of {n} buyers", "{share} of {n} buyers", customers.buyers).format(
                    share=percent(report.repeat_rate), n=f"{customers.buyers:,}"
                )
                if customers.buyers
                else _("no buyer"),
                report.repeat_rate,
            ),
            PanelRow(
                _("Retention"),
                ngettext(
                    "{share} of {n} earlier buyers",
                    "{share} of {n} earlier buyers",
                    customers.previous_buyers,
                ).format(share=percent(report.retention_rate), n=f"{customers.previous_buyers:,}")
                if customers.previous_buyers
                else _("no earlier buyer"),
                report.retention_rate,
            ),
        ]

    def _activity_rows(self, report: Report) -> list[PanelRow]:
        if not report.activity_total:
            return []
        total = f"{report.activity_total:,}"
        rows = [PanelRow(_("By kind ({n} in all)").format(n=total), heading=True)]
        most = max(tally.count for tally in report.activity_by_kind)
        rows += [
            PanelRow(kind_name(t.name), f"{t.count:,}", _fraction(t.count, most))
            for t in report.activity_by_kind
        ]
        rows.append(PanelRow(_("By person"), heading=True))
        most = max(tally.count for tally in report.activity_by_person)
        rows += [
            PanelRow(t.name, f"{t.count:,}", _fraction(t.count, most)) for t in report.activity_by_person
        ]
        return rows

    def _bucket_rows(self, buckets: dict) -> list[PanelRow]:
        rows = []
        for currency, series in buckets.items():
            rows.append(PanelRow(currency, heading=True))
            most = max(bucket.amount for bucket in series)
            rows += [
                PanelRow(
                    bucket.label,
                    self._money(bucket.amount, currency, short=True),
                    _fraction(bucket.amount, most),
                )
                for bucket in series
            ]
        return rows

    def _forecast_rows(self, report: Report) -> list[PanelRow]:
        rows = []
        for currency, months in report.forecast.items():
            total = report.open_pipeline[currency]
            rows.append(
                PanelRow(
                    _("{currency}: {n} open, {weighted} weighted of {amount}").format(
                        currency=currency,
                        n=f"{total.count:,}",
                        weighted=self._money(total.weighted, currency),
                        amount=self._money(total.amount, currency),
                    ),
                    heading=True,
                )
            )
            most = max(month.weighted for month in months)
            rows += [
                PanelRow(
                    month.label,
                    _("{weighted} of {amount}").format(
                        weighted=self._money(month.weighted, currency, short=True),
                        amount=self._money(month.amount, currency, short=True),
                    ),
                    _fraction(month.weighted, most),
                )
                for month in months
            ]
        return rows

    def _sale_rows(self, sales: dict[str, tuple[Sale, ...]], *, products: bool) -> list[PanelRow]:
        """Per currency, the products (or categories) with the most revenue, the other lines last."""
        rows = []
        for currency, series in sales.items():
            rows.append(PanelRow(currency, heading=True))
            named = [sale for sale in series if not sale.other]
            shown = named[:SHOWN_PRODUCTS] if products else named
            most = max(sale.amount for sale in series)
            for sale in shown:
                value = self._money(sale.amount, currency, short=True)
                if products:
                    value += f" · {_quantity(sale)}"
                rows.append(PanelRow(sale.name, value, _fraction(sale.amount, most)))
            if len(named) > len(shown):
                more = len(named) - len(shown)
                rows.append(
                    PanelRow(
                        ngettext("and {n} more product", "and {n} more products", more).format(n=f"{more:,}")
                    )
                )
            rows += [
                PanelRow(
                    sale.name, self._money(sale.amount, currency, short=True), _fraction(sale.amount, most)
                )
                for sale in series
                if sale.other
            ]
        return rows

    def _quantity_rows(self, report: Report) -> list[PanelRow]:
        top = report.top_quantity[:SHOWN_PRODUCTS]
        most = max((sale.quantity_milli for sale in top), default=0)
        return [
            PanelRow(
                sale.name,
                ngettext("{quantity} · {n} deal", "{quantity} · {n} deals", sale.deals).format(
                    quantity=_quantity(sale), n=f"{sale.deals:,}"
                ),
                _fraction(sale.quantity_milli, most),
            )
            for sale in top
        ]

    def _quote_rows(self, report: Report) -> list[PanelRow]:
        quotes = report.quotes
        figures = ((_("Sent"), quotes.sent), (_("Accepted"), quotes.accepted), (_("Expired"), quotes.expired))
        most = max(totals.count for _label, totals in figures)
        return [
            PanelRow(
                label,
                f"{totals.count:,}  {self._amounts(totals.amounts)}".rstrip(),
                _fraction(totals.count, most),
            )
            for label, totals in figures
        ]

    # -- money collected ----------------------------------------------------------------

    def _signed(self, amount: int, currency: str) -> str:
        """A short amount, a refund with its minus sign in front: '-$1k'."""
        if amount < 0 and not privacy_on(self):
            return "-" + self._money(-amount, currency, short=True)
        return self._money(amount, currency, short=True)

    def _show_collections(self, report: Report) -> None:
        shown = report.collections.contracts
        for panel_id in MONEY_PANELS:
            self._panel(panel_id).display = shown
        if not shown:
            return
        money = self.collections
        if money is None:
            for panel_id in MONEY_PANELS:
                self._panel(panel_id).show([], _("loading…"))
            return
        self._panel("collected").show(self._collected_rows(money))
        self._panel("receivables").show(
            self._age_rows(money), _("No contract is owed money on {day}.").format(day=day_text(report.today))
        )
        nothing = _("No contract is owed money.")
        self._panel("owed-customers").show(self._owed_rows(money.by_customer), nothing)
        self._panel("owed-people").show(self._owed_rows(money.by_person), nothing)
        self._panel("expected").show(self._expected_rows(money), nothing)

    def _collected_rows(self, money: Collections) -> list[PanelRow]:
        codes = [*money.collected, *(code for code in money.collected_before if code not in money.collected)]
        rows = []
        for code in codes:
            this, before = money.collected.get(code, 0), money.collected_before.get(code, 0)
            # No bar: a bar would compare currencies, which are never added or compared.
            rows.append(PanelRow(code, f"{self._signed(this, code)} · {self._signed(before, code)}"))
        if not rows:
            rows.append(PanelRow(_("Nothing received")))
        rows.append(
            PanelRow(
                _("Signed → paid in full"),
                ngettext(
                    "{days} median of {n} contract", "{days} median of {n} contracts", money.settled
                ).format(days=days_text(money.median_days), n=f"{money.settled:,}")
                if money.settled
                else _("no contract fully collected"),
            )
        )
        return rows

    def _age_rows(self, money: Collections) -> list[PanelRow]:
        rows = []
        for code, ages in money.by_age.items():
            rows.append(
                PanelRow(
                    _("{currency}: {outstanding} owed, {overdue} overdue").format(
                        currency=code,
                        outstanding=self._money(money.outstanding[code], code),
                        overdue=self._money(money.overdue[code], code),
                    ),
                    heading=True,
                )
            )
            most = max(ages.values())
            rows += [
                PanelRow(
                    _(AGE_NAMES[age]),
                    self._money(amount, code, short=True),
                    _fraction(amount, most),
                )
                for age, amount in ages.items()
            ]
        return rows

    def _owed_rows(self, owed: dict[str, tuple[Receivable, ...]]) -> list[PanelRow]:
        rows = []
        for code, series in owed.items():
            rows.append(PanelRow(code, heading=True))
            most = max(row.outstanding for row in series)
            rows += [
                PanelRow(
                    row.name,
                    f"{self._money(row.outstanding, code, short=True)} · "
                    f"{self._money(row.overdue, code, short=True)}",
                    _fraction(row.outstanding, most),
                )
                for row in series
            ]
        return rows

    def _expected_rows(self, money: Collections) -> list[PanelRow]:
        rows = []
        for code, months in money.expected.items():
            rows.append(PanelRow(code, heading=True))
            most = max(max(month.collections, month.weighted) for month in months)
            rows += [
                PanelRow(
                    month.label,
                    f"{self._money(month.collections, code, short=True)} · "
                    f"{self._money(month.weighted, code, short=True)}",
                    _fraction(month.collections, most),
                )
                for month in months
            ]
        return rows


def _quantity(sale: Sale) -> str:
    """'3 year', '1.5 hour': the quantity sold in the product's unit as typed."""
    return format_quantity(sale.quantity_milli) + (f" {sale.unit}" if sale.unit else "")
