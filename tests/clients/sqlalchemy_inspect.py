"""SQLAlchemy's inspector (what Superset lists a database with) against ParkHub.

Usage: python3 sqlalchemy_inspect.py psycopg2|psycopg
Prints `key: value` lines; see tests/e2e/pg_clients.rs.
"""

import os
import sys
from urllib.parse import quote

import sqlalchemy
from sqlalchemy import inspect, text

driver = sys.argv[1]
url = "postgresql+{driver}://{user}:{password}@{host}:{port}/parkhub".format(
    driver=driver,
    user=quote(os.environ["PARKHUB_PG_USER"], safe=""),
    password=quote(os.environ["PARKHUB_PG_PASSWORD"], safe=""),
    host=os.environ["PARKHUB_PG_HOST"],
    port=os.environ["PARKHUB_PG_PORT"],
)
engine = sqlalchemy.create_engine(url)
inspector = inspect(engine)

print("default schema:", inspector.default_schema_name)
print("schemas:", ",".join(inspector.get_schema_names()))
tables = inspector.get_table_names(schema="lake")
print("tables:", ",".join(tables))
print("views:", ",".join(inspector.get_view_names(schema="lake")))
for table in tables:
    comment = inspector.get_table_comment(table, schema="lake")["text"]
    print(f"table comment {table}:", comment)
columns = inspector.get_columns("enterprises", schema="lake")
print("columns enterprises:", ",".join(f"{c['name']} {c['type']}" for c in columns))
for column in columns:
    print(f"column comment enterprises.{column['name']}:", column["comment"])
    print(f"nullable enterprises.{column['name']}:", column["nullable"])
if "production_monthly" in tables:
    key = inspector.get_pk_constraint("production_monthly", schema="lake")
    print("primary key production_monthly:", key["name"], ",".join(key["constrained_columns"]))
print("foreign keys enterprises:", len(inspector.get_foreign_keys("enterprises", schema="lake")))
print("indexes enterprises:", len(inspector.get_indexes("enterprises", schema="lake")))

with engine.connect() as connection:
    count = connection.execute(
        text("SELECT count(*) AS n FROM enterprises WHERE zone = :zone"),
        {"zone": os.environ["PARKHUB_PG_ZONE"]},
    ).scalar_one()
    print("count in zone:", count)
    names = connection.execute(
        text("SELECT name FROM enterprises WHERE zone = :zone ORDER BY uscc LIMIT 1"),
        {"zone": os.environ["PARKHUB_PG_ZONE"]},
    ).scalars().all()
    print("first name in zone:", ",".join(names))
engine.dispose()
