-- Sequences other than an identity column's: type, increment, bounds, cycle, and the column
-- that owns it (OWNED BY). Never the current value.
SELECT
    c.relnamespace,
    c.relname,
    pg_catalog.format_type(s.seqtypid, NULL) AS type,
    s.seqincrement,
    s.seqmin,
    s.seqmax,
    s.seqcycle,
    oc.relname AS owner_table,
    oa.attname AS owner_column
FROM pg_catalog.pg_sequence AS s
JOIN pg_catalog.pg_class AS c ON c.oid = s.seqrelid
LEFT JOIN pg_catalog.pg_depend AS d
    ON d.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.objid = c.oid
    AND d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass AND d.deptype = 'a'
LEFT JOIN pg_catalog.pg_class AS oc ON oc.oid = d.refobjid
LEFT JOIN pg_catalog.pg_attribute AS oa ON oa.attrelid = d.refobjid AND oa.attnum = d.refobjsubid
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS e
        WHERE e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass AND e.objid = c.oid
            AND e.deptype IN ('e', 'i')
    )
ORDER BY c.relnamespace, c.relname
