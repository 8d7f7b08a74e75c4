"""Choosing the language, and words and dates in it."""

from datetime import date

import pytest

from salesdesk import i18n
from salesdesk.core.agenda import OVERDUE


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "zh_CN.UTF-8"}, "zh"),
        ({"LANG": "zh_SG.UTF-8"}, "zh"),
        ({"LC_ALL": "zh_CN.GB18030", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_MESSAGES": "zh_CN.UTF-8", "LANG": "en_US.UTF-8"}, "zh"),
        ({"LC_ALL": "en_GB.UTF-8", "LANG": "zh_CN.UTF-8"}, "en"),  # the first one set wins
        ({"LANGUAGE": "fr:zh_CN:en", "LANG": "fr_FR.UTF-8"}, "zh"),  # the first with a catalogue
        ({"LANGUAGE": "", "LANG": "zh_CN.UTF-8"}, "zh"),  # empty is not set
        ({"LANG": "C.UTF-8"}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "en"),  # no German catalogue: English
        ({"LANG": "zh_TW.UTF-8"}, "en"),  # Traditional characters: no catalogue yet
        ({}, "en"),
    ],
)
def test_the_language_comes_from_the_environment_as_gettext_reads_it(environ, expected):
    assert i18n.from_environment(environ) == expected


def test_words_are_shown_in_the_language_chosen():
    assert i18n._(OVERDUE) == "Overdue"
    assert i18n.set_language("zh") == "zh"
    assert i18n._(OVERDUE) == "已逾期"
    assert i18n.language() == "zh"
    assert i18n.set_language("en") == "en"
    assert i18n._(OVERDUE) == "Overdue"


def test_plurals_in_english_and_the_one_form_of_chinese():
    forms = ("ends {date}, in {n} day", "ends {date}, in {n} days")
    assert i18n.ngettext(*forms, 1).format(date="Fri 04 Dec", n=1) == "ends Fri 04 Dec, in 1 day"
    assert i18n.ngettext(*forms, 2).format(date="Fri 04 Dec", n=2) == "ends Fri 04 Dec, in 2 days"
    i18n.set_language("zh")
    assert i18n.ngettext(*forms, 1).format(date="12月4日 周五", n=1) == "12月4日 周五到期，还有1天"
    assert i18n.ngettext(*forms, 2).format(date="12月4日 周五", n=2) == "12月4日 周五到期，还有2天"


def test_a_message_without_a_translation_is_shown_in_english():
    i18n.set_language("zh")
    assert i18n._("A sentence no catalogue holds") == "A sentence no catalogue holds"


def test_an_unknown_language_is_english():
    assert i18n.set_language("tlh") == "en"


def test_dates_as_each_language_writes_them():
    day = date(2026, 12, 1)
    assert i18n.long_date(day) == "Tuesday 1 December 2026"
    assert i18n.short_date(day) == "Tue 01 Dec"
    i18n.set_language("zh")
    assert i18n.long_date(day) == "2026年12月1日 周二"
    assert i18n.short_date(day) == "12月1日 周二"


def test_sentences_are_spaced_in_english_and_not_in_chinese():
    assert i18n.sentences("One.", "", "Two.") == "One. Two."
    i18n.set_language("zh")
    assert i18n.sentences("一。", "", "二。") == "一。二。"
