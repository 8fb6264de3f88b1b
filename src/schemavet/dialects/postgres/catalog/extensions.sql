-- Extensions installed into the schemas read (their version is not compared).
SELECT e.extnamespace, e.extname
FROM pg_catalog.pg_extension AS e
WHERE e.extnamespace = ANY (%(namespaces)s::pg_catalog.oid[])
ORDER BY e.extname
