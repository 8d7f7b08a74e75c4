"""Nothing a person reads is left out of the catalogue: an AST scan of salesdesk/.

A string literal (or f-string) that reaches a person without `_`, `ngettext`, `N_` or
`pgettext` is a finding: an argument of `print`, `notify`, `SalesdeskError` (and every
subclass of it, found in the package), `Label`, `Static`, `Button`, `Text`; a key's
description in `Binding`; `help=` and `description=` of the command line's parsers;
`placeholder=`, `title=` and `tooltip=` wherever they are given; a title assigned to a
screen or widget; and what a function named like `describe`, `summary`, `sentence`,
`lines`, `title`... returns. A module constant named in one of those places counts as
its text.

Precise rather than noisy: a string directly in one of those places is prose when it
holds a word; one nested in an expression (`", ".join(...)`, a conditional) only when it
reads like words (a space between them, or a capital first letter), so keys, ids and
styles passed along pass. What is really not prose is in ALLOWED, each with its reason.

TEMPORARY holds the findings in files other work is translating now (the app's dialogs
and widgets, sync, `cli/team.py`): it shrinks as that work is merged. Rewrite it from the
code as it is with

    python -m tests.test_unmarked_strings --temporary --write

(`--temporary` alone prints it); `python -m tests.test_unmarked_strings` prints every
finding with its line. Once the set is empty, TEMPORARY_FILES can go too.
"""

from __future__ import annotations

import ast
import re
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import salesdesk

PACKAGE = Path(salesdesk.__file__).parent
ROOT = PACKAGE.parent

MARKS = {"_", "ngettext", "N_", "pgettext"}
# Calls whose positional arguments are shown: name -> the indexes shown (None: all).
SHOWN_ARGS: dict[str, tuple[int, ...] | None] = {
    "print": None,
    "notify": (0,),
    "Label": (0,),
    "Static": (0,),
    "Button": (0,),
    "Text": (0,),
    "Binding": (2,),
    "InvalidValue": (1,),  # its first is the field's name, a key
    "update": (0,),  # a Static's new content (a dict's update passes no literal)
    "assemble": None,  # Text.assemble: (text, style) pairs and texts
    "append": (0,),  # Text.append, or a part of a message being built
    "add_column": (0,),
    "add_columns": None,
    "Option": (0,),
}
# Of these, names so common that a literal given to them is prose only when it reads like
# words (a table name given to `records.update` is not).
LOOSE = {"update", "append"}
# Keywords whose value is shown, in any call; and those shown only in some.
SHOWN_KEYWORDS = {"placeholder", "title", "tooltip"}
SHOWN_KEYWORDS_OF = {
    "Binding": {"description"},
    "add_parser": {"help", "description"},
    "add_argument": {"help"},
    "add_subparsers": {"help", "description", "title"},
    "ArgumentParser": {"description", "epilog"},
    "InvalidValue": {"message"},
}
# Attributes that put a title on a screen or widget when assigned.
SHOWN_ATTRIBUTES = {"title", "sub_title", "border_title", "border_subtitle", "tooltip"}
# Functions whose return value is shown.
SHOWN_RETURNS = re.compile(
    r"describ|summar|sentence|message|title|label|heading|caption|explain|hint|(^|_)lines?$|"
    r"(^|_)note$|(^|_)reason$|(^|_)fault$|(^|_)prompt$"
)

WORD = re.compile(r"[A-Za-z]{2,}")
SQL = re.compile(r"\bSELECT\b|\bFROM\b|\bWHERE\b|\bJOIN\b|\bCOLLATE\b|= \?|\bAND\b|\bOR\b")
PLACEHOLDER = re.compile(r"\{[^{}]*\}")


@dataclass(frozen=True, order=True)
class Finding:
    path: str  # relative to the repository: salesdesk/cli/trash.py
    line: int
    text: str  # the literal's words, `{}` where an f-string has a value

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.text!r}"


def _text(node: ast.expr) -> str | None:
    """The words of a literal: a str constant, or an f-string with `{}` for its values."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(part.value if isinstance(part, ast.Constant) else "{}" for part in node.values)
    return None


def _is_prose(text: str, direct: bool) -> bool:
    """Whether `text` reads as words to a person: not SQL, an identifier, a format or a key."""
    if SQL.search(text):
        return False
    words = " ".join(word for word in PLACEHOLDER.sub(" ", text).split() if "_" not in word)
    found = WORD.findall(words)
    if not found or not any(char.islower() for char in words):  # END:VCARD, TEL;TYPE=CELL
        return False
    if direct:
        return True
    stripped = words.strip()
    return bool(re.search(r"[A-Za-z]{2,}[^A-Za-z{}\n]*\s+[^\s]*[A-Za-z]", stripped)) or stripped[:1].isupper()


def _called(node: ast.Call) -> str | None:
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """SalesdeskError and every class of the package that derives from it, by name."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                names = {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}
                bases.setdefault(node.name, set()).update(names)
    errors = {"SalesdeskError"}
    grown = True
    while grown:
        grown = False
        for name, parents in bases.items():
            if name not in errors and parents & errors:
                errors.add(name)
                grown = True
    return errors


class _Scanner:
    def __init__(self, path: str, tree: ast.Module, errors: set[str]):
        self.path = path
        self.tree = tree
        self.errors = errors
        self.found: set[Finding] = set()
        # Module constants: NAME = "text" (a constant marked with N_ is not one).
        self.constants: dict[str, ast.expr] = {}
        for node in tree.body:
            targets = node.targets if isinstance(node, ast.Assign) else []
            if isinstance(node, ast.AnnAssign) and node.value is not None:
                targets = [node.target]
            value = getattr(node, "value", None)
            for target in targets:
                if isinstance(target, ast.Name) and value is not None:
                    self.constants[target.id] = value

    def scan(self) -> set[Finding]:
        for node in ast.walk(self.tree):
            if isinstance(node, ast.Call):
                self._call(node)
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and target.attr in SHOWN_ATTRIBUTES:
                        self._shown(node.value)
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and SHOWN_RETURNS.search(
                node.name.lower()
            ):
                for inner in _own_nodes(node):
                    if isinstance(inner, ast.Return) and inner.value is not None:
                        self._shown(inner.value)
        return self.found

    def _call(self, node: ast.Call) -> None:
        name = _called(node)
        if name is None or name in MARKS:
            return
        shown: tuple[int, ...] | None = ()
        if name in SHOWN_ARGS:
            shown = SHOWN_ARGS[name]
        elif name in self.errors:
            shown = None  # every argument of an error that reaches a person
        for index, arg in enumerate(node.args):
            if shown is None or index in shown:
                self._shown(arg, direct=name not in LOOSE)
        keywords = SHOWN_KEYWORDS | SHOWN_KEYWORDS_OF.get(name, set())
        for keyword in node.keywords:
            if keyword.arg in keywords:
                self._shown(keyword.value)

    def _shown(self, node: ast.expr, direct: bool = True, seen: frozenset[str] = frozenset()) -> None:
        """Every unmarked literal that `node`, shown to a person, puts on screen."""
        if isinstance(node, ast.Call) and _called(node) in MARKS:
            return
        text = _text(node)
        if text is not None:
            if _is_prose(text, direct):
                self.found.add(Finding(self.path, node.lineno, text))
            if isinstance(node, ast.JoinedStr):  # values inside an f-string
                for part in node.values:
                    if isinstance(part, ast.FormattedValue):
                        self._shown(part.value, False, seen)
            return
        if isinstance(node, ast.Name):
            value = self.constants.get(node.id)
            if value is not None and node.id not in seen:
                self._shown(value, direct, seen | {node.id})
            return
        if isinstance(node, ast.IfExp):
            self._shown(node.body, direct, seen)
            self._shown(node.orelse, direct, seen)
            return
        if isinstance(node, ast.BinOp):  # "a" + "b", "%s ..." % value
            self._shown(node.left, direct, seen)
            self._shown(node.right, False, seen)
            return
        if isinstance(node, ast.Call):
            # "...".format(...), " ".join(...): the literal it is called on is shown.
            if isinstance(node.func, ast.Attribute):
                self._shown(node.func.value, direct and node.func.attr == "format", seen)
            for arg in node.args:
                self._shown(arg, False, seen)
            return
        if isinstance(node, (ast.Tuple, ast.List)):
            for element in node.elts:
                self._shown(element, False, seen)
            return
        if isinstance(node, (ast.GeneratorExp, ast.ListComp)):
            self._shown(node.elt, False, seen)


def _own_nodes(function: ast.AST):
    """The nodes of a function, not of the functions defined inside it."""
    stack = list(ast.iter_child_nodes(function))
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            continue
        yield node
        stack.extend(ast.iter_child_nodes(node))


def findings(package: Path = PACKAGE, root: Path = ROOT) -> set[Finding]:
    """Every unmarked string shown to a person in the modules under `package`."""
    trees = {
        path.relative_to(root).as_posix(): ast.parse(path.read_text(encoding="utf-8"), str(path))
        for path in sorted(package.rglob("*.py"))
    }
    errors = _error_classes(trees) | _error_classes(_core_errors())
    found: set[Finding] = set()
    for path, tree in trees.items():
        found |= _Scanner(path, tree, errors).scan()
    return found


def _core_errors() -> dict[str, ast.Module]:
    """The package's own error classes, so a module scanned alone knows them too."""
    errors = PACKAGE / "core" / "errors.py"
    return {"errors": ast.parse(errors.read_text(encoding="utf-8"))}


# What is really not prose, by file and text, each with its reason.
ALLOWED: dict[tuple[str, str], str] = {
    ("salesdesk/cli/main.py", "salesdesk: {}: {}"): "the program's name before a translated message",
    ("salesdesk/cli/main.py", "salesdesk: {}"): "the program's name before a translated message",
    ("salesdesk/cli/main.py", "salesdesk: "): "the program's name before a translated message",
    ("salesdesk/cli/common.py", "salesdesk: {}"): "the program's name before a translated message",
    ("salesdesk/cli/imports.py", "salesdesk: {}"): "the program's name before a translated message",
    ("salesdesk/tui/app.py", "salesdesk"): "the app's title: the program's name",
}
# Whole files that hold no words of the program, each with its reason.
ALLOWED_FILES: dict[str, str] = {
    "salesdesk/demo/small.py": "the demo's records: names and job titles, data as a customer's would be",
    "salesdesk/demo/large.py": "the demo's records: names and job titles, data as a customer's would be",
    "salesdesk/demo/data.py": "the demo's records: names and job titles, data as a customer's would be",
    "salesdesk/tui/screenshots.py": "a developer's command that redraws the README's screenshots",
}

# Files other work is translating now; their findings wait in TEMPORARY until it is merged.
TEMPORARY_FILES = (
    "salesdesk/tui/screens/dialogs.py",
    "salesdesk/tui/screens/today_dialogs.py",
    "salesdesk/tui/screens/customer_forms.py",
    "salesdesk/tui/screens/deal.py",
    "salesdesk/tui/screens/base.py",
    "salesdesk/tui/screens/conflicts.py",
    "salesdesk/tui/screens/trash.py",
    "salesdesk/tui/widgets/",
    "salesdesk/tui/app.py",
    "salesdesk/tui/live.py",
    "salesdesk/sync/",
    "salesdesk/cli/team.py",
)

# TEMPORARY: the findings in TEMPORARY_FILES, to be emptied as their translations are merged.
# Rewrite it from the code as it is: python -m tests.test_unmarked_strings --temporary --write
# TEMPORARY-BEGIN
TEMPORARY: set[tuple[str, str]] = {
    ("salesdesk/cli/team.py", "  {} {}  published {}, {} changes{}"),
    (
        "salesdesk/cli/team.py",
        "A teammate's change more than {} hours ahead of this computer's clock is held back.",
    ),
    (
        "salesdesk/cli/team.py",
        "A teammate's change whose clock is more than HOURS ahead of this "
        "computer's is held back until that time comes (a wrong system date, or"
        " a crafted file, would otherwise pin every clock to the future). A "
        "team setting; 24 by default.",
    ),
    ("salesdesk/cli/team.py", "Bring in teammates' changes and publish yours, once."),
    ("salesdesk/cli/team.py", "Found {} changes in {} (its -wal included)."),
    (
        "salesdesk/cli/team.py",
        "List the changes from teammates that failed a check and are held back "
        "(who they came from, which record, and why). Each is tried again at "
        "every sync.",
    ),
    (
        "salesdesk/cli/team.py",
        "Merge another copy of a salesdesk database (a sync tool's conflict "
        "copy, an old backup) into this one, then move it aside into salesdesk-"
        "merged/.",
    ),
    ("salesdesk/cli/team.py", "Moved {} to {} (kept, not deleted)."),
    (
        "salesdesk/cli/team.py",
        "New leads nobody named an owner for (imported rows without an owner, "
        "customers added from the command line) go to these people in turn. "
        "With no names, round-robin is off and they stay with whoever adds "
        "them.",
    ),
    ("salesdesk/cli/team.py", "New unowned leads go in turn to: {}."),
    (
        "salesdesk/cli/team.py",
        "No changes are held back: everything teammates published was merged.",
    ),
    ("salesdesk/cli/team.py", "Round-robin is off: new leads stay with whoever adds them."),
    ("salesdesk/cli/team.py", "Show the team folder and the devices in it, or join one."),
    ("salesdesk/cli/team.py", "fold a conflict copy back in"),
    ("salesdesk/cli/team.py", "how far ahead a teammate's clock may be"),
    ("salesdesk/cli/team.py", "list teammates' changes held back"),
    ("salesdesk/cli/team.py", "one round of team sync"),
    ("salesdesk/cli/team.py", "report what would change; change nothing"),
    (
        "salesdesk/cli/team.py",
        "salesdesk: warning: {} is inside a {} folder. A sync tool can copy an "
        "open database half-written and lose edits. Keep the database outside "
        "it and share with 'salesdesk team join FOLDER' instead.",
    ),
    ("salesdesk/cli/team.py", "share out new unowned leads in turn"),
    ("salesdesk/cli/team.py", "share through a sync folder"),
    (
        "salesdesk/cli/team.py",
        "{} fields were edited in both copies; the losing values are kept on the Conflicts screen (key 5).",
    ),
    ("salesdesk/cli/team.py", "{} hours is not a bound; use {} to {}."),
    ("salesdesk/cli/team.py", "{} is the database itself; name another copy to merge."),
    ("salesdesk/cli/team.py", "{} the {} {}: "),
    ("salesdesk/cli/team.py", "{} {} held back; each is tried again at every sync."),
    ("salesdesk/sync/held.py", "Held back {} {} from {} ({}), e.g. {}."),
    ("salesdesk/sync/merge.py", "A change from {} was held back: {}."),
    ("salesdesk/sync/merge.py", "{} cannot be read ({})."),
    ("salesdesk/sync/merge.py", "{} conflicting edits kept for review"),
    ("salesdesk/sync/merge.py", "{} does not exist."),
    ("salesdesk/sync/merge.py", "{} held back ('salesdesk team held' lists them)"),
    ("salesdesk/sync/merge.py", "{} held back before and applied now"),
    ("salesdesk/sync/merge.py", "{} is a folder, not a copy of a database."),
    ("salesdesk/sync/merge.py", "{}: nothing new."),
    ("salesdesk/sync/reading.py", "it is not a database that can be read ({})."),
    ("salesdesk/sync/reading.py", "{} cannot be read ({})."),
    ("salesdesk/sync/reading.py", "{} has no change log (a changes table); it was skipped."),
    ("salesdesk/sync/reading.py", "{} has no meta table with key and value; it was skipped."),
    (
        "salesdesk/sync/reading.py",
        "{} is a symbolic link; a copy is read only from a file of its own.",
    ),
    ("salesdesk/sync/reading.py", "{} is damaged ({}); nothing was merged from it."),
    ("salesdesk/sync/reading.py", "{} is damaged: {}"),
    ("salesdesk/sync/reading.py", "{} is not a SQLite database; nothing was merged from it."),
    ("salesdesk/sync/reading.py", "{} is not a regular file."),
    ("salesdesk/sync/reading.py", "{} is not a salesdesk database; nothing was merged from it."),
    (
        "salesdesk/sync/reading.py",
        "{} is not completely synced yet ({} of {} bytes); will try again.",
    ),
    (
        "salesdesk/sync/reading.py",
        "{} was written by a newer salesdesk (schema {}); upgrade salesdesk to merge it.",
    ),
    ("salesdesk/sync/reading.py", "{}: its change log has no {} column; it was skipped."),
    ("salesdesk/sync/reading.py", "{}: reading it took too long, so it was not merged."),
    (
        "salesdesk/sync/team.py",
        "Another copy was publishing as this device ({}); this copy now has a device id of its own.",
    ),
    ("salesdesk/sync/team.py", "Published this copy to {}."),
    (
        "salesdesk/sync/team.py",
        "Skipped {} from {}: it is not completely synced yet (checksum differs); will try again.",
    ),
    ("salesdesk/sync/team.py", "Skipped {} from {}: {}"),
    ("salesdesk/sync/team.py", "Skipped {}: it is not there yet; will try again."),
    ("salesdesk/sync/team.py", "Skipped {}: its manifest cannot be read yet."),
    (
        "salesdesk/sync/team.py",
        "The folder {} does not exist; create it (or let the sync tool create it) and try again.",
    ),
    (
        "salesdesk/sync/team.py",
        "The team folder {} is not there (is the sync tool running, or the share mounted?).",
    ),
    (
        "salesdesk/sync/team.py",
        "This database is not in a team yet; run 'salesdesk team join FOLDER' first.",
    ),
}
# TEMPORARY-END


def _temporary_file(path: str) -> bool:
    return any(path == name or (name.endswith("/") and path.startswith(name)) for name in TEMPORARY_FILES)


def _left(found: set[Finding]) -> list[Finding]:
    return sorted(
        f
        for f in found
        if (f.path, f.text) not in ALLOWED
        and (f.path, f.text) not in TEMPORARY
        and f.path not in ALLOWED_FILES
    )


def test_every_string_shown_is_marked_for_the_catalogue():
    left = _left(findings())
    assert left == [], (
        "shown to a person without _, ngettext, N_ or pgettext (CONTRIBUTING.md, "
        "'Words a person reads'):\n" + "\n".join(map(str, left))
    )


def test_the_temporary_findings_are_only_of_files_being_translated_elsewhere_and_still_there():
    assert sorted(path for path, _text in TEMPORARY if not _temporary_file(path)) == []
    now = {(f.path, f.text) for f in findings()}
    stale = sorted(TEMPORARY - now)
    assert stale == [], (
        "translated since: rewrite TEMPORARY with `python -m tests.test_unmarked_strings --temporary`\n"
        + "\n".join(map(repr, stale))
    )


def test_every_allowed_string_and_file_is_still_there():
    now = {(f.path, f.text) for f in findings()}
    assert sorted(set(ALLOWED) - now) == [], "no longer found: take it out of ALLOWED"
    assert sorted(path for path in ALLOWED_FILES if not (ROOT / path).is_file()) == []


SAMPLE = """
import argparse
from salesdesk.core.errors import InvalidValue, SalesdeskError
from salesdesk.i18n import N_, _, ngettext

GONE = "The customer is gone."
KEPT = N_("The customer is kept.")


class NoSuchThing(SalesdeskError):
    pass


def run(parser, n, path):
    print(_("Imported {path}").format(path=path))
    print(ngettext("{n} customer", "{n} customers", n).format(n=n))
    print(f"salesdesk: {path}")
    print(f"Wrote {n} rows to {path}")
    print(GONE)
    print(_(KEPT))
    parser.add_argument("--x", help="the x to use")
    parser.add_argument("--y", help=_("the y to use"), metavar="Y")
    raise NoSuchThing(f"{path} is not a salesdesk database.")


def check(value):
    if not value:
        raise InvalidValue("email", "An email is required.")
    raise InvalidValue("email", _("{value} is not an email.").format(value=value))


def summary(count):
    return "nothing" if not count else _("something")


def styles():
    return {"Overdue": "bold red"}
"""


def test_a_new_unmarked_sentence_is_found_and_a_marked_one_is_not(tmp_path):
    package = tmp_path / "salesdesk"
    package.mkdir()
    (package / "sample.py").write_text(textwrap.dedent(SAMPLE), encoding="utf-8")
    found = {finding.text for finding in findings(package, tmp_path)}
    assert found == {
        "salesdesk: {}",
        "Wrote {} rows to {}",
        "The customer is gone.",
        "the x to use",
        "{} is not a salesdesk database.",
        "An email is required.",
        "nothing",
    }
    assert {f.path for f in findings(package, tmp_path)} == {"salesdesk/sample.py"}


def test_the_scan_of_the_package_finds_the_sample_sentence_once_added(tmp_path):
    """The package as it is, plus one module with one unmarked sentence: exactly that one is new."""
    import shutil

    copy = tmp_path / "salesdesk"
    shutil.copytree(PACKAGE, copy, ignore=shutil.ignore_patterns("__pycache__", "locale"))
    before = {(f.path, f.text) for f in findings(copy, tmp_path)}
    (copy / "cli" / "extra.py").write_text(
        'def run_extra(args, db_path, user):\n    print("Everything was exported.")\n', encoding="utf-8"
    )
    after = {(f.path, f.text) for f in findings(copy, tmp_path)}
    assert after - before == {("salesdesk/cli/extra.py", "Everything was exported.")}


def _temporary_block() -> str:
    """The TEMPORARY set as it is now, as Python between its markers."""
    found = sorted(
        {(f.path, f.text) for f in findings() if _temporary_file(f.path) and (f.path, f.text) not in ALLOWED}
    )
    lines = ["TEMPORARY: set[tuple[str, str]] = {"]
    for path, text in found:
        pieces = textwrap.wrap(text, 70, drop_whitespace=False, replace_whitespace=False) or [text]
        if len(pieces) == 1 and len(repr(text)) + len(repr(path)) < 90:
            lines.append(f"    ({path!r}, {text!r}),")
            continue
        lines.append(f"    (\n        {path!r},")
        lines += [f"        {piece!r}" for piece in pieces[:-1]]
        lines += [f"        {pieces[-1]!r},", "    ),"]
    lines.append("}")
    return "\n".join(lines)


def _write_temporary() -> None:
    """Rewrite the TEMPORARY set in this file, between its markers."""
    path = Path(__file__)
    text = path.read_text(encoding="utf-8")
    begin, end = "# TEMPORARY-BEGIN\n", "# TEMPORARY-END\n"
    head, rest = text.split(begin, 1)
    _old, tail = rest.split(end, 1)
    path.write_text(head + begin + _temporary_block() + "\n" + end + tail, encoding="utf-8")
    import subprocess

    subprocess.run([sys.executable, "-m", "ruff", "format", "-q", str(path)], check=True)


if __name__ == "__main__":
    if "--temporary" in sys.argv[1:]:
        if "--write" in sys.argv[1:]:
            _write_temporary()
        else:
            print(_temporary_block())
    else:
        for finding in sorted(findings()):
            print(finding)
