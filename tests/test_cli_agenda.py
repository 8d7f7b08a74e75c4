"""`salesdesk agenda` as a person runs it: a real process, piped or in a terminal."""

import os
import subprocess
import sys
from datetime import date, timedelta

import pytest

from salesdesk.core.text import literal
from salesdesk.store.agenda import AgendaStore
from salesdesk.store.store import Store
from tests.conftest import TODAY, FakeClock
from tests.tui.agenda_seed import seed_agenda


def agenda(*args, env=None):
    environment = {**os.environ, "SALESDESK_USER": "ann", **(env or {})}
    environment.pop("SALESDESK_DB", None)
    return subprocess.run(
        [sys.executable, "-m", "salesdesk", "agenda", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
    )


@pytest.fixture(scope="module")
def seeded_db(tmp_path_factory):
    path = tmp_path_factory.mktemp("agenda") / "crm.db"
    clock = FakeClock()
    store = Store.open(path, "ann", clock)
    seed_agenda(store, clock)
    hostile = store.add_customer("\x1b[31mEvil\x1b[0m [b]Corp[/b]")
    store.add_followup(hostile, TODAY, "[red]call[/red] \x1b]0;pwned\x07")
    expected = {everyone: AgendaStore(store).load(TODAY, everyone=everyone) for everyone in (False, True)}
    store.close()
    return path, expected


def sections(stdout: str) -> dict[str, list[str]]:
    found, current = {}, None
    for line in stdout.splitlines()[1:]:
        if line and not line.startswith(" "):
            current = line.rsplit(" (", 1)[0]
            found[current] = []
        elif line.strip() and line.strip() != "nothing":
            found[current].append(line)
    return found


def test_piped_it_prints_the_agenda_as_plain_text(seeded_db):
    path, expected = seeded_db
    result = agenda("--db", str(path), "--date", "2026-11-27")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert out.splitlines()[0] == "Agenda for Friday 27 November 2026 (ann)"
    assert "\x1b" not in out and "\x07" not in out
    printed = sections(out)
    agenda_ = expected[False]
    assert list(printed) == ["Overdue", "Today", "Next 7 days"]
    # The same items as the app shows, in the same order.
    for section in agenda_.sections:
        lines = printed[section.title]
        assert len(lines) == len(section.items)
        for line, item in zip(lines, section.items, strict=True):
            assert literal(item.what) in line and literal(item.who.split(",")[0]) in line
    assert "Overdue (5)" in out and "Today (3)" in out and "Next 7 days (6)" in out
    renewal = next(line for line in printed["Overdue"] if "Contract renewal" in line)
    assert renewal.split() == [
        "Tue",
        "17",
        "Nov,",
        "10d",
        "late",
        "Contract",
        "renewal",
        "Tom",
        "Baker",
        "ends",
        "Thu",
        "17",
        "Dec,",
        "in",
        "20",
        "days",
    ]
    # Text from the database is printed as typed: markup and escapes are not obeyed.
    hostile = next(line for line in printed["Today"] if "Evil" in line)
    assert "[red]call[/red] ␛]0;pwned␇" in hostile and "␛[31mEvil␛[0m [b]Corp[/b]" in hostile


def test_all_shows_everyone_and_their_owners(seeded_db):
    path, expected = seeded_db
    out = agenda("--db", str(path), "--date", "2026-11-27", "--all").stdout
    assert "(everyone's)" in out.splitlines()[0]
    bobs = next(line for line in out.splitlines() if "Bob's call about support" in line)
    assert bobs.rstrip().endswith("bob")
    assert sum(len(lines) for lines in sections(out).values()) == len(expected[True].items)


def test_in_a_terminal_it_prints_coloured_tables(seeded_db):
    path, _ = seeded_db
    result = agenda(
        "--db",
        str(path),
        "--date",
        "2026-11-27",
        env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "140"},
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b[" in result.stdout  # colour
    assert "─" in result.stdout and "When" in result.stdout and "Deal" in result.stdout
    assert "Contract renewal" in result.stdout
    # Even in colour, the data's own escapes are shown, not sent.
    assert "\x1b]0;pwned" not in result.stdout and "␛]0;pwned" in result.stdout


def test_an_impossible_date_is_one_sentence_and_exit_1(seeded_db):
    path, _ = seeded_db
    result = agenda("--db", str(path), "--date", "2026-02-31")
    assert result.returncode == 1
    assert result.stderr.strip() == (
        "salesdesk: --date: 2026-02-31 is not a real date; "
        "use YYYY-MM-DD, today, tomorrow, 3d, 2w, fri or next mon."
    )
    assert result.stdout == ""
    result = agenda("--db", str(path), "--date", "someday")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert "\n" not in result.stderr.strip()


@pytest.mark.parametrize(
    ("typed", "days"), [("tomorrow", 1), ("明天", 1), ("后天", 2), ("3天", 3), ("2w", 14), ("两周", 14)]
)
def test_the_date_can_be_typed_as_in_the_app(seeded_db, typed, days):
    path, _ = seeded_db
    result = agenda("--db", str(path), "--date", typed)
    assert result.returncode == 0, result.stderr
    day = date.today() + timedelta(days=days)
    assert result.stdout.splitlines()[0].startswith(f"Agenda for {day:%A} {day.day} {day:%B %Y}")


def test_help_lists_the_agenda_command():
    result = subprocess.run(
        [sys.executable, "-m", "salesdesk", "--help"], capture_output=True, text=True, timeout=60
    )
    assert "agenda" in result.stdout


def test_under_a_chinese_locale_the_agenda_is_in_chinese(seeded_db):
    path, _ = seeded_db
    result = agenda("--db", str(path), "--date", "2026-11-27", env={"LANGUAGE": "", "LANG": "zh_CN.UTF-8"})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "2026年11月27日 周五 的日程（ann）"
    assert {"已逾期", "今天", "未来7天"} <= {line.split(" (")[0] for line in lines if line and line[0] != " "}
    assert "Overdue" not in result.stdout and "follow-up" not in result.stdout
    assert "跟进（电话）" in result.stdout


def test_lang_overrides_the_locale(seeded_db):
    path, _ = seeded_db
    chinese = agenda("--db", str(path), "--date", "2026-11-27", "--lang", "zh")
    assert chinese.stdout.startswith("2026年11月27日 周五 的日程（ann）")
    english = agenda("--lang=en", "--db", str(path), "--date", "2026-11-27", env={"LANG": "zh_CN.UTF-8"})
    assert english.stdout.startswith("Agenda for Friday 27 November 2026 (ann)")


def test_an_unknown_language_is_refused_in_one_sentence(seeded_db):
    path, _ = seeded_db
    result = agenda("--db", str(path), "--lang", "fr")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "invalid choice: 'fr'" in result.stderr


def test_a_bad_date_is_refused_in_chinese_naming_what_is_accepted(seeded_db):
    path, _ = seeded_db
    result = agenda("--db", str(path), "--date", "下周八", "--lang", "zh")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr == (
        "salesdesk: --date: '下周八' 不是日期；请使用 YYYY-MM-DD、今天、明天、3天、2周、周五或下周一。\n"
    )


def test_a_database_made_under_chinese_has_the_pipeline_in_chinese_and_an_old_one_keeps_its_own(tmp_path):
    from tests.test_cli import run

    chinese = {"LANGUAGE": "", "LANG": "zh_CN.UTF-8"}
    contacts = tmp_path / "contacts.csv"
    contacts.write_text("姓名,电话\n张伟,13800138000\n", encoding="utf-8")
    made = tmp_path / "new.db"
    assert run("--db", str(made), "import", "customers", str(contacts), env=chinese).returncode == 0
    store = Store.open(made, "ann", FakeClock())
    assert [stage.name for stage in store.stages()] == [
        "线索",
        "需求确认",
        "报价",
        "谈判",
        "签约",
        "回款",
        "输单",
    ]
    store.close()
    old = tmp_path / "old.db"
    Store.open(old, "ann", FakeClock()).close()
    assert run("--db", str(old), "import", "customers", str(contacts), env=chinese).returncode == 0
    store = Store.open(old, "ann", FakeClock())
    assert [stage.name for stage in store.stages()][0] == "Lead"
    store.close()


def test_the_language_chosen_in_the_settings_wins_over_the_locale_and_lang_over_both(seeded_db, tmp_path):
    import shutil

    path = tmp_path / "crm.db"
    shutil.copy(seeded_db[0], path)
    store = Store.open(path, "ann", FakeClock())
    store.set_meta("language", "zh")
    store.close()
    result = agenda("--db", str(path), "--date", "2026-11-27", env={"LANG": "en_US.UTF-8"})
    assert result.stdout.startswith("2026年11月27日 周五 的日程（ann）")
    result = agenda("--db", str(path), "--date", "2026-11-27", "--lang", "en")
    assert result.stdout.startswith("Agenda for Friday 27 November 2026 (ann)")


@pytest.fixture(scope="module")
def owed_db(tmp_path_factory):
    from tests.tui.receivable_seed import seed_receivables

    path = tmp_path_factory.mktemp("owed") / "crm.db"
    store = Store.open(path, "ann", FakeClock())
    seed_receivables(store)
    store.close()
    return path


def test_money_to_collect_is_printed_with_the_amount_and_how_late(owed_db):
    result = agenda("--db", str(owed_db), "--date", "2026-11-27")
    assert result.returncode == 0, result.stderr
    printed = sections(result.stdout)
    overdue = [line.split() for line in printed["Overdue"]]
    assert overdue[0][5:13] == ["Collect", "¥7,000", "from", "Acme", "(C-2026-0007,", "2", "of", "3)"]
    assert "12 days late" in printed["Overdue"][0] and "Acme order" in printed["Overdue"][0]
    assert any("Collect $500 from Beta (C-2026-0008)" in line for line in printed["Today"])
    assert any("Collect ¥1,500 from Gamma" in line for line in printed["Next 7 days"])
    assert "Delta" not in result.stdout  # snoozed past the day
    later = sections(agenda("--db", str(owed_db), "--date", "2026-11-30").stdout)
    assert any("Collect ¥1,000 from Delta" in line and "5 days late" in line for line in later["Overdue"])


def test_money_to_collect_has_its_own_colour_in_a_terminal(owed_db):
    result = agenda(
        "--db",
        str(owed_db),
        "--date",
        "2026-11-27",
        env={"FORCE_COLOR": "1", "TTY_COMPATIBLE": "1", "COLUMNS": "160"},
    )
    assert result.returncode == 0, result.stderr
    assert "\x1b[1;34mCollect ¥7,000 from Acme" in result.stdout
