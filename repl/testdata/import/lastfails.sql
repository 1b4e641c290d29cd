.mode list
CREATE TABLE u(k INTEGER PRIMARY KEY, v TEXT);
INSERT INTO u VALUES(2, 'first');
.import --csv --skip 1 testdata/import/dup.csv u
SELECT * FROM u ORDER BY k;
