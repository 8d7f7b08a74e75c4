"""The command line's help wrapped by display width: Chinese takes two cells a character,
so help that argparse wraps by characters came out twice as wide as the terminal."""

import argparse
import textwrap

import pytest
from rich.cells import cell_len

from salesdesk import i18n
from salesdesk.cli.help_format import wrap_cells
from salesdesk.cli.parser_words import CellWidthHelpFormatter, Parser, translate_argparse
from tests.test_cli import run

PARAGRAPH = (
    "从任何电子表格保存的 CSV/TSV 文件导入客户，也可直接从 Excel（.xlsx、.xls）或 "
    "OpenDocument（.ods）工作簿导入。邮箱或电话与已有客户相同的行会更新该客户"
    "（不同的值记入其备注，加 --update 时则替换已存的值）。"
)


@pytest.fixture
def chinese():
    i18n.set_language("zh")
    translate_argparse()
    yield
    i18n.set_language("en")


def _parsers(parser: argparse.ArgumentParser, name: str = "salesdesk"):
    """The parser and every sub-parser under it, with the command that shows it."""
    yield name, parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                yield from _parsers(sub, f"{name} {sub_name}")


@pytest.mark.parametrize("width", [20, 31, 40, 78])
def test_chinese_is_wrapped_by_cells_and_nothing_is_lost(width):
    lines = wrap_cells(PARAGRAPH, width)
    assert all(cell_len(line) <= width for line in lines)
    assert "".join(lines).replace(" ", "") == PARAGRAPH.replace(" ", "")
    # A line is full: the next line's first word would not have fitted on it.
    assert all(cell_len(line) > width - 12 for line in lines[:-1])
    # textwrap, which argparse uses, counts characters: its lines are wider than the room.
    assert max(cell_len(line) for line in textwrap.wrap(PARAGRAPH, width)) > width


def test_no_line_starts_with_a_closing_mark_or_ends_with_an_opening_one():
    for width in range(12, 60):
        for line in wrap_cells(PARAGRAPH, width):
            assert line[0] not in "，。、；：）", (width, line)
            assert line[-1] not in "（", (width, line)


def test_a_space_in_chinese_is_kept_and_words_are_not_split():
    lines = wrap_cells("请用 --db 指定一个可写文件夹中的文件，或者 salesdesk demo 生成一个", 16)
    assert all(cell_len(line) <= 16 for line in lines)
    words = " ".join(lines).split()
    assert "--db" in words and "salesdesk" in words and "demo" in words


def test_english_is_wrapped_exactly_as_argparse_wraps_it():
    text = "let the file's values replace a matched customer's (the old ones go into its notes)"
    for width in (20, 33, 54):
        assert wrap_cells(text, width) == textwrap.wrap(text, width)


def test_english_help_is_what_argparse_itself_would_print(monkeypatch):
    from salesdesk.cli.main import build_parser

    monkeypatch.setenv("COLUMNS", "80")
    i18n.set_language("en")
    for name, parser in _parsers(build_parser()):
        ours, made = parser.format_help(), parser.formatter_class
        parser.formatter_class = argparse.HelpFormatter
        assert parser.format_help() == ours, name
        parser.formatter_class = made


def test_every_subparser_is_a_parser_that_wraps_by_cells():
    from salesdesk.cli.main import build_parser

    found = dict(_parsers(build_parser()))
    assert {"salesdesk import customers", "salesdesk trash restore", "salesdesk export weekly"} <= set(found)
    assert all(isinstance(parser, Parser) for parser in found.values())
    assert all(parser.formatter_class is CellWidthHelpFormatter for parser in found.values())


def test_every_help_in_chinese_fits_80_columns(monkeypatch, chinese):
    from salesdesk.cli.main import build_parser

    monkeypatch.setenv("COLUMNS", "80")
    wide = []
    for name, parser in _parsers(build_parser()):
        text = parser.format_help()
        assert "用法：" in text, name
        wide += [(name, line) for line in text.splitlines() if cell_len(line) > 80]
    assert wide == []


def test_the_usage_lines_up_under_the_chinese_prefix(monkeypatch, chinese):
    from salesdesk.cli.main import build_parser

    monkeypatch.setenv("COLUMNS", "80")
    parsers = dict(_parsers(build_parser()))
    usage = parsers["salesdesk import customers"].format_usage().splitlines()
    assert usage[0].startswith("用法：salesdesk import customers [-h]") and len(usage) > 2
    start = cell_len("用法：salesdesk import customers ")
    for line in usage[1:]:
        assert cell_len(line) <= 80
        assert line[:start].strip() == "" and line[start] != " "


@pytest.mark.parametrize(
    "command", [(), ("import", "customers"), ("trash", "restore"), ("demo",), ("check",)]
)
def test_help_in_chinese_at_80_columns_as_a_person_runs_it(command):
    result = run(
        *command, "--help", env={"COLUMNS": "80", "LANGUAGE": "", "LC_ALL": "", "LANG": "zh_CN.UTF-8"}
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("用法：salesdesk")
    assert all(cell_len(line) <= 80 for line in lines), [line for line in lines if cell_len(line) > 80]
    assert any(cell_len(line) > 70 for line in lines)  # the room is used, not wrapped short


def test_a_command_builds_its_parser_without_the_wrapping():
    """argparse makes a formatter for every argument it adds; the wrapping's module (and
    unicodedata) is imported only when help or usage is shown, never at every start."""
    import subprocess
    import sys

    script = (
        "import sys; from salesdesk.cli.main import build_parser; build_parser().parse_args(['agenda']); "
        "print('salesdesk.cli.help_format' in sys.modules, 'unicodedata' in sys.modules)"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True)
    assert result.stdout.split() == ["False", "False"]
