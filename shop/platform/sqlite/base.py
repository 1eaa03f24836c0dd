"""SQLite for many writer processes: a locked database is retried at a steady pace.

SQLite's own busy handler sleeps 1, 2, 5, 10 … 100 ms between tries. A writer that has
waited a while sleeps through many short transactions of others and loses the lock to
newcomers, so under load the slowest checkouts wait on those sleeps, not on work: py-spy
found 47 % of a loaded checkout's samples there. So SQLite gives up after a few
milliseconds (PRAGMA busy_timeout in settings) and a statement run outside a transaction,
BEGIN IMMEDIATE included, is tried again every millisecond until the `timeout` option's
seconds have passed, which is what Rails 7.1 did for the same reason. Inside a transaction
nothing waits: IMMEDIATE transactions hold the write lock from their first statement.
`executemany` is not retried (outside a transaction its earlier rows would already be
committed); Django's bulk writes and catalog.upsert run it inside one.
"""

from __future__ import annotations

import sqlite3
import time

from django.db.backends.sqlite3 import base

RETRY_PAUSE = 0.001


class DatabaseWrapper(base.DatabaseWrapper):
    def create_cursor(self, name=None):
        cursor = self.connection.cursor(factory=LockRetryingCursor)
        cursor.lock_wait = float(self.settings_dict["OPTIONS"].get("timeout", 5))
        return cursor


class LockRetryingCursor(base.SQLiteCursorWrapper):
    lock_wait = 5.0

    def execute(self, query, params=None):
        if self.connection.in_transaction:
            return super().execute(query, params)
        deadline = time.monotonic() + self.lock_wait
        while True:
            try:
                return super().execute(query, params)
            except sqlite3.OperationalError as exc:
                if exc.sqlite_errorcode != sqlite3.SQLITE_BUSY or time.monotonic() > deadline:
                    raise
            time.sleep(RETRY_PAUSE)
