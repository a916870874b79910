-- Delivery of alerts to external channels, retried with backoff.
  CREATE TABLE alert_deliveries (
    alert_id INTEGER NOT NULL REFERENCES alerts(id),
    channel TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT NOT NULL,
    last_error TEXT,
    delivered_at TEXT,
    PRIMARY KEY (alert_id, channel)
  ) STRICT;
  CREATE INDEX alert_deliveries_due ON alert_deliveries(status, next_attempt_at);
