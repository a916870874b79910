-- Sign-in attempts per user name and per address (SignInThrottle), removed once expired; and
-- accounts whose password an admin reset, which must choose a new one before anything else.
  CREATE TABLE sign_in_attempts (
    key TEXT PRIMARY KEY,
    failures INTEGER NOT NULL,
    last_at TEXT NOT NULL,
    expires_at TEXT NOT NULL
  ) STRICT;
  CREATE INDEX sign_in_attempts_expiry ON sign_in_attempts(expires_at);
  ALTER TABLE users ADD COLUMN must_change_password INTEGER NOT NULL DEFAULT 0;
