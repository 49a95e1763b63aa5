-- Every column type of the wire issue, stored and read back exactly (storage encodings round-trip).
CREATE TABLE all_types (
  id int PRIMARY KEY,
  b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric, n2 numeric(12,3),
  t text, vc varchar(10), bc char(4), ba bytea,
  d date, tm time, ts timestamp, tz timestamptz, iv interval,
  u uuid, j json, jb jsonb, o oid, nm name,
  ai int[], at text[], an numeric[], ab bool[], ats timestamptz[], au uuid[], aj jsonb[]
);
INSERT INTO all_types VALUES (
  1, true, -32768, 2147483647, -9223372036854775808, 1.5, 3.141592653589793, 123456789.123456789, 12.5,
  'héllo wörld', 'short', 'ab', '\xdeadbeef',
  '2024-02-29', '23:59:59.999999', '2024-01-01 12:34:56.789', '2024-06-01 12:00:00+02', '1 year 2 mons 3 days 04:05:06.5',
  'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', '{"b": 1,  "a": [1, 2]}', '{"b": 1, "a": [1, 2.50]}', 4294967295, 'a_name',
  '{1,2,NULL}', '{"a b","c",NULL,""}', '{1.10,2}', '{t,f}', '{"2024-01-01 00:00:00+00"}', '{a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11}', ARRAY['{"x": 1}'::jsonb]
);
INSERT INTO all_types (id) VALUES (2);
INSERT INTO all_types (id, f4, f8, n, d, ts, iv) VALUES (3, 'NaN', '-Infinity', 'NaN', '1999-12-31', '1970-01-01', '-1 day');
SELECT * FROM all_types ORDER BY id;
SELECT id, b, i2, i4, i8 FROM all_types WHERE b AND i8 < 0;
SELECT id FROM all_types WHERE n2 = 12.500 AND vc = 'short' AND bc = 'ab' AND d = '2024-02-29' AND u = 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11';
SELECT id FROM all_types WHERE ts > '2023-12-31' AND tz < now() AND iv > interval '1 year' AND jb @> '{"b": 1}';
SELECT jb -> 'a', j ->> 'b', ai[1], at[2], array_length(ai, 1) FROM all_types WHERE id = 1;
SET TimeZone = 'Asia/Tokyo';
SELECT tz, ts, d FROM all_types WHERE id = 1;
SET DateStyle = 'SQL, DMY';
SELECT d, ts, tz FROM all_types WHERE id = 1;
RESET DateStyle;
RESET TimeZone;
SET extra_float_digits = 0;
SELECT f4, f8 FROM all_types WHERE id = 1;
RESET extra_float_digits;
SET IntervalStyle = 'iso_8601';
SELECT iv FROM all_types WHERE id = 1;
RESET IntervalStyle;
SET bytea_output = 'escape';
SELECT ba FROM all_types WHERE id = 1;
RESET bytea_output;
UPDATE all_types SET ai = ai || 4, jb = jb || '{"c": true}', n = n * 2, iv = iv + interval '1 day' WHERE id = 1 RETURNING ai, jb, n, iv;
-- keys of many types
CREATE TABLE k_text (k text PRIMARY KEY, v int);
INSERT INTO k_text VALUES ('b', 2), ('a', 1), ('ab', 3), ('', 0);
SELECT * FROM k_text ORDER BY k;
SELECT v FROM k_text WHERE k = 'ab';
CREATE TABLE k_uuid (k uuid PRIMARY KEY, v int);
INSERT INTO k_uuid VALUES ('a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', 1);
SELECT v FROM k_uuid WHERE k = 'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11';
INSERT INTO k_uuid VALUES ('A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11', 2);
CREATE TABLE k_num (k numeric PRIMARY KEY, v int);
INSERT INTO k_num VALUES (1.5, 1), (2, 2);
SELECT v FROM k_num WHERE k = 1.50;
CREATE TABLE k_ts (k timestamptz PRIMARY KEY, v int);
INSERT INTO k_ts VALUES ('2024-01-01 00:00:00+00', 1);
SELECT v FROM k_ts WHERE k = '2024-01-01 09:00:00+09';
CREATE TABLE k_date (k date, n int, v int, PRIMARY KEY (k, n));
INSERT INTO k_date VALUES ('2024-01-01', 1, 1), ('2024-01-01', 2, 2), ('2024-01-02', 1, 3);
SELECT v FROM k_date WHERE k = '2024-01-01' ORDER BY n;
SELECT v FROM k_date WHERE k = '2024-01-01' AND n >= 2;
CREATE TABLE k_big (k bigint PRIMARY KEY);
INSERT INTO k_big VALUES (9007199254740993);
SELECT k FROM k_big WHERE k = 9007199254740993;
SELECT k FROM k_big WHERE k = 3000000000;
CREATE TABLE k_int (k int PRIMARY KEY);
INSERT INTO k_int VALUES (1);
SELECT k FROM k_int WHERE k = 3000000000;
SELECT k FROM k_int WHERE k = 1::bigint;
