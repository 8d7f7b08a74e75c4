"""A real terminal to measure in: a tmux pane of a fixed size, read as a person reads it.

`capture-pane` returns what the terminal shows, after the application's escape
sequences have been drawn, so "visible" here means what a person would see. A poll
costs a few milliseconds (one `tmux` process); that cost falls on the app and on its
baseline alike.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import time
from collections.abc import Callable
from itertools import count
from pathlib import Path

WIDTH, HEIGHT = 120, 40
# Between two looks at the pane. A look is a tmux client process, a few milliseconds of
# CPU; looking every millisecond kept most of a core busy on a 2-core machine, and took
# it from the app being measured (a start-up that uses both cores lost 20 ms to it).
# Every 4 ms adds 2 ms on average to every figure, to the baselines alike.
POLL_SECONDS = 0.004
_SOCKETS = count()
_ESCAPES = re.compile(r"\x1b\[[0-9;:]*m")


class TimedOut(RuntimeError):
    pass


class Terminal:
    """One tmux session on a socket of its own, running one command."""

    def __init__(self, command: list[str], *, env: dict[str, str] | None = None):
        self.command = command
        self.env = env or {}
        self.socket = f"salesdesk-bench-{os.getpid()}-{next(_SOCKETS)}"
        self.session = "bench"
        self.started = 0.0

    def _tmux(self, *args: str) -> str:
        # -f /dev/null: a person's ~/.tmux.conf (status line, key tables, hooks) must not
        # change the pane or the keys the app receives.
        result = subprocess.run(
            ["tmux", "-L", self.socket, "-f", "/dev/null", *args], capture_output=True, text=True
        )
        if result.returncode != 0 and args[0] != "kill-server":
            raise RuntimeError(f"tmux {args[0]}: {result.stderr.strip()}")
        return result.stdout

    def start(self) -> float:
        """Launch the command in a new pane; returns the moment just before launch."""
        env = {"TERM": "xterm-256color", "COLORTERM": "truecolor", **self.env}
        line = shlex.join(["exec", "env", *(f"{key}={value}" for key, value in env.items()), *self.command])
        self.started = time.perf_counter()
        # remain-on-exit keeps the pane of a program that crashed, so its traceback can be shown.
        self._tmux(
            "start-server",
            ";",
            "set-option",
            "-g",
            "remain-on-exit",
            "on",
            ";",
            "new-session",
            "-d",
            "-s",
            self.session,
            "-x",
            str(WIDTH),
            "-y",
            str(HEIGHT),
            line,
        )
        return self.started

    def screen(self, colours: bool = False) -> str:
        args = ["capture-pane", "-p", "-t", self.session]
        return self._tmux(*(args + ["-e"] if colours else args))

    def lines(self) -> list[str]:
        return self.screen().splitlines()

    def wait_for(self, seen: Callable[[str], bool], *, timeout: float = 30.0, colours: bool = False) -> float:
        """Poll until `seen(screen)` holds; returns the moment it was first seen."""
        deadline = time.perf_counter() + timeout
        next_check = time.perf_counter() + 0.5
        while True:
            text = self.screen(colours)
            now = time.perf_counter()
            if seen(text):
                return now
            if now > deadline:
                raise TimedOut(f"waited {timeout:.0f} s; the screen showed:\n{_ESCAPES.sub('', text)}")
            if now > next_check:
                self._check_alive()
                next_check = now + 0.5
            time.sleep(POLL_SECONDS)

    def _check_alive(self) -> None:
        """Raise if the program has exited, showing what it left on the screen."""
        status = self._tmux(
            "display-message", "-p", "-t", self.session, "#{pane_dead} #{pane_dead_status}"
        ).split()
        if status and status[0] == "1":
            code = status[1] if len(status) > 1 else "?"
            raise RuntimeError(
                f"{shlex.join(self.command)} exited (status {code}); "
                f"the screen showed:\n{self.screen().rstrip()}"
            )

    def settle(self, quiet: float = 0.25, timeout: float = 30.0) -> str:
        """Wait until the screen has not changed for `quiet` seconds; returns it."""
        deadline = time.perf_counter() + timeout
        last, since = self.screen(True), time.perf_counter()
        while time.perf_counter() - since < quiet:
            time.sleep(0.01)
            text = self.screen(True)
            if text != last:
                last, since = text, time.perf_counter()
            if time.perf_counter() > deadline:
                self._check_alive()
                raise TimedOut("the screen never settled")
        return last

    def press(self, *keys: str) -> float:
        """Send keys; returns the moment just before sending."""
        moment = time.perf_counter()
        self._tmux("send-keys", "-t", self.session, *keys)
        return moment

    def type(self, text: str) -> float:
        moment = time.perf_counter()
        self._tmux("send-keys", "-t", self.session, "-l", text)
        return moment

    def pid(self) -> int:
        return int(self._tmux("display-message", "-p", "-t", self.session, "#{pane_pid}").strip())

    def close(self) -> None:
        self._tmux("kill-server")
        # The server leaves its socket file behind; a long benchmark would leave hundreds.
        folder = Path(os.environ.get("TMUX_TMPDIR") or "/tmp") / f"tmux-{os.getuid()}"
        (folder / self.socket).unlink(missing_ok=True)

    def __enter__(self) -> Terminal:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def peak_rss_mb(pid: int) -> float:
    """The high-water mark of a process's resident memory, from /proc (Linux)."""
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmHWM for process {pid}")
