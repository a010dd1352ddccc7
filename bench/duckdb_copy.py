#!/usr/bin/env python3
"""DuckDB's side of the ingest benchmark (hub/benches/ingest.rs).

    python3 bench/duckdb_copy.py INPUT.csv OUTPUT.parquet

Runs COPY (SELECT * FROM read_csv('INPUT.csv')) TO 'OUTPUT.parquet' (FORMAT parquet) and
prints one JSON line: {"seconds": time of the COPY alone, "rows": rows in the Parquet file,
"threads": DuckDB's thread count, "version": DuckDB's version}.
"""

import json
import sys
import time

import duckdb


def main() -> None:
    source, target = sys.argv[1], sys.argv[2]
    connection = duckdb.connect()
    quoted = lambda path: "'" + path.replace("'", "''") + "'"
    started = time.perf_counter()
    connection.execute(
        f"COPY (SELECT * FROM read_csv({quoted(source)})) TO {quoted(target)} (FORMAT parquet)"
    )
    seconds = time.perf_counter() - started
    rows = connection.execute(f"SELECT count(*) FROM read_parquet({quoted(target)})").fetchone()[0]
    threads = connection.execute("SELECT current_setting('threads')").fetchone()[0]
    print(json.dumps({"seconds": seconds, "rows": rows, "threads": threads, "version": duckdb.__version__}))


if __name__ == "__main__":
    main()
