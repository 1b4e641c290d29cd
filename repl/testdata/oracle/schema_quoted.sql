-- .schema writes CREATE TABLE of a quoted name as CREATE TABLE IF NOT EXISTS, as the CLI does
CREATE TABLE "a b"(s);
CREATE TABLE 'q x'(a);
CREATE TABLE [br](a);
CREATE TABLE plain(a);
.schema
