-- Schemas that broke round trips once: each statement is a regression test.
CREATE TABLE desc_key (id INTEGER PRIMARY KEY DESC, x TEXT);
CREATE TABLE odd_types (a "NOT NULL", b [PRIMARY KEY], c "DEFAULT 5", d "VARCHAR(10", e INT);
CREATE TABLE nested_default (id INTEGER PRIMARY KEY,
    created_ms INTEGER DEFAULT ((strftime('%s', 'now')) * (1000)),
    n INTEGER DEFAULT ((1) + (2)));
CREATE TABLE conflicts (a TEXT PRIMARY KEY ON CONFLICT REPLACE, b TEXT UNIQUE ON CONFLICT IGNORE,
    c TEXT NOT NULL ON CONFLICT FAIL, d TEXT, CONSTRAINT uq_d UNIQUE (d) ON CONFLICT ROLLBACK);
CREATE TABLE 'single' ('a' TEXT COLLATE NOCASE, 'b' INT REFERENCES 'desc_key' DEFERRABLE INITIALLY DEFERRED);
CREATE TABLE Mixed (a INT);
CREATE TRIGGER mixed_tr AFTER INSERT ON MIXED FOR EACH ROW WHEN NEW.a > 0 BEGIN SELECT 1; END;
CREATE TABLE "order" ("select" TEXT, "key" INT CHECK ("key" > 0), "from" TEXT DEFAULT "x");
CREATE INDEX "where" ON "order" ("key" * 2, "select" COLLATE NOCASE DESC) WHERE "from" <> 'y';
CREATE TABLE "yes" ("no" TEXT, "null" TEXT, "~" TEXT, "- dash" TEXT, "a: b" TEXT, "#hash" TEXT);
CREATE TABLE autoinc (id INTEGER, x TEXT, PRIMARY KEY (id AUTOINCREMENT));
CREATE VIEW v_semicolon AS SELECT "select" FROM "order";
