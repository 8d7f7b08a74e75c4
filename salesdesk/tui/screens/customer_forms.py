"""Modal forms of the Customers screen, and the app's one log form (used on Today too); each
validates beside the field and keeps what was typed."""

from datetime import date, datetime, time
from typing import TYPE_CHECKING, Any

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.suggester import SuggestFromList
from textual.widgets import Input, Label, OptionList, Select, SelectionList, Static, TextArea
from textual.widgets.option_list import Option

from salesdesk.core.dates import ACCEPTED, parse_birthday, parse_quick_date
from salesdesk.core.errors import InvalidValue
from salesdesk.core.model import INTERACTION_KINDS, check_email, check_name, kind_name, kind_typed
from salesdesk.core.segments import SEGMENTS
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _
from salesdesk.store.customers import SORTS, TIER_CHOICES, CustomerFilter
from salesdesk.tui.privacy import PRIVATE_FIELDS
from salesdesk.tui.screens.base import DialogScreen, Save, SavingDialog
from salesdesk.tui.text import literal_text
from salesdesk.tui.widgets.form import FieldInput, FormBody, FormField, day_shown, kinds_listed, moment_shown

if TYPE_CHECKING:
    from salesdesk.store.store import Store

CUSTOMER_FIELDS = (
    ("name", N_("Name")),
    ("company", N_("Company")),
    ("title", N_("Title")),
    ("phone", N_("Phone")),
    ("email", N_("Email")),
    ("handle", N_("Other contact (WeChat, LinkedIn…)")),
    ("industry", N_("Industry")),
    ("source", N_("Source")),
    ("owner", N_("Owner")),
    ("birthday", N_("Birthday (YYYY-MM-DD or --MM-DD)")),
    ("contract_end", N_("Contract ends")),
)


class CustomerForm(SavingDialog[dict | None]):
    """Add or edit a customer. Returns the values to save."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(self, today: date, record: dict | None = None, owner: str = "", *, save: Save | None = None):
        super().__init__(save=save)
        self.today = today
        self.record = record or {"owner": owner}

    def compose(self) -> ComposeResult:
        title = _("Edit customer") if self.record.get("id") else _("New customer")
        with Vertical(classes="dialog wide form", id="customer-form"):
            yield Label(title, classes="dialog-title")
            with FormBody():
                for pair in (CUSTOMER_FIELDS[i : i + 2] for i in range(0, len(CUSTOMER_FIELDS), 2)):
                    with Horizontal(classes="pair"):
                        for name, label in pair:
                            yield FormField(
                                _(label),
                                self.record.get(name) or "",
                                id=name,
                                placeholder=_(ACCEPTED) if name == "contract_end" else "",
                                private=name in PRIVATE_FIELDS,
                            )
                yield Label(_("Notes"), classes="form-label")
                yield TextArea(self.record.get("notes") or "", id="notes", soft_wrap=True)
            yield Static(_("ctrl+s or enter: save  tab: next field  esc: cancel"), classes="dialog-keys")

    def on_mount(self) -> None:
        self.query_one("#name-input").focus()  # not the scroll area around the fields

    @on(Input.Submitted)
    def action_save(self) -> None:
        values, ok = {}, True
        for name, _label in CUSTOMER_FIELDS:
            field = self.query_one(f"#{name}", FormField)
            text = field.value
            try:
                if name == "name":
                    check_name(text)
                elif name == "email":
                    text = check_email(text)
                elif name == "birthday" and text.strip():
                    text = parse_birthday(text)
                elif name == "contract_end" and text.strip():
                    text = parse_quick_date(text, self.today, "contract end").isoformat()
                field.show_hint("")
            except InvalidValue as error:
                field.show_error(str(error))
                ok = False
            values[name] = text if text.strip() or name not in ("birthday", "contract_end") else None
        values["notes"] = self.query_one("#notes", TextArea).text
        if ok:
            self.finish(values)


class DuplicateScreen(DialogScreen[tuple[str, str] | None]):
    """Looks like someone we already have: open them, merge, or save anyway."""

    BINDINGS = [
        Binding("o", "choose('open')", N_("Open existing")),
        Binding("m", "choose('merge')", N_("Merge")),
        Binding("s", "choose('save')", N_("Save anyway")),
        Binding("escape", "dismiss(None)", N_("Back")),
    ]

    def __init__(self, name: str, matches: list[tuple[str, str, str, str]], can_save: bool = True):
        super().__init__()
        self.typed_name = name
        self.matches = matches
        self.can_save = can_save

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="duplicate-dialog"):
            yield Label(_("Already here?"), classes="dialog-title")
            before, _name, after = _("“{name}” looks like:").partition("{name}")
            yield Static(Text.assemble(before, literal(self.typed_name), after))
            options = []
            for index, (_id, name, company, why) in enumerate(self.matches):
                label = literal_text(name, "bold")
                if company:
                    label.append(f"  {literal(company)}")
                label.append(f"  ({_(why)})", style="dim")
                options.append(Option(label, id=str(index)))
            yield OptionList(*options, id="duplicates")
            keys = (
                _("o: open it  m: merge the two  s: save anyway  esc: back to the form")
                if self.can_save
                else _("o: open it  m: merge the two  esc: back to the form")
            )
            yield Static(keys, classes="dialog-keys")

    def action_choose(self, action: str) -> None:
        if action == "save" and not self.can_save:
            return
        options = self.query_one("#duplicates", OptionList)
        index = options.highlighted or 0
        self.dismiss((action, self.matches[index][0]))


NEXT_STEP_NEEDS_A_DAY = N_("Say when to follow up (3d, fri, 2026-12-01), or clear What for no next step.")


def _with_name(sentence: str, name: str) -> tuple[tuple[str, str], ...]:
    """A bold heading with `{name}` in it, the name from the database shown literally."""
    before, _name, after = sentence.partition("{name}")
    return (before, "bold"), (literal(name), "bold"), (after, "bold")


def write_log(store: "Store", customer_id: str, result: dict, deal_id: str | None = None) -> None:
    """What the log form's answer writes: the interaction and its next step, in one transaction."""
    with store.records.transaction():
        store.log_interaction(
            customer_id,
            result["kind"],
            result["summary"],
            at=result["at"],
            body=result["body"],
            deal_id=deal_id,
        )
        if result["next_due"]:
            store.add_followup(
                customer_id,
                result["next_due"],
                result["next_title"],
                kind=result["kind"] if result["kind"] != "note" else "call",
                deal_id=deal_id,
            )


class InteractionForm(SavingDialog[dict | None]):
    """The app's log form: what happened and, in the same form and the same write, the next step.

    Opened on the summary, the one thing always typed; a call, now, are filled in above
    it. The Customers screen and Today both log with it.
    """

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(
        self,
        customer_name: str,
        today: date,
        now: datetime,
        *,
        heading: str | None = None,
        about: str = "",
        kind: str = "call",
        summary: str = "",
        escape: str = "cancel",
        save: Save | None = None,
    ):
        super().__init__(save=save)
        self.customer_name = customer_name
        self.today = today
        self.now = now
        self.heading = heading
        self.about = about  # already literal text: what the log is about
        self.kind = kind if kind in INTERACTION_KINDS else "call"
        self.summary = summary
        self.escape = escape

    def compose(self) -> ComposeResult:
        heading = (
            Text(self.heading, style="bold")
            if self.heading is not None
            else Text.assemble(*_with_name(_("Log an interaction with {name}"), self.customer_name))
        )
        with Vertical(classes="dialog wide form", id="interaction-form"):
            yield Static(heading, classes="dialog-title")
            with FormBody():
                if self.about:
                    yield Static(self.about, markup=False, classes="form-about")
                with Horizontal(classes="pair"):
                    yield FormField(_("Kind"), kind_name(self.kind), placeholder=kinds_listed(), id="kind")
                    yield FormField(
                        _("When"),
                        _("now"),
                        placeholder=_("now, today 14:30, yesterday, 2026-11-20 09:00"),
                        id="when",
                    )
                yield FormField(
                    _("Summary"), self.summary, placeholder=_("one line: what was said or done"), id="summary"
                )
                yield Label(_("Details"), classes="form-label")
                yield TextArea("", id="body", soft_wrap=True)
                yield Label(_("Next step (optional)"), classes="section-title")
                with Horizontal(classes="pair"):
                    yield FormField(
                        _("Follow up on"),
                        "",
                        placeholder=_("blank: none; 3d, fri, 2026-12-01"),
                        id="next_due",
                    )
                    yield FormField(_("What"), "", placeholder=_("e.g. send the quote"), id="next_title")
            yield Static(
                _("ctrl+s: save  tab: next field  esc: {escape}").format(escape=_(self.escape)),
                classes="dialog-keys",
                markup=False,
            )

    def on_mount(self) -> None:
        # What happened is typed first; a call, now, are already filled in above it. A
        # summary offered (a done follow-up's title) is selected: typing replaces it, enter
        # keeps it. Tab never selects: only the field a form opens on has a suggestion.
        summary = self.query_one("#summary", FormField).input
        summary.focus()
        if self.summary:
            summary.select_all()

    def _when(self, text: str) -> datetime:
        text = text.strip().lower()
        if text in ("", "now", "现在", _("now")):
            return self.now
        day_text, _space, clock = text.rpartition(" ") if ":" in text.split(" ")[-1] else (text, "", "")
        day = parse_quick_date(day_text or "today", self.today, "when")
        moment = time(9, 0)
        if clock:
            try:
                hour, minute = (int(part) for part in clock.split(":"))
                moment = time(hour, minute)
            except ValueError:
                raise InvalidValue(
                    "when", _("{value} is not a time; use HH:MM such as 14:30.").format(value=repr(clock))
                ) from None
        return datetime.combine(day, moment).astimezone()

    @on(Input.Submitted)
    def action_save(self) -> None:
        fields = {
            name: self.query_one(f"#{name}", FormField)
            for name in ("kind", "when", "summary", "next_due", "next_title")
        }
        result: dict[str, Any] = {}
        ok = True
        kind = kind_typed(fields["kind"].value)
        if kind is None:
            fields["kind"].show_error(_("Use one of {kinds}.").format(kinds=kinds_listed()))
            ok = False
        result["kind"] = kind
        try:
            result["at"] = self._when(fields["when"].value)
            fields["when"].show_hint(moment_shown(result["at"]))
        except InvalidValue as error:
            fields["when"].show_error(str(error))
            ok = False
        result["summary"] = fields["summary"].value
        if not result["summary"].strip():
            fields["summary"].show_error(_("Say in one line what happened."))
            ok = False
        result["body"] = self.query_one("#body", TextArea).text
        result["next_due"] = result["next_title"] = None
        if fields["next_title"].value.strip() and not fields["next_due"].value.strip():
            fields["next_due"].show_error(_(NEXT_STEP_NEEDS_A_DAY))
            ok = False
        if fields["next_due"].value.strip():
            try:
                result["next_due"] = parse_quick_date(fields["next_due"].value, self.today, "follow-up")
                fields["next_due"].show_hint(day_shown(result["next_due"]))
            except InvalidValue as error:
                fields["next_due"].show_error(str(error))
                ok = False
            result["next_title"] = fields["next_title"].value.strip() or _("Follow up: {summary}").format(
                summary=result["summary"]
            )
        if ok:
            self.finish(result)


class TagsScreen(SavingDialog[tuple[list[str], list[str]] | None]):
    """Add tags (completed from the ones in use) and untick tags to remove them."""

    BINDINGS = [Binding("ctrl+s", "save", N_("Save"), priority=True)]

    def __init__(self, customer_name: str, current: list[str], known: list[str], *, save: Save | None = None):
        super().__init__(save=save)
        self.customer_name = customer_name
        self.current = current
        self.known = known
        self.added: list[str] = []

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="tags-dialog"):
            yield Static(
                Text.assemble(*_with_name(_("Tags of {name}"), self.customer_name)),
                classes="dialog-title",
            )
            yield FieldInput(
                placeholder=_("type a tag, enter adds it (→ completes)"),
                id="tag-input",
                suggester=SuggestFromList(self.known, case_sensitive=False),
            )
            yield SelectionList[str](*[(literal_text(t), t, True) for t in self.current], id="tag-list")
            yield Static(
                _("enter: add  space: untick to remove  ctrl+s: save  esc: cancel"), classes="dialog-keys"
            )

    @on(Input.Submitted, "#tag-input")
    def _add(self, event: Input.Submitted) -> None:
        name = event.value.strip()
        if not name:
            self.action_save()
            return
        known = {t.lower(): t for t in self.known}
        name = known.get(name.lower(), name)
        tags = self.query_one("#tag-list", SelectionList)
        if name.lower() not in {t.lower() for t in self.current + self.added}:
            self.added.append(name)
            tags.add_option((literal_text(name), name, True))
        event.input.value = ""

    def action_save(self) -> None:
        selected = set(self.query_one("#tag-list", SelectionList).selected)
        removed = [t for t in self.current if t not in selected]
        added = [t for t in self.added if t in selected]
        self.finish((added, removed))


class ConfirmScreen(DialogScreen[bool]):
    BINDINGS = [Binding("y", "dismiss(True)", N_("Yes")), Binding("n,escape", "dismiss(False)", N_("No"))]

    def __init__(self, title: str, message: Text):
        super().__init__()
        self.title_text = title
        self.message = message

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="confirm-dialog"):
            yield Label(self.title_text, classes="dialog-title")
            yield Static(self.message)
            yield Static(_("y: yes  n or esc: no"), classes="dialog-keys")


class CopyScreen(DialogScreen[str | None]):
    """Which contact detail to copy."""

    BINDINGS = [
        Binding("p", "dismiss('phone')", N_("Phone")),
        Binding("e", "dismiss('email')", N_("Email")),
        Binding("escape", "dismiss(None)", N_("Cancel")),
    ]

    def compose(self) -> ComposeResult:
        with Vertical(classes="dialog", id="copy-dialog"):
            yield Label(_("Copy to the clipboard"), classes="dialog-title")
            yield Static(_("p: phone  e: email  esc: cancel"), classes="dialog-keys")


class FilterScreen(SavingDialog[CustomerFilter | None]):
    """Combine filters by tag, segment, tier and owner; choose the order (nothing to write)."""

    BINDINGS = [
        Binding("ctrl+s", "apply", N_("Apply"), priority=True),
        Binding("ctrl+r", "clear", N_("Clear all")),
    ]

    def __init__(self, current: CustomerFilter, tags: list[str], owners: list[str]):
        super().__init__()
        self.current = current
        self.tags = tags
        self.owners = owners

    def compose(self) -> ComposeResult:
        from salesdesk.tui.widgets.customer_list import segment_name

        def select(name: str, label: str, choices, value, shown=lambda choice: choice):
            yield Label(label, classes="form-label")
            yield Select(
                [(literal_text(shown(c)), c) for c in choices],
                value=value if value in choices else Select.NULL,
                id=name,
                prompt=_("any"),
            )

        with Vertical(classes="dialog form", id="filter-dialog"):
            yield Label(_("Filter and sort customers"), classes="dialog-title")
            with FormBody():
                yield from select("tag", _("Tag"), self.tags, self.current.tag)
                yield from select("segment", _("Segment"), SEGMENTS, self.current.segment, segment_name)
                yield from select("tier", _("Tier"), TIER_CHOICES, self.current.tier)
                yield from select("owner", _("Owner"), self.owners, self.current.owner)
                yield Label(_("Sort by"), classes="form-label")
                # The orders by the names the Customers screen's status line gives them.
                orders = [(_(order), order) for order in SORTS]
                yield Select(orders, value=self.current.sort, id="sort", allow_blank=False)
            yield Static(_("ctrl+s: apply  ctrl+r: clear all  esc: cancel"), classes="dialog-keys")

    def action_clear(self) -> None:
        for name in ("tag", "segment", "tier", "owner"):
            self.query_one(f"#{name}", Select).clear()

    def action_apply(self) -> None:
        def value(name):
            chosen = self.query_one(f"#{name}", Select).value
            return None if chosen is Select.NULL else chosen

        self.finish(
            CustomerFilter(
                search=self.current.search,
                tag=value("tag"),
                segment=value("segment"),
                tier=value("tier"),
                owner=value("owner"),
                sort=value("sort") or "name",
            )
        )
