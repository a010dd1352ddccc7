"""pandas.read_sql and read_sql_table over SQLAlchemy and psycopg2 against ParkHub.

Prints `key: value` lines; see tests/e2e/pg_clients.rs.
"""

import os
from urllib.parse import quote

import pandas
import sqlalchemy
from sqlalchemy import text

url = "postgresql+psycopg2://{user}:{password}@{host}:{port}/parkhub".format(
    user=quote(os.environ["PARKHUB_PG_USER"], safe=""),
    password=quote(os.environ["PARKHUB_PG_PASSWORD"], safe=""),
    host=os.environ["PARKHUB_PG_HOST"],
    port=os.environ["PARKHUB_PG_PORT"],
)
engine = sqlalchemy.create_engine(url)

frame = pandas.read_sql(
    text("SELECT uscc, name, employees, founded FROM enterprises WHERE zone = :zone ORDER BY uscc"),
    engine,
    params={"zone": os.environ["PARKHUB_PG_ZONE"]},
)
print("read_sql rows:", len(frame))
print("read_sql columns:", ",".join(frame.columns))
print("read_sql employees dtype:", frame["employees"].dtype)

# read_sql_table reflects the table first (SQLAlchemy's inspector), then reads it whole.
table = pandas.read_sql_table("production_monthly", engine, schema="lake")
print("read_sql_table rows:", len(table))
print("read_sql_table columns:", ",".join(table.columns))
print("read_sql_table period dtype:", table["period"].dtype)
engine.dispose()
