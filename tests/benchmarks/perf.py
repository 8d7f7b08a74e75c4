"""Performance as a person feels it, beside a baseline, in one command.

    python tests/benchmarks/perf.py [--runs 7] [--heavy-runs 3] [--only NAME,...]
                                    [--db PATH] [--user NAME] [--skip-build] [--markdown]

Run from the project root after `pip install -e '.[test]'`; needs tmux (Linux). It is
not part of the test suite. Every figure is timed as a person meets it:

* The app runs in a real terminal (a tmux pane of 120x40, see terminal.py) on the large
  demo (100,000 customers, 30,000 deals, 1,000,000 interactions) with `--user bench`,
  and a moment counts when the pane *shows* the result (`tmux capture-pane`), polled
  every few milliseconds from just before the keys are sent.
* The commands are whole processes (`python -m salesdesk ...`), start-up included.

Each figure is interleaved with its baseline in the same run, sample by sample, so a
busy machine slows both alike:

* start-up: launch until the first agenda row shows, beside the bare Textual app
  (bare_app.py) until its label shows; launches alternate bare, app, bare, app...
* keys (a focus move and a stage move on the board, the first visit of Pipeline,
  Customers and Products, a search keystroke): beside the same key pressed in a bare app that is open
  at the same time, until it redraws its label.
* peak memory (VmHWM after visiting every screen, one session per heavy run) beside
  the bare app's after start.
* `salesdesk agenda` and `salesdesk export weekly`, beside the raw SQLite time of the
  statements they run: traced once in this process, then replayed on a fresh
  connection inside BEGIN ... ROLLBACK, fetching every row.
* importing 100,000 CSV rows, beside reading the file with `csv` and inserting the rows
  with `executemany` into a plain table.
* building the large demo: no baseline.
* the encrypted team folder (bench_team.py), on a copy of the large demo: the publish
  after one edit (its time and the bytes it writes), a teammate's sync of it, a new
  device joining beside copying the database file once, what 2,000 edits add to
  the folder, and the floor of a join that writes rows (SQLite alone writing the
  original's, as the app writes and with every safety off) beside copying the file.

What "shows" means: for start-up, the first agenda row under a section header; for
Pipeline, the stage headers with their counts and a first card; for Customers, the
count of customers and a first row; for Products, the count of products and a first
row; for a focus move, any change of the screen, colours included; for a stage move,
the moved card first in its new column; for a search keystroke, a new count of
customers. Both apps are started once, untimed, before the first figure that needs
them, so no figure pays for a cold disk cache.

Each figure prints its median with min and max; "ratio" is the median of the
app/baseline ratios of the interleaved pairs. Fast figures take --runs samples, slow
ones (import, demo build, peak memory) --heavy-runs. A figure meets its target by its
median (start-up by its ratio). The large demo is built once and cached in the user
cache folder; it is rebuilt when missing, of another schema, for another user, or built
on an earlier day (the demo is anchored on the day it is built, the app on today).

The board figures move one card between the first two stages and back, so they write
to the cached demo (a few stage changes, and the checklist of that card ticked once).
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import io
import json
import os
import platform
import re
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from terminal import Terminal, TimedOut, peak_rss_mb  # noqa: E402

BARE_APP = HERE / "bare_app.py"
DEFAULT_USER = "bench"
IMPORT_ROWS = 100_000
SEARCH_CHARACTERS = ("W", "王", "a")  # each narrows the demo's customers to a few thousand
START_TIMEOUT = 60.0
STARTED = time.perf_counter()


def log(message: str) -> None:
    """A progress line on stderr, so a long run shows life."""
    print(f"[{time.perf_counter() - STARTED:5.0f} s] {message}", file=sys.stderr, flush=True)


# -- figures and targets -------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    limit: float  # in the figure's unit (seconds for times)
    text: str  # as printed
    strict: bool = False  # "under" rather than "at most"
    on_ratio: bool = False  # compares app/baseline rather than the figure itself

    def met(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit


@dataclass
class Figure:
    """One measured figure: its samples and, pair by pair, its baseline's."""

    title: str
    unit: str  # "ms" or "s" for times (kept in seconds), "MB" for memory
    target: Target
    samples: list[float] = field(default_factory=list)
    baseline: list[float] = field(default_factory=list)
    error: str = ""

    def add(self, value: float, baseline: float | None = None) -> None:
        self.samples.append(value)
        if baseline is not None:
            self.baseline.append(baseline)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    @property
    def ratio(self) -> float | None:
        pairs = [a / b for a, b in zip(self.samples, self.baseline, strict=False) if b > 0]
        return statistics.median(pairs) if pairs else None

    @property
    def met(self) -> bool | None:
        value = self.ratio if self.target.on_ratio else self.median
        return None if value is None else self.target.met(value)

    def show(self, value: float) -> str:
        if self.unit == "ms":
            value *= 1000
            return f"{value:.1f} ms" if value < 100 else f"{value:,.0f} ms"
        return f"{value:.1f} {self.unit}"


# -- reading the screen ----------------------------------------------------------------------

# The Today screen: a section header ("Overdue 3,447", "Today 894", "Next 7 days 5,695"),
# then rows whose 'When' reads "Wed 28 Oct, 30d late", "yesterday", "today", "14:00",
# "Mon 30 Nov" or "Mon 30 Nov 14:00" (or "Nothing overdue." when a section is empty).
SECTION = re.compile(r"\s*(Overdue|Today|Next 7 days|已逾期|今天|未来7天)\s+[\d,]+\s*$")
WHEN = re.compile(
    r"\s*(?:▌\s*)?(?:[A-Z][a-z]{2} \d\d [A-Z][a-z]{2}(?:, \d+d late| \d\d?:\d\d)?"
    r"|yesterday|today|\d\d?:\d\d"
    r"|\d\d?月\d\d?日 周.(?:，逾期\S*| \d\d?:\d\d)?|昨天|今天)\s{2,}\S"
)
# The Customers screen: " 100,000 customers  ·  sorted by name", a heading, then rows.
CUSTOMER_COUNT = re.compile(r"^\s*([\d,]+) customers\b", re.M)
CUSTOMER_HEADING = re.compile(r"\s*Name\s+Company\b")
PRODUCT_HEADING = re.compile(r"\s*Code\s+Product\b")
PRODUCT_COUNT = re.compile(r"\b([\d,]+) products?\b")
TARGETS_TITLE = re.compile(r"^Targets of .+ working days? left")
TARGETS_HEADING = re.compile(r"\s*Who\s+Won\s+Target\b")
POOL_COUNT = re.compile(r"^([\d,]+) leads? in the pool")
POOL_HEADING = re.compile(r"\s*Name\s+Company\s+Former owner\b")
# The board: under each stage's header "Lead  3,597" (then money lines) a rule of ─.
BOARD_RULE = re.compile(r"\s*─{3,}(?: ─{3,})+\s*")
STAGE_HEADER = re.compile(r"\s*(\S.*?)\s+([\d,]+)\s*")
CHECKLIST = "has not met the standard"  # the checklist dialog of a stage move
BARE_LABEL = re.compile(r"bare label (\d+)")


def first_agenda_row(screen: str) -> bool:
    """True once an agenda row shows under a section header."""
    in_section = False
    for line in screen.splitlines():
        if SECTION.match(line):
            in_section = True
        elif in_section and WHEN.match(line):
            return True
    return False


def customer_count(screen: str) -> int | None:
    found = CUSTOMER_COUNT.search(screen)
    return int(found[1].replace(",", "")) if found else None


def customer_rows(screen: str) -> bool:
    """True when the customer list shows a count and a first row under its heading."""
    lines = screen.splitlines()
    for index, line in enumerate(lines[:-1]):
        if CUSTOMER_HEADING.match(line):
            return customer_count(screen) is not None and lines[index + 1][:20].strip() != ""
    return False


def product_rows(screen: str) -> bool:
    """True when the Products screen shows its count and a first line under its heading."""
    lines = screen.splitlines()
    for index, line in enumerate(lines[:-1]):
        if PRODUCT_HEADING.match(line):
            return PRODUCT_COUNT.search(screen) is not None and lines[index + 1].strip() != ""
    return False


def _row_under(screen: str, title: re.Pattern[str], heading: re.Pattern[str]) -> bool:
    """True when a line matches `title`, and a line under one matching `heading` is not blank."""
    lines = screen.splitlines()
    if not any(title.match(line.strip()) for line in lines):
        return False
    for index, line in enumerate(lines[:-1]):
        if heading.match(line):
            return lines[index + 1].strip() != ""
    return False


def target_rows(screen: str) -> bool:
    """True when the Targets view shows its period and a first member under its heading."""
    return _row_under(screen, TARGETS_TITLE, TARGETS_HEADING)


def pool_rows(screen: str) -> bool:
    """True when the Pool view shows its count and a first lead under its heading."""
    return _row_under(screen, POOL_COUNT, POOL_HEADING)


@dataclass(frozen=True)
class Cell:
    char: str  # "" for the second half of a wide character
    background: str | None  # the SGR parameters of its background; None for the default


_TOKENS = re.compile(r"\x1b\[([0-9;:]*)m|(.)", re.S)


def cell_rows(screen: str) -> list[list[Cell]]:
    """A captured screen as rows of terminal cells, so columns can be cut by position.

    Wide (CJK) characters take two cells. Colours run on across lines in a capture, so
    the whole screen is read as one stream.
    """
    from rich.cells import get_character_cell_size

    rows: list[list[Cell]] = [[]]
    background = None
    for token in _TOKENS.finditer(screen):
        params, char = token.group(1), token.group(2)
        if params is not None:
            background = _background(params, background)
        elif char == "\n":
            rows.append([])
        else:
            rows[-1].append(Cell(char, background))
            if get_character_cell_size(char) == 2:
                rows[-1].append(Cell("", background))
    return rows


def _background(params: str, current: str | None) -> str | None:
    codes = params.replace(":", ";").split(";") if params else ["0"]
    index = 0
    while index < len(codes):
        code = codes[index]
        if code in ("38", "48"):  # 38;5;n or 38;2;r;g;b, the same for 48
            span = 5 if codes[index + 1 : index + 2] == ["2"] else 3
            if code == "48":
                current = ";".join(codes[index : index + span])
            index += span
            continue
        if code in ("", "0", "49"):
            current = None
        elif code.isdigit() and (40 <= int(code) <= 47 or 100 <= int(code) <= 107):
            current = code
        index += 1
    return current


def text_of(cells: list[Cell]) -> str:
    return "".join(cell.char for cell in cells)


@dataclass(frozen=True)
class Card:
    title: str  # as shown: truncated to the column's width, maybe ending in "…"
    customer: str
    background: str | None  # of its title; the focused card's differs from the others'

    def same(self, other: Card | None) -> bool:
        """The same card, though a narrower column may cut its title shorter."""
        return (
            other is not None
            and _prefixes(self.title, other.title)
            and _prefixes(self.customer, other.customer)
        )


def _prefixes(a: str, b: str) -> bool:
    a, b = a.rstrip("…").strip(), b.rstrip("…").strip()
    return bool(a and b) and (a.startswith(b) or b.startswith(a))


@dataclass(frozen=True)
class Column:
    stage: str
    count: int
    top: Card | None  # the first card shown


def read_board(screen: str) -> list[Column] | None:
    """The board's columns as shown, or None until its headers show with their counts.

    The rule of ─ under the headers gives each column's cells; the header three lines
    above it gives the stage and count, and the two lines below it the first card.
    """
    rows = cell_rows(screen)
    for index, row in enumerate(rows):
        line = text_of(row)
        if index < 3 or not BOARD_RULE.fullmatch(line) or index + 2 >= len(rows):
            continue
        columns = []
        for rule in re.finditer("─+", line):
            left, right = rule.span()
            header = STAGE_HEADER.fullmatch(text_of(rows[index - 3][left:right]))
            if header is None:
                return None
            title_cells = rows[index + 1][left:right]
            title, customer = text_of(title_cells), text_of(rows[index + 2][left:right])
            top = None
            if title.startswith("▌") and title[1:].strip():
                top = Card(
                    title[1:].strip(),
                    customer.lstrip("▌").strip(),
                    title_cells[1].background if len(title_cells) > 1 else None,
                )
            columns.append(Column(header[1], int(header[2].replace(",", "")), top))
        return columns
    return None


def board_shown(screen: str) -> bool:
    columns = read_board(screen)
    return bool(columns) and any(column.top for column in columns)


def reports_shown(screen: str) -> bool:
    """The reports are read in a thread; the status line says "loading…" meanwhile."""
    return "Win rate" in screen and "loading…" not in screen


def conflicts_shown(screen: str) -> bool:
    return re.search(r"[\d,]+ unresolved conflict", screen) is not None


# What each screen's key shows, once it has been drawn.
SCREENS: dict[str, Callable[[str], bool]] = {
    "1": first_agenda_row,
    "2": board_shown,
    "3": customer_rows,
    "4": reports_shown,
    "5": conflicts_shown,
    "7": product_rows,
    "8": target_rows,
    "9": pool_rows,
}


def focused_column(columns: list[Column]) -> int | None:
    """The column whose first card is drawn in a background no other first card has."""
    backgrounds = [column.top.background if column.top else None for column in columns]
    unique = [
        index
        for index, background in enumerate(backgrounds)
        if background is not None and backgrounds.count(background) == 1
    ]
    return unique[0] if len(unique) == 1 else None


def card_moved(card: Card, to: int, away: int) -> Callable[[str], bool]:
    """The card shows first in column `to` and no longer first in column `away`."""

    def seen(screen: str) -> bool:
        columns = read_board(screen)
        return bool(columns) and card.same(columns[to].top) and not card.same(columns[away].top)

    return seen


# -- terminals -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Demo:
    path: Path
    user: str

    def command(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "salesdesk", "--db", str(self.path), "--user", self.user, *args]


@contextlib.contextmanager
def running_app(demo: Demo) -> Iterator[Terminal]:
    """The app in a pane, its first agenda row shown and the screen settled."""
    with Terminal(demo.command()) as terminal:
        terminal.start()
        terminal.wait_for(first_agenda_row, timeout=START_TIMEOUT)
        terminal.settle()
        yield terminal


def watch(
    terminal: Terminal, seen: Callable[[str], bool], *, colours: bool = False, timeout: float = 30.0
) -> tuple[float, str]:
    """Like Terminal.wait_for, and also returns the screen that satisfied `seen`."""
    last = [""]

    def check(screen: str) -> bool:
        last[0] = screen
        return seen(screen)

    return terminal.wait_for(check, colours=colours, timeout=timeout), last[0]


def bare_count(screen: str) -> int | None:
    found = BARE_LABEL.search(screen)
    return int(found[1]) if found else None


class BareApp:
    """The baseline: the bare Textual app in a pane of its own, timed on the same keys."""

    def __init__(self) -> None:
        self.terminal = Terminal([sys.executable, str(BARE_APP)])
        self.presses = 0

    def __enter__(self) -> BareApp:
        try:
            self.terminal.start()
            self.terminal.wait_for(lambda screen: bare_count(screen) == 0, timeout=START_TIMEOUT)
            self.terminal.settle()
        except BaseException:
            self.terminal.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.terminal.close()

    def press(self, key: str) -> float:
        """Seconds from sending one key until the label shows the new count."""
        return self._timed(self.terminal.press(key))

    def type(self, character: str) -> float:
        return self._timed(self.terminal.type(character))

    def _timed(self, sent: float) -> float:
        self.presses += 1
        return self.terminal.wait_for(lambda screen: bare_count(screen) == self.presses) - sent


def bare_start() -> float:
    """Seconds from launching the bare app until its label shows."""
    with Terminal([sys.executable, str(BARE_APP)]) as terminal:
        started = terminal.start()
        return terminal.wait_for(lambda screen: bare_count(screen) == 0, timeout=START_TIMEOUT) - started


# -- the figures -----------------------------------------------------------------------------


@dataclass
class Run:
    """What every figure may need: the demo and how many samples to take."""

    runs: int
    heavy_runs: int
    demo: Demo | None  # the large demo, when a figure needs it
    user: str
    warmed: bool = False

    def warm_up(self) -> None:
        """Start each app once untimed, so no figure pays for a cold disk cache or .pyc files."""
        if self.warmed:
            return
        log("warming up: one untimed start of the bare app and of salesdesk")
        bare_start()
        with running_app(self.demo) as terminal:
            visit(terminal, "2", "3")
        self.warmed = True


def visit(terminal: Terminal, *keys: str) -> None:
    """Show each screen in turn, waiting until it is drawn and settled."""
    for key in keys:
        terminal.press(key)
        terminal.wait_for(SCREENS[key])
        terminal.settle()


def measure_start_up(run: Run) -> list[Figure]:
    figure = Figure("start-up (to the first agenda row)", "ms", Target(2.0, "ratio ≤ 2.0", on_ratio=True))
    run.warm_up()
    for sample in range(1, run.runs + 1):
        bare = bare_start()
        with Terminal(run.demo.command()) as terminal:
            started = terminal.start()
            shown = terminal.wait_for(first_agenda_row, timeout=START_TIMEOUT)
        figure.add(shown - started, bare)
        log(f"start-up {sample}/{run.runs}: bare {bare * 1000:.0f} ms, app {(shown - started) * 1000:.0f} ms")
    return [figure]


def measure_start_up_chinese(run: Run) -> list[Figure]:
    """Start-up under LANG=zh_CN.UTF-8 beside start-up in English, launches alternating."""
    figure = Figure("start-up in Chinese (beside English)", "ms", Target(1.05, "ratio ≤ 1.05", on_ratio=True))
    run.warm_up()
    languages = {"en": {"LANGUAGE": "", "LANG": "C.UTF-8"}, "zh": {"LANGUAGE": "", "LANG": "zh_CN.UTF-8"}}

    def start(language: str) -> float:
        with Terminal(run.demo.command(), env=languages[language]) as terminal:
            started = terminal.start()
            return terminal.wait_for(first_agenda_row, timeout=START_TIMEOUT) - started

    start("zh")  # once untimed: the Chinese holiday names are computed and cached
    for sample in range(1, run.runs + 1):
        english, chinese = start("en"), start("zh")
        figure.add(chinese, english)
        log(f"start-up {sample}/{run.runs}: English {english * 1000:.0f} ms, Chinese {chinese * 1000:.0f} ms")
    return [figure]


def open_board(terminal: Terminal) -> str:
    """Show the board; returns the settled screen, with colours."""
    terminal.press("2")
    terminal.wait_for(board_shown)
    return terminal.settle()


def measure_focus_move(run: Run) -> list[Figure]:
    """Down, then up, then down... on the board, until the screen (with colours) changes."""
    figure = Figure("focus move on the board (↓/↑)", "ms", Target(0.050, "≤ 50 ms"))
    run.warm_up()
    with running_app(run.demo) as terminal, BareApp() as bare:
        settled = open_board(terminal)
        for sample in range(run.runs):
            key = "Down" if sample % 2 == 0 else "Up"
            sent = terminal.press(key)
            shown = terminal.wait_for(lambda screen: screen != settled, colours=True)
            figure.add(shown - sent, bare.press(key))
            settled = terminal.settle()
            log(f"focus move {sample + 1}/{run.runs} ({key}): {(shown - sent) * 1000:.1f} ms")
    return [figure]


def measure_stage_move(run: Run) -> list[Figure]:
    """`]` then `[` on the first card of the first stage, until it shows in the other column.

    The cursor follows the moved card (checked after every move), and a moved card is
    the first of its new column (the board lists the latest arrivals first), so the same
    card goes back and forth and the board ends as it began. Moving forward asks for the
    stage's checklist while the card has not met it: that dialog is answered once, by
    ticking every item, and that sample is not counted.
    """
    figure = Figure("stage move on the board (] / [)", "ms", Target(0.050, "≤ 50 ms"))
    run.warm_up()
    with running_app(run.demo) as terminal, BareApp() as bare:
        columns = read_board(open_board(terminal))
        if not columns or len(columns) < 2 or columns[0].top is None:
            raise RuntimeError("the board needs two stages and a card in the first to time a stage move")
        if focused_column(columns) != 0:
            raise RuntimeError("the focus is not on the first card of the first stage")
        card, stages = columns[0].top, (columns[0].stage, columns[1].stage)
        log(f"stage move: “{card.title}” ({card.customer}) between {stages[0]} and {stages[1]}")
        at, attempts = 0, 0
        while len(figure.samples) < run.runs:
            attempts += 1
            if attempts > 2 * run.runs + 2:
                raise RuntimeError("a stage move kept asking for its checklist")
            key, to = ("]", 1) if at == 0 else ("[", 0)
            moved = card_moved(card, to, at)
            sent = terminal.press(key)
            shown, screen = watch(terminal, lambda s: moved(s) or CHECKLIST in s)
            if CHECKLIST not in screen:
                figure.add(shown - sent, bare.press(key))
                log(f"stage move {len(figure.samples)}/{run.runs} ({key}): {(shown - sent) * 1000:.1f} ms")
            else:
                answer_checklist(terminal)
                terminal.wait_for(moved)
                log("stage move: the checklist dialog was answered (ticked); not counted")
            at = to
            follow_card(terminal, at)
        if at == 1:  # put the card back where it was
            terminal.press("[")
            terminal.wait_for(card_moved(card, 0, 1))
            terminal.settle()
    return [figure]


def follow_card(terminal: Terminal, column: int) -> None:
    """Wait until the focus shows on the first card of `column`, then for the screen to settle."""
    try:
        terminal.wait_for(lambda s: focused_column(read_board(s) or []) == column, colours=True, timeout=5)
    except TimedOut:
        shown = [(c.stage, c.top) for c in read_board(terminal.screen(colours=True)) or []]
        raise RuntimeError(f"the cursor did not follow the moved card; the board shows {shown}") from None
    terminal.settle()


def answer_checklist(terminal: Terminal) -> None:
    """Tick every item of the checklist dialog (space, down for each), then move (enter).

    The dialog is left to settle first: keys sent while it is still being drawn may
    reach it before its list has the focus.
    """
    terminal.settle()
    items = terminal.screen().count("▐X▌")
    if items == 0:
        raise RuntimeError("a checklist dialog showed no items to tick")
    for _ in range(items):
        terminal.press("Space")
        terminal.press("Down")
    terminal.settle()
    terminal.press("Enter")


def measure_first_visit(run: Run, key: str, title: str, shown: Callable[[str], bool]) -> Figure:
    """A fresh app per sample: start, settle on Today, press the screen's key."""
    figure = Figure(title, "ms", Target(0.300, "≤ 300 ms"))
    run.warm_up()
    with BareApp() as bare:
        for sample in range(run.runs):
            with running_app(run.demo) as terminal:
                baseline = bare.press(key)
                sent = terminal.press(key)
                seen = terminal.wait_for(shown)
            figure.add(seen - sent, baseline)
            log(f"{title} {sample + 1}/{run.runs}: {(seen - sent) * 1000:.0f} ms")
    return figure


def measure_pipeline_visit(run: Run) -> list[Figure]:
    # Shown: the stage headers with their counts, and a first card.
    return [measure_first_visit(run, "2", "first visit of Pipeline", board_shown)]


def measure_customers_visit(run: Run) -> list[Figure]:
    # Shown: the count of customers, and a first row in the list.
    return [measure_first_visit(run, "3", "first visit of Customers", customer_rows)]


def measure_products_visit(run: Run) -> list[Figure]:
    # Shown: the count of products, and a first row in the list.
    return [measure_first_visit(run, "7", "first visit of Products", product_rows)]


def measure_targets_visit(run: Run) -> list[Figure]:
    # Shown: the period with its working days left, and a first member's progress.
    return [measure_first_visit(run, "8", "first visit of Targets", target_rows)]


def measure_pool_visit(run: Run) -> list[Figure]:
    # Shown: how many leads are in the pool, and a first one.
    return [measure_first_visit(run, "9", "first visit of the lead pool", pool_rows)]


def measure_search(run: Run) -> list[Figure]:
    """One character typed in the Customers search box, until the list's count changes."""
    figure = Figure("search keystroke (Customers)", "ms", Target(0.100, "≤ 100 ms"))
    run.warm_up()
    with running_app(run.demo) as terminal, BareApp() as bare:
        visit(terminal, "3")
        terminal.press("/")
        terminal.settle()
        everyone = customer_count(terminal.screen())
        if everyone is None:
            raise RuntimeError("the Customers screen shows no count of customers")
        for sample in range(run.runs):
            character = SEARCH_CHARACTERS[sample % len(SEARCH_CHARACTERS)]
            sent = terminal.type(character)
            seen = terminal.wait_for(lambda s: customer_count(s) not in (None, everyone) and customer_rows(s))
            figure.add(seen - sent, bare.type(character))
            log(f"search {sample + 1}/{run.runs} ({character!r}): {(seen - sent) * 1000:.1f} ms")
            terminal.press("BSpace")
            terminal.wait_for(lambda s: customer_count(s) == everyone)
            terminal.settle()
    return [figure]


def measure_memory(run: Run) -> list[Figure]:
    """The app's peak resident memory after visiting every screen, beside the bare app's."""
    figure = Figure("peak memory (every screen visited)", "MB", Target(120, "< 120 MB", strict=True))
    run.warm_up()
    for sample in range(run.heavy_runs):
        with BareApp() as bare:
            baseline = peak_rss_mb(bare.terminal.pid())
        with running_app(run.demo) as terminal:
            visit(terminal, "2", "3", "4", "5", "1")
            peak = peak_rss_mb(terminal.pid())
        figure.add(peak, baseline)
        log(f"peak memory {sample + 1}/{run.heavy_runs}: app {peak:.0f} MB, bare {baseline:.0f} MB")
    return [figure]


# -- commands --------------------------------------------------------------------------------

CONTROL = re.compile(r"\s*(BEGIN|COMMIT|END|ROLLBACK|SAVEPOINT|RELEASE)\b", re.I)
SETTING = re.compile(r"\s*PRAGMA\s+[\w.]+\s*=", re.I)


def run_command(command: list[str], ok: tuple[int, ...] = (0,)) -> float:
    """Seconds a whole process takes, its output read through a pipe."""
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True)
    elapsed = time.perf_counter() - started
    if result.returncode not in ok:
        raise RuntimeError(
            f"{' '.join(command)} exited with {result.returncode}:\n"
            f"{result.stderr.decode(errors='replace').strip()}"
        )
    return elapsed


def traced_statements(demo: Demo, args: list[str]) -> list[str]:
    """The SQL a command runs (parameters filled in), traced by running it in this process."""
    from salesdesk.cli import main as cli

    statements: list[str] = []
    connect = sqlite3.connect

    def traced_connect(*a, **kw):
        connection = connect(*a, **kw)
        connection.set_trace_callback(statements.append)
        return connection

    sqlite3.connect = traced_connect
    try:
        with contextlib.redirect_stdout(io.TextIOWrapper(io.BytesIO(), encoding="utf-8")):
            status = cli.main(["--db", str(demo.path), "--user", demo.user, *args])
    finally:
        sqlite3.connect = connect
    if status:
        raise RuntimeError(f"salesdesk {' '.join(args)} exited with {status} in process")
    return [sql for sql in statements if not CONTROL.match(sql)]


def replay(path: Path, statements: list[str]) -> float:
    """Seconds to run the statements and fetch every row, in a transaction rolled back.

    Pragmas that set the connection up (`PRAGMA synchronous=FULL`) cannot run inside a
    transaction; they run first, as they do when the command opens its database.
    """
    settings = [sql for sql in statements if SETTING.match(sql)]
    queries = [sql for sql in statements if not SETTING.match(sql)]
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        started = time.perf_counter()
        for sql in settings:
            connection.execute(sql).fetchall()
        connection.execute("BEGIN")
        for sql in queries:
            connection.execute(sql).fetchall()
        connection.execute("ROLLBACK")
        return time.perf_counter() - started
    finally:
        connection.close()


def measure_command(run: Run, args: list[str], title: str, target: Target) -> Figure:
    figure = Figure(title, "ms", target)
    statements = traced_statements(run.demo, args)  # also warms the disk cache
    log(f"{title}: replaying {len(statements)} SQL statements as the baseline")
    for sample in range(run.runs):
        elapsed = run_command(run.demo.command(*args))
        baseline = replay(run.demo.path, statements)
        figure.add(elapsed, baseline)
        log(f"{title} {sample + 1}/{run.runs}: {elapsed * 1000:.0f} ms, SQL {baseline * 1000:.0f} ms")
    return figure


def measure_agenda(run: Run) -> list[Figure]:
    return [measure_command(run, ["agenda"], "salesdesk agenda", Target(0.5, "< 0.5 s", strict=True))]


def measure_export_weekly(run: Run) -> list[Figure]:
    return [
        measure_command(
            run, ["export", "weekly"], "salesdesk export weekly", Target(1.0, "< 1 s", strict=True)
        )
    ]


def measure_import(run: Run) -> list[Figure]:
    """`salesdesk import customers` of 100,000 rows into a new database each time."""
    from bench_import import write_file

    figure = Figure(f"import {IMPORT_ROWS:,} CSV rows", "s", Target(20.0, "< 20 s", strict=True))
    with tempfile.TemporaryDirectory(prefix="salesdesk-perf-") as folder:
        source = Path(folder) / "customers.csv"
        write_file(source, IMPORT_ROWS)
        log(f"import: wrote {IMPORT_ROWS:,} rows ({source.stat().st_size / 1e6:.1f} MB)")
        for sample in range(run.heavy_runs):
            target, raw = Path(folder) / "import.db", Path(folder) / "raw.db"
            elapsed = run_command(
                [
                    sys.executable,
                    "-m",
                    "salesdesk",
                    "--db",
                    str(target),
                    "--user",
                    run.user,
                    "import",
                    "customers",
                    str(source),
                ]
            )
            baseline = raw_import(source, raw)
            figure.add(elapsed, baseline)
            log(f"import {sample + 1}/{run.heavy_runs}: {elapsed:.1f} s, csv + executemany {baseline:.1f} s")
            remove_database(target)
            remove_database(raw)
    return [figure]


def raw_import(source: Path, target: Path) -> float:
    """Seconds to read the CSV with `csv` and insert its rows into a plain table."""
    started = time.perf_counter()
    with open(source, encoding="utf-8-sig", newline="") as handle:
        rows = csv.reader(handle)
        width = len(next(rows))
        connection = sqlite3.connect(target)
        try:
            connection.execute(f"CREATE TABLE rows ({', '.join(f'c{i} TEXT' for i in range(width))})")
            connection.executemany(f"INSERT INTO rows VALUES ({', '.join('?' * width)})", rows)
            connection.commit()
        finally:
            connection.close()
    return time.perf_counter() - started


def measure_demo_build(run: Run) -> list[Figure]:
    figure = Figure("build the large demo", "s", Target(60.0, "< 60 s", strict=True))
    for sample in range(run.heavy_runs):
        with tempfile.TemporaryDirectory(prefix="salesdesk-perf-") as folder:
            elapsed = build_demo(Path(folder) / "large.db", run.user)
        figure.add(elapsed)
        log(f"demo build {sample + 1}/{run.heavy_runs}: {elapsed:.1f} s")
    return [figure]


def measure_team(run: Run) -> list[Figure]:
    """The encrypted team folder on a copy of the large demo (bench_team.py says how)."""
    from bench_team import measure

    assert run.demo is not None
    team = measure(run.demo.path, run.demo.user, run.runs, run.heavy_runs, 2000, log, floors=run.heavy_runs)
    publish = Figure("team: publish after one edit", "ms", Target(1.0, "< 1 s", strict=True))
    written = Figure("team: bytes that publish writes", "KB", Target(100.0, "< 100 KB", strict=True))
    sync = Figure("team: a teammate's sync of it", "ms", Target(1.0, "< 1 s", strict=True))
    for seconds, size, synced in zip(team.publish_s, team.publish_bytes, team.sync_s, strict=True):
        publish.add(seconds)
        written.add(size / 1000)
        sync.add(synced)
    join = Figure(
        "team: a new device joins (vs copying the file)",
        "s",
        Target(3.0, "ratio < 3", strict=True, on_ratio=True),
    )
    for seconds, baseline in zip(team.join_s, team.copy_s, strict=True):
        join.add(seconds, baseline)
    if not team.identical:
        join.error = "the new device's data is not identical to the original's"
    week = Figure(f"team: {team.week_edits:,} edits in the folder", "MB", Target(5.0, "< 5 MB", strict=True))
    week.add(team.week_bytes / 1e6)
    # What the sync tool uploads for them: checkpoints rewritten on the way count here.
    uploaded = Figure(
        f"team: written into it by those {team.week_edits:,} edits", "MB", Target(5.0, "< 5 MB", strict=True)
    )
    uploaded.add(team.week_written / 1e6)
    # The floor of any join that writes rows: SQLite alone writing the original's, by SQL.
    floor = Figure(
        "team: SQLite alone writing those rows (vs copying)",
        "s",
        Target(3.0, "ratio < 3", strict=True, on_ratio=True),
    )
    bare = Figure(
        "team: the same with every safety off (vs copying)",
        "s",
        Target(3.0, "ratio < 3", strict=True, on_ratio=True),
    )
    for seconds, unsafe, baseline in zip(team.floor_s, team.bare_floor_s, team.floor_copy_s, strict=True):
        floor.add(seconds, baseline)
        bare.add(unsafe, baseline)
    return [publish, written, sync, join, week, uploaded, floor, bare]


def build_demo(path: Path, user: str) -> float:
    return run_command(
        [sys.executable, "-m", "salesdesk", "demo", "--size", "large", "--db", str(path), "--user", user]
    )


def remove_database(path: Path) -> None:
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        (path.parent / name).unlink(missing_ok=True)


# -- the cached large demo -------------------------------------------------------------------


def cached_demo(user: str, allow_old: bool) -> Demo:
    """The large demo in the user cache folder, built (about 90 s) when it will not do."""
    import platformdirs

    path = platformdirs.user_cache_path("salesdesk") / "bench" / "large.db"
    record = path.with_suffix(".json")
    reason = stale(path, record, user, allow_old)
    if reason:
        log(f"building the large demo at {path} ({reason}); about 90 s")
        path.parent.mkdir(parents=True, exist_ok=True)
        building = path.with_name("large.building.db")
        remove_database(building)
        elapsed = build_demo(building, user)
        remove_database(path)
        os.replace(building, path)
        record.write_text(json.dumps({"built": date.today().isoformat(), "user": user}))
        log(f"built the large demo in {elapsed:.1f} s")
    return Demo(path, user)


def stale(path: Path, record: Path, user: str, allow_old: bool) -> str:
    """Why the cached demo must be rebuilt; empty if it will do."""
    from salesdesk.store.schema import SCHEMA_VERSION

    if not path.exists():
        return "none cached yet"
    connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
    try:
        version = connection.execute("PRAGMA user_version").fetchone()[0]
    finally:
        connection.close()
    if version != SCHEMA_VERSION:
        return f"schema {version}, this salesdesk's is {SCHEMA_VERSION}"
    try:
        built = json.loads(record.read_text())
    except (OSError, ValueError):
        return "no record of when it was built"
    if built.get("user") != user:
        return f"built for {built.get('user')!r}, not {user!r}"
    if built.get("built") != date.today().isoformat():
        if not allow_old:
            return f"built on {built.get('built')}, the app uses today's date"
        log(f"reusing the large demo built on {built.get('built')} (--skip-build)")
    return ""


# -- the machine and the table ---------------------------------------------------------------


def machine() -> list[tuple[str, str]]:
    def first(path: str, key: str, separator: str = ":") -> str:
        """The value of the first `key<separator>value` line of a file; empty if none."""
        with contextlib.suppress(OSError):
            for line in Path(path).read_text().splitlines():
                name, found, value = line.partition(separator)
                if found and name.strip() == key:
                    return value.strip().strip('"')
        return ""

    memory = first("/proc/meminfo", "MemTotal")
    memory = f"{int(memory.split()[0]) / 1024**2:.1f} GiB" if memory else "?"
    tmux = subprocess.run(["tmux", "-V"], capture_output=True, text=True).stdout.strip()
    system = first("/etc/os-release", "PRETTY_NAME", "=") or platform.system()
    return [
        ("CPU", first("/proc/cpuinfo", "model name") or platform.processor() or "?"),
        ("cores", str(os.cpu_count())),
        ("RAM", memory),
        ("Python", f"{platform.python_implementation()} {platform.python_version()}"),
        ("tmux", tmux.removeprefix("tmux ")),
        ("OS", f"{system}, {platform.system()} {platform.release()}"),
        ("salesdesk", salesdesk_version()),
    ]


def salesdesk_version() -> str:
    from salesdesk import __version__

    try:
        head = subprocess.run(
            ["git", "-C", str(HERE), "describe", "--always", "--dirty=+local changes"],
            capture_output=True,
            text=True,
        )
    except OSError:  # no git
        return __version__
    return f"{__version__} ({head.stdout.strip()})" if head.returncode == 0 else __version__


COLUMNS = ("figure", "median", "min–max", "baseline", "ratio", "target", "met?")


def table_rows(figures: list[Figure]) -> list[tuple[str, ...]]:
    rows = []
    for figure in figures:
        if figure.error or not figure.samples:
            rows.append((figure.title, "failed", "", "", "", figure.target.text, "?"))
            continue
        spread = f"{figure.show(min(figure.samples))}–{figure.show(max(figure.samples))}"
        baseline = figure.show(statistics.median(figure.baseline)) if figure.baseline else "—"
        ratio = f"{figure.ratio:.2f}×" if figure.ratio is not None else "—"
        rows.append(
            (
                figure.title,
                figure.show(figure.median),
                spread,
                baseline,
                ratio,
                figure.target.text,
                {True: "yes", False: "NO", None: "?"}[figure.met],
            )
        )
    return rows


def print_table(rows: list[tuple[str, ...]]) -> None:
    widths = [max(len(row[i]) for row in [COLUMNS, *rows]) for i in range(len(COLUMNS))]
    right = {1, 2, 3, 4}

    def line(cells) -> str:
        return "  ".join(
            cell.rjust(w) if i in right else cell.ljust(w)
            for i, (cell, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    print(line(COLUMNS))
    print("  ".join("-" * w for w in widths))
    for row in rows:
        print(line(row))


def print_markdown(rows: list[tuple[str, ...]]) -> None:
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "|".join("---:" if i in (1, 2, 3, 4) else "---" for i in range(len(COLUMNS))) + "|")
    for row in rows:
        print("| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |")


# -- the command -----------------------------------------------------------------------------

# name for --only: (what it measures, whether it needs the large demo)
FIGURES: dict[str, tuple[Callable[[Run], list[Figure]], bool]] = {
    "startup": (measure_start_up, True),
    "startup-zh": (measure_start_up_chinese, True),
    "focus": (measure_focus_move, True),
    "stage": (measure_stage_move, True),
    "pipeline": (measure_pipeline_visit, True),
    "customers": (measure_customers_visit, True),
    "products": (measure_products_visit, True),
    "targets": (measure_targets_visit, True),
    "pool": (measure_pool_visit, True),
    "search": (measure_search, True),
    "memory": (measure_memory, True),
    "agenda": (measure_agenda, True),
    "export": (measure_export_weekly, True),
    "import": (measure_import, False),
    "build": (measure_demo_build, False),
    "team": (measure_team, True),
}


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python tests/benchmarks/perf.py",
        description="Time salesdesk as a person feels it, each figure beside its baseline.",
    )
    parser.add_argument(
        "--runs", type=int, default=7, metavar="N", help="samples of the fast figures (default 7)"
    )
    parser.add_argument(
        "--heavy-runs",
        type=int,
        default=3,
        metavar="N",
        help="samples of the slow figures: import, demo build, peak memory (default 3)",
    )
    parser.add_argument(
        "--db",
        metavar="PATH",
        help="a large demo to use instead of the cached one (give its owner with --user)",
    )
    parser.add_argument(
        "--user",
        default=DEFAULT_USER,
        metavar="NAME",
        help=f"whose agenda the app and commands show (default {DEFAULT_USER})",
    )
    parser.add_argument(
        "--skip-build",
        action="store_true",
        help="do not time demo builds; reuse the cached demo even if built on an earlier day",
    )
    parser.add_argument("--only", metavar="NAME[,NAME]", help="run only these figures: " + ", ".join(FIGURES))
    parser.add_argument(
        "--markdown", action="store_true", help="also print the table as markdown (for the README)"
    )
    args = parser.parse_args(argv)
    if args.runs < 1 or args.heavy_runs < 1:
        parser.error("--runs and --heavy-runs must be at least 1")
    names = [name.strip() for name in args.only.split(",")] if args.only else list(FIGURES)
    unknown = [name for name in names if name not in FIGURES]
    if unknown:
        parser.error(f"unknown figure {', '.join(unknown)}; choose from {', '.join(FIGURES)}")
    if args.skip_build and "build" in names:
        names.remove("build")
    args.names = names
    if args.db and not Path(args.db).is_file():
        parser.error(f"--db {args.db}: no such file")
    return args


def check_tools() -> None:
    if shutil.which("tmux") is None:
        raise SystemExit(
            "perf: tmux is needed to run the app in a terminal; install it "
            "(e.g. `apt install tmux`) and run again."
        )
    if not Path("/proc/self/status").exists():
        raise SystemExit("perf: peak memory is read from /proc; run this on Linux.")
    try:
        import platformdirs  # noqa: F401
        import textual  # noqa: F401

        import salesdesk  # noqa: F401
    except ImportError as error:
        raise SystemExit(
            f"perf: {error.name} is missing for {sys.executable}; "
            "run `pip install -e '.[test]'` from the project root first."
        ) from None


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    check_tools()
    # Python keeps compiled modules as it normally does (an installed package ships
    # them); with this set, every start of the app would compile its modules again.
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    for label, value in machine():
        print(f"{label + ':':11s}{value}")
    print(flush=True)
    needs_demo = any(FIGURES[name][1] for name in args.names)
    demo = None
    if needs_demo:
        demo = Demo(Path(args.db), args.user) if args.db else cached_demo(args.user, args.skip_build)
    run = Run(args.runs, args.heavy_runs, demo, args.user)
    figures: list[Figure] = []
    for name in args.names:
        measure, _ = FIGURES[name]
        log(f"— {name}")
        try:
            figures.extend(measure(run))
        except Exception as error:  # one figure failing should not lose the others
            log(f"{name} failed:\n{traceback.format_exc() if not isinstance(error, RuntimeError) else error}")
            failed = Figure(name, "ms", Target(0, ""), error=str(error).splitlines()[0])
            figures.append(failed)
    rows = table_rows(figures)
    if demo:
        print(f"large demo: {demo.path} (--user {demo.user})\n")
    print_table(rows)
    for figure in figures:
        if figure.error:
            print(f"{figure.title} failed: {figure.error}")
    if args.markdown:
        print()
        print_markdown(rows)
    minutes, rest = divmod(time.perf_counter() - STARTED, 60)
    print(f"\nthe run took {minutes:.0f} min {rest:.0f} s")
    return 1 if any(figure.error for figure in figures) else 0


if __name__ == "__main__":
    sys.exit(main())
