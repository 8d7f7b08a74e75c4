"""After-sales cases in pure Python: the checks of their values, their statuses by name,
and the words a post-sale check-in reminder adds for a customer's open cases."""

from datetime import date, timedelta

import pytest

from salesdesk import i18n
from salesdesk.core import care
from salesdesk.core import cases as rules
from salesdesk.core.agenda import CHECKIN
from salesdesk.core.care import CareFacts, CareSettings, DealFact, Person
from salesdesk.core.errors import InvalidValue
from salesdesk.core.pipeline import DEFAULT_STAGES

DAY = date(2026, 11, 27)
WANG = Person("c1", "Wang Wei", "Huaxin", "ann")
NO_HOLIDAYS = CareSettings(holiday_country="")


def test_a_case_is_cleaned_title_trimmed_dates_iso_links_empty_as_none():
    cleaned = rules.clean(
        {"title": "  Printer jams ", "opened_on": DAY, "status": "open", "product_id": "", "notes": " x "}
    )
    assert cleaned == {
        "title": "Printer jams",
        "opened_on": "2026-11-27",
        "status": "open",
        "product_id": None,
        "notes": "x",
    }
    assert rules.clean({"opened_on": "2026-11-27", "closed_on": "2026-11-30"})["closed_on"] == "2026-11-30"


@pytest.mark.parametrize(
    ("values", "field", "said"),
    [
        ({"title": "   "}, "title", "needs a title"),
        ({"title": "x" * 201}, "title", "at most 200"),
        ({"status": "lost"}, "status", "use open, waiting or closed"),
        ({"opened_on": "27/11/2026"}, "opened_on", "use YYYY-MM-DD"),
        ({"opened_on": "2026-02-30"}, "opened_on", "not a real date"),
        ({"opened_on": "2026-11-27", "closed_on": "2026-11-20"}, "closed_on", "before it was opened"),
        ({"colour": "red"}, "colour", "no field 'colour'"),
    ],
)
def test_bad_values_of_a_case_are_refused_with_the_field_and_what_is_accepted(values, field, said):
    with pytest.raises(InvalidValue, match=said) as refused:
        rules.clean(values)
    assert refused.value.field == field


def test_statuses_are_named_and_typed_in_the_language_shown():
    assert [rules.status_name(s) for s in rules.STATUSES] == ["open", "waiting", "closed"]
    assert rules.status_typed(" Waiting ") == "waiting"
    assert rules.status_typed("done") is None
    i18n.set_language(i18n.CHINESE)
    assert rules.status_name("waiting") != "waiting"
    assert rules.status_typed(rules.status_name("closed")) == "closed"
    assert rules.status_typed("open") == "open"


def checkins(*facts):
    window = care.care_window(DAY, NO_HOLIDAYS, DEFAULT_STAGES)
    return care.care_reminders(CareFacts(paid=facts), window, NO_HOLIDAYS, DEFAULT_STAGES, "ann")


def test_a_check_in_says_how_many_cases_the_customer_has_open():
    entered = DAY - timedelta(days=28)
    (plain,) = checkins(DealFact(WANG, "d1", "ERP rollout", "stage-paid", entered))
    (one,) = checkins(DealFact(WANG, "d1", "ERP rollout", "stage-paid", entered, open_cases=1))
    (three,) = checkins(DealFact(WANG, "d1", "ERP rollout", "stage-paid", entered, open_cases=3))
    assert {plain.kind, one.kind, three.kind} == {CHECKIN}
    assert plain.why == "paid Fri 30 Oct"
    assert one.why == "paid Fri 30 Oct, 1 case open"
    assert three.why == "paid Fri 30 Oct, 3 cases open"
    assert one.key == plain.key  # the same reminder, saying more: done once, done for both


def test_the_check_in_words_of_open_cases_in_chinese():
    i18n.set_language(i18n.CHINESE)
    entered = DAY - timedelta(days=28)
    (item,) = checkins(DealFact(WANG, "d1", "ERP rollout", "stage-paid", entered, open_cases=2))
    assert item.why == "10月30日 周五回款，2 个售后工单未结"
