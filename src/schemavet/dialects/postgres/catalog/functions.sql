-- Functions, procedures and aggregates, not an extension's nor another object's own (a range
-- type's constructors): signature, result, language, and whether a trigger calls the function
-- (the others are beyond the model).
SELECT
    p.pronamespace,
    p.proname,
    p.prokind,
    pg_catalog.pg_get_function_identity_arguments(p.oid) AS arguments,
    pg_catalog.pg_get_function_result(p.oid) AS result,
    l.lanname,
    EXISTS (SELECT FROM pg_catalog.pg_trigger AS tg WHERE tg.tgfoid = p.oid AND NOT tg.tgisinternal)
        AS called_by_trigger
FROM pg_catalog.pg_proc AS p
JOIN pg_catalog.pg_language AS l ON l.oid = p.prolang
WHERE p.pronamespace = ANY (%(namespaces)s::pg_catalog.oid[])
    AND NOT EXISTS (
        SELECT FROM pg_catalog.pg_depend AS d
        WHERE d.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass AND d.objid = p.oid AND d.deptype IN ('e', 'i')
    )
ORDER BY p.pronamespace, p.proname, arguments
