"""What a dialect is (``base.py``), the one table of dialects (``registry.py``), and database URLs
read into (dialect, place) (``url.py``).

The dialects themselves are folders under :mod:`schemavet.dialects`; nothing else imports them:
everything asks the registry.
"""
