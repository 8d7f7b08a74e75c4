"""`salesdesk export weekly` through its run function and its argument spec."""

import argparse
from pathlib import Path

import pytest

from salesdesk.cli.weekly import add_weekly_parser, export_weekly
from salesdesk.core.errors import InvalidValue
from salesdesk.store.store import Store
from tests.conftest import TODAY, FakeClock
from tests.reports_seed import seed_reports

GOLDEN = Path(__file__).parent / "io" / "golden"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--db", default=argparse.SUPPRESS)
    parser = argparse.ArgumentParser(prog="salesdesk export")
    add_weekly_parser(parser.add_subparsers(dest="format"), common)
    return parser


@pytest.fixture
def db_path(tmp_path) -> Path:
    path = tmp_path / "cli.db"
    clock = FakeClock()
    store = Store.open(path, "ann", clock)
    seed_reports(store, clock)
    store.close()
    return path


def _opener(path: Path, opened: list):
    def open_store():
        opened.append(path)
        return Store.open(path, "ann", FakeClock())

    return open_store


def test_writes_the_week_to_a_file(db_path, tmp_path, capsys):
    target = tmp_path / "week.md"
    args = _parser().parse_args(["weekly", "--week", "2026-W48", "-o", str(target), "--all"])
    assert export_weekly(args, _opener(db_path, []), today=TODAY) == 0
    assert target.read_bytes() == (GOLDEN / "weekly-2026-W48-everyone.md").read_bytes()
    assert capsys.readouterr().out == f"Wrote the summary of 2026-W48 to {target}\n"


def test_the_current_week_of_today_to_stdout_by_default(db_path, capsysbinary):
    args = _parser().parse_args(["weekly"])
    assert (args.week, args.output, args.all) == (None, None, False)
    assert export_weekly(args, _opener(db_path, []), today=TODAY) == 0
    assert capsysbinary.readouterr().out == (GOLDEN / "weekly-2026-W48-ann.md").read_bytes()


def test_a_bad_week_is_refused_before_the_database_is_opened(db_path, tmp_path):
    opened = []
    args = _parser().parse_args(["weekly", "--week", "2026-W54", "-o", str(tmp_path / "x.md")])
    with pytest.raises(InvalidValue) as refused:
        export_weekly(args, _opener(db_path, opened), today=TODAY)
    assert str(refused.value) == "2026-W54 is not a week of 2026; use YYYY-Www such as 2026-W48."
    assert refused.value.field == "--week"
    assert opened == [] and not (tmp_path / "x.md").exists()


def test_in_chinese_the_summary_is_chinese_and_still_markdown_tables(db_path, tmp_path):
    from salesdesk import i18n

    i18n.set_language("zh")
    target = tmp_path / "week.md"
    args = _parser().parse_args(["weekly", "--week", "2026-W48", "-o", str(target), "--all"])
    assert export_weekly(args, _opener(db_path, []), today=TODAY) == 0
    text = target.read_text(encoding="utf-8")
    assert text == (GOLDEN / "weekly-2026-W48-everyone.zh_CN.md").read_text(encoding="utf-8")
    assert text.startswith("# 全体：2026-W48 周，2026年11月23日–29日\n")
    # Each table: a header, its rule, and rows with as many cells as the header.
    lines = text.splitlines()
    for index, line in enumerate(lines):
        if line.startswith("| ") and index + 1 < len(lines) and lines[index + 1].startswith("| ---"):
            width = line.count(" | ")
            table = [line]
            for row in lines[index + 1 :]:
                if not row.startswith("|"):
                    break
                table.append(row)
            assert all(row.replace("\\|", "").count(" | ") == width for row in table), table
