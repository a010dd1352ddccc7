#!/usr/bin/env python3
"""Compares ParkHub's catalog search with two baselines on the judged queries.

Systems, all on the same corpus (the catalog tables of a ParkHub data directory, exported
through `parkhub sql`) and the same judged queries (catalog/relevance/judgements.tsv):

  ParkHub                  the catalog crate (`cargo run --release --example relevance`)
  PostgreSQL FTS           to_tsvector('simple', …) with title/summary weights, ts_rank,
                           query words OR-ed, on the raw text (what `simple` does to Chinese)
  PostgreSQL FTS + jieba   the same on text and queries segmented by jieba beforehand
  jieba + BM25             jieba (search mode) tokens, rank_bm25's BM25Okapi

PostgreSQL runs as a throwaway cluster (initdb, pg_ctl) in a temporary folder, listening on a
free loopback port (127.0.0.1), as the `postgres` user when run by root; its binaries are found
in $PG_BIN, /usr/lib/postgresql/<version>/bin or on the PATH, and the script stops with an
error when they are missing. Needs `pip install jieba rank-bm25 psycopg2-binary`.

    python3 catalog/relevance/compare.py --data-dir /tmp/park [--parkhub target/release/parkhub]

Every judged id must be in the exported corpus (the demo catalog of seed 42), else the script
stops: figures over another catalog would mean nothing.

Metrics as in the catalog crate (parkhub_catalog::relevance): nDCG@10 with gain 2^grade - 1
and discount log2(rank + 1); recall@10 over min(relevant, 10).
"""

import argparse
import csv
import glob
import json
import math
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CUTOFF = 10
TABLES = [
    ("service_offerings", "offering_id"),
    ("shared_applications", "app_id"),
    ("service_providers", "provider_id"),
]
BODY_COLUMNS = ["description", "cases", "scenarios", "key_industries", "qualifications", "region"]


# --- judgements and metrics -------------------------------------------------------------------

def load_judgements(path):
    queries = []
    with open(path, encoding="utf-8") as handle:
        for line in handle:
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            query, language, graded = line.split("\t")
            grades = {}
            for item in graded.split():
                identifier, grade = item.rsplit(":", 1)
                grades[identifier] = int(grade)
            queries.append((query.strip(), language.strip(), grades))
    return queries


def ndcg(grades, ranking):
    dcg = sum(
        (2 ** grades.get(identifier, 0) - 1) / math.log2(rank + 2)
        for rank, identifier in enumerate(ranking[:CUTOFF])
    )
    ideal = sorted(grades.values(), reverse=True)[:CUTOFF]
    ideal_dcg = sum((2 ** grade - 1) / math.log2(rank + 2) for rank, grade in enumerate(ideal))
    return dcg / ideal_dcg if ideal_dcg else 0.0


def recall(grades, ranking):
    possible = min(len(grades), CUTOFF)
    found = len({identifier for identifier in ranking[:CUTOFF] if identifier in grades})
    return found / possible if possible else 0.0


def summarise(judgements, rankings):
    groups = {"all": [], "zh": [], "en": [], "mixed": [], "en+mixed": []}
    for (query, language, grades), ranking in zip(judgements, rankings):
        pair = (ndcg(grades, ranking), recall(grades, ranking))
        groups["all"].append(pair)
        groups[language].append(pair)
        if language != "zh":
            groups["en+mixed"].append(pair)
    return {
        name: (
            sum(pair[0] for pair in pairs) / len(pairs) if pairs else 0.0,
            sum(pair[1] for pair in pairs) / len(pairs) if pairs else 0.0,
            len(pairs),
        )
        for name, pairs in groups.items()
    }


# --- corpus -------------------------------------------------------------------------------------

def export_corpus(parkhub, data_dir, folder):
    for table, _ in TABLES:
        done = subprocess.run(
            [parkhub, "sql", f"SELECT * FROM {table}", "--format", "csv", "--data-dir", data_dir],
            capture_output=True,
        )
        if done.returncode != 0:
            sys.exit(f"error: exporting {table} failed: {done.stderr.decode(errors='replace')}")
        output = done.stdout
        with open(os.path.join(folder, f"{table}.csv"), "wb") as handle:
            handle.write(output)


def load_corpus(folder):
    documents = []
    for table, key in TABLES:
        with open(os.path.join(folder, f"{table}.csv"), encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                documents.append(
                    {
                        "id": row[key],
                        "title": " ".join(filter(None, [row.get("name"), row.get("name_en")])),
                        "summary": row.get("summary") or "",
                        "body": " ".join(row.get(column) or "" for column in BODY_COLUMNS),
                    }
                )
    return documents


# --- jieba ----------------------------------------------------------------------------------------

def jieba_tokens(text):
    import jieba

    tokens = []
    for token in jieba.cut_for_search(text):
        token = token.strip().lower()
        if token and any(character.isalnum() for character in token):
            tokens.append(token)
    return tokens


def run_bm25(documents, judgements):
    from rank_bm25 import BM25Okapi

    corpus = [
        jieba_tokens(" ".join([doc["title"], doc["summary"], doc["body"]])) for doc in documents
    ]
    bm25 = BM25Okapi(corpus)
    rankings = []
    for query, _, _ in judgements:
        scores = bm25.get_scores(jieba_tokens(query))
        order = sorted(range(len(documents)), key=lambda index: -scores[index])
        rankings.append([documents[index]["id"] for index in order[:CUTOFF] if scores[index] > 0])
    return rankings


# --- PostgreSQL -----------------------------------------------------------------------------------

def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def find_pg_bin():
    candidates = [os.environ.get("PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    candidates += [os.path.dirname(shutil.which("initdb") or ""), "/usr/local/bin", "/usr/bin"]
    for folder in filter(None, candidates):
        if all(os.access(os.path.join(folder, tool), os.X_OK) for tool in ("initdb", "pg_ctl")):
            return folder
    sys.exit(
        "error: PostgreSQL's initdb and pg_ctl were not found (looked in $PG_BIN, "
        "/usr/lib/postgresql/*/bin and the PATH); install PostgreSQL or set PG_BIN"
    )


class Cluster:
    """A throwaway PostgreSQL cluster in a temporary folder."""

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="parkhub-pg-")
        self.port = free_port()
        self.bin = find_pg_bin()
        self.user = None
        if os.geteuid() == 0:
            try:
                self.user = pwd.getpwnam("postgres")
            except KeyError:
                sys.exit("error: PostgreSQL refuses to run as root and there is no `postgres` user")
            os.chown(self.folder, self.user.pw_uid, self.user.pw_gid)

    def run(self, *command):
        prefix = ["runuser", "-u", "postgres", "--"] if self.user else []
        done = subprocess.run(prefix + list(command), capture_output=True, text=True)
        if done.returncode != 0:
            log = os.path.join(self.folder, "log")
            tail = open(log, encoding="utf-8", errors="replace").read()[-2000:] if os.path.exists(log) else ""
            sys.exit(
                f"error: {' '.join(command)} failed ({done.returncode}):\n"
                f"{done.stdout}{done.stderr}{tail}"
            )

    def __enter__(self):
        data = os.path.join(self.folder, "data")
        try:
            self.run(os.path.join(self.bin, "initdb"), "-D", data, "-U", "postgres", "-E", "UTF8",
                     "--locale=C.UTF-8", "-A", "trust")
            self.run(os.path.join(self.bin, "pg_ctl"), "-D", data, "-w", "-l",
                     os.path.join(self.folder, "log"), "-o",
                     f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1", "start")
        except BaseException:
            self.__exit__()
            raise
        return self

    def connect(self):
        import psycopg2

        return psycopg2.connect(host="127.0.0.1", port=self.port, user="postgres", dbname="postgres")

    def __exit__(self, *_):
        try:
            if os.path.exists(os.path.join(self.folder, "data", "postmaster.pid")):
                self.run(os.path.join(self.bin, "pg_ctl"), "-D", os.path.join(self.folder, "data"),
                         "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.folder, ignore_errors=True)


def run_postgres(cluster, documents, judgements, segment):
    prepare = (lambda text: " ".join(jieba_tokens(text))) if segment else (lambda text: text)
    connection = cluster.connect()
    connection.autocommit = True
    cursor = connection.cursor()
    cursor.execute("DROP TABLE IF EXISTS catalog")
    cursor.execute("CREATE TABLE catalog (id text PRIMARY KEY, document tsvector)")
    for doc in documents:
        cursor.execute(
            "INSERT INTO catalog VALUES (%s, setweight(to_tsvector('simple', %s), 'A') || "
            "setweight(to_tsvector('simple', %s), 'B') || setweight(to_tsvector('simple', %s), 'D'))",
            (doc["id"], prepare(doc["title"]), prepare(doc["summary"]), prepare(doc["body"])),
        )
    cursor.execute("CREATE INDEX ON catalog USING gin (document)")
    rankings = []
    for query, _, _ in judgements:
        cursor.execute("SELECT lexeme FROM unnest(to_tsvector('simple', %s))", (prepare(query),))
        lexemes = [row[0] for row in cursor.fetchall()]
        if not lexemes:
            rankings.append([])
            continue
        tsquery = " | ".join("'" + lexeme.replace("'", "''") + "'" for lexeme in lexemes)
        cursor.execute(
            "SELECT id FROM catalog, to_tsquery('simple', %s) q WHERE document @@ q "
            "ORDER BY ts_rank(document, q) DESC, id LIMIT %s",
            (tsquery, CUTOFF),
        )
        rankings.append([row[0] for row in cursor.fetchall()])
    connection.close()
    return rankings


# --- ParkHub --------------------------------------------------------------------------------------

def run_parkhub(data_dir, judgements_path, metrics_file, judgements):
    if metrics_file:
        with open(metrics_file, encoding="utf-8") as handle:
            metrics = json.load(handle)
    else:
        # stderr is left to the terminal: cargo's progress and errors show there.
        done = subprocess.run(
            ["cargo", "run", "--release", "-q", "-p", "parkhub-catalog", "--example", "relevance",
             "--", "--data-dir", data_dir, "--judgements", judgements_path, "--json"],
            cwd=ROOT, stdout=subprocess.PIPE,
        )
        if done.returncode != 0:
            sys.exit(f"error: the relevance example failed ({done.returncode})")
        metrics = json.loads(done.stdout)
    asked = [query for query, _, _ in judgements]
    answered = [query["query"] for query in metrics["queries"]]
    if asked != answered:
        sys.exit("error: ParkHub's metrics are not of these judged queries")
    return [query["hits"] for query in metrics["queries"]]


def check_modules():
    missing = []
    for module, package in [("jieba", "jieba"), ("rank_bm25", "rank-bm25"),
                            ("psycopg2", "psycopg2-binary")]:
        try:
            __import__(module)
        except ImportError:
            missing.append(package)
    if missing:
        sys.exit(f"error: missing Python packages; run: pip install {' '.join(missing)}")


def default_parkhub():
    for profile in ("release", "debug"):
        path = os.path.join(ROOT, "target", profile, "parkhub")
        if os.path.exists(path):
            return path
    return os.path.join(ROOT, "target", "release", "parkhub")


def check_corpus(documents, judgements):
    ids = {doc["id"] for doc in documents}
    missing = sorted({i for _, _, grades in judgements for i in grades if i not in ids})
    if missing:
        sys.exit(
            f"error: {len(missing)} judged ids are not in the corpus ({', '.join(missing[:5])}, "
            "…): the judgements are of the demo catalog of `parkhub demo` (seed 42)"
        )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", required=True, help="a ParkHub data directory (parkhub demo)")
    parser.add_argument("--parkhub", default=default_parkhub(),
                        help="the parkhub binary, to export the corpus (default: target/release/"
                             "parkhub, else target/debug/parkhub)")
    parser.add_argument("--judgements", default=os.path.join(ROOT, "catalog", "relevance", "judgements.tsv"))
    parser.add_argument("--corpus", help="a folder with the exported CSV files (skips the export)")
    parser.add_argument("--parkhub-metrics", help="JSON of `--example relevance -- --json` (skips running it)")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--markdown", action="store_true",
                        help="print the figures as a Markdown table")
    parser.add_argument("--per-query", action="store_true",
                        help="also print each query's nDCG@10 for every system")
    arguments = parser.parse_args()
    check_modules()
    find_pg_bin()
    if not arguments.corpus and not os.path.exists(arguments.parkhub):
        sys.exit(f"error: {arguments.parkhub} not found; build it (cargo build --release -p parkhub)"
                 " or pass --parkhub or --corpus")

    judgements = load_judgements(arguments.judgements)
    with tempfile.TemporaryDirectory() as scratch:
        corpus = arguments.corpus
        if not corpus:
            corpus = scratch
            export_corpus(arguments.parkhub, arguments.data_dir, corpus)
        documents = load_corpus(corpus)
    check_corpus(documents, judgements)

    results = {}
    started = time.time()
    results["ParkHub"] = run_parkhub(
        arguments.data_dir, arguments.judgements, arguments.parkhub_metrics, judgements
    )
    with Cluster() as cluster:
        results["PostgreSQL FTS (simple)"] = run_postgres(cluster, documents, judgements, segment=False)
        results["PostgreSQL FTS + jieba"] = run_postgres(cluster, documents, judgements, segment=True)
    results["jieba + BM25"] = run_bm25(documents, judgements)

    print(f"{len(judgements)} judged queries, {len(documents)} entries ({time.time() - started:.0f} s)")
    groups = ["all", "zh", "en", "mixed", "en+mixed"]
    figures = {system: summarise(judgements, rankings) for system, rankings in results.items()}
    if arguments.markdown:
        counts = figures["ParkHub"]
        print("| system | " + " | ".join(f"{g} ({counts[g][2]}) nDCG@10 / R@10" for g in groups) + " |")
        print("| --- |" + " --- |" * len(groups))
        for system, summary in figures.items():
            cells = " | ".join(f"{summary[g][0]:.3f} / {summary[g][1]:.3f}" for g in groups)
            print(f"| {system} | {cells} |")
    else:
        counts = figures["ParkHub"]
        header = f"{'':<26}" + "".join(f"{g} ({counts[g][2]})".rjust(16) for g in groups)
        print(header)
        print(f"{'system':<26}" + "".join(f"{'nDCG@10  R@10':>16}" for _ in groups))
        print("-" * len(header))
        for system, summary in figures.items():
            print(f"{system:<26}" + "".join(
                f"{summary[g][0]:>9.3f}{summary[g][1]:>7.3f}" for g in groups))
    if arguments.per_query:
        systems = list(results)
        print()
        print("  ".join(f"{system[:10]:>10}" for system in systems) + "  lang   query")
        for index, (query, language, grades) in enumerate(judgements):
            cells = "  ".join(f"{ndcg(grades, results[system][index]):>10.3f}" for system in systems)
            print(f"{cells}  {language:<6} {query}")
    if arguments.json:
        with open(arguments.json, "w", encoding="utf-8") as handle:
            json.dump(figures, handle, ensure_ascii=False, indent=2)


if __name__ == "__main__":
    main()
