.mode list
.import --csv testdata/import/header.csv t
SELECT sql FROM sqlite_master WHERE name = 't';
SELECT rowid, * FROM t;
.import --csv testdata/import/header.csv t
SELECT count(*) FROM t;
CREATE TABLE u(k INTEGER PRIMARY KEY, v TEXT);
.import --csv --skip 1 testdata/import/dup.csv u
SELECT * FROM u;
SELECT changes(), last_insert_rowid();
.import -v --csv testdata/import/dup.csv v
SELECT typeof(k), k, v FROM v;
.import testdata/import/bom.psv p
SELECT * FROM p;
.import --csv --schema main testdata/import/dup.csv w
.import --csv --schema nosuch testdata/import/dup.csv w
.import --csv testdata/import/unterminated.csv un
SELECT * FROM un;
.import --csv testdata/import/empty.csv e
.import --csv testdata/import/missing.csv m
.import --ascii testdata/import/ascii.txt asc
SELECT * FROM asc;
.mode csv
.import -v testdata/import/dup.csv c2
.import -v -v testdata/import/dup.csv c2
.mode list
SELECT count(*) FROM c2;
.import
.import a
.import a b c
.import --bogus a b
.import "|printf 'n\n1\n2\n'" piped
SELECT * FROM piped;
.separator ||
.import testdata/import/dup.csv sep
