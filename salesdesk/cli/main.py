"""`salesdesk`: parse the arguments, then run the command or open the app."""

import argparse
import os
import sqlite3
import sys

from salesdesk import __version__, i18n
from salesdesk.cli import agenda, app, database, exports, imports, pool, targets, team, trash
from salesdesk.cli.parser_words import Parser, translate_argparse
from salesdesk.i18n import LANGUAGES, _


def build_parser() -> argparse.ArgumentParser:
    # --db and --user may stand before or after the command: both parsers know them,
    # and SUPPRESS keeps the sub-parser from overwriting a value given before it.
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "--db",
        metavar="PATH",
        default=argparse.SUPPRESS,
        help=_("the database file (default: $SALESDESK_DB, else the user data folder)"),
    )
    common.add_argument(
        "--user",
        metavar="NAME",
        default=argparse.SUPPRESS,
        help=_("who you are (default: $SALESDESK_USER, else the login name)"),
    )
    common.add_argument(
        "--lang",
        choices=LANGUAGES,
        default=argparse.SUPPRESS,
        help=_("the language of what is shown and written: en or zh (default: from LANG, else English)"),
    )
    # A Parser wraps its help by display width (Chinese takes two cells a character), and
    # so does every sub-parser: argparse makes them of the parser's class.
    parser = Parser(
        prog="salesdesk",
        parents=[common],
        description=_("A keyboard-driven CRM in the terminal. With no command, opens the app."),
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"salesdesk {__version__}",
        help=_("show program's version number and exit"),  # argparse's own words, given here
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    # Each group adds its commands with `set_defaults(run=...)`.
    for group in (database, agenda, imports, exports, team, trash, targets, pool):
        group.add_parsers(commands, common)
    return parser


# The exit status of a command whose reader stopped reading (`salesdesk check | head -1`):
# 128 + SIGPIPE, what a shell reports for any writer its reader left early. Not 0: the
# output was cut short, so a script with `set -o pipefail` should not take it as whole,
# and a status the command meant to give (1 for refused rows) was never reported.
EXIT_BROKEN_PIPE = 141


def main(argv: list[str] | None = None) -> int:
    """Run the command line; every command's output may go into a pipe that closes early."""
    try:
        try:
            return _main(argv)
        finally:  # here, not at exit, where a closed pipe would print a traceback
            sys.stdout.flush()
    except BrokenPipeError:
        # Python flushes stdout again at exit: point it at devnull so that flush is quiet.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE


def _language_asked(argv: list[str]) -> str | None:
    """`--lang` as typed, read before the parser: its help is in that language too."""
    for index, arg in enumerate(argv):
        if arg == "--lang" and index + 1 < len(argv):
            return argv[index + 1]
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
    return None


def _main(argv: list[str] | None) -> int:
    # The language first: the parser's help, argparse's own words and every message after
    # them are looked up in it.
    asked = _language_asked(sys.argv[1:] if argv is None else argv)
    i18n.set_language(asked or i18n.from_environment(), fixed=asked is not None)
    translate_argparse()
    parser = build_parser()
    args = parser.parse_args(argv)
    from salesdesk.cache import holiday_cache
    from salesdesk.core import calendars
    from salesdesk.core.errors import InvalidValue, SalesdeskError, field_name
    from salesdesk.paths import cache_dir, resolve_db_path, resolve_user

    calendars.keep_years_in(holiday_cache(cache_dir))
    db_path = None
    try:
        db_path = resolve_db_path(getattr(args, "db", None))
        user = resolve_user(getattr(args, "user", None))
        run = getattr(args, "run", app.run_app)
        return run(args, db_path, user) or 0
    except InvalidValue as error:
        print(f"salesdesk: {field_name(error.field)}: {error}", file=sys.stderr)
        return 1
    except SalesdeskError as error:
        print(f"salesdesk: {error}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        raise  # handled in `main`
    except (sqlite3.DatabaseError, OSError) as error:
        # Storage underneath: a database busy past the busy timeout, a read-only or full
        # disk, a file that cannot be opened.
        from salesdesk.cli.common import storage_fault

        fault = storage_fault(error, db_path) if db_path is not None else None
        if fault is None and isinstance(error, OSError):
            raise
        print(
            f"salesdesk: {fault}"
            if fault
            else "salesdesk: "
            + _("the database could not be used ({error}); run 'salesdesk check' for a report.").format(
                error=error
            ),
            file=sys.stderr,
        )
        return 1
    except KeyboardInterrupt:
        return 130
