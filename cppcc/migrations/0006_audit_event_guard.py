"""On PostgreSQL the database itself keeps the audit trail: a trigger refuses every UPDATE and
every DELETE of a row younger than 184 days (the least retention), so only the prune job can
remove rows, and only old ones. SQLite (development) relies on the model's own refusals."""

from django.db import migrations

GUARD = """
CREATE OR REPLACE FUNCTION cppcc_auditevent_guard() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'cppcc_auditevent rows cannot be changed';
    END IF;
    IF OLD.at > now() - interval '184 days' THEN
        RAISE EXCEPTION 'cppcc_auditevent rows younger than 184 days cannot be deleted';
    END IF;
    RETURN OLD;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS cppcc_auditevent_guard ON cppcc_auditevent;
CREATE TRIGGER cppcc_auditevent_guard BEFORE UPDATE OR DELETE ON cppcc_auditevent
    FOR EACH ROW EXECUTE FUNCTION cppcc_auditevent_guard();
"""

UNGUARD = """
DROP TRIGGER IF EXISTS cppcc_auditevent_guard ON cppcc_auditevent;
DROP FUNCTION IF EXISTS cppcc_auditevent_guard();
"""


def _on_postgresql(sql: str):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("cppcc", "0005_audit_event")]

    operations = [migrations.RunPython(_on_postgresql(GUARD), _on_postgresql(UNGUARD))]
