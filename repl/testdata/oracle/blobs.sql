-- blobs print as their bytes up to a NUL (list, csv, line) or escaped (json)
CREATE TABLE b(id INTEGER PRIMARY KEY, data BLOB);
INSERT INTO b(data) VALUES (x'414243'), (x''), (x'00ff41'), (x'4142004344'), (zeroblob(3)), (x'e697a5'), (NULL), (x'ffe0');
SELECT id, data, typeof(data), length(data) FROM b ORDER BY id;
SELECT hex(data) FROM b ORDER BY id;
SELECT x'68656c6c6f', CAST('text' AS BLOB), 'a' || char(0) || 'b';
