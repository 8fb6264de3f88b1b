-- Objects the model has no place for, as (kind, schema, name): reported, never passed silently.
-- Foreign tables, composite types, table inheritance and functions no trigger calls come with
-- the relations and functions queries.
SELECT 'rule', n.nspname, c.relname || '.' || r.rulename
FROM pg_catalog.pg_rewrite AS r
JOIN pg_catalog.pg_class AS c ON c.oid = r.ev_class
JOIN pg_catalog.pg_namespace AS n ON n.oid = c.relnamespace
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[]) AND r.rulename <> '_RETURN'
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid AND d.deptype = 'e'
    )
UNION ALL
SELECT 'type', n.nspname, t.typname
FROM pg_catalog.pg_type AS t
JOIN pg_catalog.pg_namespace AS n ON n.oid = t.typnamespace
WHERE t.typnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND t.typtype IN ('b', 'r', 'p')
    AND t.typcategory <> 'A'
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid AND d.deptype = 'e'
    )
UNION ALL
SELECT 'statistics', n.nspname, s.stxname
FROM pg_catalog.pg_statistic_ext AS s
JOIN pg_catalog.pg_namespace AS n ON n.oid = s.stxnamespace
WHERE s.stxnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
UNION ALL
SELECT 'collation', n.nspname, co.collname
FROM pg_catalog.pg_collation AS co
JOIN pg_catalog.pg_namespace AS n ON n.oid = co.collnamespace
WHERE co.collnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass AND d.objid = co.oid
            AND d.deptype = 'e'
    )
UNION ALL
SELECT 'operator', n.nspname, o.oprname
FROM pg_catalog.pg_operator AS o
JOIN pg_catalog.pg_namespace AS n ON n.oid = o.oprnamespace
WHERE o.oprnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_operator'::pg_catalog.regclass AND d.objid = o.oid
            AND d.deptype = 'e'
    )
UNION ALL
SELECT 'text search configuration', n.nspname, ts.cfgname
FROM pg_catalog.pg_ts_config AS ts
JOIN pg_catalog.pg_namespace AS n ON n.oid = ts.cfgnamespace
WHERE ts.cfgnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_ts_config'::pg_catalog.regclass AND d.objid = ts.oid
            AND d.deptype = 'e'
    )
UNION ALL
SELECT 'event trigger', NULL, e.evtname FROM pg_catalog.pg_event_trigger AS e
UNION ALL
SELECT 'publication', NULL, p.pubname FROM pg_catalog.pg_publication AS p
ORDER BY 1, 2, 3
