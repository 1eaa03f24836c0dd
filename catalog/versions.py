"""The catalog's version: a token that changes in the same transaction as every catalog write.

What a product page shows comes from four tables (products, categories, images, renditions).
Database triggers give the one-row table `catalog_version` a new random token with every
INSERT, UPDATE or DELETE on any of them, in the writing transaction: on PostgreSQL once, at
commit (deferred constraint triggers, migration 0005), on SQLite per row (0004). So no
write path can forget it: services, bulk upserts, `QuerySet.update`, the admin, cascading
deletes and raw SQL alike, and a rolled-back write takes its token with it. A random token
rather than a counter, because a counter returns to an old value after a rollback (or after
the tests' flush), and a cached page of a write that never committed could then be served.

Why a page cached under the token is never stale (catalog/api_cache.py): a reader reads the
token *before* the page's rows. A write's token becomes visible in the same commit as its
rows, so rows read after token T are at least as new as T; a page stored under T is T's or
newer, and once a write commits every reader sees its new token and misses. (Pages are
built by GETs, outside any writing transaction: ATOMIC_REQUESTS stays off.) Costs: one
one-row SELECT per request; on PostgreSQL each writing transaction locks that row only while
it commits, after every other lock it holds, so two writers can wait on it but never
deadlock over it (a mid-transaction bump did: checkouts against syncs); on SQLite one small
UPDATE per row written, under the database lock the write holds anyway.
"""

from __future__ import annotations

from django.db import connection


def catalog_version() -> int | None:
    """The current token; None only if the row is gone (then nothing may be cached)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM catalog_version WHERE id = 1")
        row = cursor.fetchone()
    return None if row is None else row[0]
