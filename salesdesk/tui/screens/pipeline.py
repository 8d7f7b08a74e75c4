"""The Pipeline screen: the board, its filter line, and what each key does to a deal.

Each dialog is imported by the key that opens it, not by the screen's first visit.
"""

from datetime import date

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import Header, Input, Static

from salesdesk.core import pipeline
from salesdesk.core.quotes import quote_label
from salesdesk.core.text import literal
from salesdesk.i18n import N_, _, ngettext, short_date
from salesdesk.store.board import BoardFilter, BoardQueries
from salesdesk.store.store import Store
from salesdesk.tui.screens.base import AGAIN, ENTER_AGAIN, DataScreen, writes
from salesdesk.tui.widgets.board import Board
from salesdesk.tui.widgets.key_bar import KeyBar, translate_keys

EMPTY_TEXT = N_(
    "No deals yet.\n\n"
    "Press n to add your first deal,\n"
    "or quit (ctrl+q) and run `salesdesk demo` to explore with sample data."
)


class PipelineScreen(DataScreen):
    BINDINGS = [
        Binding("n", "new_deal", N_("New deal"), id="pipeline.new"),
        Binding("u", "undo", N_("Undo"), id="pipeline.undo"),
        Binding("slash", "filter", N_("Filter"), key_display="/", id="pipeline.filter"),
        Binding("m", "toggle_mine", N_("Mine/all"), id="pipeline.mine"),
        Binding("L", "toggle_lost", N_("Show/hide Lost"), id="pipeline.lost", show=False),
        Binding("escape", "clear_filter", N_("Clear filter"), show=False),
    ]

    def __init__(self, store: Store, *, user: str, today: date):
        super().__init__()
        translate_keys(self)
        self.store = store
        self.user = user
        self.today = today
        self.mine = False
        self.undo_stack: list[str] = []  # stage change ids of this session's moves
        # (deal, won or lost or None, whether it was signed without a contract)
        self._offer_after_dialog: tuple[str, str | None, bool] | None = None
        self.loaded_generation = 0  # the app's data_generation when the board was last read

    def compose(self) -> ComposeResult:
        yield Header()
        # The filter box and the empty-board text start hidden, so the first layout
        # gives the board its full height and the first page of cards fills it.
        filter_box = Input(placeholder=_("filter cards by deal, customer or company"), id="board-filter")
        filter_box.display = False
        yield filter_box
        yield Static("", id="board-status", markup=False)
        from salesdesk.store.contracts import ContractStore

        yield Board(
            BoardQueries(self.store.db, ContractStore(self.store).collections_of_deals),
            self.store.stages(),
            self.today,
            BoardFilter(),
            self._deal_action,
            currency=self.store.setting("currency"),
            id="board",
        )
        empty = Static(_(EMPTY_TEXT), id="board-empty", markup=False)
        empty.display = False
        yield empty
        yield KeyBar()

    @property
    def board(self) -> Board:
        return self.query_one(Board)

    def on_mount(self) -> None:
        self.watch(self.app, "privacy", self.board.set_privacy)
        self.board.focus()
        self.loaded_generation = self.app.data_generation
        self.call_after_refresh(self._reload)

    def show_fresh(self) -> None:
        self._reload()

    def _reload(self, stage_ids: set[str] | None = None) -> None:
        board = self.board
        board.reload(stage_ids)
        empty = board.total == 0 and not board.filter.text and board.filter.owner is None
        self.query_one("#board-empty").display = empty
        board.display = not empty
        if not empty and self.focused is None:
            board.focus()
        self._update_status()

    def _update_status(self) -> None:
        board = self.board
        parts = [_("mine") if self.mine else _("everyone's deals")]
        if board.filter.text:
            parts.append(_("filter “{text}”").format(text=literal(board.filter.text)))
        if board.show_lost:
            parts.append(_("Lost shown"))
        parts.append(ngettext("{n} deal", "{n} deals", board.total).format(n=f"{board.total:,}"))
        self.query_one("#board-status", Static).update("  ·  ".join(parts))

    # -- deal actions from the board ----------------------------------------------

    def _deal_action(self, action: str, deal_id: str) -> None:
        if action != "open" and self.refused_read_only():  # the deal opens to be read
            return
        getattr(self, f"_deal_{action}")(deal_id)

    def _deal_forward(self, deal_id: str) -> None:
        from salesdesk.tui.screens.dialogs import ChecklistScreen

        deal = self.store.deal(deal_id)
        stages = self.store.stages()
        target = pipeline.neighbour(stages, deal.stage_id, +1)
        if target is None:
            self.notify(_("This deal is in the last stage."), severity="warning")
            return
        unmet = self.store.unmet_checklist(deal)
        if not unmet:
            self._move(deal_id, target.id)
            return
        current = self.store.stage(deal.stage_id)

        def save(ticked: list[str]) -> bool:
            if ticked and not self._attempt(lambda: self.store.tick_checklist(deal_id, ticked), ENTER_AGAIN):
                return False
            return self._move(deal_id, target.id, retry=ENTER_AGAIN)

        self.app.push_screen(
            ChecklistScreen(deal.title, current.name, target.name, unmet, save=save), self._dialog_closed
        )

    def _deal_back(self, deal_id: str) -> None:
        deal = self.store.deal(deal_id)
        target = pipeline.neighbour(self.store.stages(), deal.stage_id, -1)
        if target is None:
            self.notify(_("This deal is in the first stage."), severity="warning")
            return
        self._move(deal_id, target.id)

    def _deal_won(self, deal_id: str) -> None:
        self._move(deal_id, pipeline.first_stage(self.store.stages(), pipeline.WON).id)

    def _deal_lost(self, deal_id: str) -> None:
        from salesdesk.tui.screens.dialogs import LostReasonScreen

        deal = self.store.deal(deal_id)
        lost = pipeline.first_stage(self.store.stages(), pipeline.LOST)

        def save(reason: str) -> bool:
            return self._move(deal_id, lost.id, lost_reason=reason, retry=ENTER_AGAIN)

        self.app.push_screen(
            LostReasonScreen(deal.title, self.board.queries.lost_reasons(), save=save), self._dialog_closed
        )

    def _deal_open(self, deal_id: str) -> None:
        from salesdesk.tui.screens.deal import DealScreen

        def closed(saved: bool | None) -> None:
            if saved:
                self._reload()
                self.board.focus_deal(deal_id)

        self.app.push_screen(DealScreen(self.store, deal_id, self.today), closed)

    def _deal_followup(self, deal_id: str) -> None:
        from salesdesk.tui.screens.dialogs import FollowUpScreen

        deal = self.store.deal(deal_id)

        def save(result: tuple) -> bool:
            due, title, kind = result
            return self._attempt(
                lambda: self.store.add_followup(deal.customer_id, due, title, kind=kind, deal_id=deal_id),
                ENTER_AGAIN,
            )

        def answered(result) -> None:
            if result is None:
                return
            self._reload({deal.stage_id})
            self.board.focus_deal(deal_id)
            self.notify(_("Follow-up booked for {date}.").format(date=short_date(result[0])), markup=False)

        suggested = _("Follow up: {deal}").format(deal=deal.title)
        followup = FollowUpScreen(deal.title, self.today, suggested, save=save)
        self.app.push_screen(followup, answered)

    def _deal_assign(self, deal_id: str) -> None:
        from salesdesk.tui.screens.dialogs import AssignScreen

        deal = self.store.deal(deal_id)

        def save(owner: str) -> bool:
            return self._attempt(lambda: self.store.assign("deals", deal_id, owner), ENTER_AGAIN)

        def answered(owner: str | None) -> None:
            if owner:
                self.notify(_("Assigned to {owner}.").format(owner=owner), markup=False)
                self._reload({deal.stage_id})
                self.board.focus_deal(deal_id)

        self.app.push_screen(AssignScreen(deal.title, deal.owner, self.store.people(), save=save), answered)

    def _deal_quote(self, deal_id: str) -> None:
        """The deal's quote made from its lines (or its draft refreshed, or its next version)
        and shown; sending it from there can move the deal and book a follow-up."""
        from salesdesk.i18n import language, sentences
        from salesdesk.store.quotes import QuoteStore
        from salesdesk.tui.screens.quote import QuoteScreen

        quote = self._guard(lambda: QuoteStore(self.store).make(deal_id, self.today, language()))
        if quote is None:
            return

        def closed(sent) -> None:
            self._reload()
            self.board.focus_deal(deal_id)
            if sent is None:
                return
            said = [_("Sent {label}.").format(label=quote_label(sent.quote.number, sent.quote.revision))]
            if sent.moved_to:
                said.append(_("The deal is in {stage} now.").format(stage=sent.moved_to))
            if sent.followup_due:
                said.append(_("Follow-up booked for {date}.").format(date=short_date(sent.followup_due)))
            self.notify(sentences(*said), markup=False)

        self.app.push_screen(QuoteScreen(self.store, quote.id, self.today), closed)

    def _deal_contract(self, deal_id: str) -> None:
        """The deal's contract and payment plan; made when the deal is won."""
        from salesdesk.tui.screens.contract_forms import edit_contract

        deal = self.store.deal(deal_id)
        if self.store.stage(deal.stage_id).kind != pipeline.WON:
            self.notify(
                _("A contract comes with signing: move the deal to a won stage first."), severity="warning"
            )
            return

        def done(contract_id: str | None) -> None:
            if contract_id:
                self._reload({deal.stage_id})
                self.board.focus_deal(deal_id)

        edit_contract(self, self.store, deal_id, self.today, done)

    def _deal_receipt(self, deal_id: str) -> None:
        """Money received for the deal's contract: $, the amount, enter."""
        from salesdesk.store.contracts import ContractStore
        from salesdesk.tui.screens.receipt_forms import open_receipt

        contract = ContractStore(self.store).of_deal(deal_id)
        if contract is None:
            self.notify(_("This deal has no contract yet: c on a signed deal makes one."), severity="warning")
            return

        def done(outcome) -> None:
            if outcome is not None:
                self._reload()
                self.board.focus_deal(deal_id)

        open_receipt(self, self.store, contract.id, self.today, then=done)

    def _move(self, deal_id: str, stage_id: str, lost_reason: str = "", retry: str = AGAIN) -> bool:
        """Move a deal and show it where it went; whether it moved (if not, the reason is shown)."""
        before = self.store.deal(deal_id).stage_id
        change = self._guard(lambda: self.store.move_deal(deal_id, stage_id, lost_reason=lost_reason), retry)
        if change is None:
            return False
        self.undo_stack.append(change.id)
        self._reload({before, stage_id})
        if not self.board.focus_deal(deal_id):
            moved = _("Moved to {stage}. u undoes it.").format(stage=self.store.stage(stage_id).name)
            self.notify(moved, markup=False)
        stage = self.store.stage(stage_id)
        outcome = None
        if stage.kind != pipeline.OPEN and self.store.stage(before).kind == pipeline.OPEN:
            outcome = "won" if stage.kind == pipeline.WON else "lost"
        signing = self._needs_contract(deal_id, stage)
        if outcome is not None or signing:
            if self.app.screen is not self:
                # Asked once the dialog that asked for the move (the lost reason, the
                # checklist) has closed: a question pushed from inside it would answer
                # to the closed dialog, and its answer would be lost.
                self._offer_after_dialog = (deal_id, outcome, signing)
            else:
                self.call_after_refresh(self._after_move, deal_id, outcome, signing)
        return True

    def _needs_contract(self, deal_id: str, stage: pipeline.Stage) -> bool:
        """A deal moved into Signed (the first won stage) without a contract gets one."""
        if stage.kind != pipeline.WON:  # most moves: nothing more to read
            return False
        from salesdesk.store.contracts import ContractStore

        signed = pipeline.first_stage(self.store.stages(), pipeline.WON)
        return stage.id == signed.id and ContractStore(self.store).of_deal(deal_id) is None

    def _after_move(self, deal_id: str, outcome: str | None, signing: bool) -> None:
        """After a move: the contract dialog on signing, then the question about follow-ups."""
        if not signing:
            if outcome is not None:
                self._offer_to_close_followups(deal_id, outcome)
            return

        def done(_contract: str | None) -> None:
            self._reload()
            self.board.focus_deal(deal_id)
            if outcome is not None:
                self._offer_to_close_followups(deal_id, outcome)

        from salesdesk.tui.screens.contract_forms import edit_contract

        edit_contract(self, self.store, deal_id, self.today, done)

    def _dialog_closed(self, _answer: object = None) -> None:
        """A dialog that may have moved a deal closed: what follows the move now."""
        offer, self._offer_after_dialog = self._offer_after_dialog, None
        if offer is not None:
            self._after_move(*offer)

    def _offer_to_close_followups(self, deal_id: str, outcome: str) -> None:
        """A closed deal's follow-ups would stay on Today: ask to close them (yes by default)."""
        from salesdesk.tui.screens.dialogs import CloseFollowupsScreen

        open_ones = self.store.open_followups_of_deal(deal_id)
        if not open_ones:
            return
        deal = self.store.deal(deal_id)

        def answered(close: bool | None) -> None:
            ids = [item.id for item in open_ones]
            if close and self._attempt(lambda: self.store.close_followups(ids)):
                closed = ngettext(
                    "Closed {n} follow-up of {deal}.", "Closed {n} follow-ups of {deal}.", len(ids)
                )
                self.notify(closed.format(n=len(ids), deal=deal.title), markup=False)
                self._reload({deal.stage_id})
                self.board.focus_deal(deal_id)

        titles = [item.title for item in open_ones]
        self.app.push_screen(CloseFollowupsScreen(deal.title, outcome, titles), answered)

    # -- screen actions ---------------------------------------------------------------

    @writes
    def action_undo(self) -> None:
        if not self.undo_stack:
            self.notify(_("Nothing to undo."), severity="warning")
            return
        change_id = self.undo_stack.pop()
        change = self.store.records.require("stage_changes", change_id)
        if self._attempt(lambda: self.store.undo_stage_change(change_id)):
            self._reload({change["from_stage"], change["to_stage"]})
            self.board.focus_deal(change["deal_id"])
            # Say which move was taken back: it may not be the card in view.
            title = self.store.deal(change["deal_id"]).title
            moved, back = (
                self.store.stage(change["to_stage"]).name,
                self.store.stage(change["from_stage"]).name,
            )
            self.notify(
                _("Undone: {deal} is back from {moved} in {back}.").format(
                    deal=title, moved=moved, back=back
                ),
                markup=False,
            )

    @writes
    def action_new_deal(self) -> None:
        from salesdesk.store.ownership import teammates_customer
        from salesdesk.tui.screens.deal import NewDealScreen
        from salesdesk.tui.screens.ownership import ASK, CREATE, OwnedScreen, ask_for

        created: list[str] = []

        def save(result: dict) -> bool:
            # A new customer who is a teammate's is asked about over the form, left open.
            owned = result["customer_id"] is None and teammates_customer(
                self.store.db, self.user, name=result["customer_name"]
            )
            if owned:
                self.app.push_screen(
                    OwnedScreen(owned, self.today), lambda choice: owned_choice(result, owned, choice)
                )
                return False
            return write(result)

        def owned_choice(result: dict, owned, choice: str | None) -> None:
            if choice == ASK and ask_for(self, self.store, owned, self.today, ENTER_AGAIN):
                dialog.dismiss(None)
            elif choice == CREATE and write(result):
                dialog.dismiss(result)

        def write(result: dict) -> bool:
            def create() -> str:
                with self.store.records.transaction():
                    customer_id = result["customer_id"] or self.store.add_customer(result["customer_name"])
                    return self.store.add_deal(
                        customer_id,
                        result["title"],
                        result["amount"],
                        result["currency"],
                        expected_close=result["expected_close"],
                    )

            deal_id = self._guard(create, ENTER_AGAIN)
            if deal_id:
                created.append(deal_id)
            return deal_id is not None

        def answered(result: dict | None) -> None:
            if result is not None and created:
                self._reload()
                self.board.focus_deal(created[-1])

        dialog = NewDealScreen(self.board.queries, self.store.setting("currency"), self.today, save=save)
        self.app.push_screen(dialog, answered)

    def action_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        box.display = True
        box.focus()

    @on(Input.Changed, "#board-filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.board.set_filter(BoardFilter(self.user if self.mine else None, event.value))
        self._update_status()

    @on(Input.Submitted, "#board-filter")
    def _filter_done(self) -> None:
        self.board.focus()

    def action_clear_filter(self) -> None:
        box = self.query_one("#board-filter", Input)
        if box.display:
            box.value = ""
            box.display = False
            self.board.focus()

    def action_toggle_mine(self) -> None:
        self.mine = not self.mine
        self.board.set_filter(BoardFilter(self.user if self.mine else None, self.board.filter.text))
        self._update_status()

    def action_toggle_lost(self) -> None:
        self.board.toggle_lost()
        self._update_status()
