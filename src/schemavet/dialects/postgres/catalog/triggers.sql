-- Triggers the user created (not a constraint's internal ones, not a partition's clones):
-- the definition as the server prints it, the enabled state and the function called.
SELECT
    tg.tgrelid,
    tg.tgname,
    pg_catalog.quote_ident(tg.tgname) AS quoted_name,
    pg_catalog.pg_get_triggerdef(tg.oid, true) AS definition,
    tg.tgenabled
FROM pg_catalog.pg_trigger AS tg
JOIN pg_catalog.pg_class AS c ON c.oid = tg.tgrelid
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND NOT tg.tgisinternal
    AND tg.tgparentid = 0
ORDER BY tg.tgrelid, tg.tgname
