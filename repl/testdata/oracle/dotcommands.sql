-- dot-commands that are local to the shell
CREATE TABLE t(a, b);
INSERT INTO t VALUES (1, NULL), (2, 'two');
.nullvalue NIL
SELECT * FROM t;
.nullvalue
.nullvalue "tab\there"
SELECT b FROM t WHERE a = 1;
.headers on
.separator ;
SELECT * FROM t;
.separator " | " "\n--\n"
SELECT * FROM t;
.mode list
.headers maybe
SELECT * FROM t;
.h on
SELECT a FROM t;
.mo li
.mode
.headers
.bail
.print hello   "quoted\tword"  'single\t'
.nosuchcommand arg
  .mode csv
SELECT 'indented dot line was SQL';
.echo on
SELECT 'echoed'; -- comment
# hash comment line

.echo off
.changes on
INSERT INTO t VALUES (3, 'three');
SELECT count(*) FROM t;
UPDATE t SET b = 'x';
CREATE TABLE u(x);
.changes off
.read testdata/oracle/include/nested.sql
.mode
SELECT 'after read';
.read
.read testdata/oracle/include/nosuchfile.sql
.output @TMP@/out.txt
SELECT 'to file';
.print printed to file
.output
SELECT 'to stdout';
.once @TMP@/once.txt
SELECT 'once';
SELECT 'after once';
.once @TMP@/once2.txt
.print once dot
SELECT 'after once dot';
SELECT 1
/
SELECT 2
go
.exit
SELECT 'not reached';
