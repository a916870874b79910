-- A version of the allow/block lists, raised by every change, so scoring can keep them in
-- memory and reload them only when they changed.
  INSERT INTO kv (key, value) VALUES ('lists_version', '0') ON CONFLICT(key) DO NOTHING;
  CREATE TRIGGER lists_version_insert AFTER INSERT ON lists BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'lists_version'; END;
  CREATE TRIGGER lists_version_update AFTER UPDATE ON lists BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'lists_version'; END;
  CREATE TRIGGER lists_version_delete AFTER DELETE ON lists BEGIN UPDATE kv SET value = CAST(value AS INTEGER) + 1 WHERE key = 'lists_version'; END;
