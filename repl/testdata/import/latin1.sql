.mode list
.import --csv testdata/import/latin1.csv l
SELECT name, city, hex(name), length(city) FROM l;
.mode csv
SELECT * FROM l;
