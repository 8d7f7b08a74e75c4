"""The Reports screen: a period's funnel, stage times, revenue, forecast and activity, as
bars in the terminal, and the weekly summary written to a file with one key.

The figures come from `ReportStore` (the same ones the weekly summary prints), read by a
worker on a connection of its own: a year of a large database takes a moment.
"""

from datetime import date
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Header, Static

from salesdesk.core.money import format_money, format_short
from salesdesk.core.periods import DAYS, DEFAULT_PRESET, PRESETS, WEEK, IsoWeek, Period, preset_period
from salesdesk.core.reports import Report, days_text, percent
from salesdesk.store.reports import ReportStore
from salesdesk.store.store import Store
from salesdesk.tui.privacy import HIDDEN, privacy_on
from salesdesk.tui.widgets.bars import PanelRow, ReportPanel
from salesdesk.tui.widgets.key_bar import KeyBar

PANELS = {  # id -> title; the left column, then the right
    "summary": "Won, lost and customers",
    "funnel": "Funnel: deals entering each stage · moved on",
    "stage-days": "Days in each stage: median · average (stays)",
    "probability": "Win probability: set · seen from the stage",
    "reasons": "Lost reasons",
    "activity": "Activity",
    "by-week": "Won by week",
    "by-month": "Won by month",
    "forecast": "Weighted forecast by expected close (open deals now)",
}
LEFT = ("summary", "funnel", "stage-days", "probability", "reasons", "activity")
RIGHT = ("by-week", "by-month", "forecast")


def _fraction(value: float | None, most: float) -> float | None:
    """`value` as a share of the largest, for its bar; None draws no bar."""
    if value is None:
        return None
    return value / most if most else 0.0


class ReportsScreen(Screen):
    BINDINGS = [
        Binding("p", "cycle_period(1)", "Period", id="reports.period"),
        Binding("P", "cycle_period(-1)", "Period back", id="reports.period_back", show=False),
        Binding("left_square_bracket", "shift(-1)", "Earlier", key_display="[", id="reports.earlier"),
        Binding("right_square_bracket", "shift(1)", "Later", key_display="]", id="reports.later"),
        Binding("m", "toggle_mine", "Mine/all", id="reports.mine"),
        Binding("x", "export", "Export week", id="reports.export"),
    ]

    class Loaded(Message):
        def __init__(self, report: Report, generation: int):
            super().__init__()
            self.report = report
            self.generation = generation

    def __init__(self, store: Store, *, user: str, today: date, folder: Path | None = None):
        super().__init__()
        self.store = store
        self.user = user
        self.today = today
        self.folder = folder  # None: the export folder of the settings
        self.preset = DEFAULT_PRESET
        self.steps = 0  # periods back (negative) or forward from the preset's
        self.everyone = False
        self.report: Report | None = None
        self.exported: Path | None = None
        self._generation = 0

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static("", id="reports-status", markup=False)
        # Above the panels: at the foot of the screen the notification would cover it.
        yield Static("", id="reports-export", markup=False)
        with VerticalScroll(id="reports-body"), Horizontal(id="reports-columns"):
            for column, ids in (("reports-left", LEFT), ("reports-right", RIGHT)):
                with Vertical(id=column, classes="reports-column"):
                    for panel_id in ids:
                        yield ReportPanel(PANELS[panel_id], id=f"panel-{panel_id}")
        yield KeyBar()

    def on_mount(self) -> None:
        self._path = ReportStore(self.store).path
        self.watch(self.app, "privacy", lambda _: self._show(), init=False)
        self.query_one("#reports-export").display = False
        self.query_one("#reports-body").focus()
        self.reload()

    def on_screen_resume(self) -> None:
        if self.report is not None:
            self.reload()

    # -- the period ---------------------------------------------------------------------

    @property
    def period(self) -> Period:
        period = preset_period(self.preset, self.today)
        for _ in range(abs(self.steps)):
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
            self.notify("This period already reaches today.", severity="warning")
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
            lambda reports: reports.report(period, self.today, everyone=everyone),
        )
        self.post_message(self.Loaded(report, generation))

    @on(Loaded)
    def _loaded(self, event: Loaded) -> None:
        if event.generation != self._generation:
            return  # a newer load is on its way
        self.report = event.report
        self._show()
        self._update_status()

    def _update_status(self, loading: bool = False) -> None:
        period = self.period
        if self.steps == 0:
            shown = f"{self.preset.capitalize()}: " + (
                period.span() if period.kind == DAYS else period.describe()
            )
        else:
            shown = period.describe()
        parts = [shown, "everyone's" if self.everyone else "mine"]
        if loading:
            parts.append("loading…")
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
        line.update(f"Weekly summary written to {path}")
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
                    "◀ bottleneck" if time.bottleneck else "",
                )
                for time in report.stage_times
            ]
        )
        self._panel("probability").show(
            [
                PanelRow(
                    check.stage.name,
                    f"{check.configured}% · {percent(check.observed)}  ({check.closed:,} closed)",
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
        nothing = "Nothing won in this period."
        self._panel("by-week").show(self._bucket_rows(report.won_by_week), nothing)
        self._panel("by-month").show(self._bucket_rows(report.won_by_month), nothing)
        self._panel("forecast").show(self._forecast_rows(report), "No open deals.")

    def _summary_rows(self, report: Report) -> list[PanelRow]:
        closed = report.won.count + report.lost.count
        customers = report.customers
        return [
            PanelRow(
                "Win rate",
                f"{percent(report.win_rate)} of {closed:,} closed" if closed else "no deal closed",
                report.win_rate,
            ),
            PanelRow("Won", f"{report.won.count:,}  {self._amounts(report.won.amounts)}".rstrip()),
            PanelRow("Lost", f"{report.lost.count:,}  {self._amounts(report.lost.amounts)}".rstrip()),
            PanelRow(
                "Repeat purchase",
                f"{percent(report.repeat_rate)} of {customers.buyers:,} buyers"
                if customers.buyers
                else "no buyer",
                report.repeat_rate,
            ),
            PanelRow(
                "Retention",
                f"{percent(report.retention_rate)} of {customers.previous_buyers:,} earlier buyers"
                if customers.previous_buyers
                else "no earlier buyer",
                report.retention_rate,
            ),
        ]

    def _activity_rows(self, report: Report) -> list[PanelRow]:
        if not report.activity_total:
            return []
        rows = [PanelRow(f"By kind ({report.activity_total:,} in all)", heading=True)]
        most = max(tally.count for tally in report.activity_by_kind)
        rows += [PanelRow(t.name, f"{t.count:,}", _fraction(t.count, most)) for t in report.activity_by_kind]
        rows.append(PanelRow("By person", heading=True))
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
                    f"{currency}: {total.count:,} open, {self._money(total.weighted, currency)} "
                    f"weighted of {self._money(total.amount, currency)}",
                    heading=True,
                )
            )
            most = max(month.weighted for month in months)
            rows += [
                PanelRow(
                    month.label,
                    f"{self._money(month.weighted, currency, short=True)} of "
                    f"{self._money(month.amount, currency, short=True)}",
                    _fraction(month.weighted, most),
                )
                for month in months
            ]
        return rows
