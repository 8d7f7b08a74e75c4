"""README.zh-CN.md says what README.md says: the same commands, options, keys, sections,
tables and screenshots (of the Chinese interface), so the two cannot drift apart.

When this fails after a change to README.md: say the same in README.zh-CN.md.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ENGLISH = ROOT / "README.md"
CHINESE = ROOT / "README.zh-CN.md"

FENCE = re.compile(r"^```[^\n]*\n(.*?)^```", re.M | re.S)
SPAN = re.compile(r"`([^`\n]+)`")
FLAG = re.compile(r"(?<![\w-])--[a-z][a-z-]*")


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8")


def _blocks(text: str) -> list[str]:
    return FENCE.findall(text)


def _prose(text: str) -> str:
    """The text outside code blocks."""
    return FENCE.sub("", text)


def _tables(text: str) -> list[list[list[str]]]:
    """Each markdown table outside code blocks: its rows (the header's included), each a list of cells."""
    tables, current = [], []
    for line in _prose(text).splitlines():
        if line.startswith("|"):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if not all(set(cell) <= set("-: ") for cell in cells):
                current.append(cells)
        elif current:
            tables.append(current)
            current = []
    if current:
        tables.append(current)
    return tables


def _key_tables(text: str) -> list[list[list[str]]]:
    return [table for table in _tables(text) if table[0][0] in ("key", "按键")]


def _commands(text: str) -> list[str]:
    """The commands of the code blocks (a line's command, before its description or comment)
    and of the text (`salesdesk ...`, `python ...`)."""
    found = []
    for block in _blocks(text):
        for line in block.splitlines():
            if not line.startswith(("salesdesk ", "$ salesdesk", "python", "                 [")):
                continue  # output, or a description alone on its line
            command = re.split(r"\s{2,}|\s#", line.removeprefix("$ ").strip())[0]
            if command.startswith(("salesdesk", "[")) and "[" in command:
                # A description one space after a long command: lower-case words to the end.
                command = re.sub(r"\s[a-z][a-z ,'()]*$", "", command)
            found.append(command)
    found += [span for span in SPAN.findall(_prose(text)) if span.startswith(("salesdesk", "python"))]
    return found


def test_each_readme_links_to_the_other_at_its_top():
    assert "中文说明: [README.zh-CN.md](README.zh-CN.md)" in _text(ENGLISH).splitlines()[:4]
    assert "English: [README.md](README.md)" in _text(CHINESE).splitlines()[:4]


def test_every_command_of_the_english_readme_is_in_the_chinese_one():
    english, chinese = _text(ENGLISH), _text(CHINESE)
    commands = _commands(english)
    assert len(commands) > 40 and "salesdesk team round-robin [NAME ...]" in commands
    assert [command for command in commands if command not in chinese] == []


def test_every_option_of_the_english_readme_is_in_the_chinese_one():
    english, chinese = _text(ENGLISH), _text(CHINESE)
    flags = set(FLAG.findall(english))
    assert {"--db", "--lang", "--dry-run", "--dayfirst", "--since"} <= flags
    assert sorted(flags - set(FLAG.findall(chinese))) == []


def test_every_key_table_has_the_same_keys_in_the_same_order():
    english, chinese = _key_tables(_text(ENGLISH)), _key_tables(_text(CHINESE))
    assert len(english) == len(chinese) >= 5
    for ours, theirs in zip(english, chinese, strict=True):
        keys = [SPAN.findall(row[0]) for row in ours[1:]]
        assert keys == [SPAN.findall(row[0]) for row in theirs[1:]]
        # The keys a description names (`d` done, `esc` stops) are named in Chinese too.
        for row, other in zip(ours[1:], theirs[1:], strict=True):
            assert sorted(set(SPAN.findall(row[1])) - set(SPAN.findall(other[1]))) == [], row[0]


def test_every_table_has_as_many_rows_and_the_figures_are_the_same():
    english, chinese = _tables(_text(ENGLISH)), _tables(_text(CHINESE))
    assert [len(table) for table in english] == [len(table) for table in chinese]
    assert [len(table[0]) for table in english] == [len(table[0]) for table in chinese]
    for ours, theirs in zip(english, chinese, strict=True):
        if ours[0][0] == "figure":  # the benchmark's: every measured figure as it is
            for row, other in zip(ours[1:], theirs[1:], strict=True):
                assert row[1:-2] == other[1:-2], row[0]


def test_every_section_is_there_and_every_code_span_of_a_command_block():
    english, chinese = _text(ENGLISH), _text(CHINESE)
    for level in ("## ", "### "):
        count = [line for line in _prose(english).splitlines() if line.startswith(level)]
        assert len(count) == len([line for line in _prose(chinese).splitlines() if line.startswith(level)])
    assert len(_blocks(english)) <= len(_blocks(chinese))


def test_the_chinese_readme_shows_the_chinese_screenshots_of_the_same_screens():
    english = re.findall(r"\]\(screenshots/([\w-]+\.svg)\)", _text(ENGLISH))
    chinese = re.findall(r"\]\(screenshots/zh/([\w-]+\.svg)\)", _text(CHINESE))
    assert english and chinese == english
    assert "](screenshots/" not in _text(CHINESE).replace("](screenshots/zh/", "")


@pytest.mark.parametrize("path", [ENGLISH, CHINESE])
def test_every_local_link_leads_to_a_file(path):
    links = re.findall(r"\]\(([^)#:]+)\)", _text(path))
    missing = [
        link for link in links if not link.startswith("screenshots/zh/") and not (ROOT / link).exists()
    ]
    assert missing == []
