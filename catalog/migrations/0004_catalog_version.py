"""The catalog version token and the triggers that change it (see catalog/versions.py)."""

from django.db import migrations

TABLES = ("catalog_product", "catalog_category", "catalog_productimage", "catalog_imagerendition")
EVENTS = ("INSERT", "UPDATE", "DELETE")
# The row is recreated if it was ever deleted (the tests' flush), with a fresh token.
SQLITE_BUMP = (
    "INSERT INTO catalog_version (id, token) VALUES (1, random()) "
    "ON CONFLICT (id) DO UPDATE SET token = excluded.token;"
)
POSTGRES_FUNCTION = """
CREATE OR REPLACE FUNCTION catalog_version_bump() RETURNS trigger AS $$
BEGIN
    INSERT INTO catalog_version (id, token) VALUES (1, floor(random() * 9e18)::bigint)
    ON CONFLICT (id) DO UPDATE SET token = EXCLUDED.token;
    RETURN NULL;
END $$ LANGUAGE plpgsql;
"""


def _statements(vendor: str) -> tuple[list[str], list[str]]:
    create = ["CREATE TABLE catalog_version (id integer PRIMARY KEY, token bigint NOT NULL)"]
    drop = []
    if vendor == "postgresql":
        create += ["INSERT INTO catalog_version (id, token) VALUES (1, floor(random() * 9e18)::bigint)",
                   POSTGRES_FUNCTION]  # fmt: skip
        for table in TABLES:
            create.append(
                f"CREATE TRIGGER {table}_version AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION catalog_version_bump()"
            )
            drop.append(f"DROP TRIGGER IF EXISTS {table}_version ON {table}")
        drop.append("DROP FUNCTION IF EXISTS catalog_version_bump()")
    elif vendor == "sqlite":
        create.append("INSERT INTO catalog_version (id, token) VALUES (1, random())")
        for table in TABLES:
            for event in EVENTS:
                name = f"{table}_version_{event.lower()}"
                create.append(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {SQLITE_BUMP} END")
                drop.append(f"DROP TRIGGER IF EXISTS {name}")
    else:
        raise NotImplementedError(f"catalog version triggers for {vendor}")
    return create, [*drop, "DROP TABLE catalog_version"]


def create(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[0]:
        schema_editor.execute(statement)


def drop(apps, schema_editor):
    for statement in _statements(schema_editor.connection.vendor)[1]:
        schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0003_stock_allocations")]

    operations = [migrations.RunPython(create, drop)]
