"""argparse's own words ("usage:", "options", "invalid choice: ...") in the language shown.

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
