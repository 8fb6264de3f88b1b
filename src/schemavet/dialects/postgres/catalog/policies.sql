-- Row-level-security policies: command, permissive or restrictive, roles, USING, WITH CHECK.
SELECT
    po.polrelid,
    po.polname,
    po.polcmd,
    po.polpermissive,
    ARRAY(
        SELECT CASE WHEN r.oid = 0 THEN 'public' ELSE pg_catalog.pg_get_userbyid(r.oid) END
        FROM pg_catalog.unnest(po.polroles) AS r (oid)
        ORDER BY 1
    ) AS roles,
    pg_catalog.pg_get_expr(po.polqual, po.polrelid, true) AS using,
    pg_catalog.pg_get_expr(po.polwithcheck, po.polrelid, true) AS with_check
FROM pg_catalog.pg_policy AS po
JOIN pg_catalog.pg_class AS c ON c.oid = po.polrelid
WHERE c.relnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
ORDER BY po.polrelid, po.polname
