-- Domains: base type, NOT NULL, default, collation when not the base type's, and checks.
SELECT
    t.typnamespace,
    t.typname,
    pg_catalog.format_type(t.typbasetype, t.typtypmod) AS type,
    t.typnotnull,
    t.typdefault,
    CASE WHEN t.typcollation <> bt.typcollation THEN (
        SELECT CASE WHEN co.collnamespace = 'pg_catalog'::pg_catalog.regnamespace THEN co.collname
            ELSE co.collnamespace::pg_catalog.regnamespace::pg_catalog.text || '.' || co.collname END
        FROM pg_catalog.pg_collation AS co
        WHERE co.oid = t.typcollation
    ) END AS collation,
    ARRAY(
        SELECT co.conname FROM pg_catalog.pg_constraint AS co
        WHERE co.contypid = t.oid AND co.contype = 'c' ORDER BY co.conname
    ) AS check_names,
    ARRAY(
        SELECT pg_catalog.pg_get_expr(co.conbin, 0, true) FROM pg_catalog.pg_constraint AS co
        WHERE co.contypid = t.oid AND co.contype = 'c' ORDER BY co.conname
    ) AS check_expressions,
    ARRAY(
        SELECT co.convalidated FROM pg_catalog.pg_constraint AS co
        WHERE co.contypid = t.oid AND co.contype = 'c' ORDER BY co.conname
    ) AS check_validated
FROM pg_catalog.pg_type AS t
JOIN pg_catalog.pg_type AS bt ON bt.oid = t.typbasetype
WHERE t.typnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND t.typtype = 'd'
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid AND d.deptype = 'e'
    )
ORDER BY t.typnamespace, t.typname
