"""Dialogs of the Today screen: snooze, a new date, a holiday's greetings, settings.

What happened is logged with the one log form of the app (customer_forms.InteractionForm)."""

import sqlite3
from collections.abc import Mapping
from datetime import date, timedelta

from rich.cells import cell_len
from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.widgets import Input, Label, Select, Static

from salesdesk import i18n
from salesdesk.core import care
from salesdesk.core.agenda import AgendaItem
from salesdesk.core.dates import ACCEPTED, parse_quick_date
from salesdesk.core.errors import InvalidValue
from salesdesk.core.segments import THRESHOLDS_EXAMPLE, format_thresholds
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, short_date
from salesdesk.tui.screens.base import ENTER_AGAIN, DialogScreen, Save, SavingDialog, show_fault
from salesdesk.tui.text import padded
from salesdesk.tui.widgets.form import FormBody, FormField, day_shown

SETTING_LABELS = {
    "dormant_days": N_("Dormant after (days without contact)"),
    "renewal_days": N_("Renewal reminder (days before contract end)"),
    "holiday_country": N_("Holiday country (CN, US, GB…; empty: none)"),
    "holiday_days_ahead": N_("Holiday greeting (days before)"),
    "holiday_tiers": N_("Greet tiers (A B C)"),
    "checkin_days": N_("Post-sale check-in (days after Paid)"),
    "new_lead_days": N_("New lead uncontacted (days)"),
    "care_overdue_days": N_("Missed reminders stay (days)"),
    "currency": N_("Default currency"),
    "tier_thresholds": N_("Value tiers: currency, A from, B from; a comma between currencies"),
    "export_folder": N_("Export folder (on this computer; blank: {default})"),
    "receivable_days": N_("Money to collect (days before due)"),
    "paid_on_collection": N_("When a contract is fully collected"),
}
MONEY = ("currency", "tier_thresholds")  # a line of their own, the thresholds the wider
OWED = ("receivable_days", "paid_on_collection")  # a line of their own: money to collect
PAID_CHOICES = {"move": N_("move its deal to Paid"), "ask": N_("ask before moving its deal")}

# The languages this copy can be shown in, by what its meta 'language' holds (read before
# the app starts: cli/common.prefer_language); each named in itself. Blank: the system's.
SYSTEM = ""
LANGUAGE_NAMES = {i18n.ENGLISH: "English", i18n.CHINESE: "中文"}
NEXT_START = N_("It takes effect when salesdesk starts again.")


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
            field.show_error(_("{day} is in the past; pick today or later.").format(day=day_shown(day)))
            return None
        field.show_hint(day_shown(day))
        return day


class SnoozeScreen(_DateField):
    """Later: one key for tomorrow or next week, or type a date."""

    AUTO_FOCUS = ""  # nothing: d, w and t are keys until a date is typed
    BINDINGS = [
        Binding("d,1", "pick(1)", N_("+1 day"), show=False),
        Binding("w,7", "pick(7)", N_("+1 week"), show=False),
        Binding("t,slash", "type_date", N_("A date"), show=False),
    ]

    def __init__(self, item: AgendaItem, today: date, *, save: Save | None = None):
        super().__init__(save=save)
        self.item = item
        self.today = today

    def compose(self) -> ComposeResult:
        tomorrow, week = self.today + timedelta(days=1), self.today + timedelta(days=7)
        with Vertical(classes="dialog", id="snooze-dialog"):
            yield Label(_("Snooze"), classes="dialog-title")
            yield Static(subject(self.item), markup=False)
            # The two days in one column, however wide the words before them are.
            words = _("+1 day"), _("+1 week")
            width = max(10, *(cell_len(word) for word in words))
            day, week_word = (padded(word, width) for word in words)
            yield Static(
                Text.assemble(
                    ("d", "bold"),
                    f"  {day}  {short_date(tomorrow)}\n",
                    ("w", "bold"),
                    f"  {week_word}  {short_date(week)}\n",
                    ("t", "bold"),
                    "  " + _("a date…"),
                ),
                id="snooze-choices",
            )
            until = FormField(_("Until"), placeholder=_(ACCEPTED), id="until")
            until.display = False  # shown by t; until then d and w are keys, not text
            yield until
            yield Static(_("d, w or t  ·  esc: cancel"), classes="dialog-keys", id="snooze-keys")

    def action_pick(self, days: int) -> None:
        self.finish(self.today + timedelta(days=days))

    def action_type_date(self) -> None:
        field = self.query_one("#until", FormField)
        field.display = True
        field.input.focus()
        self.query_one("#snooze-keys", Static).update(_("enter: snooze  ·  esc: cancel"))

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
        self, item: AgendaItem, today: date, heading: str | None = None, *, save: Save | None = None
    ):
        super().__init__(save=save)
        self.item = item
        self.today = today
        self.heading = _("Reschedule") if heading is None else heading

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="date-dialog"):
            yield Label(self.heading, classes="dialog-title", markup=False)
            yield Static(subject(self.item), markup=False)
            yield FormField(_("New date"), placeholder=_(ACCEPTED), id="when")
            yield Static(_("enter: move  ·  esc: cancel"), classes="dialog-keys")

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

    BINDINGS = [Binding("escape,enter", "dismiss(None)", N_("Close"))]

    def __init__(self, item: AgendaItem):
        super().__init__()
        self.item = item

    def compose(self) -> ComposeResult:
        item = self.item
        lines = [Text(literal(item.why), style="dim"), Text("")]
        lines += [Text(f"  {literal(name)}") for name in item.greet]
        more = item.greet_count - len(item.greet)
        if more > 0:
            lines.append(
                Text("  " + ngettext("and {n} more", "and {n} more", more).format(n=f"{more:,}"), style="dim")
            )
        if not item.greet_count:
            lines.append(Text("  " + _("No customer is in the chosen tiers."), style="dim"))
        with Vertical(classes="dialog", id="greeting-dialog"):
            yield Static(Text(literal(item.what)), classes="dialog-title")
            with VerticalScroll():
                yield Static(Text("\n").join(lines))
            yield Static(_("esc: close"), classes="dialog-keys")


def _setting_text(value: object) -> str:
    if isinstance(value, tuple):
        return " ".join(value)
    if isinstance(value, Mapping):
        return format_thresholds(value)
    return str(value)


def stored_language(value: str | None) -> str:
    """The language a copy's meta 'language' chooses (`en`, `zh`), or SYSTEM: none, or one
    we have no catalogue for (as `i18n.prefer` reads it at start: the environment's)."""
    return (i18n.normalise(value) if value else None) or SYSTEM


class SettingsScreen(SavingDialog[dict | None]):
    """The thresholds of the care reminders, the default currency and the value tiers, and
    the language of this copy (kept in its meta, not synced: each person reads their own).
    ctrl+o opens the quotes' settings, a dialog of their own (`QuoteSettingsScreen`)."""

    BINDINGS = [
        Binding("ctrl+o", "quote_settings", N_("Quote settings"), priority=True),
        Binding("ctrl+l", "pool_settings", N_("Lead pool rules"), priority=True),
    ]

    def __init__(
        self, settings: care.CareSettings, *, export_folder: str | None = None, save: Save | None = None
    ):
        super().__init__(save=save)
        self.settings = settings
        self.export_folder = export_folder  # None: no export folder field
        self.language = SYSTEM  # as stored when the dialog opened

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog form", id="settings-dialog"):
            yield Label(_("Settings"), classes="dialog-title")
            with FormBody():
                keys = [key for key in care.SETTING_KEYS if key not in MONEY + OWED]
                for pair in (keys[i : i + 2] for i in range(0, len(keys), 2)):
                    with Horizontal(classes="pair"):
                        for key in pair:
                            text = _setting_text(getattr(self.settings, key))
                            yield FormField(_(SETTING_LABELS[key]), text, id=key)
                with Horizontal(classes="pair"):
                    days = _setting_text(self.settings.receivable_days)
                    yield FormField(_(SETTING_LABELS["receivable_days"]), days, id="receivable_days")
                    with Vertical(classes="form-field", id="paid_on_collection-field"):
                        yield Label(_(SETTING_LABELS["paid_on_collection"]), classes="form-label")
                        choices = [(_(words), code) for code, words in PAID_CHOICES.items()]
                        paid = self.settings.paid_on_collection
                        paid = paid if paid in PAID_CHOICES else "move"
                        yield Select(choices, value=paid, allow_blank=False, id="paid_on_collection")
                with Horizontal(classes="pair"):
                    currency = FormField(_(SETTING_LABELS["currency"]), self.settings.currency, id="currency")
                    currency.add_class("narrow")
                    yield currency
                    yield FormField(
                        _(SETTING_LABELS["tier_thresholds"]),
                        _setting_text(self.settings.tier_thresholds),
                        placeholder=THRESHOLDS_EXAMPLE,
                        id="tier_thresholds",
                    )
                if self.export_folder is not None:
                    from salesdesk.paths import default_export_dir

                    default = str(default_export_dir())
                    yield FormField(
                        _(SETTING_LABELS["export_folder"]).format(default=default),
                        self.export_folder,
                        placeholder=default,
                        id="export_folder",
                    )
                yield from self._language_field()
            yield Static(
                _("enter: save  ·  tab: next field  ·  ctrl+o: quote settings  ·  esc: cancel"),
                classes="dialog-keys",
            )

    def action_quote_settings(self) -> None:
        """The quotes' settings (synced for the team), saved when their own dialog closes."""
        store = self.app.store
        if self.app.read_only:
            from salesdesk.tui.faults import read_only_why

            self.notify(read_only_why(str(store.path)), severity="warning", markup=False)
            return

        def save(values: dict) -> bool:
            try:
                with store.records.transaction():
                    for key, value in values.items():
                        if store.setting(key) != value:
                            store.set_setting(key, value)
            except sqlite3.Error as error:
                show_fault(self, error, ENTER_AGAIN)
                return False
            return True

        def answered(values: dict | None) -> None:
            if values is not None:
                self.notify(_("Quote settings saved."), markup=False)

        current = store.settings_of(QUOTE_SETTINGS)
        self.app.push_screen(QuoteSettingsScreen(current, save=save), answered)

    def action_pool_settings(self) -> None:
        """The lead pool's rules (synced for the team), saved when their own dialog closes."""
        from salesdesk.tui.screens.pool_dialogs import open_pool_settings

        open_pool_settings(self, self.app.store)

    def _language_field(self) -> ComposeResult:
        self.language = stored_language(self.app.store.meta("language"))
        system = LANGUAGE_NAMES[i18n.from_environment()]
        choices = [(name, code) for code, name in LANGUAGE_NAMES.items()]
        choices.append((_("follow the system ({language})").format(language=system), SYSTEM))
        with Vertical(classes="form-field", id="language-field"):
            yield Label(_("Language (of this copy)"), classes="form-label")
            yield Select(choices, value=self.language, allow_blank=False, id="language")
            hint = Static("", classes="form-hint", id="language-hint", markup=False)
            hint.display = False
            yield hint

    @on(Select.Changed, "#language")
    def _language_changed(self, event: Select.Changed) -> None:
        hint = self.query_one("#language-hint", Static)
        hint.update(self._next_start(str(event.value)))
        hint.display = bool(self._next_start(str(event.value)))

    def _next_start(self, chosen: str) -> str:
        """When a language chosen is shown: at the next start, said in the language shown now
        and in the one chosen (English and 中文 read it either way)."""
        if chosen == self.language:
            return ""
        said = [_(NEXT_START)]
        target = chosen or i18n.from_environment()
        if target != i18n.language():
            said.append(i18n.in_language(target, NEXT_START))
        return " ".join(said)

    def on_mount(self) -> None:
        self.query_one(f"#{care.SETTING_KEYS[0]}", FormField).input.focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        values: dict[str, object] = {}
        ok = True
        for key in care.SETTING_KEYS:
            if key == "paid_on_collection":
                values[key] = str(self.query_one("#paid_on_collection", Select).value)
                continue
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
        values["language"] = str(self.query_one("#language", Select).value)
        if ok:
            self.finish(values)

    def finish(self, answer: dict | None) -> None:
        """The screen's settings through `save`, then this copy's language, if it changed:
        a database that refused either leaves the dialog open, as typed, for enter again."""
        if answer is None:
            super().finish(answer)
            return
        answer = dict(answer)
        language = answer.pop("language", self.language)
        if self._saver is not None and not self._saver(answer):
            return
        if language != self.language:
            try:
                self.app.store.set_meta("language", language)
            except sqlite3.Error as error:
                show_fault(self, error, ENTER_AGAIN)
                return
            name = LANGUAGE_NAMES.get(language) or _("the system's language")
            note = _("Language: {language}.").format(language=name)
            self.notify(i18n.sentences(note, self._next_start(language)), markup=False)
            self.language = language
        self.dismiss(answer)


QUOTE_SETTINGS = ("quote_validity_days", "quote_terms", "seller")
SELLER_LABELS = {
    "name": N_("Seller: name (your company)"),
    "address": N_("Address"),
    "phone": N_("Phone"),
    "email": N_("Email"),
    "tax_id": N_("Tax id"),
}


class QuoteSettingsScreen(SavingDialog[dict | None]):
    """What every quote says unless edited on it: how long it is valid, its terms, and the
    seller's details at its head. Team settings: they sync to every teammate."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(self, settings: Mapping[str, object], *, save: Save | None = None):
        super().__init__(save=save)
        from salesdesk.store.quotes import quote_settings

        self.days, self.terms, self.seller = quote_settings(dict(settings))

    def compose(self) -> ComposeResult:
        from textual.widgets import TextArea

        with Vertical(classes="dialog form", id="quote-settings-dialog"):
            yield Label(_("Quote settings (for the whole team)"), classes="dialog-title")
            with FormBody():
                yield FormField(_("Valid for (days, 1 to 365)"), str(self.days), id="quote_validity_days")
                for key in SELLER_LABELS:
                    yield FormField(_(SELLER_LABELS[key]), self.seller.get(key, ""), id=f"seller_{key}")
                yield Label(_("Terms printed on each quote"), classes="section-title")
                yield TextArea(self.terms, id="quote_terms", soft_wrap=True)
                hint = Static("", classes="form-hint -error", id="quote_terms-hint", markup=False)
                hint.display = False
                yield hint
            yield Static(
                _("ctrl+s or enter: save  ·  tab: next field  ·  esc: cancel"), classes="dialog-keys"
            )

    def on_mount(self) -> None:
        self.query_one("#quote_validity_days", FormField).input.focus()

    @on(Input.Submitted)
    def _submitted(self) -> None:
        self.action_save()

    def action_save(self) -> None:
        from textual.widgets import TextArea

        from salesdesk.core.model import check_email
        from salesdesk.core.quotes import PARTY_LIMIT, TERMS_LIMIT, VALIDITY_RANGE

        ok = True
        days_field = self.query_one("#quote_validity_days", FormField)
        low, high = VALIDITY_RANGE
        text = days_field.value.strip()
        days = int(text) if text.isdigit() else None
        if days is None or not low <= days <= high:
            days_field.show_error(
                _("{value} is not a number of days; use a whole number from {low} to {high}.").format(
                    value=repr(text), low=low, high=high
                )
            )
            ok = False
        else:
            days_field.show_hint("")
        seller = {}
        for key in SELLER_LABELS:
            field = self.query_one(f"#seller_{key}", FormField)
            value = field.value.strip()
            try:
                if key == "email":
                    value = check_email(value)
                if len(value) > PARTY_LIMIT:
                    raise InvalidValue(
                        key, _("This is longer than {limit} characters.").format(limit=PARTY_LIMIT)
                    )
                field.show_hint("")
            except InvalidValue as error:
                field.show_error(str(error))
                ok = False
            seller[key] = value
        terms = self.query_one("#quote_terms", TextArea).text
        hint = self.query_one("#quote_terms-hint", Static)
        if len(terms) > TERMS_LIMIT:
            hint.update(
                _("The terms are {n} characters long; a quote's terms are at most {limit}.").format(
                    n=f"{len(terms):,}", limit=f"{TERMS_LIMIT:,}"
                )
            )
            hint.display = True
            ok = False
        else:
            hint.display = False
        if ok:
            self.finish({"quote_validity_days": days, "quote_terms": terms, "seller": seller})


class PaidScreen(DialogScreen[bool]):
    """The contract is fully collected: move its deal to Paid? (paid_on_collection = ask)"""

    BINDINGS = [
        Binding("y,enter", "dismiss(True)", N_("Move it")),
        Binding("n,escape", "dismiss(False)", N_("Leave it")),
    ]

    def __init__(self, deal: str):
        super().__init__()
        self.deal = deal

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="paid-dialog"):
            yield Label(_("Fully collected"), classes="dialog-title")
            said = _("{deal} is paid in full. Move it to Paid?")
            before, _deal, after = said.partition("{deal}")
            yield Static(Text.assemble(before, (literal(self.deal), "bold"), after))
            yield Static(_("enter or y: move it  n or esc: leave it"), classes="dialog-keys")
