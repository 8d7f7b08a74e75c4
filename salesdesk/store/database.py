"""The store's handle on a SQLite connection."""

import sqlite3
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from itertools import count
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    import sqlite_utils
    from sqlite_utils.db import Table

_savepoints = count(1)

# What a query is given: values by position, or by name for `:name` placeholders.
Parameters: TypeAlias = Sequence[object] | Mapping[str, object]
# A row as sqlite3 returns it: its values are whatever the column holds (text, a number,
# None), which only the query knows.
Row: TypeAlias = tuple[Any, ...]


class Database:
    """A SQLite connection as the store uses it, with sqlite-utils' table tools to hand.

    Queries go straight to the connection. The table tools (building a full-text
    index, listing a table's columns) come from sqlite-utils, imported the first time
    one is asked for: importing it costs about 45 ms, a fifth of the app's start-up,
    and reading the agenda or the board never needs it.
    """

    def __init__(self, conn: sqlite3.Connection):
        self.conn = conn
        self._utils: sqlite_utils.Database | None = None

    def execute(self, sql: str, parameters: Parameters | None = None) -> sqlite3.Cursor:
        return self.conn.execute(sql) if parameters is None else self.conn.execute(sql, parameters)

    def executescript(self, sql: str) -> sqlite3.Cursor:
        """Run several statements, inside the open transaction if there is one.

        (sqlite3's own executescript would commit it first; sqlite-utils' does not.)
        """
        return self.utils.executescript(sql)

    def close(self) -> None:
        self.conn.close()

    @property
    def utils(self) -> "sqlite_utils.Database":
        """sqlite-utils over this connection."""
        if self._utils is None:
            import sqlite_utils

            self._utils = sqlite_utils.Database(self.conn)
        return self._utils

    def __getitem__(self, table: str) -> "Table":
        """The sqlite-utils table `table`."""
        return self.utils.table(table)

    @contextmanager
    def atomic(self) -> Iterator["Database"]:
        """A savepoint inside the open transaction (or a transaction of its own)."""
        name = f"salesdesk_{next(_savepoints)}"
        self.conn.execute(f"SAVEPOINT {name}")
        try:
            yield self
        except BaseException:
            if self.conn.in_transaction:
                self.conn.execute(f"ROLLBACK TO SAVEPOINT {name}")
                self.conn.execute(f"RELEASE SAVEPOINT {name}")
            raise
        else:
            self.conn.execute(f"RELEASE SAVEPOINT {name}")
