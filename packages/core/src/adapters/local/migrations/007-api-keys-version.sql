-- A version of the API keys, raised by every change, so a key revoked by one process (the
-- dashboard, the CLI) is refused by the server from its next request.
  INSERT INTO kv (key, value) VALUES ('api_keys_version', '0') ON CONFLICT(key) DO NOTHING;
  CREATE TRIGGER api_keys_version_insert AFTER INSERT ON api_keys BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'api_keys_version'; END;
  CREATE TRIGGER api_keys_version_update AFTER UPDATE ON api_keys BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'api_keys_version'; END;
  CREATE TRIGGER api_keys_version_delete AFTER DELETE ON api_keys BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'api_keys_version'; END;
