// pgjdbc's DatabaseMetaData (what DBeaver and DataEase browse a database with) against ParkHub.
// Prints `key: value` lines; see tests/e2e/pg_clients.rs.

import java.sql.Connection;
import java.sql.DatabaseMetaData;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.ResultSetMetaData;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

public class JdbcInspect {
    public static void main(String[] args) throws Exception {
        String url = "jdbc:postgresql://" + System.getenv("PARKHUB_PG_HOST") + ":"
                + System.getenv("PARKHUB_PG_PORT") + "/parkhub";
        Properties properties = new Properties();
        properties.setProperty("user", System.getenv("PARKHUB_PG_USER"));
        properties.setProperty("password", System.getenv("PARKHUB_PG_PASSWORD"));
        try (Connection connection = DriverManager.getConnection(url, properties)) {
            DatabaseMetaData metadata = connection.getMetaData();
            System.out.println("product: " + metadata.getDatabaseProductName() + " "
                    + metadata.getDatabaseMajorVersion());
            List<String> schemas = new ArrayList<>();
            try (ResultSet rows = metadata.getSchemas()) {
                while (rows.next()) {
                    schemas.add(rows.getString("TABLE_SCHEM"));
                }
            }
            System.out.println("schemas: " + String.join(",", schemas));

            List<String> tables = new ArrayList<>();
            try (ResultSet rows = metadata.getTables(null, "lake", "%", new String[] {"TABLE"})) {
                while (rows.next()) {
                    tables.add(rows.getString("TABLE_NAME"));
                    System.out.println("table remarks " + rows.getString("TABLE_NAME") + ": "
                            + rows.getString("REMARKS"));
                }
            }
            System.out.println("tables: " + String.join(",", tables));

            List<String> columns = new ArrayList<>();
            try (ResultSet rows = metadata.getColumns(null, "lake", "enterprises", "%")) {
                while (rows.next()) {
                    String name = rows.getString("COLUMN_NAME");
                    columns.add(name + " " + rows.getString("TYPE_NAME"));
                    System.out.println("column remarks enterprises." + name + ": "
                            + rows.getString("REMARKS"));
                    System.out.println("column nullable enterprises." + name + ": "
                            + rows.getString("IS_NULLABLE"));
                }
            }
            System.out.println("columns enterprises: " + String.join(",", columns));

            List<String> keys = new ArrayList<>();
            String keyName = "";
            try (ResultSet rows = metadata.getPrimaryKeys(null, "lake", "production_monthly")) {
                while (rows.next()) {
                    keys.add(rows.getShort("KEY_SEQ") + "=" + rows.getString("COLUMN_NAME"));
                    keyName = rows.getString("PK_NAME");
                }
            }
            System.out.println("primary key production_monthly: " + keyName + " " + String.join(",", keys));

            int imported = 0;
            try (ResultSet rows = metadata.getImportedKeys(null, "lake", "production_monthly")) {
                while (rows.next()) {
                    imported++;
                }
            }
            System.out.println("imported keys production_monthly: " + imported);

            List<String> indexes = new ArrayList<>();
            try (ResultSet rows = metadata.getIndexInfo(null, "lake", "enterprises", true, true)) {
                while (rows.next()) {
                    indexes.add(rows.getString("INDEX_NAME") + "(" + rows.getString("COLUMN_NAME") + ")");
                }
            }
            System.out.println("indexes enterprises: " + String.join(",", indexes));

            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT count(*) AS n FROM enterprises WHERE zone = ?")) {
                statement.setString(1, System.getenv("PARKHUB_PG_ZONE"));
                try (ResultSet rows = statement.executeQuery()) {
                    rows.next();
                    System.out.println("count in zone: " + rows.getLong(1));
                }
            }
            try (PreparedStatement statement = connection.prepareStatement(
                    "SELECT uscc, employees, founded, land_area_mu FROM enterprises WHERE employees > ? ORDER BY uscc LIMIT 3")) {
                statement.setLong(1, 10);
                try (ResultSet rows = statement.executeQuery()) {
                    ResultSetMetaData described = rows.getMetaData();
                    List<String> types = new ArrayList<>();
                    for (int index = 1; index <= described.getColumnCount(); index++) {
                        types.add(described.getColumnName(index) + " " + described.getColumnTypeName(index));
                    }
                    System.out.println("result types: " + String.join(",", types));
                    int count = 0;
                    while (rows.next()) {
                        rows.getLong("employees");
                        rows.getDate("founded");
                        rows.getDouble("land_area_mu");
                        count++;
                    }
                    System.out.println("rows over 10 employees: " + count);
                }
            }
        }
    }
}
