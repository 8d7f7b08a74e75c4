"""Chinese relative dates on the command line, against a fixed today (Friday 2026-11-27).

`agenda --date` and `trash --since` read a day as forms do; the command line is the one
place that reads the clock, so the test fixes `local_today` where each command reads it.
"""

from datetime import date

import pytest

from salesdesk import i18n
from salesdesk.cli import agenda, main, trash
from salesdesk.store.store import Store
from tests.conftest import TODAY, FakeClock

# Every relative form the issue names, and the day it means from Friday 2026-11-27.
CHINESE_DAYS = [
    ("今天", date(2026, 11, 27)),
    ("明天", date(2026, 11, 28)),
    ("后天", date(2026, 11, 29)),
    ("周五", date(2026, 12, 4)),
    ("下周一", date(2026, 11, 30)),
    ("这周五", date(2026, 11, 27)),
    ("3天", date(2026, 11, 30)),
    ("2周", date(2026, 12, 11)),
    ("两周", date(2026, 12, 11)),
    ("1个月", date(2026, 12, 27)),
    ("月底", date(2026, 11, 30)),
]


@pytest.fixture
def database(tmp_path, monkeypatch):
    path = tmp_path / "sales.db"
    Store.open(path, "ann", FakeClock()).close()
    monkeypatch.setattr(agenda, "local_today", lambda: TODAY)
    monkeypatch.setattr(trash, "local_today", lambda: TODAY)
    return path


@pytest.mark.parametrize(("text", "expected"), CHINESE_DAYS)
def test_agenda_date_in_chinese(database, capsys, text, expected):
    assert main.main(["agenda", "--db", str(database), "--user", "ann", "--lang", "zh", "--date", text]) == 0
    heading = capsys.readouterr().out.splitlines()[0]
    i18n.set_language("zh")
    assert heading.startswith(f"{i18n.long_date(expected)} 的日程"), heading


@pytest.mark.parametrize(("text", "expected"), CHINESE_DAYS)
def test_agenda_date_in_chinese_under_english(database, capsys, text, expected):
    # A Chinese date is understood whatever the language shown.
    assert main.main(["agenda", "--db", str(database), "--user", "ann", "--date", text]) == 0
    heading = capsys.readouterr().out.splitlines()[0]
    assert heading.startswith(f"Agenda for {i18n.long_date(expected)}"), heading


def test_a_day_that_is_not_a_span_is_refused_in_a_sentence(database, capsys):
    argv = ["agenda", "--db", str(database), "--user", "ann", "--lang", "zh", "--date", "3月"]
    assert main.main(argv) == 1
    captured = capsys.readouterr()
    assert "--date" in captured.err and "Traceback" not in captured.err
    assert captured.out == ""


def test_trash_since_in_chinese(database, capsys):
    argv = ["trash", "--db", str(database), "--user", "ann", "--lang", "zh", "--since", "今天"]
    assert main.main(argv) == 0
    assert "Traceback" not in capsys.readouterr().err
