"""Care reminders from facts made by hand: every kind, with a fixed today."""

from datetime import date, timedelta

import pytest
from lunardate import LunarDate

from salesdesk.core import calendars, care
from salesdesk.core.agenda import (
    BIRTHDAY,
    CHECKIN,
    DORMANT,
    HOLIDAY,
    LUNAR_BIRTHDAY,
    NEW_LEAD,
    NEXT,
    OVERDUE,
    RENEWAL,
    REPEAT,
    ROTTING,
    TODAY,
    build_agenda,
)
from salesdesk.core.calendars import Span
from salesdesk.core.care import (
    BirthdayFact,
    CareFacts,
    CareSettings,
    DealFact,
    Greeting,
    Person,
    QuietFact,
    RenewalFact,
    RepeatFact,
)
from salesdesk.core.errors import InvalidValue
from salesdesk.core.pipeline import DEFAULT_STAGES
from salesdesk.store.schema import DEFAULT_SETTINGS

DAY = date(2026, 11, 27)
WANG = Person("c1", "Wang Wei", "Huaxin", "ann")
NO_HOLIDAYS = CareSettings(holiday_country="")


def reminders(facts, today=DAY, settings=NO_HOLIDAYS):
    window = care.care_window(today, settings, DEFAULT_STAGES)
    return care.care_reminders(facts, window, settings, DEFAULT_STAGES, "ann")


def sectioned(facts, today=DAY, settings=NO_HOLIDAYS):
    agenda = build_agenda(reminders(facts, today, settings), today)
    return {section.title: [(i.kind, i.due) for i in section.items] for section in agenda.sections}


# -- birthdays ----------------------------------------------------------------------------


def test_birthdays_show_ahead_on_the_day_and_a_week_after():
    facts = CareFacts(
        birthdays=(
            BirthdayFact(WANG, 1980, 11, 30),
            BirthdayFact(Person("c2", "Li Na"), 1990, 11, 27),
            BirthdayFact(Person("c3", "Tom"), 1975, 11, 22),
            BirthdayFact(Person("c4", "Old"), 1975, 11, 10),  # past the grace period
            BirthdayFact(Person("c5", "Far"), 1975, 12, 20),  # past the horizon
        )
    )
    assert sectioned(facts) == {
        OVERDUE: [(BIRTHDAY, date(2026, 11, 22))],
        TODAY: [(BIRTHDAY, DAY)],
        NEXT: [(BIRTHDAY, date(2026, 11, 30))],
    }
    wang = next(i for i in reminders(facts) if i.customer_id == "c1")
    assert wang.why == "birthday, turns 46"
    assert wang.key == "birthday:c1:2026-11-30"


def test_a_birthday_without_a_year_says_no_age():
    (item,) = reminders(CareFacts(birthdays=(BirthdayFact(WANG, None, 11, 30),)))
    assert item.why == "birthday"


def test_29_february_is_kept_on_28_february_in_other_years():
    leap_day = CareFacts(birthdays=(BirthdayFact(WANG, 1988, 2, 29),))
    (item,) = reminders(leap_day, today=date(2027, 2, 25))
    assert item.due == date(2027, 2, 28)
    assert "kept on the 28th" in item.why
    (item,) = reminders(leap_day, today=date(2028, 2, 25))
    assert item.due == date(2028, 2, 29) and "kept" not in item.why
    # The store is asked for 29 February when 28 February of a common year is in view.
    assert "02-29" in calendars.birthday_keys(Span(date(2027, 2, 20), date(2027, 2, 28)))
    assert "02-29" not in calendars.birthday_keys(Span(date(2028, 2, 20), date(2028, 2, 28)))


def test_a_lunar_birthday_across_the_new_year():
    # 20th of the 12th lunar month of 2026 falls in January 2027.
    assert LunarDate(2026, 12, 20).to_solar_date() == date(2027, 1, 27)
    today = date(2027, 1, 25)
    window = care.care_window(today, NO_HOLIDAYS, DEFAULT_STAGES)
    assert window.lunar_days["12-20"] == (date(2027, 1, 27),)
    (item,) = reminders(CareFacts(birthdays=(BirthdayFact(WANG, lunar="12-20"),)), today=today)
    assert (item.kind, item.due, item.key) == (
        LUNAR_BIRTHDAY,
        date(2027, 1, 27),
        "lunar-birthday:c1:2027-01-27",
    )
    # The same lunar birthday moves in the solar calendar the next year.
    (item,) = reminders(CareFacts(birthdays=(BirthdayFact(WANG, lunar="12-20"),)), today=date(2028, 1, 14))
    assert item.due == LunarDate(2027, 12, 20).to_solar_date() == date(2028, 1, 16)


def test_the_30th_of_a_short_lunar_month_is_kept_on_the_29th():
    # The 12th month of lunar 2026 has 29 days; the New Year follows on 6 February 2027.
    assert calendars.lunar_birthday_in("12-30", 2026) == LunarDate(2026, 12, 29).to_solar_date()
    days = calendars.lunar_days(Span(date(2027, 2, 1), date(2027, 2, 8)))
    assert days["12-30"] == days["12-29"] == (date(2027, 2, 5),)
    assert days["01-01"] == (date(2027, 2, 6),)


# -- holidays -----------------------------------------------------------------------------


def test_holidays_move_with_the_lunar_calendar_and_count_once():
    first, last = date(2026, 1, 1), date(2027, 12, 31)
    found = {(h.day, h.name) for h in calendars.holidays_between("CN", first, last)}
    assert (date(2026, 2, 17), "Chinese New Year (Spring Festival)") in found
    assert (date(2027, 2, 6), "Chinese New Year (Spring Festival)") in found
    assert (date(2026, 9, 25), "Mid-Autumn Festival") in found
    assert (date(2027, 9, 15), "Mid-Autumn Festival") in found
    names = [name for _, name in found]
    # A holiday of several days is one greeting; moved working days and eves are none.
    assert names.count("National Day") == 2
    assert names.count("Chinese New Year (Spring Festival)") == 2
    assert not any("Day off" in name or name.endswith("Eve") for name in names)
    assert calendars.holidays_between("XX", first, last) == []


def test_one_holiday_row_lists_the_customers_to_greet():
    settings = CareSettings(holiday_country="CN", holiday_days_ahead=14)
    greeting = Greeting((WANG, Person("c2", "Li Na")), 12)
    facts = CareFacts(greeting=greeting)
    # Spring Festival 2027 is on 6 February; in 2026 it was on 17 February.
    (item,) = reminders(facts, today=date(2027, 1, 25), settings=settings)
    assert (item.kind, item.due, item.occurrence) == (HOLIDAY, date(2027, 1, 23), "2027-02-06")
    assert item.what == "Chinese New Year (Spring Festival) greetings"
    assert item.who == "Wang Wei, Li Na and 10 more"
    assert item.key == "holiday:ann:2027-02-06"
    (item,) = reminders(facts, today=date(2026, 2, 5), settings=settings)
    assert (item.due, item.occurrence) == (date(2026, 2, 3), "2026-02-17")
    # Gone once the holiday has passed.
    assert reminders(facts, today=date(2027, 2, 7), settings=settings) == []


# -- the rest -----------------------------------------------------------------------------


def test_renewals_are_due_n_days_before_the_end_and_stay_until_it():
    facts = CareFacts(
        renewals=(
            RenewalFact(WANG, DAY + timedelta(days=33)),  # due in three days
            RenewalFact(Person("c2", "Li Na"), DAY + timedelta(days=10)),  # twenty days late
            RenewalFact(Person("c3", "Tom"), DAY - timedelta(days=1)),  # ended
        )
    )
    assert sectioned(facts) == {
        OVERDUE: [(RENEWAL, DAY - timedelta(days=20))],
        TODAY: [],
        NEXT: [(RENEWAL, DAY + timedelta(days=3))],
    }


def test_dormant_is_about_customers_who_bought_and_are_not_being_worked():
    ninety_two = DAY - timedelta(days=92)
    old = date(2025, 1, 1)
    facts = CareFacts(
        quiet=(
            QuietFact(WANG, ninety_two, old, bought=True),
            QuietFact(Person("c2", "Lead only"), ninety_two, old, bought=False),
            QuietFact(Person("c3", "Being worked"), ninety_two, old, bought=True, open_deals=1),
            QuietFact(Person("c4", "Recent"), DAY - timedelta(days=80), old, bought=True),
            QuietFact(Person("c5", "Long gone"), DAY - timedelta(days=200), old, bought=True),
        )
    )
    items = reminders(facts)
    assert [(i.kind, i.customer_id, i.due) for i in items] == [(DORMANT, "c1", DAY - timedelta(days=2))]
    assert items[0].why == "dormant: 92 days quiet"
    assert items[0].occurrence == ninety_two.isoformat()


def test_a_new_lead_nobody_contacted_within_a_day():
    facts = CareFacts(
        quiet=(
            QuietFact(WANG, None, DAY - timedelta(days=1)),
            QuietFact(Person("c2", "Added today"), None, DAY),
            QuietFact(Person("c3", "Called"), DAY, DAY - timedelta(days=2)),
        )
    )
    assert [(i.kind, i.customer_id, i.due) for i in reminders(facts)] == [(NEW_LEAD, "c1", DAY)]


def test_repeat_buyers_past_their_own_usual_interval():
    assert care.usual_interval([date(2026, 1, 1), date(2026, 4, 1), date(2026, 7, 10)]) == 95
    assert care.usual_interval([date(2026, 1, 1)]) is None
    orders = (DAY - timedelta(days=212), DAY - timedelta(days=107))
    facts = CareFacts(
        repeat=(
            RepeatFact(WANG, orders, 0),
            RepeatFact(Person("c2", "Has an open deal"), orders, 1),
            RepeatFact(Person("c3", "Not yet"), (DAY - timedelta(days=150), DAY - timedelta(days=50)), 0),
        )
    )
    (item,) = reminders(facts)
    assert (item.kind, item.customer_id, item.due) == (REPEAT, "c1", DAY - timedelta(days=2))
    assert item.why == "buys every ~105d, last 107d ago"


def test_a_check_in_after_a_deal_reaches_paid():
    paid = DealFact(WANG, "d1", "ERP rollout", "stage-paid", DAY - timedelta(days=28))
    (item,) = reminders(CareFacts(paid=(paid,)))
    assert (item.kind, item.due, item.deal, item.stage) == (
        CHECKIN,
        DAY + timedelta(days=2),
        "ERP rollout",
        "Paid",
    )
    assert item.key == f"check-in:c1:d1@{DAY - timedelta(days=28)}"


def test_rotting_deals_follow_the_pipeline_rule():
    entered = DAY - timedelta(days=17)  # Lead rots after 14 days
    facts = CareFacts(
        open_deals=(
            DealFact(WANG, "d1", "50 laptops", "stage-lead", entered),
            DealFact(WANG, "d2", "Booked ahead", "stage-lead", entered, followup_ahead=True),
            DealFact(WANG, "d3", "Fresh", "stage-lead", DAY - timedelta(days=10)),
        )
    )
    (item,) = reminders(facts)
    assert (item.kind, item.deal_id, item.due, item.stage) == (ROTTING, "d1", DAY - timedelta(days=2), "Lead")
    assert item.why == "rotting: 17d in Lead (max 14)"


# -- settings -------------------------------------------------------------------------------


def test_the_defaults_are_the_stored_defaults():
    defaults = CareSettings()
    assert care.care_settings(DEFAULT_SETTINGS.get) == defaults


def test_currency_settings_as_typed():
    assert care.parse_setting("currency", " eur ") == "EUR"
    assert care.parse_setting("tier_thresholds", "CNY 350000 70000, USD 50k 10k") == {
        "CNY": (35_000_000, 7_000_000),
        "USD": (5_000_000, 1_000_000),
    }
    with pytest.raises(InvalidValue, match="tier A's threshold comes first"):
        care.parse_setting("tier_thresholds", "USD 10 50")


def test_settings_as_typed():
    assert care.parse_setting("dormant_days", " 60 ") == 60
    assert care.parse_setting("holiday_tiers", "b, a") == ["A", "B"]
    assert care.parse_setting("holiday_country", "us") == "US"
    assert care.parse_setting("holiday_country", "") == ""
    assert care.parse_setting("receivable_days", "0") == 0  # only what is due today or late
    assert care.parse_setting("paid_on_collection", " ask ") == "ask"
    for key, text in (
        ("dormant_days", "soon"),
        ("dormant_days", "0"),
        ("holiday_tiers", "A D"),
        ("holiday_country", "Narnia"),
        ("receivable_days", "91"),
        ("paid_on_collection", "sometimes"),
    ):
        with pytest.raises(InvalidValue) as refused:
            care.parse_setting(key, text)
        assert refused.value.field == key
    assert care.care_settings({"holiday_tiers": ["C"], "checkin_days": 10}.get) == CareSettings(
        holiday_tiers=("C",), checkin_days=10
    )


def test_the_calendars_are_imported_only_when_used():
    import subprocess
    import sys

    script = (
        "import salesdesk.core.calendars, salesdesk.core.care, salesdesk.store.agenda, "
        "salesdesk.tui.screens.today, salesdesk.cli.agenda_table; "
        "import sys; print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('holidays', 'lunardate')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "[]"
