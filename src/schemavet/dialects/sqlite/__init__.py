"""SQLite: read-only connection, introspection, DDL text and normalization."""
