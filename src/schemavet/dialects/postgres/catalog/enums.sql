-- Enumerated types with their labels in order, not an extension's.
SELECT
    t.typnamespace,
    t.typname,
    ARRAY(
        SELECT e.enumlabel FROM pg_catalog.pg_enum AS e WHERE e.enumtypid = t.oid ORDER BY e.enumsortorder
    ) AS labels
FROM pg_catalog.pg_type AS t
WHERE t.typnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND t.typtype = 'e'
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_type'::pg_catalog.regclass AND d.objid = t.oid AND d.deptype = 'e'
    )
ORDER BY t.typnamespace, t.typname
