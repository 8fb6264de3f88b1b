-- Constraints declared on tables themselves (not cloned to a partition or inherited): key
-- columns in order, the target of a foreign key with its columns in the same order, actions,
-- deferral, validation, and the definition as the server prints it.
SELECT
    co.conrelid,
    co.conname,
    co.contype,
    co.condeferrable,
    co.condeferred,
    co.convalidated,
    co.connoinherit,
    ARRAY(
        SELECT a.attname
        FROM pg_catalog.unnest(co.conkey) WITH ORDINALITY AS k (attnum, n)
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = co.conrelid AND a.attnum = k.attnum
        ORDER BY k.n
    ) AS columns,
    rn.nspname AS ref_schema,
    rc.relname AS ref_table,
    ARRAY(
        SELECT a.attname
        FROM pg_catalog.unnest(co.confkey) WITH ORDINALITY AS k (attnum, n)
        JOIN pg_catalog.pg_attribute AS a ON a.attrelid = co.confrelid AND a.attnum = k.attnum
        ORDER BY k.n
    ) AS ref_columns,
    co.confmatchtype,
    co.confupdtype,
    co.confdeltype,
    pg_catalog.pg_get_expr(co.conbin, co.conrelid, true) AS expression,
    pg_catalog.pg_get_constraintdef(co.oid, true) AS definition,
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
