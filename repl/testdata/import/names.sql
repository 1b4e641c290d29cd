.mode list
.import --csv testdata/import/names.csv n
SELECT sql FROM sqlite_master WHERE name = 'n';
SELECT * FROM n;
.import --csv testdata/import/names2.csv n2
SELECT sql FROM sqlite_master WHERE name = 'n2';
.import --csv testdata/import/blank.csv b
SELECT sql FROM sqlite_master WHERE name = 'b';
SELECT count(*), quote(min("?")) FROM b;
