-- casework on PostgreSQL: the role split that makes the audit trail append-only for the app.
--
-- Two roles:
--   * the OWNER role owns the schema and every table; it runs `flask --app casework db upgrade`
--     and this file, and nothing else;
--   * casework_app is what the app connects as (gunicorn, the scheduler, every other `flask`
--     command): all it may do on audit_events is INSERT and SELECT (no UPDATE, DELETE,
--     TRUNCATE), so someone who takes over the app, or its database password, cannot edit or
--     remove audit events. Other tables keep SELECT, INSERT, UPDATE and DELETE.
--
-- Run as the owner role, after every `db upgrade` (new tables need their grants):
--     psql "$OWNER_DATABASE_URL" -v ON_ERROR_STOP=1 -f deploy/postgresql-audit-roles.sql
-- then give casework_app a password (psql: \password casework_app) and point the app's
-- DATABASE_URL at it. The last block checks the result and fails loudly if it does not hold.

DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'casework_app') THEN
        CREATE ROLE casework_app LOGIN;
    END IF;
END
$$;

-- An owner (or a member of the owner's role, or a superuser) may always change its tables:
-- the app role must be none of them.
DO $$
BEGIN
    IF EXISTS (
        SELECT FROM pg_roles
        WHERE rolname = 'casework_app' AND (rolsuper OR rolbypassrls)
    ) THEN
        RAISE EXCEPTION 'casework_app is a superuser: make it an ordinary role';
    END IF;
    IF EXISTS (
        SELECT FROM pg_tables
        WHERE schemaname = 'public' AND tablename = 'audit_events'
          AND pg_has_role('casework_app', tableowner, 'USAGE')
    ) THEN
        RAISE EXCEPTION 'casework_app owns audit_events or inherits its owner''s rights: run migrations as a separate owner role';
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO casework_app;
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO casework_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO casework_app;

-- The audit trail: append and read, nothing else.
REVOKE ALL ON audit_events FROM PUBLIC;
REVOKE ALL ON audit_events FROM casework_app;
GRANT SELECT, INSERT ON audit_events TO casework_app;

DO $$
BEGIN
    IF has_table_privilege('casework_app', 'audit_events', 'UPDATE')
       OR has_table_privilege('casework_app', 'audit_events', 'DELETE')
       OR has_table_privilege('casework_app', 'audit_events', 'TRUNCATE')
       OR NOT has_table_privilege('casework_app', 'audit_events', 'INSERT')
       OR NOT has_table_privilege('casework_app', 'audit_events', 'SELECT') THEN
        RAISE EXCEPTION 'the audit role split does not hold for casework_app';
    END IF;
END
$$;
