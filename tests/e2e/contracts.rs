//! `parkhub contract add | show | list`: a park table from a TOML contract, and a new
//! nullable column on a built-in table that evolves it without rewriting it.

use crate::support::{fresh_dir, run, run_ok, sql_count, sql_json};

const WATER_CONTRACT: &str = r#"
name = "water_quality"
description_zh = "园区水质监测"
description_en = "Park water quality monitoring"
mode = "append"

[[columns]]
name = "site"
type = "string"
required = true
aliases = ["监测点"]

[[columns]]
name = "measured_on"
type = "date"
required = true
aliases = ["监测日期"]

[[columns]]
name = "ph"
type = "float64"
min = 0
max = 14
aliases = ["pH值"]
"#;

#[test]
fn a_park_contract_adds_a_table_that_ingests_and_queries() {
    let dir = fresh_dir("contract-add");
    let contract_file = dir.join("water.toml");
    std::fs::write(&contract_file, WATER_CONTRACT).expect("write contract");
    let added = run_ok(
        &dir,
        &["contract", "add", contract_file.to_str().expect("utf8")],
    );
    assert!(
        added.contains("contract 'water_quality' registered"),
        "{added}"
    );

    let list = run_ok(&dir, &["contract", "list"]);
    assert!(
        list.lines()
            .any(|line| line.starts_with("water_quality") && line.contains("park")),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|line| line.starts_with("enterprises") && line.contains("built-in")),
        "{list}"
    );
    let shown = run_ok(&dir, &["contract", "show", "water_quality"]);
    assert!(
        shown.contains("name = \"water_quality\"") && shown.contains("监测点"),
        "{shown}"
    );

    let data = dir.join("water.csv");
    std::fs::write(
        &data,
        "监测点,监测日期,pH值\n北门,2026-10-01,7.2\n南门,2026年10月2日,15\n",
    )
    .expect("write data");
    let output = run(
        &dir,
        &[
            "ingest",
            "--table",
            "water_quality",
            data.to_str().expect("utf8"),
        ],
    );
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(sql_count(&dir, "SELECT count(*) FROM water_quality"), 1);
    let rejected = sql_json(
        &dir,
        "SELECT reasons FROM _quarantine WHERE table_name = 'water_quality'",
    );
    assert_eq!(rejected.len(), 1);
    assert!(
        rejected[0]["reasons"]
            .as_str()
            .expect("reasons")
            .contains("ph: 15 is above the maximum 14"),
        "{rejected:?}"
    );

    let bad = dir.join("bad.toml");
    std::fs::write(&bad, "name = \"x\"\nmode = \"append\"\n").expect("write");
    let output = run(&dir, &["contract", "add", bad.to_str().expect("utf8")]);
    assert_eq!(output.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&output.stderr).contains("missing field"),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
fn a_new_nullable_column_evolves_a_builtin_table_in_place() {
    let dir = fresh_dir("contract-evolve");
    let first = dir.join("first.csv");
    std::fs::write(
        &first,
        "统一社会信用代码,企业名称,行业代码,重点行业\n91110000600037341L,甲公司,C3411,machinery\n",
    )
    .expect("write");
    run_ok(
        &dir,
        &[
            "ingest",
            "--table",
            "enterprises",
            first.to_str().expect("utf8"),
        ],
    );
    let files_before: Vec<_> = std::fs::read_dir(dir.join("lake/enterprises"))
        .expect("dir")
        .flatten()
        .map(|e| e.file_name())
        .collect();

    let builtin = run_ok(&dir, &["contract", "show", "enterprises"]);
    let extended = format!(
        "{builtin}\n[[columns]]\nname = \"website\"\ntype = \"string\"\naliases = [\"网址\"]\n"
    );
    let contract_file = dir.join("enterprises.toml");
    std::fs::write(&contract_file, extended).expect("write contract");
    let added = run_ok(
        &dir,
        &["contract", "add", contract_file.to_str().expect("utf8")],
    );
    assert!(added.contains("extends the built-in table"), "{added}");

    let second = dir.join("second.csv");
    std::fs::write(&second, "统一社会信用代码,企业名称,行业代码,重点行业,网址\n91440300568520498A,乙公司,C3130,iron_steel,https://example.cn\n").expect("write");
    run_ok(
        &dir,
        &[
            "ingest",
            "--table",
            "enterprises",
            second.to_str().expect("utf8"),
        ],
    );
    assert_eq!(sql_count(&dir, "SELECT count(*) FROM enterprises"), 2);
    assert_eq!(sql_count(&dir, "SELECT count(website) FROM enterprises"), 1);
    for file in files_before {
        assert!(
            dir.join("lake/enterprises").join(&file).exists(),
            "{file:?} was kept, not rewritten"
        );
    }
}
