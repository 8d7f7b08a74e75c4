"""The Customers screen: a searchable, filterable list beside a detail pane, and every
action on a customer from the keyboard.

Each dialog is imported by the key that opens it: the forms would otherwise be most
of the screen's first visit.
"""

import sqlite3
from dataclasses import replace
from datetime import date

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal
from textual.widgets import Header, Input, Static

from salesdesk.core import pipeline
from salesdesk.core.errors import SalesdeskError, StaleRecord
from salesdesk.core.model import CUSTOMER_FIELDS, kind_name
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, short_date
from salesdesk.store.board import BoardQueries
from salesdesk.store.customers import SORTS, CustomerFilter, CustomerQueries, merge_customers
from salesdesk.store.store import Store
from salesdesk.tui.screens.base import AGAIN, ENTER_AGAIN, SAVE_AGAIN, DataScreen, show_fault, writes
from salesdesk.tui.widgets.cases import CasesSection
from salesdesk.tui.widgets.customer_detail import CustomerDetailPane
from salesdesk.tui.widgets.customer_list import CustomerList, segment_name
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys

SETTINGS = ("dormant_days", "tier_thresholds")
# The orders of the list as the status line names them, by their names in store.customers.
SORT_NAMES = {
    "name": N_("name"),
    "last contact": N_("last contact"),
    "value": N_("value"),
}
# The filters as the status line names them: `tag: vip`.
FILTER_NAMES = (
    ("tag", N_("tag: {value}")),
    ("segment", N_("segment: {value}")),
    ("tier", N_("tier: {value}")),
    ("owner", N_("owner: {value}")),
)
# What `c` copies, as a notification names it.
COPIED = {"phone": N_("Copied the phone."), "email": N_("Copied the email.")}
NOTHING_TO_COPY = {"phone": N_("No phone to copy."), "email": N_("No email to copy.")}


class CustomersScreen(DataScreen):
    BINDINGS = [
        Binding("slash", "search", N_("Search"), key_display="/", id="customers.search"),
        Binding("a", "add", N_("Add"), id="customers.add"),
        Binding("e", "edit", N_("Edit"), id="customers.edit"),
        Binding("i", "log", N_("Log"), id="customers.log"),
        Binding("t", "tags", N_("Tags"), id="customers.tags"),
        Binding("f", "followup", N_("Follow-up"), id="customers.followup"),
        Binding("n", "new_deal", N_("New deal"), id="customers.deal"),
        Binding("s", "open_case", N_("Case"), id="customers.case", show=False),
        Binding("F", "filters", N_("Filters"), id="customers.filters"),
        Binding("o", "cycle_sort", N_("Sort"), id="customers.sort"),
        Binding("c", "copy", N_("Copy"), id="customers.copy", show=False),
        Binding("dollar_sign", "receipt", N_("Receipt"), key_display="$", id="customers.receipt", show=False),
        Binding("O", "assign", N_("Assign"), id="customers.assign", show=False),
        Binding("d", "delete", N_("Delete"), id="customers.delete", show=False),
        Binding("escape", "back_to_list", N_("List"), show=False),
    ]

    def __init__(self, store: Store, *, user: str, today: date):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.user = user
        self.today = today
        self.queries = CustomerQueries(store.db, {key: store.setting(key) for key in SETTINGS})
        self.loaded_generation = 0  # the app's data_generation when the list was last read

    def compose(self) -> ComposeResult:
        yield Header()
        yield Input(
            placeholder=_("/ search name, company, phone, email, notes, history"), id="customer-search"
        )
        yield Static("", id="customer-status", markup=False)
        with Horizontal(id="customers-body"):
            yield CustomerList(self.queries, self.today, id="customer-list")
            yield CustomerDetailPane(id="customer-detail")
        yield KeyBar()

    @property
    def customer_list(self) -> CustomerList:
        return self.query_one(CustomerList)

    @property
    def current_id(self) -> str | None:
        row = self.customer_list.current
        return row.id if row else None

    def on_mount(self) -> None:
        from salesdesk.tui.widgets.contracts import ContractsSection

        self.query_one(CustomerDetailPane).mount(ContractsSection(id="contracts"), before="#history-title")
        self.watch(self.app, "privacy", lambda _: self._show_detail(), init=False)
        self.query_one(CustomerDetailPane).mount(CasesSection(), before="#history-title")
        self.customer_list.focus()
        self.loaded_generation = self.app.data_generation
        self.call_after_refresh(self._refresh)

    def on_screen_resume(self) -> None:
        # The dormant days and the tier thresholds are edited on the Today screen.
        if self.queries.use_settings(self.store.settings_of(SETTINGS)) and self.is_mounted:
            self._refresh(keep=self.current_id)

    def show_fresh(self) -> None:
        self._refresh(keep=self.current_id)

    def _refresh(self, keep: str | None = None) -> None:
        self.queries.invalidate()
        self.customer_list.reload(keep=keep)
        self._show_detail()
        self._update_status()

    def _update_status(self) -> None:
        listing = self.customer_list
        sort = listing.filter.sort
        parts = [
            ngettext("{n} customer", "{n} customers", listing.total).format(n=f"{listing.total:,}"),
            _("sorted by {order}").format(order=_(SORT_NAMES[sort]) if sort in SORT_NAMES else sort),
        ]
        for field, said in FILTER_NAMES:
            value = getattr(listing.filter, field)
            if value:
                shown = segment_name(value) if field == "segment" else value
                parts.append(_(said).format(value=shown))
        self.query_one("#customer-status", Static).update("  ·  ".join(parts))

    def _show_detail(self) -> None:
        customer_id = self.current_id
        detail = self.queries.detail(customer_id, self.today) if customer_id else None
        if detail is not None:
            from salesdesk.core.pool import NOT_ELIGIBLE, reason_text
            from salesdesk.store.pool import Pool

            pool = Pool(self.store)
            rules = pool.rules()
            detail.pool = pool.peek(detail.record["id"], self.today, rules)
            if detail.pool.kind != NOT_ELIGIBLE:
                detail.pool_why = reason_text(detail.pool, rules)
        self.query_one(CustomerDetailPane).show(detail, self.today, self.app.privacy, self.user)
        from salesdesk.tui.widgets.contracts import ContractsSection

        for section in self.query(ContractsSection):
            section.show(self.store, customer_id, self.today, self.app.privacy)
        for cases in self.query(CasesSection):  # (mounted with the screen)
            cases.show(customer_id if detail else None)

    @on(CustomerList.Highlighted)
    def _highlighted(self) -> None:
        self._show_detail()

    def show_customer(self, customer_id: str) -> None:
        """Bring one customer into view, clearing filters that would hide them."""
        if self.queries.position(customer_id, self.customer_list.filter, self.today) is None:
            self.query_one("#customer-search", Input).value = ""
            self.customer_list.filter = CustomerFilter(sort=self.customer_list.filter.sort)
        self._refresh(keep=customer_id)
        self.customer_list.focus()

    # -- search, filters, order -------------------------------------------------

    def action_search(self) -> None:
        self.query_one("#customer-search", Input).focus()

    @on(Input.Changed, "#customer-search")
    def _search(self, event: Input.Changed) -> None:
        self.customer_list.set_filter(replace(self.customer_list.filter, search=event.value))
        self._update_status()

    @on(Input.Submitted, "#customer-search")
    def action_back_to_list(self) -> None:
        self.customer_list.focus()

    def action_filters(self) -> None:
        from salesdesk.tui.screens.customer_forms import FilterScreen

        def chosen(result: CustomerFilter | None) -> None:
            if result is not None:
                self.customer_list.set_filter(result, keep=self.current_id)
                self._update_status()

        self.app.push_screen(
            FilterScreen(self.customer_list.filter, self.queries.tag_names(), self.queries.owners()), chosen
        )

    def action_cycle_sort(self) -> None:
        orders = list(SORTS)
        current = self.customer_list.filter
        following = orders[(orders.index(current.sort) + 1) % len(orders)]
        self.customer_list.set_filter(replace(current, sort=following), keep=self.current_id)
        self._update_status()

    # -- actions on the customer ------------------------------------------------

    def _selected(self):
        customer_id = self.current_id
        if customer_id is None:
            self.notify(_("No customer selected."), severity="warning")
            return None
        return self.store.customer(customer_id)

    @writes
    def action_receipt(self) -> None:
        """Money received from the customer, for the contract that is owed the longest."""
        from salesdesk.tui.screens.receipt_forms import open_receipt
        from salesdesk.tui.widgets.contracts import contract_to_collect

        customer_id = self.current_id
        contract_id = contract_to_collect(self.store, customer_id, self.today) if customer_id else None
        if contract_id is None:
            self.notify(_("Nothing is owed on this customer's contracts."), severity="warning")
            return
        open_receipt(self, self.store, contract_id, self.today, then=lambda _done: self._show_detail())

    @writes
    def action_add(self) -> None:
        self._add_form({"owner": self.user})

    def _add_form(self, typed: dict) -> None:
        """The new-customer form, saved before it closes unless it looks like someone we have.

        A teammate's customer is asked about over the form, which stays open beneath: esc
        is back to it as typed, and a write the database did not take leaves it open too.
        """
        from salesdesk.store.ownership import teammates_customer
        from salesdesk.tui.screens.customer_forms import CustomerForm, DuplicateScreen
        from salesdesk.tui.screens.ownership import ASK, CREATE, OwnedScreen, ask_for

        matches: list = []

        def save(values: dict) -> bool:
            owned = teammates_customer(
                self.store.db,
                self.user,
                name=values["name"],
                company=values["company"],
                email=values["email"],
                phone=values["phone"],
            )
            if owned is not None:
                self.app.push_screen(
                    OwnedScreen(owned, self.today), lambda choice: owned_choice(values, owned, choice)
                )
                return False
            return duplicates_or_create(values)

        def duplicates_or_create(values: dict, teammates: str | None = None) -> bool:
            matches[:] = [
                match
                for match in self.queries.duplicates(
                    values["name"], values["company"], values["email"], values["phone"]
                )
                if match[0] != teammates
            ]
            if matches:  # asked about first, once the form is closed
                return True
            return self._create(values, SAVE_AGAIN) is not None

        def owned_choice(values: dict, owned, choice: str | None) -> None:
            if choice == ASK and ask_for(self, self.store, owned, self.today, SAVE_AGAIN):
                form.dismiss(None)
            elif choice == CREATE and duplicates_or_create(values, owned.customer_id):
                form.dismiss(values)

        def entered(values: dict | None) -> None:
            if values is None or not matches:
                return

            def decided(choice) -> None:
                if choice is None:
                    self._add_form(values)
                    return
                action, other = choice
                if action == "open":
                    self.show_customer(other)
                    return
                created = self._create(values)
                if created is None:  # not saved: the form again, as typed
                    self._add_form(values)
                elif action == "merge":
                    self._merge(other, created)

            self.app.push_screen(DuplicateScreen(values["name"], matches), decided)

        form = CustomerForm(self.today, typed, save=save)
        self.app.push_screen(form, entered)

    def _create(self, values: dict, retry: str = AGAIN) -> str | None:
        fields = {name: value for name, value in values.items() if name != "name"}
        customer_id = self._guard(lambda: self.store.add_customer(values["name"], **fields), retry)
        if customer_id:
            self.show_customer(customer_id)
        return customer_id

    def _merge(self, keep: str, other: str) -> None:
        moved = self._guard(lambda: merge_customers(self.store, keep, other))
        if moved is not None:
            merged = _(
                "Merged: {deals} deals, {interactions} interactions, "
                "{followups} follow-ups and {tags} tags moved."
            )
            self.notify(merged.format(**moved), markup=False)
            self.show_customer(keep)

    @writes
    def action_edit(self) -> None:
        customer = self._selected()
        if customer is None:
            return
        record = {name: getattr(customer, name) for name in ("id", *CUSTOMER_FIELDS)}
        self._edit_form(record, {}, customer.version)

    def _edit_form(self, record: dict, typed: dict, version: int) -> None:
        """The edit form over `record` (with `typed` in it), saved before it closes."""
        from salesdesk.tui.screens.customer_forms import CustomerForm, DuplicateScreen

        customer_id = record["id"]
        after: list = []  # what comes once the form is closed: duplicates to ask about, a stale record

        def refresh() -> None:
            self._refresh(keep=customer_id)

        def save(values: dict) -> bool:
            matches = self.queries.duplicates(
                values["name"], values["company"], values["email"], values["phone"], exclude=customer_id
            )
            if matches:
                after[:] = ["duplicates", matches]
                return True
            outcome = self._write_edit(record, values, version, SAVE_AGAIN)
            if isinstance(outcome, StaleRecord):
                after[:] = ["stale", outcome]
            return outcome is not None

        def entered(values: dict | None) -> None:
            if values is None:
                return
            if not after:
                refresh()
                return
            what, detail = after
            if what == "stale":
                self._stale(record, values, detail, refresh)
                return

            def decided(choice) -> None:
                if choice is None:
                    self._edit_form(record, values, version)
                    return
                action, other = choice
                if action == "open":
                    self.show_customer(other)
                    return
                then = (lambda: self._merge(customer_id, other)) if action == "merge" else refresh
                self._save_edit(record, values, version, then)

            self.app.push_screen(DuplicateScreen(values["name"], detail), decided)

        self.app.push_screen(CustomerForm(self.today, {**record, **typed}, save=save), entered)

    def _write_edit(
        self, record: dict, values: dict, version: int, retry: str = AGAIN
    ) -> bool | StaleRecord | None:
        """Write an edit: True, the StaleRecord when the customer changed elsewhere, or None
        (the reason on screen) when it was refused or the database did not take it."""
        try:
            self.store.update_customer(record["id"], values, expected_version=version)
        except StaleRecord as error:
            if error.current is None:
                self.notify(str(error), severity="error", markup=False)
                return None
            return error
        except SalesdeskError as error:
            self.notify(str(error), severity="error", markup=False)
            return None
        except sqlite3.Error as error:
            show_fault(self, error, retry)
            return None
        return True

    def _save_edit(self, record: dict, values: dict, version: int, then) -> None:
        """Save an edit once its form is closed; if it is not taken, the form comes back as typed."""
        outcome = self._write_edit(record, values, version)
        if isinstance(outcome, StaleRecord):
            self._stale(record, values, outcome, then)
        elif outcome is None:
            self._edit_form(record, values, version)
        else:
            then()

    def _stale(self, record: dict, values: dict, error: StaleRecord, then) -> None:
        assert error.current is not None  # _write_edit reports the vanished record itself
        self._changed_elsewhere(record, values, error.current, then)

    def _changed_elsewhere(self, record: dict, values: dict, current: dict, then) -> None:
        from salesdesk.tui.screens.customer_forms import CUSTOMER_FIELDS
        from salesdesk.tui.screens.stale import MINE, StaleScreen, differences, my_changes

        mine = my_changes(record, values)

        def chosen(choice: str | None) -> None:
            if choice == MINE:
                self._save_edit(record, mine, current["version"], then)
            else:  # take theirs, or back: nothing of this edit is written
                if choice is None:
                    self.notify(_("Nothing saved; the customer shows what was saved elsewhere."))
                self._refresh(keep=record["id"])

        rows = differences(record, values, current, CUSTOMER_FIELDS + (("notes", _("Notes")),))
        self.app.push_screen(StaleScreen(current["name"], rows), chosen)

    @writes
    def action_log(self) -> None:
        from salesdesk.tui.screens.customer_forms import InteractionForm

        customer = self._selected()
        if customer is None:
            return

        def save(result: dict) -> bool:
            def write() -> None:
                with self.store.records.transaction():
                    self.store.log_interaction(
                        customer.id, result["kind"], result["summary"], at=result["at"], body=result["body"]
                    )
                    if result["next_due"]:
                        self.store.add_followup(
                            customer.id,
                            result["next_due"],
                            result["next_title"],
                            kind=result["kind"] if result["kind"] != "note" else "call",
                        )

            return self._attempt(write, SAVE_AGAIN)

        def entered(result: dict | None) -> None:
            if result is not None:
                kind = kind_name(result["kind"])
                if result["next_due"]:
                    logged = _("Logged the {kind}; next step {date}.").format(
                        kind=kind, date=short_date(result["next_due"])
                    )
                else:
                    logged = _("Logged the {kind}.").format(kind=kind)
                self.notify(logged, markup=False)
                self._refresh(keep=customer.id)

        self.app.push_screen(
            InteractionForm(customer.name, self.today, self.store.clock(), save=save), entered
        )

    @writes
    def action_tags(self) -> None:
        from salesdesk.tui.screens.customer_forms import TagsScreen

        customer = self._selected()
        if customer is None:
            return

        def save(result: tuple[list[str], list[str]]) -> bool:
            added, removed = result

            def write() -> None:
                with self.store.records.transaction():
                    for name in added:
                        self.store.add_tag(customer.id, name)
                    for name in removed:
                        self.store.remove_tag(customer.id, name)

            return self._attempt(write, SAVE_AGAIN)

        def entered(result) -> None:
            if result is not None:
                self._refresh(keep=customer.id)

        tags = TagsScreen(customer.name, self.store.tags_of(customer.id), self.queries.tag_names(), save=save)
        self.app.push_screen(tags, entered)

    @writes
    def action_followup(self) -> None:
        from salesdesk.tui.screens.dialogs import FollowUpScreen

        customer = self._selected()
        if customer is None:
            return

        def save(result: tuple) -> bool:
            due, title, kind = result
            return self._attempt(
                lambda: self.store.add_followup(customer.id, due, title, kind=kind), ENTER_AGAIN
            )

        def entered(result) -> None:
            if result is not None:
                self.notify(
                    _("Follow-up booked for {date}.").format(date=short_date(result[0])), markup=False
                )
                self._refresh(keep=customer.id)

        self.app.push_screen(
            FollowUpScreen(customer.name, self.today, _("Call {name}").format(name=customer.name), save=save),
            entered,
        )

    @writes
    def action_new_deal(self) -> None:
        from salesdesk.tui.screens.deal import NewDealScreen

        customer = self._selected()
        if customer is None:
            return

        def save(result: dict) -> bool:
            return self._attempt(
                lambda: self.store.add_deal(
                    customer.id,
                    result["title"],
                    result["amount"],
                    result["currency"],
                    expected_close=result["expected_close"],
                ),
                ENTER_AGAIN,
            )

        def entered(result: dict | None) -> None:
            if result is not None:
                first = pipeline.first_stage(self.store.stages(), pipeline.OPEN).name
                self.notify(
                    _("New deal in {stage}: {deal}").format(stage=first, deal=result["title"]), markup=False
                )
                self._refresh(keep=customer.id)

        self.app.push_screen(
            NewDealScreen(
                BoardQueries(self.store.db),
                self.store.setting("currency"),
                self.today,
                customer=(customer.id, customer.name),
                save=save,
            ),
            entered,
        )

    @writes
    def action_open_case(self) -> None:
        from salesdesk.tui.screens.case_forms import open_case

        customer = self._selected()
        if customer is not None:
            open_case(self, customer.id, customer.name)

    @writes
    def action_assign(self) -> None:
        from salesdesk.tui.screens.dialogs import AssignScreen

        customer = self._selected()
        if customer is None:
            return

        def save(owner: str) -> bool:
            return self._attempt(lambda: self.store.assign("customers", customer.id, owner), ENTER_AGAIN)

        def answered(owner: str | None) -> None:
            if owner:
                self.notify(_("Assigned to {owner}.").format(owner=owner), markup=False)
                self._refresh(keep=customer.id)

        self.app.push_screen(
            AssignScreen(customer.name, customer.owner, self.store.people(), save=save), answered
        )

    @writes
    def action_delete(self) -> None:
        from salesdesk.tui.screens.customer_forms import ConfirmScreen

        customer = self._selected()
        if customer is None:
            return

        def answered(yes: bool | None) -> None:
            if yes and self._attempt(lambda: self.store.delete_customer(customer.id, customer.version)):
                self.notify(_("Deleted {name}.").format(name=customer.name), markup=False)
                self._refresh()

        before, _name, after = _(
            "Delete {name}? Their deals and history stay in the database, hidden with them."
        ).partition("{name}")
        message = Text.assemble(before, (literal(customer.name), "bold"), after)
        self.app.push_screen(ConfirmScreen(_("Delete customer"), message), answered)

    def action_copy(self) -> None:
        from salesdesk.tui.screens.customer_forms import CopyScreen

        customer = self._selected()
        if customer is None:
            return

        def chosen(which: str | None) -> None:
            if which is None:
                return
            value = getattr(customer, which)
            if not value:
                self.notify(_(NOTHING_TO_COPY[which]), severity="warning")
                return
            self.app.copy_to_clipboard(value)
            self.notify(_(COPIED[which]))

        self.app.push_screen(CopyScreen(classes="dialog-screen"), chosen)
