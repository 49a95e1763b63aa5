-- What pg_dump sends and what its scripts contain (tests/e2e/pg-dump.test.ts runs pg_dump itself).
-- The session settings it makes.
SET synchronize_seqscans TO off;
SHOW synchronize_seqscans;
SET default_tablespace = '';
SHOW default_tablespace;
SET default_tablespace = 'nosuchspace';
SET default_table_access_method = heap;
-- "char" (quoted) is the 1-byte type, unquoted char is character(1).
SELECT pg_typeof('s'::"char"), pg_typeof(CASE WHEN true THEN 's'::"char" ELSE 'r'::"char" END), 'abc'::"char", pg_typeof('abc'::char), 'abc'::char;
-- A name is an array of "char" from 0: pg_dump's typname[0] = '_'.
SELECT typname[0] AS first, typname[1] AS second, typname[63] AS last, typname[64] IS NULL AS past_end, pg_typeof(typname[0]) FROM pg_type WHERE typname = '_int4';
SELECT count(*) FROM pg_type WHERE typname[0] = '_' AND typelem != 0 AND typname IN ('_int4', 'int4', '_text');
SELECT typname[1:2] FROM pg_type WHERE typname = 'int4';
-- acldefault: the privileges of an object whose ACL is NULL, PUBLIC's first.
SELECT acldefault('n', 10), acldefault('r', 10), acldefault('s', 10), acldefault('f', 10), acldefault('T', 10), acldefault('d', 10), acldefault('c', 10);
SELECT acldefault(CASE WHEN 'S' = 'S' THEN 's'::"char" ELSE 'r'::"char" END, 10);
SELECT pg_typeof(acldefault('n', 10));
SELECT * FROM pg_options_to_table(ARRAY['fillfactor=70', 'autovacuum_enabled=false', 'novalue']) ORDER BY option_name;
SELECT array_to_string(ARRAY(SELECT quote_ident(option_name) || ' ' || quote_literal(option_value) FROM pg_options_to_table(ARRAY['a=1', 'b=x y']) ORDER BY option_name), ', ');
-- Catalogs pg_dump reads that hold nothing here.
SELECT count(*) FROM pg_amop WHERE amopfamily = 0;
SELECT count(*) FROM pg_amproc WHERE amprocfamily = 0;
SELECT label, provider, classoid, objoid, objsubid FROM pg_catalog.pg_seclabels ORDER BY classoid, objoid, objsubid;
SELECT tableoid, oid, prsname FROM pg_ts_parser WHERE prsnamespace <> 11;
SELECT tableoid, oid, tmplname FROM pg_ts_template WHERE tmplnamespace <> 11;
SELECT * FROM pg_ts_config_map WHERE mapcfg = 0;
-- A sequence in FROM: its stored state, as pg_dump reads it before writing setval().
CREATE SCHEMA dump;
CREATE SEQUENCE dump.s START 100 INCREMENT 5;
SELECT last_value, log_cnt, is_called FROM dump.s;
SELECT setval('dump.s', 42, true);
SELECT last_value, is_called FROM dump.s;
SELECT x.last_value FROM dump.s AS x;
SELECT last_value FROM dump.nosuchseq;
-- Serial defaults print their sequence for the current search path (pg_dump's is empty).
CREATE TABLE serials (id serial PRIMARY KEY, v text DEFAULT 'x');
CREATE TABLE dump.serials (id bigserial PRIMARY KEY);
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid IN ('serials'::regclass, 'dump.serials'::regclass) ORDER BY 1, 2;
SELECT pg_catalog.set_config('search_path', '', false);
SELECT a.attname, pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum WHERE d.adrelid IN ('public.serials'::regclass, 'dump.serials'::regclass) ORDER BY 1, 2;
SET search_path TO dump;
SELECT pg_get_expr(d.adbin, d.adrelid) FROM pg_attrdef d WHERE d.adrelid IN ('public.serials'::regclass, 'dump.serials'::regclass) AND d.adnum = 1 ORDER BY 1;
RESET search_path;
-- The default of a serial column depends on its sequence, which belongs to the column.
SELECT d.classid::regclass, d.refclassid::regclass, d.refobjid::regclass, d.refobjsubid, d.deptype FROM pg_depend d JOIN pg_attrdef a ON d.classid = 'pg_attrdef'::regclass AND d.objid = a.oid WHERE a.adrelid = 'serials'::regclass ORDER BY 3::text, 4, 5;
SELECT d.objid::regclass, d.refobjid::regclass, d.refobjsubid, d.deptype FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = 'serials_id_seq'::regclass AND d.refclassid = 'pg_class'::regclass;
-- pg_description holds what COMMENT ON SCHEMA set (pg_dump dumps it), public its standard text.
COMMENT ON SCHEMA dump IS 'dumped';
SELECT n.nspname, d.description FROM pg_description d JOIN pg_namespace n ON d.classoid = 'pg_namespace'::regclass AND d.objoid = n.oid WHERE n.nspname IN ('dump', 'public') ORDER BY 1;
-- What pg_dump writes after each object: OWNER TO its owner.
ALTER SCHEMA dump OWNER TO postgres;
ALTER SCHEMA dump OWNER TO nosuchrole;
ALTER SCHEMA nosuchschema OWNER TO postgres;
SELECT nspname, pg_get_userbyid(nspowner) FROM pg_namespace WHERE nspname = 'dump';
ALTER TABLE public.serials OWNER TO postgres;
ALTER TABLE dump.s OWNER TO postgres;
ALTER SEQUENCE dump.s OWNER TO postgres;
ALTER TABLE public.serials OWNER TO nosuchrole;
ALTER TABLE public.nosuchtable OWNER TO postgres;
ALTER TABLE IF EXISTS public.nosuchtable OWNER TO postgres;
-- An identity column as pg_dump writes it: the column, then ADD GENERATED ... AS IDENTITY.
CREATE TABLE dump.ident (id bigint NOT NULL, v text);
ALTER TABLE dump.ident ALTER COLUMN id ADD GENERATED ALWAYS AS IDENTITY (
    SEQUENCE NAME dump.ident_id_seq
    START WITH 1
    INCREMENT BY 1
    NO MINVALUE
    NO MAXVALUE
    CACHE 1
);
INSERT INTO dump.ident (v) VALUES ('a'), ('b') RETURNING *;
INSERT INTO dump.ident (id, v) VALUES (5, 'c');
SELECT attname, attidentity FROM pg_attribute WHERE attrelid = 'dump.ident'::regclass AND attnum > 0 ORDER BY attnum;
SELECT pg_get_serial_sequence('dump.ident', 'id');
SELECT seqstart, seqincrement, seqmax, seqmin, seqcache, seqcycle, format_type(seqtypid, NULL) FROM pg_sequence WHERE seqrelid = 'dump.ident_id_seq'::regclass;
ALTER TABLE dump.ident ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
ALTER TABLE dump.ident ALTER COLUMN v ADD GENERATED BY DEFAULT AS IDENTITY;
CREATE TABLE dump.ident2 (id int, v text);
ALTER TABLE dump.ident2 ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
CREATE TABLE dump.ident3 (id int NOT NULL, v text);
ALTER TABLE dump.ident3 ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY;
INSERT INTO dump.ident3 (v) VALUES ('a') RETURNING *;
INSERT INTO dump.ident3 (id, v) VALUES (7, 'b') RETURNING *;
SELECT pg_get_serial_sequence('dump.ident3', 'id');
-- A serial as pg_dump writes it: the sequence, OWNED BY, then the default.
CREATE TABLE dump.ser (id integer NOT NULL, v text);
CREATE SEQUENCE dump.ser_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;
ALTER SEQUENCE dump.ser_id_seq OWNED BY dump.ser.id;
ALTER TABLE ONLY dump.ser ALTER COLUMN id SET DEFAULT nextval('dump.ser_id_seq'::regclass);
SELECT pg_get_serial_sequence('dump.ser', 'id');
SELECT d.refobjid::regclass, d.refobjsubid, d.deptype FROM pg_depend d WHERE d.classid = 'pg_class'::regclass AND d.objid = 'dump.ser_id_seq'::regclass AND d.refclassid = 'pg_class'::regclass;
SELECT d.refobjid::regclass, d.refobjsubid, d.deptype FROM pg_depend d JOIN pg_attrdef a ON d.classid = 'pg_attrdef'::regclass AND d.objid = a.oid WHERE a.adrelid = 'dump.ser'::regclass ORDER BY 1::text, 2;
INSERT INTO dump.ser (v) VALUES ('a') RETURNING *;
ALTER SEQUENCE dump.ser_id_seq OWNED BY dump.ser.nosuchcolumn;
ALTER SEQUENCE dump.ser_id_seq OWNED BY public.serials.id;
ALTER SEQUENCE dump.ser_id_seq OWNED BY NONE;
SELECT pg_get_serial_sequence('dump.ser', 'id');
DROP TABLE dump.ser;
SELECT count(*) FROM pg_class WHERE relname = 'ser_id_seq';
CREATE TABLE dump.ser2 (id integer NOT NULL);
CREATE SEQUENCE dump.ser2_id_seq;
ALTER SEQUENCE dump.ser2_id_seq OWNED BY dump.ser2.id;
DROP TABLE dump.ser2;
SELECT count(*) FROM pg_class WHERE relname = 'ser2_id_seq';
