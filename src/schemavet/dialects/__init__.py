"""The dialects: one folder each (``sqlite/``, ``postgres/``), found through the registry in
:mod:`schemavet.dialect`; a folder and one registry line make a dialect."""
