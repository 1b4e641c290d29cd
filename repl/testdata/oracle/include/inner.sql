SELECT 'inner start';
SELEC 'inner error';
.mode csv
SELECT 'inner', 'after error';
.quit
SELECT 'not reached';
