"""Dialogs of the Today screen: snooze, a new date, a holiday's greetings, settings.

What happened is logged with the one log form of the app (customer_forms.InteractionForm)."""

from collections.abc import Mapping
from datetime import date, timedelta

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Static

from salesdesk.core import care
from salesdesk.core.agenda import AgendaItem
from salesdesk.core.dates import ACCEPTED, parse_quick_date
from salesdesk.core.errors import InvalidValue
from salesdesk.core.segments import THRESHOLDS_EXAMPLE, format_thresholds
from salesdesk.core.text import literal
from salesdesk.tui.screens.base import DialogScreen, Save, SavingDialog
from salesdesk.tui.widgets.form import FormBody, FormField

SETTING_LABELS = {
    "dormant_days": "Dormant after (days without contact)",
    "renewal_days": "Renewal reminder (days before contract end)",
    "holiday_country": "Holiday country (CN, US, GB…; empty: none)",
    "holiday_days_ahead": "Holiday greeting (days before)",
    "holiday_tiers": "Greet tiers (A B C)",
    "checkin_days": "Post-sale check-in (days after Paid)",
    "new_lead_days": "New lead uncontacted (days)",
    "care_overdue_days": "Missed reminders stay (days)",
    "currency": "Default currency",
    "tier_thresholds": "Value tiers: currency, A from, B from; a comma between currencies",
    "export_folder": "Export folder (on this computer; blank: {default})",
}
MONEY = ("currency", "tier_thresholds")  # a line of their own, the thresholds the wider


def subject(item: AgendaItem) -> str:
    """One line naming an item: what, and for whom."""
    return f"{literal(item.what)} — {literal(item.who)}"


class _DateField(SavingDialog[date | None]):
    """A quick-form date field that says what it read, or what is wrong."""

    today: date

    def read_date(self, field_id: str) -> date | None:
        field = self.query_one(f"#{field_id}", FormField)
        try:
            day = parse_quick_date(field.value, self.today, "date")
        except InvalidValue as error:
            field.show_error(str(error))
            return None
        if day < self.today:
            field.show_error(f"{day:%a %d %b %Y} is in the past; pick today or later.")
            return None
        field.show_hint(f"{day:%a %d %b %Y}")
        return day


class SnoozeScreen(_DateField):
    """Later: one key for tomorrow or next week, or type a date."""

    AUTO_FOCUS = ""  # nothing: d, w and t are keys until a date is typed
    BINDINGS = [
        Binding("d,1", "pick(1)", "+1 day", show=False),
        Binding("w,7", "pick(7)", "+1 week", show=False),
        Binding("t,slash", "type_date", "A date", show=False),
    ]

    def __init__(self, item: AgendaItem, today: date, *, save: Save | None = None):
        super().__init__(save=save)
        self.item = item
        self.today = today

    def compose(self) -> ComposeResult:
        tomorrow, week = self.today + timedelta(days=1), self.today + timedelta(days=7)
        with Vertical(classes="dialog", id="snooze-dialog"):
            yield Label("Snooze", classes="dialog-title")
            yield Static(subject(self.item), markup=False)
            yield Static(
                Text.assemble(
                    ("d", "bold"),
                    f"  +1 day      {tomorrow:%a %d %b}\n",
                    ("w", "bold"),
                    f"  +1 week     {week:%a %d %b}\n",
                    ("t", "bold"),
                    "  a date…",
                ),
                id="snooze-choices",
            )
            until = FormField("Until", placeholder=ACCEPTED, id="until")
            until.display = False  # shown by t; until then d and w are keys, not text
            yield until
            yield Static("d, w or t  ·  esc: cancel", classes="dialog-keys", id="snooze-keys")

    def action_pick(self, days: int) -> None:
        self.finish(self.today + timedelta(days=days))

    def action_type_date(self) -> None:
        field = self.query_one("#until", FormField)
        field.display = True
        field.input.focus()
        self.query_one("#snooze-keys", Static).update("enter: snooze  ·  esc: cancel")

    @on(Input.Changed, "#until-input")
    def _changed(self) -> None:
        self.read_date("until")

    @on(Input.Submitted, "#until-input")
    def _submitted(self) -> None:
        day = self.read_date("until")
        if day is not None:
            self.finish(day)


class DateScreen(_DateField):
    """Move a follow-up to another day."""

    def __init__(
        self, item: AgendaItem, today: date, heading: str = "Reschedule", *, save: Save | None = None
    ):
        super().__init__(save=save)
        self.item = item
        self.today = today
        self.heading = heading

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="date-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            yield Static(subject(self.item), markup=False)
            yield FormField("New date", placeholder=ACCEPTED, id="when")
            yield Static("enter: move  ·  esc: cancel", classes="dialog-keys")

    @on(Input.Changed, "#when-input")
    def _changed(self) -> None:
        self.read_date("when")

    @on(Input.Submitted, "#when-input")
    def _submitted(self) -> None:
        day = self.read_date("when")
        if day is not None:
            self.finish(day)


class GreetingScreen(DialogScreen[None]):
    """Whom to greet for a holiday."""

    BINDINGS = [Binding("escape,enter", "dismiss(None)", "Close")]

    def __init__(self, item: AgendaItem):
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        lines = [Text(literal(item.why), style="dim"), Text("")]
        lines += [Text(f"  {literal(name)}") for name in item.greet]
        if item.greet_count > len(item.greet):
            lines.append(Text(f"  and {item.greet_count - len(item.greet):,} more", style="dim"))
        if not item.greet_count:
            lines.append(Text("  No customer is in the chosen tiers.", style="dim"))
        with Vertical(classes="dialog", id="greeting-dialog"):
            yield Static(Text(literal(item.what)), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text("\n").join(lines))
            yield Static("esc: close", classes="dialog-keys")


def _setting_text(value: object) -> str:
    if isinstance(value, tuple):
        return " ".join(value)
    if isinstance(value, Mapping):
        return format_thresholds(value)
    return str(value)


class SettingsScreen(SavingDialog[dict | None]):
    """The thresholds of the care reminders, the default currency and the value tiers."""

    def __init__(
        self, settings: care.CareSettings, *, export_folder: str | None = None, save: Save | None = None
    ):
        super().__init__(save=save)
        self.settings = settings
        self.export_folder = export_folder  # None: no export folder field

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form", id="settings-dialog"):
            yield Label("Settings", classes="dialog-title")
            with FormBody():
                keys = [key for key in care.SETTING_KEYS if key not in MONEY]
                for pair in (keys[i : i + 2] for i in range(0, len(keys), 2)):
                    with Horizontal(classes="pair"):
                        for key in pair:
                            text = _setting_text(getattr(self.settings, key))
                            yield FormField(SETTING_LABELS[key], text, id=key)
                with Horizontal(classes="pair"):
                    currency = FormField(SETTING_LABELS["currency"], self.settings.currency, id="currency")
                    currency.add_class("narrow")
                    yield currency
                    yield FormField(
                        SETTING_LABELS["tier_thresholds"],
                        _setting_text(self.settings.tier_thresholds),
                        placeholder=THRESHOLDS_EXAMPLE,
                        id="tier_thresholds",
                    )
                if self.export_folder is not None:
                    from salesdesk.paths import default_export_dir

                    default = str(default_export_dir())
                    yield FormField(
                        SETTING_LABELS["export_folder"].format(default=default),
                        self.export_folder,
                        placeholder=default,
                        id="export_folder",
                    )
            yield Static("enter: save  ·  tab: next field  ·  esc: cancel", classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one(f"#{care.SETTING_KEYS[0]}", FormField).input.focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        values, ok = {}, True
        for key in care.SETTING_KEYS:
            field = self.query_one(f"#{key}", FormField)
            try:
                values[key] = care.parse_setting(key, field.value)
                field.show_hint("")
            except InvalidValue as error:
                field.show_error(str(error))
                ok = False
        if self.export_folder is not None:
            from salesdesk.paths import check_export_dir

            field = self.query_one("#export_folder", FormField)
            refused = check_export_dir(field.value)
            if refused:
                field.show_error(refused)
                ok = False
            values["export_folder"] = field.value.strip()
        if ok:
            self.finish(values)
