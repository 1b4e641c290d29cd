-- Issue 14, bug 4: PRAGMAs that only ask run as reads on any node and
-- print what sqlite3 prints; what sqlite3's .dump writes loads.
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE pp(id INTEGER PRIMARY KEY, name TEXT NOT NULL DEFAULT 'x', pc REFERENCES pc(id));
CREATE TABLE pc(id INTEGER PRIMARY KEY, v REAL);
INSERT INTO pc VALUES(1,1.5);
INSERT INTO pp VALUES(1,'a',1);
CREATE INDEX pp_name ON pp(name, pc);
CREATE UNIQUE INDEX pc_v ON pc(v);
COMMIT;
PRAGMA table_info(pp);
PRAGMA table_xinfo = pc;
PRAGMA main.index_list(pp);
PRAGMA index_info('pp_name');
PRAGMA index_xinfo(pc_v);
PRAGMA foreign_key_list(pp);
PRAGMA foreign_key_check(pp);
PRAGMA foreign_keys;
PRAGMA user_version;
PRAGMA user_version = 7;
PRAGMA user_version;
PRAGMA user_version(0);
PRAGMA user_version;
SELECT name, type FROM pragma_table_info('pp') ORDER BY cid DESC;
PRAGMA foreign_keys = 0;
PRAGMA foreign_keys;
DROP TABLE pp;
DROP TABLE pc;
