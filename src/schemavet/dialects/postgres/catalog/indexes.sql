-- Indexes that back no constraint and are not a partition's copy of its parent's: access
-- method, key columns (attribute numbers, 0 for an expression, which the server prints), the
-- operator class and collation of each key when not the default, ordering options, INCLUDE
-- columns, predicate, uniqueness and validity.
SELECT
    x.indrelid,
    i.relname,
    am.amname,
    x.indisunique,
    x.indisvalid,
    x.indnkeyatts,
    pg_catalog.pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
    {{15:x.indnullsnotdistinct|false}} AS nulls_not_distinct,
    x.indoption::pg_catalog.int2[] AS options,
    x.indkey::pg_catalog.int2[] AS keys,
    k.terms,
    k.opclasses,
    k.collations
FROM pg_catalog.pg_index AS x
JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
JOIN pg_catalog.pg_class AS c ON c.oid = x.indrelid
JOIN pg_catalog.pg_am AS am ON am.oid = i.relam
CROSS JOIN LATERAL (
    SELECT
        pg_catalog.array_agg(
            CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(x.indexrelid, k.n::pg_catalog.int4, true) END
            ORDER BY k.n
        ) AS terms,
        pg_catalog.array_agg(
            CASE WHEN NOT oc.opcdefault THEN
                CASE WHEN oc.opcnamespace = 'pg_catalog'::pg_catalog.regnamespace
                    THEN pg_catalog.quote_ident(oc.opcname)
                    ELSE oc.opcnamespace::pg_catalog.regnamespace::pg_catalog.text || '.'
                        || pg_catalog.quote_ident(oc.opcname) END
            END ORDER BY k.n
        ) AS opclasses,
        pg_catalog.array_agg(
            CASE WHEN k.coll <> 0 AND k.coll <> COALESCE(ta.attcollation, it.typcollation) THEN
                CASE WHEN co.collnamespace = 'pg_catalog'::pg_catalog.regnamespace
                    THEN pg_catalog.quote_ident(co.collname)
                    ELSE co.collnamespace::pg_catalog.regnamespace::pg_catalog.text || '.'
                        || pg_catalog.quote_ident(co.collname) END
            END ORDER BY k.n
        ) AS collations
    FROM ROWS FROM (
        pg_catalog.unnest(x.indkey::pg_catalog.int2[]),
        pg_catalog.unnest(x.indclass::pg_catalog.oid[]),
        pg_catalog.unnest(x.indcollation::pg_catalog.oid[])
    ) WITH ORDINALITY AS k (attnum, opclass, coll, n)
    LEFT JOIN pg_catalog.pg_opclass AS oc ON oc.oid = k.opclass
    LEFT JOIN pg_catalog.pg_collation AS co ON co.oid = k.coll
    LEFT JOIN pg_catalog.pg_attribute AS ta
        ON ta.attrelid = x.indrelid AND ta.attnum = k.attnum AND k.attnum <> 0
    LEFT JOIN pg_catalog.pg_attribute AS ia ON ia.attrelid = x.indexrelid AND ia.attnum = k.n
    LEFT JOIN pg_catalog.pg_type AS it ON it.oid = ia.atttypid
) AS k
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND c.relkind IN ('r', 'p', 'm')
    AND NOT i.relispartition
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_constraint AS co
        WHERE co.conindid = x.indexrelid AND co.conrelid = x.indrelid AND co.contype IN ('p', 'u', 'x')
    )
ORDER BY x.indrelid, i.relname
