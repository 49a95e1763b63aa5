package dev.polygres.clients.jdbc;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.Date;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Time;
import java.sql.Timestamp;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.UUID;
import org.postgresql.PGResultSetMetaData;
import org.postgresql.util.PGobject;

/**
 * pgjdbc as an application uses it, printing what it sees one fact per line, so that the output
 * against polygres can be compared with the output against PostgreSQL (tests/e2e/jdbc.test.ts).
 * Lines starting with "format " say whether pgjdbc received a result column in binary (1) or
 * text (0): it switches to binary once a statement is prepared on the server (prepareThreshold).
 *
 * Lines starting with "meta " print what DatabaseMetaData and ResultSetMetaData return (pgjdbc
 * reads them from pg_catalog and information_schema).
 *
 * Usage: JdbcClient JDBC_URL
 */
public final class JdbcClient {
  private JdbcClient() {}

  public static void main(String[] args) throws Exception {
    try (Connection c = DriverManager.getConnection(args[0])) {
      types(c);
      fetchSize(c);
      batch(c);
      errors(c);
      queryTimeout(c);
      metadata(c);
    }
  }

  private static void out(String line) {
    System.out.println(line);
  }

  private static void types(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE jdbc_types (id int PRIMARY KEY, b bool, i2 int2, i4 int4, i8 int8, f4 float4, f8 float8, n numeric(20,5),"
          + " t text, vc varchar(20), bc char(4), by bytea, d date, tm time, ts timestamp, tz timestamptz, iv interval, u uuid,"
          + " j json, jb jsonb, o oid, ai int4[], at text[])");
    }
    Object[][] rows = {
      {1, true, (short) -32768, Integer.MAX_VALUE, Long.MIN_VALUE, 1.5f, -2.25e300, new BigDecimal("123456789012345.12345"), "ünïcödé €",
        "varchar", "ab", new byte[] {0, (byte) 0xff, 0x41}, Date.valueOf("2024-02-29"), Time.valueOf("23:59:59"),
        Timestamp.valueOf("2024-06-01 12:34:56.789"), Timestamp.valueOf("1999-12-31 23:59:59.5"), "1 year 2 mons 3 days 04:05:06",
        UUID.fromString("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"), "{\"a\": [1, 2]}", "{\"b\": 2, \"a\": 1}", 4294967295L,
        new Integer[] {1, null, 3}, new String[] {"a b", "c,d", null}},
      {2, false, (short) 0, 0, 0L, Float.NaN, Double.NEGATIVE_INFINITY, new BigDecimal("-0.00001"), "", "", "", new byte[0],
        Date.valueOf("1970-01-01"), Time.valueOf("00:00:00"), Timestamp.valueOf("2000-01-01 00:00:00"),
        Timestamp.valueOf("1970-01-01 00:00:00"), "-1 days", UUID.fromString("00000000-0000-0000-0000-000000000000"), "[]", "[]", 0L,
        new Integer[] {}, new String[] {}},
      {3, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null, null},
    };
    String insert = "INSERT INTO jdbc_types VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::interval, ?, ?::json, ?::jsonb, ?, ?, ?)";
    try (PreparedStatement ps = c.prepareStatement(insert)) {
      for (Object[] row : rows) {
        ps.setInt(1, (Integer) row[0]);
        setOrNull(ps, 2, row[1], java.sql.Types.BOOLEAN, () -> ps.setBoolean(2, (Boolean) row[1]));
        setOrNull(ps, 3, row[2], java.sql.Types.SMALLINT, () -> ps.setShort(3, (Short) row[2]));
        setOrNull(ps, 4, row[3], java.sql.Types.INTEGER, () -> ps.setInt(4, (Integer) row[3]));
        setOrNull(ps, 5, row[4], java.sql.Types.BIGINT, () -> ps.setLong(5, (Long) row[4]));
        setOrNull(ps, 6, row[5], java.sql.Types.REAL, () -> ps.setFloat(6, (Float) row[5]));
        setOrNull(ps, 7, row[6], java.sql.Types.DOUBLE, () -> ps.setDouble(7, (Double) row[6]));
        setOrNull(ps, 8, row[7], java.sql.Types.NUMERIC, () -> ps.setBigDecimal(8, (BigDecimal) row[7]));
        setOrNull(ps, 9, row[8], java.sql.Types.VARCHAR, () -> ps.setString(9, (String) row[8]));
        setOrNull(ps, 10, row[9], java.sql.Types.VARCHAR, () -> ps.setString(10, (String) row[9]));
        setOrNull(ps, 11, row[10], java.sql.Types.CHAR, () -> ps.setString(11, (String) row[10]));
        setOrNull(ps, 12, row[11], java.sql.Types.BINARY, () -> ps.setBytes(12, (byte[]) row[11]));
        setOrNull(ps, 13, row[12], java.sql.Types.DATE, () -> ps.setDate(13, (Date) row[12]));
        setOrNull(ps, 14, row[13], java.sql.Types.TIME, () -> ps.setTime(14, (Time) row[13]));
        setOrNull(ps, 15, row[14], java.sql.Types.TIMESTAMP, () -> ps.setTimestamp(15, (Timestamp) row[14]));
        setOrNull(ps, 16, row[15], java.sql.Types.TIMESTAMP_WITH_TIMEZONE, () -> ps.setTimestamp(16, (Timestamp) row[15]));
        setOrNull(ps, 17, row[16], java.sql.Types.VARCHAR, () -> ps.setString(17, (String) row[16]));
        setOrNull(ps, 18, row[17], java.sql.Types.OTHER, () -> ps.setObject(18, row[17]));
        setOrNull(ps, 19, row[18], java.sql.Types.VARCHAR, () -> ps.setString(19, (String) row[18]));
        setOrNull(ps, 20, row[19], java.sql.Types.VARCHAR, () -> ps.setString(20, (String) row[19]));
        setOrNull(ps, 21, row[20], java.sql.Types.BIGINT, () -> ps.setLong(21, (Long) row[20]));
        setOrNull(ps, 22, row[21], java.sql.Types.ARRAY, () -> ps.setArray(22, c.createArrayOf("int4", (Object[]) row[21])));
        setOrNull(ps, 23, row[22], java.sql.Types.ARRAY, () -> ps.setArray(23, c.createArrayOf("text", (Object[]) row[22])));
        out("insert " + row[0] + " count=" + ps.executeUpdate());
      }
    }
    // The same query executed again and again: after prepareThreshold executions pgjdbc uses a
    // named server statement and asks for binary results.
    try (PreparedStatement ps = c.prepareStatement("SELECT * FROM jdbc_types WHERE id >= ? ORDER BY id")) {
      for (int round = 1; round <= 4; round++) {
        ps.setInt(1, 1);
        try (ResultSet rs = ps.executeQuery()) {
          ResultSetMetaData md = rs.getMetaData();
          while (rs.next()) {
            StringBuilder line = new StringBuilder("round " + round + " row");
            for (int i = 1; i <= md.getColumnCount(); i++) line.append(" | ").append(md.getColumnName(i)).append('=').append(read(rs, i, md.getColumnName(i)));
            if (round == 4) out(line.toString());
          }
          if (round == 4) {
            for (int i = 1; i <= md.getColumnCount(); i++) {
              out("format " + md.getColumnName(i) + "=" + ((PGResultSetMetaData) md).getFormat(i));
            }
          }
        }
      }
    }
  }

  private interface Setter {
    void set() throws SQLException;
  }

  private static void setOrNull(PreparedStatement ps, int index, Object value, int sqlType, Setter setter) throws SQLException {
    if (value == null) ps.setNull(index, sqlType);
    else setter.set();
  }

  /** Each column through the getter an application would use for its type. */
  private static String read(ResultSet rs, int i, String column) throws SQLException {
    Object v = switch (column) {
      case "b" -> rs.getBoolean(i);
      case "i2" -> rs.getShort(i);
      case "id", "i4" -> rs.getInt(i);
      case "i8", "o" -> rs.getLong(i);
      case "f4" -> rs.getFloat(i);
      case "f8" -> rs.getDouble(i);
      case "n" -> rs.getBigDecimal(i);
      case "by" -> rs.getBytes(i);
      case "d" -> rs.getDate(i);
      case "tm" -> rs.getTime(i);
      case "ts", "tz" -> rs.getTimestamp(i);
      case "u" -> rs.getObject(i, UUID.class);
      case "ai", "at" -> rs.getArray(i);
      default -> rs.getString(i);
    };
    return rs.wasNull() ? "null" : show(v);
  }

  private static String show(Object v) throws SQLException {
    if (v == null) return "null";
    if (v instanceof byte[] bytes) return "bytes:" + HexFormat.of().formatHex(bytes);
    if (v instanceof Array a) return "array:" + Arrays.deepToString((Object[]) a.getArray());
    if (v instanceof PGobject o) return o.getType() + ":" + o.getValue();
    return v.getClass().getSimpleName() + ":" + v;
  }

  private static void fetchSize(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE jdbc_big (id int PRIMARY KEY, label text)");
      s.execute("INSERT INTO jdbc_big SELECT g, 'row ' || g FROM generate_series(1, 10000) g");
    }
    // A fetch size works inside a transaction: pgjdbc keeps a named portal and Executes 100 rows at a time.
    c.setAutoCommit(false);
    try (PreparedStatement ps = c.prepareStatement("SELECT id, label FROM jdbc_big ORDER BY id")) {
      ps.setFetchSize(100);
      long count = 0;
      long sum = 0;
      String last = null;
      try (ResultSet rs = ps.executeQuery()) {
        while (rs.next()) {
          count++;
          sum += rs.getInt(1);
          last = rs.getString(2);
        }
      }
      out("fetch count=" + count + " sum=" + sum + " last=" + last);
    }
    c.commit();
    c.setAutoCommit(true);
  }

  private static void batch(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE jdbc_batch (id int PRIMARY KEY, label text)");
    }
    try (PreparedStatement ps = c.prepareStatement("INSERT INTO jdbc_batch VALUES (?, ?)")) {
      for (int i = 1; i <= 500; i++) {
        ps.setInt(1, i);
        ps.setString(2, "batched " + i);
        ps.addBatch();
      }
      int[] counts = ps.executeBatch();
      out("batch statements=" + counts.length + " rows=" + Arrays.stream(counts).sum());
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT count(*), max(label) FROM jdbc_batch")) {
      rs.next();
      out("batch stored=" + rs.getLong(1) + " max=" + rs.getString(2));
    }
  }

  private static void errors(Connection c) throws SQLException {
    for (String sql : new String[] {"INSERT INTO jdbc_batch VALUES (1, 'again')", "SELECT 1 / (id - 1) FROM jdbc_batch WHERE id = 1", "SELECT * FROM no_such_table"}) {
      try (Statement s = c.createStatement()) {
        s.execute(sql);
        out("error none for " + sql);
      } catch (SQLException e) {
        out("error " + e.getSQLState() + " " + e.getMessage().split("\n")[0]);
      }
    }
  }

  private static void queryTimeout(Connection c) throws SQLException {
    // setQueryTimeout makes pgjdbc send a CancelRequest on a new connection when the time is up.
    try (Statement s = c.createStatement()) {
      s.setQueryTimeout(1);
      s.execute("SELECT pg_sleep(30)");
      out("timeout none");
    } catch (SQLException e) {
      out("timeout " + e.getSQLState() + " " + e.getMessage());
    }
    try (Statement s = c.createStatement(); ResultSet rs = s.executeQuery("SELECT 'still here'")) {
      rs.next();
      out("after timeout " + rs.getString(1));
    }
  }

  /** Every row of a metadata result set, one line each: "meta LABEL | COLUMN=value | ...". */
  private static void printRows(String label, ResultSet rs, String... columns) throws SQLException {
    try (rs) {
      while (rs.next()) {
        StringBuilder line = new StringBuilder("meta " + label);
        for (String column : columns) line.append(" | ").append(column).append('=').append(rs.getString(column));
        out(line.toString());
      }
    }
  }

  private static void metadata(Connection c) throws SQLException {
    try (Statement s = c.createStatement()) {
      s.execute("CREATE TABLE meta_parent (id serial PRIMARY KEY, code varchar(20) NOT NULL UNIQUE, label text DEFAULT 'none', amount numeric(12,3),"
          + " created timestamptz DEFAULT now(), big bigint GENERATED BY DEFAULT AS IDENTITY)");
      s.execute("CREATE TABLE meta_child (parent_id int NOT NULL REFERENCES meta_parent (id) ON DELETE CASCADE, seq int NOT NULL, note text,"
          + " flags bool[], PRIMARY KEY (parent_id, seq), CHECK (seq > 0))");
      s.execute("CREATE INDEX meta_child_note ON meta_child (note)");
      s.execute("COMMENT ON TABLE meta_parent IS 'parents'");
      s.execute("COMMENT ON COLUMN meta_parent.code IS 'the code'");
    }
    var md = c.getMetaData();
    out("meta product " + md.getDatabaseProductName());
    printRows("table", md.getTables(null, "public", "meta_%", new String[] {"TABLE", "VIEW"}), "TABLE_CAT", "TABLE_SCHEM", "TABLE_NAME", "TABLE_TYPE", "REMARKS");
    printRows("column", md.getColumns(null, "public", "meta_%", "%"), "TABLE_NAME", "COLUMN_NAME", "DATA_TYPE", "TYPE_NAME", "COLUMN_SIZE", "DECIMAL_DIGITS",
        "NUM_PREC_RADIX", "NULLABLE", "REMARKS", "COLUMN_DEF", "ORDINAL_POSITION", "IS_NULLABLE", "IS_AUTOINCREMENT", "IS_GENERATEDCOLUMN");
    printRows("pk", md.getPrimaryKeys(null, "public", "meta_child"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
    printRows("pk", md.getPrimaryKeys(null, "public", "meta_parent"), "TABLE_NAME", "COLUMN_NAME", "KEY_SEQ", "PK_NAME");
    printRows("imported", md.getImportedKeys(null, "public", "meta_child"), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "KEY_SEQ",
        "UPDATE_RULE", "DELETE_RULE", "FK_NAME", "PK_NAME", "DEFERRABILITY");
    printRows("exported", md.getExportedKeys(null, "public", "meta_parent"), "PKTABLE_NAME", "PKCOLUMN_NAME", "FKTABLE_NAME", "FKCOLUMN_NAME", "FK_NAME");
    printRows("index", md.getIndexInfo(null, "public", "meta_child", false, false), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "TYPE", "ORDINAL_POSITION",
        "COLUMN_NAME", "ASC_OR_DESC", "CARDINALITY", "PAGES", "FILTER_CONDITION");
    printRows("index", md.getIndexInfo(null, "public", "meta_parent", true, false), "TABLE_NAME", "NON_UNIQUE", "INDEX_NAME", "ORDINAL_POSITION", "COLUMN_NAME");
    printRows("schema", md.getSchemas(), "TABLE_SCHEM", "TABLE_CATALOG");
    boolean catalogListed = false;
    try (ResultSet rs = md.getCatalogs()) {
      while (rs.next()) catalogListed |= rs.getString("TABLE_CAT").equals(c.getCatalog());
    }
    out("meta catalogs include the current database: " + catalogListed);
    printRows("sequence", md.getTables(null, "public", "meta_%", new String[] {"SEQUENCE"}), "TABLE_NAME", "TABLE_TYPE");
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT p.id, p.code, p.label, p.amount, p.big, c.seq, c.flags, p.id + 1 AS computed, now() AS ts"
            + " FROM meta_parent p LEFT JOIN meta_child c ON c.parent_id = p.id")) {
      ResultSetMetaData rm = rs.getMetaData();
      for (int i = 1; i <= rm.getColumnCount(); i++) {
        out("meta result " + rm.getColumnLabel(i) + " | nullable=" + rm.isNullable(i) + " | autoIncrement=" + rm.isAutoIncrement(i) + " | type="
            + rm.getColumnTypeName(i) + " | jdbcType=" + rm.getColumnType(i) + " | table=" + rm.getTableName(i) + " | schema=" + rm.getSchemaName(i)
            + " | base=" + ((PGResultSetMetaData) rm).getBaseColumnName(i) + " | precision=" + rm.getPrecision(i) + " | scale=" + rm.getScale(i)
            + " | class=" + rm.getColumnClassName(i));
      }
    }
    // getObject on types pgjdbc looks up in pg_type (interval, jsonb, arrays).
    try (Statement s = c.createStatement();
        ResultSet rs = s.executeQuery("SELECT '1 day'::interval AS iv, '{\"a\": 1}'::jsonb AS jb, ARRAY[1, 2] AS ai, 'x'::name AS nm")) {
      rs.next();
      for (int i = 1; i <= 4; i++) out("meta object " + rs.getMetaData().getColumnLabel(i) + "=" + show(rs.getObject(i)));
    }
  }
}
