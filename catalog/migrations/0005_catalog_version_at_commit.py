"""PostgreSQL: the catalog version moves at commit, not mid-transaction (see catalog/versions.py).

0004's statement-level triggers locked the one version row at the first catalog write of a
transaction and held it to the commit, after which that transaction still took row locks:
a checkout holding a product and waiting for the version row, a sync holding the version row
and waiting for that product, was a deadlock (tests/reliability/test_stock_under_sync.py
on PostgreSQL). Deferred constraint triggers run at commit, after every other lock the
transaction takes, and bump the token once per transaction. SQLite has one writer at a time
and keeps 0004's triggers.
"""

import importlib

from django.db import migrations

# Reversing restores 0004's function, which bumps at every statement.
BUMP_NOW = importlib.import_module("catalog.migrations.0004_catalog_version").POSTGRES_FUNCTION

TABLES = ("catalog_product", "catalog_category", "catalog_productimage", "catalog_imagerendition")
BUMP_AT_COMMIT = """
CREATE OR REPLACE FUNCTION catalog_version_bump() RETURNS trigger AS $$
BEGIN
    IF current_setting('greengrocer.catalog_version_bumped', true) IS DISTINCT FROM 'on' THEN
        PERFORM set_config('greengrocer.catalog_version_bumped', 'on', true);
        INSERT INTO catalog_version (id, token) VALUES (1, floor(random() * 9e18)::bigint)
        ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    END IF;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def at_commit(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(BUMP_AT_COMMIT)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        schema_editor.execute(
            f"CREATE CONSTRAINT TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE ON {table} "
            "DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION catalog_version_bump()"
        )
        # TRUNCATE (the tests' flush) cannot be deferred; nothing else holds locks then.
        schema_editor.execute(
            f"CREATE TRIGGER {table}_version_truncate AFTER TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()"
        )


def per_statement(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version_truncate ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        schema_editor.execute(
            f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()"
        )
    schema_editor.execute(BUMP_NOW)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_catalog_version")]

    operations = [migrations.RunPython(at_commit, per_statement)]
