"""argparse's own words ("usage:", "options", "invalid choice: ...") in the language shown,
and its help wrapped by display width (`Parser`, `CellWidthHelpFormatter`).

argparse looks its messages up at run time through the `_` it imported from gettext,
which reads gettext's global domain, not ours. `translate_argparse` points that one
name, in argparse's module only, at salesdesk's catalogue, so `salesdesk --help` and a
mistyped command read in the language chosen; other users of gettext are untouched.
The messages argparse can show for salesdesk's parsers are marked here (as the Python
versions salesdesk runs on spell them), so they are extracted into the catalogue; one
not here is shown in English.
"""

import argparse
import re
import unicodedata

from salesdesk.i18n import N_, _

MESSAGES = (
    N_("usage: "),
    N_("options"),
    N_("positional arguments"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("invalid %(type)s value: %(value)r"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("expected one argument"),
    N_("expected at most one argument"),
    N_("expected at least one argument"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("ignored explicit argument %r"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
)


def translate_argparse() -> None:
    """Show argparse's messages through salesdesk's catalogue from now on."""
    argparse._ = _  # type: ignore[attr-defined]


# -- help wrapped by display width ----------------------------------------------------------

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


class CellWidthHelpFormatter(argparse.HelpFormatter):
    """argparse's help laid out by display width, so Chinese help fits the terminal."""

    def _split_lines(self, text: str, width: int) -> list[str]:
        return wrap_cells(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return "\n".join(indent + line for line in wrap_cells(text, width - len(indent)))

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        # argparse lines the usage up under the prefix by its length in characters;
        # a stand-in as long as the prefix is wide lines it up by cells.
        shown = _("usage: ") if prefix is None else prefix
        stand_in = "\0" * cells(shown)
        return super()._format_usage(usage, actions, groups, stand_in).replace(stand_in, shown, 1)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help is wrapped by display width; its sub-parsers are too
    (argparse makes them of the parser's own class)."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", CellWidthHelpFormatter)
        super().__init__(*args, **kwargs)
