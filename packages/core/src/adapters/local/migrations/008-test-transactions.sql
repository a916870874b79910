-- The dashboard's test transactions, in tables of their own that nothing else reads (no
-- outbox row, no profile written), and a lab run's copies of the customers' profiles.
  CREATE TABLE test_decisions (
    transaction_id TEXT PRIMARY KEY,
    fingerprint TEXT NOT NULL,
    user_id TEXT NOT NULL,
    decided_at TEXT NOT NULL,
    data TEXT NOT NULL
  ) STRICT;
  CREATE TABLE test_profiles (
    sandbox TEXT NOT NULL,
    user_id TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    data TEXT NOT NULL,
    PRIMARY KEY (sandbox, user_id)
  ) STRICT;
