"""argparse's own words ("usage:", "options", "invalid choice: ...") in the language shown,
and its help wrapped by display width (`Parser`; the wrapping is in `help_format`).

argparse looks its messages up at run time through the `_` it imported from gettext,
which reads gettext's global domain, not ours. `translate_argparse` points that one
name, in argparse's module only, at salesdesk's catalogue, so `salesdesk --help` and a
mistyped command read in the language chosen; other users of gettext are untouched.
The messages argparse can show for salesdesk's parsers are marked here (as the Python
versions salesdesk runs on spell them), so they are extracted into the catalogue; one
not here is shown in English.
"""

import argparse

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


class CellWidthHelpFormatter(argparse.HelpFormatter):
    """argparse's help laid out by display width, so Chinese help fits the terminal.

    argparse makes one for every argument it adds (to check its metavar), so the
    wrapping itself (`help_format`) is imported only when help or usage is shown.
    """

    def _split_lines(self, text: str, width: int) -> list[str]:
        from salesdesk.cli.help_format import wrap_cells

        return wrap_cells(text, width)

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        from salesdesk.cli.help_format import wrap_cells

        return "\n".join(indent + line for line in wrap_cells(text, width - len(indent)))

    def _format_usage(self, usage, actions, groups, prefix) -> str:
        # argparse lines the usage up under the prefix by its length in characters;
        # a stand-in as long as the prefix is wide lines it up by cells.
        shown = _("usage: ") if prefix is None else prefix
        if not shown:  # argparse naming a sub-command's parser ("salesdesk import")
            return super()._format_usage(usage, actions, groups, shown)
        from salesdesk.cli.help_format import cells

        stand_in = "\0" * cells(shown)
        return super()._format_usage(usage, actions, groups, stand_in).replace(stand_in, shown, 1)


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose help is wrapped by display width (CJK takes two cells); its
    sub-parsers are too, since argparse makes them of the parser's own class."""

    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", CellWidthHelpFormatter)
        super().__init__(*args, **kwargs)
