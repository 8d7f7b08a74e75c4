"""Holiday years kept between runs: computed once per calendar version, then read back."""

from datetime import date

import pytest

from salesdesk.cache import JsonCache, holiday_cache
from salesdesk.core import calendars
from salesdesk.core.calendars import Holiday


class Shelf(dict):
    """A YearStore in memory that remembers what was asked of it."""

    def __init__(self):
        super().__init__()
        self.asked: list[str] = []

    def get(self, key):
        self.asked.append(key)
        return super().get(key)

    def put(self, key, value):
        self[key] = value


@pytest.fixture
def shelf():
    kept = Shelf()
    calendars.keep_years_in(kept)
    yield kept
    calendars.keep_years_in(None)


def test_computed_years_are_kept_and_the_same_when_read_back(shelf):
    first = calendars.holidays_between("CN", date(2026, 12, 1), date(2027, 2, 28))
    assert set(shelf) == {"CN-2026", "CN-2027"}
    assert Holiday(date(2027, 1, 1), "New Year's Day") in first
    calendars.keep_years_in(shelf)  # a new run: nothing computed in this process yet
    assert calendars.holidays_between("CN", date(2026, 12, 1), date(2027, 2, 28)) == first


def test_a_kept_year_is_used_instead_of_the_calendar(shelf):
    shelf["CN-2026"] = [["2026-12-24", "A day of our own"]]
    found = calendars.holidays_between("CN", date(2026, 12, 1), date(2026, 12, 31))
    assert found == [Holiday(date(2026, 12, 24), "A day of our own")]


def test_the_span_is_cut_to_the_days_asked_for(shelf):
    autumn = Holiday(date(2026, 9, 25), "Mid-Autumn Festival")
    national = Holiday(date(2026, 10, 1), "National Day")
    assert calendars.holidays_between("CN", date(2026, 9, 25), date(2026, 10, 31)) == [autumn, national]
    assert calendars.holidays_between("CN", date(2026, 9, 26), date(2026, 10, 1)) == [national]
    assert calendars.holidays_between("CN", date(2026, 10, 2), date(2026, 10, 31)) == []


def test_an_unknown_country_is_kept_as_no_holidays(shelf):
    assert calendars.holidays_between("XX", date(2026, 1, 1), date(2026, 12, 31)) == []
    assert shelf["XX-2026"] == []


def test_the_cache_file_round_trips_and_a_new_version_starts_afresh(tmp_path):
    path = tmp_path / "cache" / "holidays.json"
    cache = JsonCache(lambda: path, lambda: "v1")
    cache.put("CN-2026", [["2026-01-01", "New Year's Day"]])
    assert JsonCache(lambda: path, lambda: "v1").get("CN-2026") == [["2026-01-01", "New Year's Day"]]
    assert JsonCache(lambda: path, lambda: "v2").get("CN-2026") is None


def test_a_damaged_or_unwritable_cache_costs_only_a_recomputation(tmp_path):
    path = tmp_path / "holidays.json"
    path.write_text("{not json", encoding="utf-8")
    cache = JsonCache(lambda: path, lambda: "v1")
    assert cache.get("CN-2026") is None
    blocked = tmp_path / "a-file"
    blocked.write_text("", encoding="utf-8")
    unwritable = JsonCache(lambda: blocked / "holidays.json", lambda: "v1")
    unwritable.put("CN-2026", [])  # no folder can be made under a file: nothing raised
    assert unwritable.get("CN-2026") == []  # still kept for this run


def test_the_holiday_cache_lives_in_the_folder_given(tmp_path):
    cache = holiday_cache(lambda: tmp_path)
    cache.put("CN-2026", [])
    assert (tmp_path / "holidays.json").exists()


def test_in_chinese_the_holidays_are_named_as_in_china(shelf):
    from salesdesk import i18n

    english = calendars.holidays_between("CN", date(2027, 1, 1), date(2027, 12, 31))
    i18n.set_language("zh")
    chinese = calendars.holidays_between("CN", date(2027, 1, 1), date(2027, 12, 31))
    # The same days, named as the calendar names them in China.
    assert [h.day for h in chinese] == [h.day for h in english]
    assert [h.name for h in chinese] == ["元旦", "春节", "清明节", "劳动节", "端午节", "中秋节", "国庆节"]
    assert english[1].name == "Chinese New Year (Spring Festival)"
    # Each language's year is kept apart, so the next run reads the right names back.
    assert shelf["CN-2027"][1] == ["2027-02-06", "Chinese New Year (Spring Festival)"]
    assert shelf["CN-2027-zh_CN"][1] == ["2027-02-06", "春节"]


def test_a_calendar_without_chinese_names_keeps_its_english_ones_in_chinese(shelf):
    from salesdesk import i18n

    i18n.set_language("zh")
    names = [h.name for h in calendars.holidays_between("US", date(2027, 1, 1), date(2027, 1, 31))]
    assert names == ["New Year's Day", "Martin Luther King Jr. Day"]
