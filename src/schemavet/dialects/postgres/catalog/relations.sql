-- Tables, views, materialized views, foreign tables and composite types, not an extension's.
SELECT
    c.oid,
    c.relnamespace,
    c.relname,
    c.relkind,
    c.relpersistence = 'u' AS unlogged,
    c.relrowsecurity,
    c.relforcerowsecurity,
    CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_by,
    CASE WHEN c.relispartition THEN (
        SELECT i.inhparent::pg_catalog.regclass::pg_catalog.text
        FROM pg_catalog.pg_inherits AS i
        WHERE i.inhrelid = c.oid
    ) END AS partition_of,
    CASE WHEN c.relispartition THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid, true) END AS bound,
    CASE WHEN c.relkind IN ('v', 'm') THEN pg_catalog.pg_get_viewdef(c.oid, true) END AS definition,
    CASE WHEN NOT c.relispartition THEN ARRAY(
        SELECT i.inhparent::pg_catalog.regclass::pg_catalog.text
        FROM pg_catalog.pg_inherits AS i
        WHERE i.inhrelid = c.oid
        ORDER BY i.inhseqno
    ) END AS inherits
FROM pg_catalog.pg_class AS c
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'c')
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
            AND d.objid = c.oid AND d.deptype = 'e'
    )
ORDER BY c.relnamespace, c.relname
