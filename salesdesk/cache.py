"""Values worth keeping between runs, in a file of the user cache folder.

A cache only: losing the file, or failing to write it, costs a recomputation and
nothing else, so every error here is swallowed.
"""

import contextlib
import json
import os
from collections.abc import Callable
from importlib.util import find_spec
from pathlib import Path


class JsonCache:
    """A JSON object in one file, valid for one `version` of whatever computed it.

    `locate` gives the file and `version` the version, both asked for on first use.
    """

    def __init__(self, locate: Callable[[], Path], version: Callable[[], str]):
        self._locate = locate
        self._version = version
        self._values: dict | None = None

    def _load(self) -> dict:
        if self._values is None:
            self.path, self.version = self._locate(), self._version()
            try:
                saved = json.loads(self.path.read_text(encoding="utf-8"))
                fresh = isinstance(saved, dict) and saved.get("version") == self.version
                self._values = saved["values"] if fresh and isinstance(saved.get("values"), dict) else {}
            except (OSError, ValueError):
                self._values = {}
        return self._values

    def get(self, key: str):
        return self._load().get(key)

    def put(self, key: str, value) -> None:
        values = self._load()
        values[key] = value
        temporary = self.path.with_name(f".{self.path.name}.{os.getpid()}")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_text(
                json.dumps({"version": self.version, "values": values}, ensure_ascii=False), encoding="utf-8"
            )
            os.replace(temporary, self.path)
        except OSError:
            with contextlib.suppress(OSError):
                temporary.unlink(missing_ok=True)


def holiday_cache(folder: Callable[[], Path]) -> JsonCache:
    """Holiday years as computed by the installed holiday calendar.

    The calendar's version is told by its files (found without importing it): a new
    version, with rules that may differ, starts the cache afresh.
    """

    def version() -> str:
        spec = find_spec("holidays")
        if spec is None or spec.origin is None:
            return "unknown"
        try:
            origin = Path(spec.origin)
            return f"{origin.parent}:{origin.stat().st_mtime_ns}"
        except OSError:
            return "unknown"

    return JsonCache(lambda: folder() / "holidays.json", version)
