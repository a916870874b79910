-- People and the review queue.
  CREATE TABLE users (
    id TEXT PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('viewer', 'analyst', 'admin')),
    password_hash TEXT NOT NULL,
    created_at TEXT NOT NULL,
    disabled_at TEXT
  ) STRICT;
  CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  -- One row per reviewed transaction; the label feeds precision and detection figures.
  CREATE TABLE reviews (
    transaction_id TEXT PRIMARY KEY,
    status TEXT NOT NULL CHECK (status IN ('open', 'assigned', 'closed')),
    assignee TEXT,
    label TEXT CHECK (label IN ('fraud', 'legitimate')),
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
  ) STRICT;
  CREATE TABLE review_notes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL,
    at TEXT NOT NULL,
    author TEXT NOT NULL,
    action TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
  ) STRICT;
  CREATE INDEX review_notes_tx ON review_notes(transaction_id, id);
