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
    -- each referenced column by its own index lookup: joining the referenced table's columns
    -- instead costs a pass over all of them per foreign key, which wide tables make slow
    CASE WHEN co.contype = 'f' THEN ARRAY(
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
    {{15:x.indnullsnotdistinct|false}} AS nulls_not_distinct,
    {{18:co.conenforced|true}} AS enforced
FROM pg_catalog.pg_constraint AS co
JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid
LEFT JOIN pg_catalog.pg_class AS rc ON rc.oid = co.confrelid
LEFT JOIN pg_catalog.pg_namespace AS rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_index AS x ON x.indexrelid = co.conindid AND co.contype = 'u'
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND co.contype IN ('p', 'u', 'f', 'c', 'x', 'n')
    AND co.conparentid = 0
    AND co.conislocal
ORDER BY co.conrelid, co.conname
