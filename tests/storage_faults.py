"""Real storage faults for tests: a read-only folder or mount, a small disk that fills up,
a writer killed.

Root ignores file modes, so as root a folder is made read-only with `chattr +i` (which
stops root too) or a read-only bind mount; as anyone else, with file modes. A test
skips when the machine allows none of them.
"""

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

READ_ONLY_KINDS = ("attributes", "mount")


def _run(*command: str) -> bool:
    try:
        return subprocess.run(command, capture_output=True, timeout=30).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


@contextmanager
def read_only(folder: Path, kind: str) -> Iterator[Path]:
    """`folder` and the files in it made unwritable; yields where to reach them.

    kind "attributes": `chattr +i` as root (file modes otherwise), in place;
    kind "mount": a read-only bind mount of the folder beside it (root only).
    """
    files = [path for path in folder.iterdir() if path.is_file()]
    if kind == "mount":
        if os.geteuid() != 0 or shutil.which("mount") is None:
            pytest.skip("a read-only bind mount needs root")
        view = folder.with_name(folder.name + "-ro")
        view.mkdir()
        if not _run("mount", "--bind", str(folder), str(view)):
            view.rmdir()
            pytest.skip("bind mounts are not allowed here")
        try:
            if not _run("mount", "-o", "remount,bind,ro", str(view)):
                pytest.skip("a bind mount cannot be made read-only here")
            assert not os.access(view, os.W_OK)
            yield view
        finally:
            _run("umount", str(view)) or _run("umount", "-l", str(view))
            view.rmdir()
        return
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or not _run("chattr", "+i", *map(str, files), str(folder)):
            pytest.skip("chattr +i is not available on this filesystem")
        try:
            assert not os.access(folder, os.W_OK)
            yield folder
        finally:
            _run("chattr", "-i", *map(str, files), str(folder))
        return
    for path in files:
        path.chmod(0o444)
    folder.chmod(0o555)
    try:
        yield folder
    finally:
        folder.chmod(0o755)
        for path in files:
            path.chmod(0o644)


@contextmanager
def small_disk(folder: Path, size: str = "1M") -> Iterator[Path]:
    """A tmpfs of `size` mounted at `folder` (root only): a disk that fills up for real."""
    folder.mkdir()
    if os.geteuid() != 0 or not _run("mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)):
        folder.rmdir()
        pytest.skip("mounting a small tmpfs needs root")
    try:
        yield folder
    finally:
        _run("umount", str(folder)) or _run("umount", "-l", str(folder))
        folder.rmdir()


@contextmanager
def killed_child(*args: str) -> Iterator[tuple[subprocess.Popen[str], str]]:
    """A Python child (`python -c *args`) and the first line it printed; killed with
    SIGKILL when the block ends (what it printed after stays readable on its stdout)."""
    child = subprocess.Popen(
        [sys.executable, "-c", *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        yield child, child.stdout.readline()
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
