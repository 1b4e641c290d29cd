-- .tables, .indexes and .schema read the schema through the cluster
.tables
CREATE TABLE t(a, b);
CREATE TABLE abcdefghijklmnop(b);
CREATE TABLE "with space"(x);
CREATE VIEW v AS SELECT 1;
CREATE TABLE a1(x); CREATE TABLE a2(x); CREATE TABLE a3(x); CREATE TABLE a4(x); CREATE TABLE a5(x);
CREATE TABLE a6(x); CREATE TABLE a7(x); CREATE TABLE a8(x); CREATE TABLE a9(x); CREATE TABLE a10(x);
.tables
.tables a%
.tables nomatch
CREATE INDEX i1 ON t(a);
CREATE UNIQUE INDEX i2 ON abcdefghijklmnop(b);
CREATE INDEX "i 3" ON t(b, a);
.indexes
.indexes t
.schema t
.schema abc%
.schema nomatch
