// node-postgres against ParkHub: information_schema and pg_catalog the way Node tools list a
// database, and queries with parameters, in text and in binary. Prints `key: value` lines; see
// tests/e2e/pg_clients.rs.

const { Client } = require("pg");

async function main() {
  const client = new Client({
    host: process.env.PARKHUB_PG_HOST,
    port: Number(process.env.PARKHUB_PG_PORT),
    user: process.env.PARKHUB_PG_USER,
    password: process.env.PARKHUB_PG_PASSWORD,
    database: "parkhub",
  });
  await client.connect();
  try {
    const version = await client.query("SHOW server_version");
    console.log("server version: " + version.rows[0].server_version);

    const tables = await client.query(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_type = 'BASE TABLE' ORDER BY table_name",
      ["lake"],
    );
    console.log("tables: " + tables.rows.map((row) => row.table_name).join(","));

    const columns = await client.query(
      "SELECT column_name, data_type, is_nullable, ordinal_position FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position",
      ["lake", "enterprises"],
    );
    console.log(
      "columns enterprises: " +
        columns.rows.map((row) => `${row.ordinal_position}:${row.column_name} ${row.data_type}`).join(","),
    );

    const keys = await client.query(
      "SELECT k.column_name FROM information_schema.table_constraints c JOIN information_schema.key_column_usage k ON k.constraint_name = c.constraint_name AND k.table_name = c.table_name WHERE c.constraint_type = 'PRIMARY KEY' AND c.table_name = $1 ORDER BY k.ordinal_position",
      ["production_monthly"],
    );
    console.log("primary key production_monthly: " + keys.rows.map((row) => row.column_name).join(","));

    const comments = await client.query(
      "SELECT c.relname, obj_description(c.oid, 'pg_class') AS comment FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r' AND c.relname = $2",
      ["lake", "enterprises"],
    );
    console.log("table comment enterprises: " + comments.rows[0].comment);

    const columnComment = await client.query(
      "SELECT a.attname, col_description(a.attrelid, a.attnum) AS comment FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid WHERE c.relname = $1 AND a.attname = $2",
      ["enterprises", "zone"],
    );
    console.log("column comment enterprises.zone: " + columnComment.rows[0].comment);

    const counted = await client.query("SELECT count(*) AS n FROM enterprises WHERE zone = $1", [
      process.env.PARKHUB_PG_ZONE,
    ]);
    console.log("count in zone: " + counted.rows[0].n);
    console.log("count type oid: " + counted.fields[0].dataTypeID);

    const typed = await client.query({
      text: "SELECT employees, land_area_mu, founded, _ingested_at FROM enterprises WHERE zone = $1 ORDER BY uscc LIMIT 1",
      values: [process.env.PARKHUB_PG_ZONE],
    });
    console.log("type oids: " + typed.fields.map((field) => `${field.name}=${field.dataTypeID}`).join(","));
    console.log("founded is a date: " + (typed.rows[0].founded instanceof Date));

    const binary = await client.query({
      text: "SELECT count(*) AS n, max(employees) AS most FROM enterprises WHERE zone = $1",
      values: [process.env.PARKHUB_PG_ZONE],
      binary: true,
    });
    console.log("binary count in zone: " + binary.rows[0].n);
  } finally {
    await client.end();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
