"""After-sales cases in a real database: opened and closed on the customer's history in
the same transaction, statuses and their days, the list and the counts, the check-in
reminder that says so, and a teammate's bad case held back by sync."""

import sqlite3
from datetime import timedelta

import pytest

from salesdesk.core.agenda import CHECKIN
from salesdesk.core.errors import InvalidValue, NotFound
from salesdesk.store.agenda import AgendaStore
from salesdesk.store.cases import CaseStore
from salesdesk.store.products import ProductStore
from salesdesk.sync import team as teamsync
from tests.conftest import START
from tests.conftest import TODAY as DAY
from tests.sync.test_hostile import crew, held_rows, inject, sync_all  # noqa: F401


@pytest.fixture
def cases(store):
    return CaseStore(store)


def history(store, customer_id):
    return [(i.kind, i.summary) for i in store.interactions_of(customer_id)]


def test_opening_a_case_writes_it_and_a_note_on_the_history_through_the_change_log(store, cases):
    wang = store.add_customer("Wang Wei")
    printer = ProductStore(store).add("Laser printer", code="LP-1")
    case_id = cases.open_case(wang, "Printer jams", product_id=printer, opened_on=DAY, notes="Tray 2")
    case = cases.get(case_id)
    assert (case.title, case.status, case.opened_on, case.closed_on, case.owner, case.notes) == (
        "Printer jams",
        "open",
        "2026-11-27",
        None,
        "ann",
        "Tray 2",
    )
    assert history(store, wang) == [("note", "Case opened: Printer jams")]
    logged = {row[0] for row in store.db.execute("SELECT tbl FROM changes WHERE row_id = ?", [case_id])}
    assert logged == {"cases"}
    # A note is about the customer, not contact with them.
    assert store.customer(wang).last_contact_at is None
    [listed] = cases.of_customer(wang)
    assert (listed.case.id, listed.product) == (case_id, "Laser printer")


def test_a_case_that_cannot_be_written_leaves_no_note_behind(store, cases):
    wang = store.add_customer("Wang Wei")
    with pytest.raises(NotFound):
        cases.open_case(wang, "Printer jams", product_id="no-such-product", opened_on=DAY)
    with pytest.raises(InvalidValue, match="needs a title"):
        cases.open_case(wang, "  ", opened_on=DAY)
    with pytest.raises(NotFound):
        cases.open_case("nobody", "Printer jams", opened_on=DAY)
    other = store.add_customer("Li Na")
    deal = store.add_deal(other, "Printers", 100_00)
    with pytest.raises(InvalidValue, match="same customer"):
        cases.open_case(wang, "Printer jams", deal_id=deal, opened_on=DAY)
    assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0
    assert history(store, wang) == []


def test_a_failed_note_takes_the_case_back_with_it(store, cases, monkeypatch):
    wang = store.add_customer("Wang Wei")

    def broken(*args, **kwargs):
        raise sqlite3.OperationalError("database or disk is full")

    monkeypatch.setattr(store, "log_interaction", broken)
    with pytest.raises(sqlite3.OperationalError):
        cases.open_case(wang, "Printer jams", opened_on=DAY)
    assert store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_closing_keeps_the_day_reopening_forgets_it_and_both_are_on_the_history(store, clock, cases):
    wang = store.add_customer("Wang Wei")
    case_id = cases.open_case(wang, "Printer jams", opened_on=DAY)
    cases.set_status(case_id, "waiting", DAY)
    assert (cases.get(case_id).status, cases.get(case_id).closed_on) == ("waiting", None)
    clock.advance(days=3)
    cases.set_status(case_id, "closed", DAY + timedelta(days=3))
    assert (cases.get(case_id).status, cases.get(case_id).closed_on) == ("closed", "2026-11-30")
    before = cases.get(case_id).version
    assert cases.set_status(case_id, "closed", DAY + timedelta(days=5)) == before  # nothing to change
    clock.advance(days=1)
    cases.set_status(case_id, "open", DAY + timedelta(days=4))
    assert (cases.get(case_id).status, cases.get(case_id).closed_on) == ("open", None)
    assert history(store, wang) == [
        ("note", "Case reopened: Printer jams"),
        ("note", "Case closed: Printer jams"),
        ("note", "Case opened: Printer jams"),
    ]
    with pytest.raises(InvalidValue, match="open, waiting or closed"):
        cases.set_status(case_id, "solved", DAY)


def test_an_edit_checks_its_values_and_leaves_the_status_to_set_status(store, cases):
    wang = store.add_customer("Wang Wei")
    case_id = cases.open_case(wang, "Printer jams", opened_on=DAY)
    cases.update(case_id, {"title": "Printer jams on tray 2", "notes": "since Monday"})
    assert cases.get(case_id).title == "Printer jams on tray 2"
    with pytest.raises(InvalidValue, match="status"):
        cases.update(case_id, {"status": "closed"})
    with pytest.raises(InvalidValue, match="YYYY-MM-DD"):
        cases.update(case_id, {"opened_on": "soon"})
    cases.set_status(case_id, "closed", DAY)
    with pytest.raises(InvalidValue, match="before it was opened"):
        cases.update(case_id, {"opened_on": (DAY + timedelta(days=1)).isoformat()})


def test_the_list_puts_unresolved_cases_first_and_the_counts_leave_closed_ones_out(store, clock, cases):
    wang, li, zhao = (store.add_customer(name) for name in ("Wang Wei", "Li Na", "Zhao Lei"))
    old = cases.open_case(wang, "Old complaint", opened_on=DAY - timedelta(days=9))
    new = cases.open_case(wang, "New request", opened_on=DAY)
    waiting = cases.open_case(wang, "Waiting on parts", opened_on=DAY - timedelta(days=5))
    cases.set_status(old, "closed", DAY)
    cases.set_status(waiting, "waiting", DAY)
    done = cases.open_case(li, "Settled", opened_on=DAY)
    cases.set_status(done, "closed", DAY)
    gone = cases.open_case(zhao, "Deleted", opened_on=DAY)
    store.records.delete("cases", gone)
    assert [c.case.id for c in cases.of_customer(wang)] == [new, waiting, old]
    assert cases.open_count([wang, li, zhao, "nobody", wang]) == {wang: 2}
    assert cases.open_count([]) == {}


def test_a_check_in_from_the_database_counts_the_customers_open_cases(store, clock, cases):
    pam, sam = store.add_customer("Paid Pam"), store.add_customer("Paid Sam")
    for customer in (pam, sam):
        clock.now = START - timedelta(days=40)
        deal = store.add_deal(customer, "Order", 1_000_00, stage_id="stage-signed")
        clock.now = START - timedelta(days=28)
        store.move_deal(deal, "stage-paid")
    clock.now = START
    cases.open_case(pam, "Printer jams", opened_on=DAY)
    cases.set_status(cases.open_case(pam, "Toner", opened_on=DAY), "waiting", DAY)
    cases.set_status(cases.open_case(sam, "Settled", opened_on=DAY), "closed", DAY)
    agenda = AgendaStore(store).load(DAY)
    why = {item.customer: item.why for item in agenda.items if item.kind == CHECKIN}
    assert why == {"Paid Pam": "paid Fri 30 Oct, 2 cases open", "Paid Sam": "paid Fri 30 Oct"}


BAD_CASES = {
    "an empty title": ({"title": "  "}, "case title is empty"),
    "a status of its own": ({"status": "solved"}, "case status is not open, waiting or closed"),
    "a day first date": ({"opened_on": "27/11/2026"}, "case opened_on is not a date"),
    "an impossible date": ({"closed_on": "2026-02-30"}, "case closed_on is not a date"),
}


def _case_record(device, customer_id, **fields):
    moment = "2026-11-27T09:00:00.000Z"
    return {
        "id": "evil-case",
        "customer_id": customer_id,
        "title": "Printer jams",
        "opened_on": "2026-11-27",
        "status": "open",
        "created_at": moment,
        "updated_at": moment,
        "updated_by": device.store.user,
        "version": 1,
        "deleted_at": None,
        **fields,
    }


@pytest.mark.parametrize("bad", sorted(BAD_CASES))
def test_a_teammates_bad_case_is_held_with_its_reason(crew, bad):  # noqa: F811
    ann, bob, mal, _ = crew
    customer = mal.store.add_customer("Shared customer")
    teamsync.sync_once(mal.store)
    teamsync.sync_once(ann.store)
    fields, reason = BAD_CASES[bad]
    inject(mal, "cases", "evil-case", _case_record(mal, customer, **fields))
    sync_all(ann, bob, mal)
    [(tbl, row_id, kind, said, author)] = held_rows(ann)
    assert (tbl, row_id, kind, author) == ("cases", "evil-case", "invalid", "mal")
    assert reason in said
    assert ann.store.db.execute("SELECT count(*) FROM cases").fetchone()[0] == 0


def test_a_teammates_good_case_arrives_with_its_note(crew):  # noqa: F811
    ann, bob, mal, _ = crew
    customer = mal.store.add_customer("Shared customer")
    case_id = CaseStore(mal.store).open_case(customer, "Printer jams", opened_on=DAY)
    sync_all(ann, bob, mal)
    assert held_rows(ann) == []
    assert CaseStore(ann.store).get(case_id).title == "Printer jams"
    assert history(ann.store, customer) == [("note", "Case opened: Printer jams")]
