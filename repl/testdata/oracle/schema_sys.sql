-- .schema shows SQLite's own tables that have SQL, as the CLI does
CREATE TABLE c(id INTEGER PRIMARY KEY AUTOINCREMENT, u UNIQUE);
CREATE INDEX c_u ON c(u);
INSERT INTO c(u) VALUES ('x');
.schema
.schema c
.tables
.indexes
