"""yoyo migration directories: reading and ordering them (``directory``), applying them
(``runner``), their ``schemavet.sum`` (``sums``) and the content hashes recorded beside yoyo's
own bookkeeping (``bookkeeping``)."""
