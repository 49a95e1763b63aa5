-- Grouping sets (ROLLUP, CUBE, GROUPING SETS, GROUPING()), set-returning functions in select lists,
-- FETCH FIRST ... WITH TIES, and joins, CTEs, set operations and windows combined.
CREATE TABLE g (a int, b text, c int);
INSERT INTO g VALUES (1, 'x', 10), (1, 'y', 20), (2, 'x', 30), (NULL, 'y', 40), (2, NULL, 50);
SELECT a, b, sum(c), grouping(a, b) FROM g GROUP BY ROLLUP (a, b) ORDER BY 1, 2, 4;
SELECT a, b, sum(c), grouping(a), grouping(b), grouping(b, a) FROM g GROUP BY CUBE (a, b) ORDER BY 1, 2, 4, 5;
SELECT a, b, count(*) FROM g GROUP BY GROUPING SETS ((a), (b), ()) ORDER BY 1, 2, 3;
SELECT a, count(*) FROM g GROUP BY GROUPING SETS ((a), (a)) ORDER BY 1, 2;
SELECT a, b, count(*) FROM g GROUP BY a, ROLLUP (b) ORDER BY 1, 2, 3;
SELECT a, b, c, count(*) FROM g GROUP BY ROLLUP (a, (b, c)) ORDER BY 1, 2, 3, 4;
SELECT count(*) FROM g WHERE false GROUP BY GROUPING SETS ((a), ());
SELECT count(*) FROM g GROUP BY ();
SELECT count(*) FROM g WHERE false GROUP BY ();
SELECT a, sum(c) FROM g GROUP BY ROLLUP (a) HAVING grouping(a) = 1 OR a = 1 ORDER BY 1;
SELECT a, grouping(a) FROM g GROUP BY a ORDER BY 1;
SELECT grouping(b) FROM g GROUP BY a;
SELECT a FROM g WHERE grouping(a) = 0;
SELECT a, b, sum(c), rank() OVER (PARTITION BY grouping(a, b) ORDER BY sum(c) DESC) FROM g GROUP BY ROLLUP (a, b) ORDER BY 1, 2;
SELECT a, b, count(*) FROM g GROUP BY CUBE (a, b), GROUPING SETS ((c)) ORDER BY 1, 2, 3 LIMIT 5;
SELECT a + 1, count(*) FROM g GROUP BY ROLLUP (a + 1) ORDER BY 1;
SELECT b, string_agg(a::text, ',' ORDER BY a) FROM g GROUP BY ROLLUP (b) ORDER BY 1, 2;
SELECT DISTINCT a FROM g GROUP BY GROUPING SETS ((a), ()) ORDER BY 1;
SELECT a, b FROM g GROUP BY GROUPING SETS (a, b) ORDER BY 1, 2;

-- combinations: correlated and LATERAL references through joins, CTEs in subqueries, SRFs in select lists
CREATE TABLE a (id int PRIMARY KEY, x int, arr int[]);
CREATE TABLE b (id int PRIMARY KEY, aid int, y text);
CREATE TABLE nk (k int, v text);
INSERT INTO a VALUES (1, 10, '{1,2}'), (2, 20, NULL), (3, NULL, '{}'), (4, 40, '{4,NULL,5}');
INSERT INTO b VALUES (1, 1, 'p'), (2, 1, 'q'), (3, 2, 'r'), (4, 9, NULL);
INSERT INTO nk VALUES (1, 'x'), (1, 'y'), (NULL, 'z');
SELECT a.id, (SELECT count(*) FROM b JOIN nk ON nk.k = b.aid WHERE b.aid = a.id) FROM a ORDER BY 1;
SELECT a.id, s.c FROM a, LATERAL (SELECT count(*) AS c FROM b, (SELECT a.x AS ax) q WHERE b.aid = a.id) s ORDER BY 1;
SELECT * FROM a, (b JOIN LATERAL (SELECT a.x + b.id AS z) f ON true) WHERE a.id = b.aid ORDER BY a.id, b.id;
SELECT a.id, q.v FROM a LEFT JOIN (b JOIN nk ON nk.k = b.aid AND EXISTS (SELECT 1 FROM a a2 WHERE a2.id = b.id)) q ON q.aid = a.id ORDER BY 1, 2;
SELECT x.id FROM a x JOIN (b JOIN nk ON nk.k IN (SELECT b.aid)) ON x.id = b.id ORDER BY 1;
SELECT * FROM nk JOIN b ON b.aid = nk.k ORDER BY nk.v, b.id;
SELECT * FROM b JOIN nk ON b.aid = nk.k ORDER BY nk.v, b.id;
SELECT id, count(*) FROM a JOIN b USING (id) GROUP BY id ORDER BY id;
SELECT id, count(*) FROM a FULL JOIN b USING (id) GROUP BY id ORDER BY id;
SELECT b.y, sum(a.x) OVER (PARTITION BY b.aid ORDER BY b.id) FROM a JOIN b ON a.id = b.aid ORDER BY b.id;
WITH c AS (SELECT id, x FROM a WHERE x > 10) SELECT b.id, (SELECT max(x) FROM c WHERE c.id = b.aid) FROM b ORDER BY 1;
WITH c AS (SELECT id FROM a) SELECT b.id, l.n FROM b, LATERAL (SELECT count(*) AS n FROM c WHERE c.id <= b.id) l ORDER BY 1;
WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r WHERE n < 4) SELECT r.n, b.y FROM r LEFT JOIN b ON b.id = r.n ORDER BY 1;
SELECT * FROM a JOIN (SELECT aid FROM b UNION SELECT 3) u ON u.aid = a.id ORDER BY 1;
SELECT unnest(array_agg(x ORDER BY x)) FROM a;
-- @unordered
SELECT generate_series(1, count(*)::int) FROM a;
SELECT generate_series(1, 2), generate_series(1, 3);
SELECT generate_series(1, 3) AS g ORDER BY g DESC;
SELECT id, unnest(arr) FROM a ORDER BY 1, 2;
SELECT DISTINCT unnest(arr) FROM a ORDER BY 1;
-- @unordered
SELECT id, unnest(arr), generate_series(1, 2) FROM a WHERE id = 1;
-- @unordered
SELECT id FROM a WHERE generate_series(1, 2) > 1;
-- @unordered
SELECT count(generate_series(1, 2)) FROM a;
SELECT x FROM a ORDER BY x NULLS LAST FETCH FIRST 2 ROWS WITH TIES;
SELECT b.aid FROM b ORDER BY b.aid FETCH FIRST 1 ROW WITH TIES;
SELECT b.aid FROM b FETCH FIRST 1 ROW WITH TIES;
SELECT a.id AS k, b.id AS k FROM a JOIN b ON a.id = b.aid ORDER BY k;
SELECT a.id AS i FROM a JOIN b ON a.id = b.aid ORDER BY i, b.id;
WITH ins AS (INSERT INTO nk VALUES (2, 'w') RETURNING k, v) SELECT ins.v, b.y FROM ins JOIN b ON b.id = ins.k;
-- @unordered
SELECT * FROM a WHERE id = 1 AND x = (SELECT max(aid) * 10 FROM b WHERE b.aid = a.id);
SELECT * FROM a JOIN b ON a.id = b.aid AND a.x = 10 WHERE b.id IN (SELECT id FROM b WHERE y > 'p') ORDER BY b.id;
SELECT * FROM (a JOIN b ON a.id = b.aid) JOIN nk ON nk.k = a.id ORDER BY nk.v, b.id;
SELECT * FROM a NATURAL FULL JOIN b ORDER BY id;
SELECT * FROM a NATURAL LEFT JOIN (SELECT 1 AS id, 'n' AS name) z ORDER BY id;
-- @unordered
SELECT * FROM (SELECT 1 AS id) q RIGHT JOIN LATERAL (SELECT q.id) r ON true;
-- @unordered
SELECT * FROM generate_series(1, 2) AS g(v) NATURAL JOIN generate_series(2, 3) AS h(v);
-- @unordered
SELECT * FROM (VALUES (NULL::int)) v(k) JOIN b ON b.id = v.k;
-- @unordered
SELECT * FROM (VALUES (NULL::int)) v(k) LEFT JOIN b ON b.id = v.k;
-- @unordered
SELECT * FROM (VALUES (5000000000)) v(k) LEFT JOIN b ON b.id = v.k;
-- @unordered
SELECT * FROM (VALUES ('1')) v(k) JOIN b ON b.id = v.k::int;
-- @unordered
SELECT count(*) FROM a a1, a a2, a a3 WHERE a1.id = a2.id AND a2.id = a3.id;
-- @unordered
SELECT a1.id FROM a a1 JOIN a a2 ON a1.x = a2.x AND a1.id <> a2.id;
SELECT * FROM a LEFT JOIN b ON a.id = b.aid AND b.y = 'q' ORDER BY a.id, b.id;
SELECT * FROM b RIGHT JOIN a ON a.id = b.aid WHERE a.x > 15 ORDER BY a.id, b.id;
SELECT * FROM a FULL JOIN b ON a.id = b.aid AND a.x > 15 ORDER BY a.id, b.id;
-- @unordered
SELECT sum(x) FILTER (WHERE x > 10), count(*) FROM a JOIN b ON a.id = b.aid;
SELECT y, row_number() OVER (ORDER BY y DESC) FROM b ORDER BY 2;
-- @unordered
SELECT 1 FROM a HAVING count(*) > 1;
-- @unordered
SELECT row_number() OVER (), count(*) FROM a;
SELECT (SELECT row_number() OVER ()) FROM a ORDER BY 1;
SELECT lag(id) OVER (ORDER BY id), * FROM a ORDER BY id;
SELECT array(SELECT id FROM a UNION SELECT 9 ORDER BY 1);
-- @unordered
SELECT * FROM a WHERE x IN (SELECT x FROM a INTERSECT SELECT 10);
