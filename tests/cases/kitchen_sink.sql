-- Every object kind SQLite has, spelt in the ways real schemas spell them, with hostile names.
CREATE TABLE "Parent Table" (
    "Id" INTEGER PRIMARY KEY AUTOINCREMENT,
    code TEXT NOT NULL COLLATE NOCASE UNIQUE,
    "select" TEXT DEFAULT 'it''s',
    region TEXT,
    CONSTRAINT uq_parent_code_region UNIQUE (code, region)
);
CREATE TABLE child (
    id integer primary key,
    parent_id INTEGER NOT NULL REFERENCES "Parent Table" ON DELETE CASCADE ON UPDATE RESTRICT,
    a INT, b INT,
    price NUMERIC(10, 2) DEFAULT (0.0) CHECK (price >= 0),
    total REAL GENERATED ALWAYS AS (price * 1.2) STORED,
    label TEXT AS (upper(substr("select-ish", 1, 3))) VIRTUAL,
    "select-ish" TEXT,
    created_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
    flag BOOLEAN DEFAULT TRUE,
    CONSTRAINT ck_child_ab CHECK (a IS NULL OR b IS NULL OR a <= b),
    CONSTRAINT fk_child_pair FOREIGN KEY (a, b) REFERENCES pair (x, y) DEFERRABLE INITIALLY DEFERRED
);
CREATE TABLE pair (x INT, y INT, note TEXT, PRIMARY KEY (x, y)) WITHOUT ROWID;
CREATE TABLE strict_things (id INTEGER PRIMARY KEY, n INT NOT NULL, blob_ BLOB, anything ANY) STRICT;
CREATE TABLE "weird ""quoted"" name" ("ünïcødé col" TEXT, [bracketed] TEXT, `back ticked` TEXT);
CREATE TABLE no_types (a, b DEFAULT NULL, c DEFAULT -1);
CREATE INDEX ix_child_parent ON child (parent_id);
CREATE INDEX ix_child_ab ON child (a, b DESC);
CREATE INDEX "ix expr" ON child (lower("select-ish"), price * 2 DESC) WHERE price > 0;
CREATE UNIQUE INDEX ux_parent_region ON "Parent Table" (region COLLATE RTRIM) WHERE region IS NOT NULL;
CREATE INDEX ix_parent_code ON "Parent Table" (code);
CREATE VIEW child_totals (parent, n) AS SELECT parent_id, count(*) FROM child GROUP BY parent_id;
CREATE TRIGGER child_touch AFTER UPDATE OF price ON child
BEGIN
    UPDATE child SET created_at = created_at WHERE id = NEW.id;
END;
CREATE TRIGGER totals_insert INSTEAD OF INSERT ON child_totals
BEGIN
    SELECT RAISE(ABORT, 'read-only view');
END;
CREATE VIRTUAL TABLE notes_fts USING fts5(title, body);
