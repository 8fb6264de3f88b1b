-- Constraints declared on tables themselves (not cloned to a partition or inherited): key
-- columns in order (as attribute numbers: the columns query names them), the target of a
-- foreign key with its columns in the same order, actions, deferral, validation, and the
-- definition as the server prints it where the columns say less (foreign keys, EXCLUDE).
SELECT
    co.conrelid,
    co.conname,
    co.contype,
    co.condeferrable,
    co.condeferred,
    co.convalidated,
    co.connoinherit,
    co.conkey AS columns,
    rn.nspname AS ref_schema,
    rc.relname AS ref_table,
    -- a referenced column by an index lookup of its own (joining the referenced table's columns
    -- instead costs a pass over all of them per key, which wide tables make slow); the usual
    -- one-column key without the sorted sub-select a longer key needs
    CASE WHEN co.contype <> 'f' THEN NULL
        WHEN pg_catalog.cardinality(co.confkey) = 1 THEN ARRAY[(
            SELECT a.attname FROM pg_catalog.pg_attribute AS a
            WHERE a.attrelid = co.confrelid AND a.attnum = co.confkey[1]
        )]
        ELSE ARRAY(
            SELECT (
                SELECT a.attname FROM pg_catalog.pg_attribute AS a
                WHERE a.attrelid = co.confrelid AND a.attnum = k.attnum
            )
            FROM pg_catalog.unnest(co.confkey) WITH ORDINALITY AS k (attnum, n)
            ORDER BY k.n
        ) END AS ref_columns,
    co.confmatchtype,
    co.confupdtype,
    co.confdeltype,
    pg_catalog.pg_get_expr(co.conbin, co.conrelid, true) AS expression,
    CASE WHEN co.contype IN ('f', 'x') THEN pg_catalog.pg_get_constraintdef(co.oid, true) END AS definition,
    {{15:CASE WHEN co.contype = 'u' THEN (
        SELECT x.indnullsnotdistinct FROM pg_catalog.pg_index AS x WHERE x.indexrelid = co.conindid
    ) END|false}} AS nulls_not_distinct,
    {{18:co.conenforced|true}} AS enforced
FROM pg_catalog.pg_constraint AS co
JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid
-- the referenced table, looked for only by foreign keys (NULL finds nothing at no cost where
-- the server looks up each constraint's, as it does on a database whose catalogs have no
-- statistics yet, a fresh one in CI)
LEFT JOIN (
    pg_catalog.pg_class AS rc JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
) ON rc.oid = NULLIF(co.confrelid, 0)
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND co.contype IN ('p', 'u', 'f', 'c', 'x')  -- NOT NULLs: not_nulls.sql
    AND co.conparentid = 0
    AND co.conislocal
    -- always so for a table's constraint (not a domain's): it lets the server read them in
    -- the order of its (conrelid, contypid, conname) index instead of sorting them
    AND co.contypid = 0
ORDER BY co.conrelid, co.conname
