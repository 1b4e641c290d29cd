-- upserts, RETURNING, triggers with multi-statement bodies
CREATE TABLE kv(k TEXT PRIMARY KEY, v INTEGER, n INTEGER DEFAULT 0);
CREATE TABLE log(id INTEGER PRIMARY KEY, what TEXT);
CREATE TRIGGER kv_ins AFTER INSERT ON kv BEGIN
  INSERT INTO log(what) VALUES ('insert ' || NEW.k);
  UPDATE kv SET n = n + 1 WHERE k = NEW.k;
END;
CREATE TRIGGER kv_upd AFTER UPDATE OF v ON kv
BEGIN
  INSERT INTO log(what) VALUES ('update ' || OLD.k || ' ' || OLD.v || '->' || NEW.v);
END;
INSERT INTO kv(k, v) VALUES ('a', 1), ('b', 2);
INSERT INTO kv(k, v) VALUES ('a', 10) ON CONFLICT(k) DO UPDATE SET v = excluded.v;
INSERT INTO kv(k, v) VALUES ('b', 20) ON CONFLICT DO NOTHING;
INSERT INTO kv(k, v) VALUES ('c', 3) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING k, v;
INSERT INTO kv(k, v) VALUES ('c', 4) ON CONFLICT(k) DO UPDATE SET v = v + excluded.v RETURNING k, v;
INSERT OR REPLACE INTO kv(k, v) VALUES ('b', 200);
SELECT * FROM kv ORDER BY k;
SELECT * FROM log ORDER BY id;
UPDATE kv SET v = v * 2 WHERE k <> 'a' RETURNING k, v;
DELETE FROM kv WHERE k = 'a' RETURNING *;
CREATE VIEW kv_view AS SELECT k, v FROM kv WHERE v > 5;
SELECT * FROM kv_view ORDER BY k;
DROP TRIGGER kv_upd;
UPDATE kv SET v = 0;
SELECT count(*) FROM log;
