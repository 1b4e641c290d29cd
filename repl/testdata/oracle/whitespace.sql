-- unusual whitespace: vertical tab, form feed, CRLF line ends, tabs
SELECT 1;
SELECT 2;
SELECT	3;
	
    
SELECT 4;  ;
