-- Profiles, decisions and their outbox, rulesets, allow/block lists, alerts, live metrics, the audit log and API keys.
  CREATE TABLE profiles (
    user_id TEXT PRIMARY KEY,
    email TEXT,
    risk_level TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE decisions (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL UNIQUE,
    fingerprint TEXT NOT NULL,
    user_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    score INTEGER NOT NULL,
    amount REAL NOT NULL,
    decided_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX decisions_user ON decisions(user_id, seq);
  CREATE INDEX decisions_outcome ON decisions(decision, seq);
  CREATE TABLE decision_rules (
    seq INTEGER NOT NULL,
    rule_id TEXT NOT NULL,
    PRIMARY KEY (rule_id, seq)
  ) STRICT, WITHOUT ROWID;
  CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL
  ) STRICT;
  CREATE TABLE consumer_offsets (
    consumer TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
  ) STRICT;
  CREATE TABLE rulesets (
    version INTEGER PRIMARY KEY,
    status TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE kv (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  ) STRICT;
  CREATE TABLE lists (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    kind TEXT NOT NULL,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    reason TEXT NOT NULL,
    expires_at TEXT,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    removed_at TEXT
  ) STRICT;
  CREATE INDEX lists_lookup ON lists(field, value) WHERE removed_at IS NULL;
  CREATE TABLE alerts (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    transaction_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    decision TEXT NOT NULL,
    score INTEGER NOT NULL,
    amount REAL NOT NULL,
    rules TEXT NOT NULL,
    created_at TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'open'
  ) STRICT;
  CREATE TABLE metrics_minute (
    minute TEXT NOT NULL,
    decision TEXT NOT NULL,
    count INTEGER NOT NULL,
    amount REAL NOT NULL,
    score_sum INTEGER NOT NULL,
    latency_sum REAL NOT NULL,
    latency_max REAL NOT NULL,
    PRIMARY KEY (minute, decision)
  ) STRICT;
  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    before TEXT,
    after TEXT
  ) STRICT;
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log entries cannot be changed'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log BEGIN SELECT RAISE(ABORT, 'audit log entries cannot be deleted'); END;
  CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    scopes TEXT NOT NULL,
    created_at TEXT NOT NULL,
    revoked_at TEXT
  ) STRICT;
