-- Columns of tables (and of materialized views, whose indexes name them), in order: type with
-- its modifier, NOT NULL, default, identity, generated, and the collation when it is not the
-- type's own.
SELECT
    a.attrelid,
    a.attnum,
    a.attname,
    pg_catalog.format_type(a.atttypid, a.atttypmod) AS type,
    a.attnotnull,
    pg_catalog.pg_get_expr(d.adbin, CASE WHEN a.attgenerated <> '' THEN d.adrelid ELSE 0 END, true) AS default,
    a.attidentity,
    a.attgenerated,
    CASE WHEN a.attcollation <> t.typcollation THEN (
        SELECT CASE WHEN co.collnamespace = 'pg_catalog'::pg_catalog.regnamespace THEN co.collname
            ELSE co.collnamespace::pg_catalog.regnamespace::pg_catalog.text || '.' || co.collname END
        FROM pg_catalog.pg_collation AS co
        WHERE co.oid = a.attcollation
    ) END AS collation
FROM pg_catalog.pg_attribute AS a
JOIN pg_catalog.pg_class AS c ON c.oid = a.attrelid
-- the type only for a column with a collation (to compare with the type's), the default only
-- for a column that has one (atthasdef, as psql's \d asks): a NULL key finds nothing at no
-- cost where the server looks up each column's, as it does on a database whose catalogs have
-- no statistics yet (a fresh one in CI)
LEFT JOIN pg_catalog.pg_type AS t ON t.oid = CASE WHEN a.attcollation <> 0 THEN a.atttypid END
LEFT JOIN pg_catalog.pg_attrdef AS d
    ON d.adrelid = a.attrelid AND d.adnum = CASE WHEN a.atthasdef THEN a.attnum END
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND c.relkind IN ('r', 'p', 'm')
    AND a.attnum > 0
    AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum
