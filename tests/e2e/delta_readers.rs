//! The lake is plain Delta Lake: an independent reader (the `deltalake` Python package, from
//! PyPI, installed by the test command) reads every table with the row counts ParkHub reports.

use std::process::Command;

use crate::support::{demo_dir, run_ok};

/// Reads every table named on the command line and prints their row counts as JSON. It leaves
/// with `os._exit` once the counts are out: under load, the interpreter's own shutdown can abort
/// in pyarrow's C++ thread pool ("terminate called without an active exception") after the work
/// is done, which says nothing about the lake.
const PYTHON_READER: &str = r#"
import json, os, sys
from deltalake import DeltaTable
counts = {}
for name in sys.argv[2:]:
    table = DeltaTable(sys.argv[1] + "/lake/" + name)
    counts[name] = table.to_pyarrow_table().num_rows
sys.stdout.write(json.dumps(counts) + "\n")
sys.stdout.flush()
os._exit(0)
"#;

#[test]
fn python_deltalake_reads_every_table_with_the_same_row_counts() {
    let dir = demo_dir();
    let tables: Vec<serde_json::Value> =
        serde_json::from_str(&run_ok(dir, &["tables", "--format", "json"])).expect("JSON");
    let names: Vec<&str> = tables
        .iter()
        .map(|table| table["name"].as_str().expect("name"))
        .collect();
    assert_eq!(names.len(), 12);
    let python = std::env::var("PARKHUB_TEST_PYTHON").unwrap_or_else(|_| "python3".into());
    let output = Command::new(&python)
        .arg("-c")
        .arg(PYTHON_READER)
        .arg(dir)
        .args(&names)
        .output()
        .unwrap_or_else(|error| {
            panic!("cannot run {python}: {error}; the test command installs it (make test)")
        });
    assert!(
        output.status.success(),
        "the deltalake Python package could not read the lake (install it with `make test-deps`):\n{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let python_counts: serde_json::Map<String, serde_json::Value> =
        serde_json::from_slice(&output.stdout).expect("JSON from Python");
    for table in &tables {
        let name = table["name"].as_str().expect("name");
        assert_eq!(
            python_counts[name], table["row_count"],
            "row count of {name}"
        );
    }
}
