"""linkie-claw's data access (the publisher's scheduler and the settings page) and its seed data,
over the schema of migrations/linkie_claw (SQLite) and migrations/linkie_claw_pg (PostgreSQL)."""
