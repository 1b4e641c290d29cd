SELECT 'before';
SELECT * FROM nosuch;
SELECT 'after first error';
.bail on
SELECT 'not reached: bail on after an error stops at once';
