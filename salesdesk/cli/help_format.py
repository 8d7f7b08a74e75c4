"""Text wrapped by display width, for argparse's help (`parser_words.CellWidthHelpFormatter`).

argparse wraps help with textwrap, which counts characters: a line of Chinese, each
character two cells wide, came out twice as wide as the terminal. Imported only when help
or a usage line is shown.
"""

import re
import unicodedata

# Where a line may not begin (a comma, a full stop, a closing bracket...) or end (an opening one).
_NO_LINE_START = set("，。、；：！？）》」』】…")
_NO_LINE_END = set("（《「『【")
_WHITESPACE = re.compile(r"\s+")


def _wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in "WF"


def cells(text: str) -> int:
    """How many terminal cells `text` takes: two for a wide (CJK) character, one otherwise."""
    return sum(2 if _wide(char) else 1 for char in text)


def _tokens(text: str) -> list[str]:
    """Spaces, runs of narrow characters (a word, a flag, a number) and wide characters one
    by one: a line may break at a space or beside a wide character, as Chinese is written."""
    tokens: list[str] = []
    for char in text:
        if tokens and not _wide(char) and not char.isspace():
            last = tokens[-1]
            if not last.isspace() and not _wide(last[-1]):
                tokens[-1] = last + char
                continue
        tokens.append(char)
    return tokens


def wrap_cells(text: str, width: int) -> list[str]:
    """`text` in lines of at most `width` cells (a single word wider than that is cut).

    textwrap, which argparse uses, counts characters, so a line of Chinese came out twice
    as wide as the terminal. A line here never starts with a closing mark (，。）) nor ends
    with an opening one: the character before goes down with it.
    """
    text = _WHITESPACE.sub(" ", text).strip()
    if not any(_wide(char) for char in text):
        import textwrap

        return textwrap.wrap(text, width)  # as argparse wraps it: English as it always was
    width = max(width, 2)
    lines: list[str] = []
    line: list[str] = []  # the tokens of the line being filled, spaces included
    for token in _tokens(text):
        if token.isspace():
            if line:
                line.append(" ")
            continue
        if cells("".join(line) + token) <= width:
            line.append(token)
            continue
        # The token goes down. A closing mark takes the token before it along, and an
        # opening mark goes down with what follows it, when what goes down still fits.
        down = [token]
        while line and not line[-1].isspace() and len(line) > 1:
            held = down[0][0] in _NO_LINE_START or line[-1][-1] in _NO_LINE_END
            if held and cells(line[-1] + "".join(down)) <= width:
                down.insert(0, line.pop())
                continue
            break
        while line and line[-1].isspace():
            line.pop()
        if line:
            lines.append("".join(line))
        rest = "".join(down)
        while cells(rest) > width:  # a word longer than a line
            cut = 1
            while cells(rest[: cut + 1]) <= width:
                cut += 1
            lines.append(rest[:cut])
            rest = rest[cut:]
        line = [rest] if rest else []
    if line:
        lines.append("".join(line).rstrip())
    return lines
