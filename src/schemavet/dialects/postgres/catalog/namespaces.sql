-- The schemas to read: the user's (not PostgreSQL's own, not an extension's) whose names match.
SELECT n.oid, n.nspname
FROM pg_catalog.pg_namespace AS n
WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
    AND NOT pg_catalog.starts_with(n.nspname, 'pg_toast')
    AND NOT pg_catalog.starts_with(n.nspname, 'pg_temp_')
    AND n.nspname LIKE ANY (%(patterns)s::pg_catalog.text[])
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
            AND d.objid = n.oid AND d.deptype = 'e'
    )
ORDER BY n.nspname
