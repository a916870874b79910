-- Sessions end when idle (expires_at slides) or at an absolute end; sessions from before
-- have neither, so their users sign in again.
  DELETE FROM sessions;
  ALTER TABLE sessions ADD COLUMN ends_at TEXT;
  ALTER TABLE sessions ADD COLUMN idle_ms INTEGER;
