-- NOT NULL constraints of tables (PostgreSQL 18 keeps them in pg_constraint, named; before it
-- there are none): the column's number, name, validation and NO INHERIT. Asked for with the
-- columns, apart from the other constraints, so that a column is made whole with its own.
SELECT
    co.conrelid,
    co.conkey[1] AS attnum,
    co.conname,
    co.convalidated,
    co.connoinherit
FROM pg_catalog.pg_constraint AS co
JOIN pg_catalog.pg_class AS c ON c.oid = co.conrelid
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND co.contype = 'n'
    -- as for the other constraints (constraints.sql): declared on the table itself, read in
    -- the order of the (conrelid, contypid, conname) index
    AND co.conparentid = 0
    AND co.conislocal
    AND co.contypid = 0
ORDER BY co.conrelid, co.conname
