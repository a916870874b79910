-- Analysts' saved reports, and backtest results kept with the ruleset version they tested.
  CREATE TABLE reports (
    name TEXT PRIMARY KEY,
    data TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by TEXT NOT NULL
  ) STRICT;
  CREATE TABLE backtests (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    ruleset_version INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE INDEX backtests_version ON backtests(ruleset_version, id);
