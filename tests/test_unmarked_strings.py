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

`python -m tests.test_unmarked_strings` prints every finding with its line.
"""

from __future__ import annotations

import ast
import re
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
    ("salesdesk/cli/product_imports.py", "salesdesk: {}"): "the program's name before a translated message",
    ("salesdesk/cli/team.py", "salesdesk: "): "the program's name before a translated message",
    ("salesdesk/tui/app.py", "salesdesk"): "the app's title: the program's name",
}
# Whole files that hold no words of the program, each with its reason.
ALLOWED_FILES: dict[str, str] = {
    "salesdesk/demo/small.py": "the demo's records: names and job titles, data as a customer's would be",
    "salesdesk/demo/large.py": "the demo's records: names and job titles, data as a customer's would be",
    "salesdesk/demo/data.py": "the demo's records: names and job titles, data as a customer's would be",
    "salesdesk/tui/screenshots.py": "a developer's command that redraws the README's screenshots",
}


def _left(found: set[Finding]) -> list[Finding]:
    return sorted(f for f in found if (f.path, f.text) not in ALLOWED and f.path not in ALLOWED_FILES)


def test_every_string_shown_is_marked_for_the_catalogue():
    left = _left(findings())
    assert left == [], (
        "shown to a person without _, ngettext, N_ or pgettext (CONTRIBUTING.md, "
        "'Words a person reads'):\n" + "\n".join(map(str, left))
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


if __name__ == "__main__":
    for finding in sorted(findings()):
        print(finding)
