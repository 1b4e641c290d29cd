SELECT 'nested';
.read testdata/oracle/include/inner.sql
SELECT 'back in nested';
