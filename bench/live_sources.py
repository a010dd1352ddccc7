#!/usr/bin/env python3
"""Live-source benchmark: a first sync of a PostgreSQL table by `parkhub sync` beside
`COPY (SELECT ...) TO STDOUT` of the same rows into a file, and MQTT readings per second that
`parkhub serve` commits from a Mosquitto broker, in one run on this machine.

    cargo build --release --bin parkhub
    python3 bench/live_sources.py                # 1,000,000 rows, 100,000 messages
    BENCH_ROWS=100000 BENCH_MESSAGES=20000 python3 bench/live_sources.py   # a quick check

It starts its own PostgreSQL 15 (as the `postgres` user) and Mosquitto on free loopback ports
in a temporary folder, and prints each figure and the ratio. Settings: BENCH_ROWS,
BENCH_MESSAGES, PARKHUB_BENCH_BIN (default target/release/parkhub), BENCH_RUNS (default 3:
each figure is the median, with the spread).
"""

import json
import os
import shutil
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BIN = os.environ.get("PARKHUB_BENCH_BIN", os.path.join(ROOT, "target", "release", "parkhub"))
ROWS = int(os.environ.get("BENCH_ROWS", "1000000"))
MESSAGES = int(os.environ.get("BENCH_MESSAGES", "100000"))
RUNS = int(os.environ.get("BENCH_RUNS", "3"))
PG_BIN = "/usr/lib/postgresql/15/bin"
PASSWORD = "bench-password"
# A valid USCC (GB 32100-2015 check character).
USCC = "91320500000000001"
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]


def with_check(first17):
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS))
    return first17 + CHARSET[(31 - total % 31) % 31]


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def median_spread(values):
    return statistics.median(values), min(values), max(values)


def start_postgres(work):
    data = os.path.join(work, "pg")
    os.makedirs(data)
    shutil.chown(work, "postgres")
    shutil.chown(data, "postgres")
    port = free_port()
    run_as = ["runuser", "-u", "postgres", "--"]
    pwfile = os.path.join(work, "pw")
    with open(pwfile, "w") as f:
        f.write(PASSWORD)
    shutil.chown(pwfile, "postgres")
    subprocess.run(run_as + [f"{PG_BIN}/initdb", "-D", data, "-U", "bench", "--pwfile", pwfile,
                             "--auth", "scram-sha-256"], check=True, stdout=subprocess.DEVNULL)
    server = subprocess.Popen(run_as + [f"{PG_BIN}/postgres", "-D", data, "-p", str(port),
                                        "-c", "listen_addresses=127.0.0.1",
                                        "-c", f"unix_socket_directories={work}"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(200):
        if subprocess.run(["pg_isready", "-h", "127.0.0.1", "-p", str(port)],
                          stdout=subprocess.DEVNULL).returncode == 0:
            break
        time.sleep(0.1)
    return server, port


def psql(port, sql, out=None):
    env = dict(os.environ, PGPASSWORD=PASSWORD)
    return subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(port), "-U", "bench", "-d",
                           "postgres", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, env=env, stdout=out or subprocess.DEVNULL)


def bench_first_sync(work, port):
    uscc = with_check(USCC)
    psql(port, "CREATE TABLE readings AS SELECT '%s'::text AS uscc, 'M' || (i %% 200) AS meter_id, "
               "timestamptz '2026-01-01 00:00:00+08' + i * interval '1 minute' AS ts, "
               "'electricity'::text AS energy_type, (i %% 997)::float8 AS value, 'kWh'::text AS unit, "
               "i::bigint AS id FROM generate_series(1, %d) AS i" % (uscc, ROWS))
    copy_times, sync_times = [], []
    for run in range(RUNS):
        target = os.path.join(work, f"copy-{run}.csv")
        started = time.perf_counter()
        with open(target, "wb") as out:
            psql(port, "COPY (SELECT * FROM readings ORDER BY id) TO STDOUT", out=out)
        copy_times.append(time.perf_counter() - started)
        os.remove(target)

        data = os.path.join(work, f"lake-{run}")
        config = os.path.join(work, "parkhub.toml")
        with open(config, "w") as f:
            f.write(f"""[[sources]]
name = "bench"
kind = "postgres"
url = "postgres://bench@127.0.0.1:{port}/postgres"
password_env = "BENCH_PG_PASSWORD"
table = "energy_readings"
from = "readings"
cursor = "id"
""")
        env = dict(os.environ, BENCH_PG_PASSWORD=PASSWORD, PARKHUB_LOG="warn")
        started = time.perf_counter()
        done = subprocess.run([BIN, "--data-dir", data, "--config", config, "sync", "bench",
                               "--report", "json"], env=env, capture_output=True, text=True)
        sync_times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"parkhub sync failed:\n{done.stdout}\n{done.stderr}")
        report = json.loads(done.stdout)
        assert report["rows_written"] == ROWS, report
        shutil.rmtree(data)
    copy = median_spread(copy_times)
    sync = median_spread(sync_times)
    print(f"postgres first sync, {ROWS:,} rows (median of {RUNS}, min-max):")
    print(f"  COPY ... TO STDOUT into a file  {copy[0]:7.2f} s  ({copy[1]:.2f}-{copy[2]:.2f})  "
          f"{ROWS / copy[0]:>12,.0f} rows/s")
    print(f"  parkhub sync (validated, Delta) {sync[0]:7.2f} s  ({sync[1]:.2f}-{sync[2]:.2f})  "
          f"{ROWS / sync[0]:>12,.0f} rows/s")
    print(f"  ratio parkhub / COPY rows/s: {copy[0] / sync[0]:.2f}")


def bench_mqtt(work):
    port = free_port()
    broker_dir = os.path.join(work, "mqtt")
    os.makedirs(broker_dir)
    conf = os.path.join(broker_dir, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\nallow_anonymous true\nuser root\n"
                f"persistence true\npersistence_location {broker_dir}/\n"
                "max_queued_messages 0\n")
    broker = subprocess.Popen(["mosquitto", "-c", conf], stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    uscc = with_check(USCC)
    rates = []
    try:
        for run in range(RUNS):
            data = os.path.join(work, f"mqtt-lake-{run}")
            config = os.path.join(work, "mqtt.toml")
            with open(config, "w") as f:
                f.write(f"""[[sources]]
name = "meters"
kind = "mqtt"
url = "mqtt://127.0.0.1:{port}"
table = "energy_readings"
topic = "park/+/meter/#"
client_id = "parkhub-bench-{run}"
batch_rows = 5000
batch_seconds = 1
topic_levels = {{ uscc = 2, meter_id = 4 }}
""")
            hub = subprocess.Popen([BIN, "--data-dir", data, "--config", config, "serve",
                                    "--listen", "127.0.0.1:0"], stdout=subprocess.PIPE,
                                   stderr=subprocess.DEVNULL, text=True,
                                   env=dict(os.environ, PARKHUB_LOG="warn"))
            base, token = None, None
            for line in hub.stdout:
                if line.startswith("parkhub token admin"):
                    token = line.split()[-1]
                if line.startswith("parkhub listening on "):
                    base = line.split()[-1]
                    break
            time.sleep(1.0)  # the subscription
            lines = "".join(
                json.dumps({"ts": 1780000000 + n, "value": n % 100, "energy_type": "electricity",
                            "unit": "kWh"}) + "\n" for n in range(MESSAGES))
            started = time.perf_counter()
            subprocess.run(["mosquitto_pub", "-h", "127.0.0.1", "-p", str(port), "-q", "1",
                            "-t", f"park/{uscc}/meter/M1", "-l"], input=lines, text=True, check=True)
            while True:
                request = urllib.request.Request(base + "/api/sources",
                                                 headers={"Authorization": f"Bearer {token}"})
                with urllib.request.urlopen(request) as answer:
                    written = json.load(answer)[0]["rows_written"]
                if written >= MESSAGES:
                    break
                time.sleep(0.2)
            rates.append(MESSAGES / (time.perf_counter() - started))
            hub.terminate()
            hub.wait()
            shutil.rmtree(data)
    finally:
        broker.terminate()
        broker.wait()
    rate = median_spread(rates)
    print(f"mqtt, {MESSAGES:,} QoS 1 messages published at once (median of {RUNS}, min-max):")
    print(f"  committed to energy_readings    {rate[0]:>12,.0f} messages/s  "
          f"({rate[1]:,.0f}-{rate[2]:,.0f})")


def main():
    if not os.path.exists(BIN):
        raise SystemExit(f"{BIN} is missing: cargo build --release --bin parkhub")
    work = tempfile.mkdtemp(prefix="parkhub-bench-live-")
    server = None
    try:
        server, port = start_postgres(work)
        bench_first_sync(work, port)
        bench_mqtt(work)
    finally:
        if server:
            server.terminate()
            server.wait()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
