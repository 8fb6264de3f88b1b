-- Indexes that back no constraint and are not a partition's copy of its parent's: access
-- method, key columns (attribute numbers, 0 for an expression, which the server prints), the
-- operator class and collation of each key when not the default, ordering options, INCLUDE
-- columns, predicate, uniqueness and validity.
-- In three steps, each over all the indexes at once (MATERIALIZED keeps the server from folding
-- them back into a join per index): the indexes to report, their keys one row each, and the
-- keys' terms, operator classes and collations aggregated back per index.
WITH chosen AS MATERIALIZED (
    SELECT
        x.indexrelid,
        x.indrelid,
        i.relname,
        i.relam,
        x.indisunique,
        x.indisvalid,
        x.indnkeyatts,
        pg_catalog.pg_get_expr(x.indpred, x.indrelid, true) AS predicate,
        {{15:x.indnullsnotdistinct|false}} AS nulls_not_distinct,
        x.indoption::pg_catalog.int2[] AS options,
        x.indkey::pg_catalog.int2[] AS keys,
        x.indclass::pg_catalog.oid[] AS opclasses,
        x.indcollation::pg_catalog.oid[] AS collations
    FROM pg_catalog.pg_index AS x
    JOIN pg_catalog.pg_class AS i ON i.oid = x.indexrelid
    WHERE i.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
        AND NOT i.relispartition
        AND NOT EXISTS (
            SELECT FROM pg_catalog.pg_constraint AS co
            WHERE co.conindid = x.indexrelid AND co.conrelid = x.indrelid AND co.contype IN ('p', 'u', 'x')
        )
), keys AS MATERIALIZED (
    -- indkey also holds the INCLUDE columns, which have no operator class or collation (NULL)
    SELECT x.indexrelid, x.indrelid, k.attnum, k.opclass, k.coll, k.n
    FROM chosen AS x
    CROSS JOIN LATERAL ROWS FROM (
        pg_catalog.unnest(x.keys),
        pg_catalog.unnest(x.opclasses),
        pg_catalog.unnest(x.collations)
    ) WITH ORDINALITY AS k (attnum, opclass, coll, n)
), per_index AS (
    SELECT
        k.indexrelid,
        pg_catalog.array_agg(
            CASE WHEN k.attnum = 0 THEN pg_catalog.pg_get_indexdef(k.indexrelid, k.n::pg_catalog.int4, true) END
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
        -- a key's collation when it is not its column's (or its expression type's): looked up
        -- for collatable keys only, each by an index lookup, not a pass over the table's columns
        pg_catalog.array_agg(
            CASE WHEN k.coll <> 0 AND k.coll <> CASE WHEN k.attnum <> 0
                THEN (
                    SELECT ta.attcollation FROM pg_catalog.pg_attribute AS ta
                    WHERE ta.attrelid = k.indrelid AND ta.attnum = k.attnum
                ) ELSE (
                    SELECT it.typcollation
                    FROM pg_catalog.pg_attribute AS ia
                    JOIN pg_catalog.pg_type AS it ON it.oid = ia.atttypid
                    WHERE ia.attrelid = k.indexrelid AND ia.attnum = k.n
                ) END THEN
                CASE WHEN co.collnamespace = 'pg_catalog'::pg_catalog.regnamespace
                    THEN pg_catalog.quote_ident(co.collname)
                    ELSE co.collnamespace::pg_catalog.regnamespace::pg_catalog.text || '.'
                        || pg_catalog.quote_ident(co.collname) END
            END ORDER BY k.n
        ) AS collations
    FROM keys AS k
    LEFT JOIN pg_catalog.pg_opclass AS oc ON oc.oid = k.opclass
    LEFT JOIN pg_catalog.pg_collation AS co ON co.oid = k.coll
    GROUP BY k.indexrelid
)
SELECT
    x.indrelid,
    x.relname,
    am.amname,
    x.indisunique,
    x.indisvalid,
    x.indnkeyatts,
    x.predicate,
    x.nulls_not_distinct,
    x.options,
    x.keys,
    k.terms,
    k.opclasses,
    k.collations
FROM chosen AS x
LEFT JOIN per_index AS k ON k.indexrelid = x.indexrelid
JOIN pg_catalog.pg_am AS am ON am.oid = x.relam
ORDER BY x.indrelid, x.relname
