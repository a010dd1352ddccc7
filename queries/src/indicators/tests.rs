//! Tests of the indicator library: loading and parameter binding, and every indicator against
//! values computed by hand from the fixture park in [`fixture`].

mod fixture;

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::*;
use fixture::{A, B, C, D, E, Park, park};

type Row = Map<String, Value>;

const TOLERANCE: f64 = 1e-9;

fn params(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs
        .iter()
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect()
}

/// Runs a built-in indicator and returns its rows as column → value maps, in order.
async fn run(park: &Park, name: &str, pairs: &[(&str, &str)]) -> Vec<Row> {
    let library = IndicatorLibrary::builtin().expect("library");
    let indicator = library.get(name).expect("indicator");
    let frame = run_indicator(&park.engine, indicator, &params(pairs))
        .await
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    let columns: Vec<String> = frame
        .schema()
        .fields()
        .iter()
        .map(|field| field.name().clone())
        .collect();
    let batches = frame
        .collect()
        .await
        .unwrap_or_else(|error| panic!("{name}: {error}"));
    let (rows, _) = crate::format::json_rows(&batches, usize::MAX);
    rows.into_iter()
        .map(|row| columns.iter().cloned().zip(row).collect())
        .collect()
}

/// The one row whose columns have the given values.
fn find<'a>(rows: &'a [Row], key: &[(&str, &str)]) -> &'a Row {
    let matching: Vec<&Row> = rows
        .iter()
        .filter(|row| {
            key.iter()
                .all(|(column, value)| row.get(*column) == Some(&json!(value)))
        })
        .collect();
    assert_eq!(matching.len(), 1, "rows matching {key:?} in {rows:#?}");
    matching[0]
}

fn num(row: &Row, column: &str) -> f64 {
    row.get(column)
        .and_then(Value::as_f64)
        .unwrap_or_else(|| panic!("{column} is not a number in {row:?}"))
}

fn assert_close(row: &Row, column: &str, expected: f64) {
    let actual = num(row, column);
    assert!(
        (actual - expected).abs() <= TOLERANCE * expected.abs().max(1.0),
        "{column}: {actual} != {expected} in {row:?}"
    );
}

fn assert_null(row: &Row, column: &str) {
    assert_eq!(row.get(column), Some(&Value::Null), "{column} in {row:?}");
}

fn column<'a>(rows: &'a [Row], column: &str) -> Vec<&'a Value> {
    rows.iter()
        .map(|row| row.get(column).unwrap_or(&Value::Null))
        .collect()
}

// ---------------------------------------------------------------------------------------------
// The library, its definitions and parameter binding
// ---------------------------------------------------------------------------------------------

#[test]
fn builtin_library_loads_with_documented_parameterless_indicators() {
    let library = IndicatorLibrary::builtin().expect("library");
    let names: Vec<&str> = library.list().iter().map(|i| i.name.as_str()).collect();
    for required in [
        "output_by_industry",
        "output_per_mu",
        "energy_intensity",
        "digital_levels",
        "maturity_distribution",
        "rd_intensity",
        "projects_by_level",
        "delayed_projects",
        "subsidy_leverage",
        "subsidy_over_cap",
        "fund_execution",
        "fund_execution_by_source",
        "top_energy_consumers",
        "provider_activity",
    ] {
        assert!(
            names.contains(&required),
            "{required} missing from {names:?}"
        );
    }
    for indicator in library.list() {
        for (field, text) in [
            ("title_zh", &indicator.title_zh),
            ("title_en", &indicator.title_en),
            ("unit", &indicator.unit),
            ("description", &indicator.description),
            ("formula_zh", &indicator.formula_zh),
            ("formula_en", &indicator.formula_en),
            ("grain", &indicator.grain),
        ] {
            assert!(!text.trim().is_empty(), "{} has no {field}", indicator.name);
        }
        for parameter in &indicator.parameters {
            assert!(!parameter.description.is_empty(), "{}", parameter.name);
        }
    }
    // Every built-in indicator has defaults for all its parameters: all become views.
    let parameterless: Vec<String> = library
        .parameterless()
        .iter()
        .map(|indicator| indicator.view_name())
        .collect();
    assert_eq!(parameterless.len(), library.list().len());
    assert!(parameterless.contains(&"ind_energy_intensity".to_string()));

    let indicator = library.get("top_energy_consumers").expect("indicator");
    let serialized = serde_json::to_value(indicator).expect("json");
    assert_eq!(serialized["name"], json!("top_energy_consumers"));
    assert_eq!(
        serialized["parameters"][2],
        json!({"name": "limit", "type": "int", "default": "10", "description": "How many enterprises to list"})
    );
    assert!(
        serialized["sql"]
            .as_str()
            .is_some_and(|sql| sql.contains("$limit"))
    );
}

#[test]
fn unknown_indicator_lists_the_indicators() {
    let library = IndicatorLibrary::builtin().expect("library");
    let error = library.get("energy_intensty").expect_err("unknown");
    let message = error.to_string();
    assert!(
        message.starts_with(
            "unknown indicator 'energy_intensty'; the indicators are: delayed_projects, digital_levels, "
        ),
        "{message}"
    );
    assert!(message.contains("energy_intensity"), "{message}");
    assert!(error.is_client_error());
}

#[test]
fn parameters_are_checked_and_typed() {
    let library = IndicatorLibrary::builtin().expect("library");
    let indicator = library.get("top_energy_consumers").expect("indicator");

    let error = indicator
        .param_values(&params(&[("limt", "5")]))
        .expect_err("unknown parameter");
    assert_eq!(
        error.to_string(),
        "unknown parameter 'limt' for indicator 'top_energy_consumers'; its parameters are: from, to, limit, key_industry, zone"
    );
    assert!(error.is_client_error());

    let error = indicator
        .param_values(&params(&[("limit", "ten")]))
        .expect_err("bad int");
    assert_eq!(
        error.to_string(),
        "bad value 'ten' for parameter 'limit' of indicator 'top_energy_consumers': expected int (an integer)"
    );
    let error = indicator
        .param_values(&params(&[("from", "2024-13-01")]))
        .expect_err("bad date");
    assert!(
        error.to_string().starts_with(
            "bad value '2024-13-01' for parameter 'from' of indicator 'top_energy_consumers': expected date (YYYY-MM-DD"
        ),
        "{error}"
    );
    assert!(error.is_client_error());

    let values = indicator
        .param_values(&params(&[("from", "2024-02"), ("limit", " 3 ")]))
        .expect("values");
    let ParamValues::Map(values) = values else {
        panic!("named parameters are bound as a map");
    };
    let value = |name: &str| values.get(name).map(|value| value.value.clone());
    // 2024-02-01 is day 19754 after 1970-01-01 (54 years, 13 of them leap: 54 × 365 + 13 = 19723,
    // then + 31 days of January).
    assert_eq!(value("from"), Some(ScalarValue::Date32(Some(19_754))));
    assert_eq!(value("limit"), Some(ScalarValue::Int64(Some(3))));
    assert_eq!(
        value("key_industry"),
        Some(ScalarValue::Utf8(Some("all".into())))
    );
    assert_eq!(value("zone"), Some(ScalarValue::Utf8(Some("all".into()))));
    assert!(matches!(value("to"), Some(ScalarValue::Date32(Some(_)))));

    let digital = library.get("digital_levels").expect("indicator");
    for bad in ["0.68%", "NaN", "inf", ""] {
        let error = digital
            .param_values(&params(&[("cnc_target", bad)]))
            .expect_err("bad float");
        assert!(
            error.to_string().contains("parameter 'cnc_target'")
                && error.to_string().contains("expected float"),
            "{error}"
        );
    }
    let ParamValues::Map(values) = digital
        .param_values(&params(&[("cnc_target", "0.7")]))
        .expect("values")
    else {
        panic!("named parameters are bound as a map");
    };
    assert_eq!(
        values.get("cnc_target").map(|value| value.value.clone()),
        Some(ScalarValue::Float64(Some(0.7)))
    );
}

#[test]
fn dates_parse_strictly() {
    let date = |text: &str| ParameterKind::Date.parse(text);
    assert_eq!(date("1970-01-01"), Some(ScalarValue::Date32(Some(0))));
    assert_eq!(date("1970-02"), Some(ScalarValue::Date32(Some(31))));
    assert_eq!(date("2024-02-29"), Some(ScalarValue::Date32(Some(19_782))));
    for bad in [
        "2023-02-29",
        "2024-1-01",
        "20240101",
        "2024-01-01T00:00",
        "2024",
        "x",
    ] {
        assert_eq!(date(bad), None, "{bad}");
    }
    assert!(matches!(date("current_date"), Some(ScalarValue::Date32(Some(days))) if days > 19_782));
}

/// The metadata of a test indicator with one parameter, `year`, without a default.
const PROBE_METADATA: &str = r#"
name = "probe"
title_zh = "探针"
title_en = "Probe"
unit = "none"
description = "A test indicator"
formula_zh = "无"
formula_en = "none"
grain = "enterprise"

[[parameters]]
name = "year"
type = "int"
description = "A year"
"#;

#[test]
fn definitions_are_checked_when_loading() {
    const METADATA: &str = PROBE_METADATA;
    let load = |metadata: &'static str, sql: &'static str| {
        IndicatorLibrary::load(
            &[IndicatorSource {
                name: "probe",
                metadata,
                sql,
            }],
            &BTreeMap::new(),
        )
    };
    let library = load(METADATA, "SELECT $year AS year").expect("valid");
    let indicator = library.get("probe").expect("probe");
    assert!(!indicator.is_parameterless());
    assert!(library.parameterless().is_empty());
    let error = indicator
        .param_values(&BTreeMap::new())
        .expect_err("missing");
    assert_eq!(
        error.to_string(),
        "parameter 'year' of indicator 'probe' has no default and must be given"
    );

    let reason = |result: Result<IndicatorLibrary, IndicatorError>| match result {
        Err(error @ IndicatorError::InvalidDefinition { .. }) => {
            assert!(!error.is_client_error());
            error.to_string()
        }
        other => panic!("expected an invalid definition, got {other:?}"),
    };
    assert!(reason(load(METADATA, "SELECT $year, $month")).contains("$month"));
    assert!(reason(load(METADATA, "SELECT 1")).contains("'year' is declared but"));
    assert!(
        reason(load(
            Box::leak(
                METADATA
                    .replace("name = \"probe\"", "name = \"other\"")
                    .into_boxed_str()
            ),
            "SELECT $year"
        ))
        .contains("names the indicator 'other'")
    );
    assert!(
        reason(load(
            Box::leak(
                METADATA
                    .replace("type = \"int\"", "type = \"int\"\ndefault = \"soon\"")
                    .into_boxed_str()
            ),
            "SELECT $year"
        ))
        .contains("the default 'soon' of parameter 'year'")
    );
    assert!(
        reason(load(
            Box::leak(
                METADATA
                    .replace("type = \"int\"", "type = \"integer\"")
                    .into_boxed_str()
            ),
            "SELECT $year"
        ))
        .contains("probe.toml")
    );
}

#[test]
fn every_sql_file_needs_its_toml_and_the_other_way_round() {
    let paired = pair_files(&[
        ("a.sql", "SELECT 1"),
        ("a.toml", "name = 'a'"),
        ("b.toml", "name = 'b'"),
        ("b.sql", "SELECT 2"),
    ])
    .expect("pairs");
    let names: Vec<(&str, &str, &str)> = paired
        .iter()
        .map(|source| (source.name, source.sql, source.metadata))
        .collect();
    assert_eq!(
        names,
        vec![
            ("a", "SELECT 1", "name = 'a'"),
            ("b", "SELECT 2", "name = 'b'")
        ]
    );
    let orphan_sql = pair_files(&[("a.sql", "SELECT 1"), ("c.sql", "SELECT 3"), ("a.toml", "")])
        .expect_err("c has no toml");
    assert_eq!(
        orphan_sql.to_string(),
        "the definition of indicator 'c' is invalid: queries/indicators/c.sql has no c.toml beside it"
    );
    let orphan_toml = pair_files(&[("d.toml", "")]).expect_err("d has no sql");
    assert!(
        orphan_toml
            .to_string()
            .ends_with("queries/indicators/d.toml has no d.sql beside it"),
        "{orphan_toml}"
    );
}

#[test]
fn the_embedded_folder_pairs_up() {
    // Every file build.rs found in queries/indicators/ has its partner: the library loads
    // from them all, one indicator per pair.
    let library = IndicatorLibrary::builtin().expect("library");
    let sql_files = INDICATOR_FILES
        .iter()
        .filter(|(name, _)| name.ends_with(".sql"))
        .count();
    assert_eq!(library.list().len(), sql_files);
    assert_eq!(INDICATOR_FILES.len(), 2 * sql_files);
    // Listed by name, as the folder sorts them.
    let names: Vec<&str> = library.list().iter().map(|i| i.name.as_str()).collect();
    let mut sorted = names.clone();
    sorted.sort_unstable();
    assert_eq!(names, sorted);
    assert!(
        library
            .list()
            .iter()
            .any(|indicator| indicator.name == "energy_intensity_by_industry")
    );
}

#[test]
fn every_base_query_is_built_on() {
    let library = IndicatorLibrary::builtin().expect("library");
    let bases = base_queries(BASE_FILES);
    assert!(bases.contains_key("enterprise_energy"), "{bases:?}");
    for (name, text) in &bases {
        let users: Vec<&str> = library
            .list()
            .iter()
            .filter(|indicator| indicator.sql.contains(text.trim()))
            .map(|indicator| indicator.name.as_str())
            .collect();
        assert!(
            !users.is_empty(),
            "no indicator builds on the base '{name}'"
        );
    }
    // The indicators of one measure at two grains share their base, written once.
    for (base, indicators) in [
        (
            "enterprise_energy",
            ["energy_intensity", "energy_intensity_by_industry"],
        ),
        (
            "enterprise_output_per_mu",
            ["output_per_mu", "output_per_mu_by_industry"],
        ),
    ] {
        for name in indicators {
            let sql = &library.get(name).expect("indicator").sql;
            assert!(sql.contains(&format!("{base} AS (\n")), "{name}:\n{sql}");
        }
    }
}

#[test]
fn bases_go_in_front_as_common_table_expressions() {
    let bases = [("totals", "-- the base\nSELECT $year AS year\n")];
    assert_eq!(
        with_bases(
            "-- an indicator\n\nwith own AS (SELECT 1)\nSELECT * FROM totals, own",
            &bases
        ),
        "-- an indicator\n\nWITH totals AS (\n-- the base\nSELECT $year AS year\n), own AS (SELECT 1)\nSELECT * FROM totals, own"
    );
    assert_eq!(
        with_bases("SELECT * FROM totals", &bases),
        "WITH totals AS (\n-- the base\nSELECT $year AS year\n)\nSELECT * FROM totals"
    );
    // A column that happens to start with the keyword is not taken for it.
    assert_eq!(with_bases("WITHIN", &[]), "WITHIN", "no bases, no change");
    assert_eq!(strip_keyword("within_days", "WITH"), None);

    let metadata = PROBE_METADATA
        .replace(
            "grain = \"enterprise\"",
            "grain = \"year\"\nenterprise_counts = [\"enterprises\"]\nbases = [\"totals\"]\n\n[decimals]\ndefault = 2\nshare = 4",
        )
        .replace("type = \"int\"", "type = \"int\"\ndefault = \"2024\"");
    let base_files = BTreeMap::from([("totals", "SELECT $year AS year")]);
    let load = |metadata: &str, bases: &BTreeMap<&str, &str>| {
        IndicatorLibrary::load(
            &[IndicatorSource {
                name: "probe",
                metadata,
                sql: "SELECT year FROM totals",
            }],
            bases,
        )
    };
    // The base's placeholders count as the indicator's.
    let library = load(&metadata, &base_files).expect("valid");
    let indicator = library.get("probe").expect("probe");
    assert_eq!(
        indicator.sql,
        "WITH totals AS (\nSELECT $year AS year\n)\nSELECT year FROM totals"
    );
    assert_eq!(indicator.decimals.for_column("share"), Some(4));
    assert_eq!(indicator.decimals.for_column("year"), Some(2));
    let error = load(&metadata, &BTreeMap::new()).expect_err("no such base");
    assert!(
        error
            .to_string()
            .contains("'totals', which is not a base query"),
        "{error}"
    );
    let twice = metadata.replace(r#"["totals"]"#, r#"["totals", "totals"]"#);
    let error = load(&twice, &base_files).expect_err("named twice");
    assert!(error.to_string().contains("twice"), "{error}");
    let too_precise = metadata.replace("share = 4", "share = 13");
    let error = load(&too_precise, &base_files).expect_err("too many decimals");
    assert!(error.to_string().contains("13 decimals"), "{error}");
}

#[test]
fn placeholders_are_found() {
    let names = placeholders("SELECT $a, $b_2 FROM t WHERE x = $a AND y <= $c)");
    assert_eq!(
        names.into_iter().collect::<Vec<_>>(),
        vec!["a".to_string(), "b_2".to_string(), "c".to_string()]
    );
}

// ---------------------------------------------------------------------------------------------
// The indicators on the fixture park
// ---------------------------------------------------------------------------------------------

#[tokio::test]
async fn output_by_industry_with_year_on_year_growth() {
    let park = park(&["enterprises", "production_monthly"]).await;
    let rows = run(
        &park,
        "output_by_industry",
        &[("from", "2024-01"), ("to", "2024-03-01")],
    )
    .await;
    // 2024 months: machinery Jan–Mar, iron_steel Jan–Mar, food Jan–Feb (D misses March),
    // textiles Jan (E), and the park ('all') Jan–Mar: 3 + 3 + 2 + 1 + 3 = 12 rows.
    assert_eq!(rows.len(), 12, "{rows:#?}");
    let row = |industry: &str, period: &str| {
        find(&rows, &[("key_industry", industry), ("period", period)])
    };

    // machinery 2024-01: output A 120 + B 40 = 160, added 36 + 8 = 44;
    // 2023-01: output 100 + 50 = 150, added 30 + 10 = 40.
    // output growth 160 / 150 − 1 = 0.0666…; added value growth 44 / 40 − 1 = 0.1.
    let machinery = row("machinery", "2024-01-01");
    assert_close(machinery, "enterprises", 2.0);
    assert_close(machinery, "output_value", 160.0);
    assert_close(machinery, "added_value", 44.0);
    assert_close(machinery, "output_value_prev_year", 150.0);
    assert_close(machinery, "added_value_prev_year", 40.0);
    assert_close(machinery, "output_yoy", 160.0 / 150.0 - 1.0);
    assert_close(machinery, "added_value_yoy", 0.1);
    // machinery 2024-02: output 110 + 60 = 170 → 170 / 150 − 1; added 33 + 12 = 45 → 45 / 40 − 1 = 0.125.
    let machinery = row("machinery", "2024-02-01");
    assert_close(machinery, "output_yoy", 170.0 / 150.0 - 1.0);
    assert_close(machinery, "added_value_yoy", 0.125);
    // iron_steel 2024-02: output 250 vs 200 → 0.25; added 50 vs 40 → 0.25.
    let steel = row("iron_steel", "2024-02-01");
    assert_close(steel, "output_value", 250.0);
    assert_close(steel, "output_yoy", 0.25);
    assert_close(steel, "added_value_yoy", 0.25);
    // food 2024-02: output 100 vs 80 → 0.25.
    assert_close(row("food", "2024-02-01"), "output_yoy", 0.25);
    // textiles 2024-01: E alone, output 10, no data a year earlier: growth is null.
    let textiles = row("textiles", "2024-01-01");
    assert_close(textiles, "output_value", 10.0);
    assert_null(textiles, "output_value_prev_year");
    assert_null(textiles, "output_yoy");
    // The park in 2024-01: output 120 + 40 + 330 + 80 + 10 = 580 from 5 enterprises;
    // 2023-01: 100 + 50 + 300 + 80 = 530 → 580 / 530 − 1.
    // Added value 36 + 8 + 66 + 20 + 2 = 132 vs 30 + 10 + 60 + 20 = 120 → 0.1.
    let all = row("all", "2024-01-01");
    assert_close(all, "enterprises", 5.0);
    assert_close(all, "output_value", 580.0);
    assert_close(all, "output_yoy", 580.0 / 530.0 - 1.0);
    assert_close(all, "added_value_yoy", 0.1);
    // The park in 2024-03: output 130 + 50 + 330 = 510 (D and E did not report) vs 530.
    assert_close(row("all", "2024-03-01"), "output_value", 510.0);
    // Ordered by industry (the park last), then month.
    assert_eq!(rows[0]["key_industry"], json!("food"));
    assert_eq!(rows[11]["key_industry"], json!("all"));
    assert_eq!(rows[11]["period"], json!("2024-03-01"));

    // The defaults show every month: 2023 adds 3 months × (3 industries + the park) = 12 rows,
    // whose growth is null.
    let rows = run(&park, "output_by_industry", &[]).await;
    assert_eq!(rows.len(), 24);
    assert_null(
        find(&rows, &[("key_industry", "food"), ("period", "2023-03-01")]),
        "output_yoy",
    );
}

#[tokio::test]
async fn output_per_mu_by_enterprise_and_industry() {
    let park = park(&["enterprises", "production_monthly"]).await;
    // 2024: A output 120 + 110 + 130 = 360, tax 18, 50 mu → 7.2 and 0.36 per mu;
    // B 40 + 60 + 50 = 150, tax 6, 20 mu → 7.5 and 0.3; C 330 + 250 + 330 = 910, tax 36,
    // 100 mu → 9.1 and 0.36; D 80 + 100 = 180, tax 8, 10 mu → 18 and 0.8; E has no land: left out.
    // Rank by tax per mu: D 1, A and C tie at 2, B 4. By output per mu: D, C, B, A.
    let rows = run(&park, "output_per_mu", &[("year", "2024")]).await;
    assert_eq!(
        column(&rows, "uscc"),
        vec![&json!(D), &json!(A), &json!(C), &json!(B)]
    );
    let row = |uscc: &str| find(&rows, &[("uscc", uscc)]);
    assert_close(row(A), "output_value", 360.0);
    assert_close(row(A), "tax", 18.0);
    assert_close(row(A), "months", 3.0);
    assert_close(row(A), "output_per_mu", 7.2);
    assert_close(row(A), "tax_per_mu", 0.36);
    assert_close(row(B), "output_per_mu", 7.5);
    assert_close(row(B), "tax_per_mu", 0.3);
    assert_close(row(C), "output_per_mu", 9.1);
    assert_close(row(D), "output_per_mu", 18.0);
    assert_close(row(D), "tax_per_mu", 0.8);
    assert_close(row(D), "months", 2.0);
    for (uscc, tax_rank, output_rank, industry_rank) in [
        (D, 1.0, 1.0, 1.0),
        (A, 2.0, 4.0, 1.0),
        (C, 2.0, 2.0, 1.0),
        (B, 4.0, 3.0, 2.0),
    ] {
        assert_close(row(uscc), "rank_tax_per_mu", tax_rank);
        assert_close(row(uscc), "rank_output_per_mu", output_rank);
        assert_close(row(uscc), "industry_rank_tax_per_mu", industry_rank);
    }
    assert_eq!(row(A)["from_period"], json!("2024-01-01"));
    assert_eq!(row(A)["to_period"], json!("2024-12-01"));

    // The default window is the twelve months up to the latest month of data (2023-04 to
    // 2024-03), which here holds the same months as 2024.
    let default_rows = run(&park, "output_per_mu", &[]).await;
    let a = find(&default_rows, &[("uscc", A)]);
    assert_eq!(a["from_period"], json!("2023-04-01"));
    assert_eq!(a["to_period"], json!("2024-03-01"));
    assert_close(a, "output_per_mu", 7.2);

    // 2023: A 300 / 50 = 6, tax 15 / 50 = 0.3; D 240 / 10 = 24.
    let rows_2023 = run(&park, "output_per_mu", &[("year", "2023")]).await;
    assert_close(find(&rows_2023, &[("uscc", A)]), "output_per_mu", 6.0);
    assert_close(find(&rows_2023, &[("uscc", A)]), "tax_per_mu", 0.3);
    assert_close(find(&rows_2023, &[("uscc", D)]), "output_per_mu", 24.0);

    // By industry, 2024: machinery (A + B) output 510, tax 24 on 70 mu → 7.2857…, 0.342857…;
    // iron_steel 9.1 and 0.36; food 18 and 0.8. Ranked by tax per mu: food, iron_steel, machinery.
    let rows = run(&park, "output_per_mu_by_industry", &[("year", "2024")]).await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![&json!("food"), &json!("iron_steel"), &json!("machinery")]
    );
    let machinery = find(&rows, &[("key_industry", "machinery")]);
    assert_close(machinery, "enterprises", 2.0);
    assert_close(machinery, "land_area_mu", 70.0);
    assert_close(machinery, "output_per_mu", 510.0 / 70.0);
    assert_close(machinery, "tax_per_mu", 24.0 / 70.0);
    assert_close(machinery, "rank_tax_per_mu", 3.0);
    assert_close(machinery, "rank_output_per_mu", 3.0);
    let steel = find(&rows, &[("key_industry", "iron_steel")]);
    assert_close(steel, "tax_per_mu", 0.36);
    assert_close(steel, "rank_output_per_mu", 2.0);
}

#[tokio::test]
async fn energy_intensity_by_enterprise_and_industry() {
    let park = park(&["enterprises", "production_monthly", "energy_readings"]).await;
    // January–March 2024, energy only in the months each enterprise reported production:
    // A: 10 + 12 + 8 = 30 tce (water not counted) on added value 36 + 33 + 39 = 108 → 0.2777…
    // B: 3 (Jan: interval ending at local midnight Feb 1) + 4 (Feb) + 5 = 12 on 8 + 12 + 10 = 30 → 0.4
    // C: 20 (local Jan 1 02:00) + 100 + 90 + 110 = 320 on 66 + 50 + 66 = 182 → 1.758…
    // D: 6 + 6 (March has no production) = 12 on 20 + 25 = 45 → 0.2666…
    // E: added value 2, no readings → energy and intensity null.
    // Medians: machinery (0.2777 + 0.4) / 2 = 0.3388…: B above, A not; C and D are their
    // industries' only enterprises, so not above.
    let rows = run(
        &park,
        "energy_intensity",
        &[("from", "2024-01"), ("to", "2024-03")],
    )
    .await;
    assert_eq!(rows.len(), 5);
    let row = |uscc: &str| find(&rows, &[("uscc", uscc)]);
    assert_close(row(A), "energy_tce", 30.0);
    assert_close(row(A), "added_value", 108.0);
    assert_close(row(A), "energy_intensity", 30.0 / 108.0);
    assert_close(row(B), "energy_intensity", 0.4);
    assert_close(row(C), "energy_tce", 320.0);
    assert_close(row(C), "energy_intensity", 320.0 / 182.0);
    assert_close(row(D), "energy_tce", 12.0);
    assert_close(row(D), "months", 2.0);
    assert_close(row(D), "energy_intensity", 12.0 / 45.0);
    let machinery_median = (30.0 / 108.0 + 0.4) / 2.0;
    assert_close(row(A), "industry_median_intensity", machinery_median);
    assert_eq!(row(A)["above_industry_median"], json!(false));
    assert_eq!(row(B)["above_industry_median"], json!(true));
    assert_eq!(row(C)["above_industry_median"], json!(false));
    assert_eq!(row(D)["above_industry_median"], json!(false));
    assert_null(row(E), "energy_tce");
    assert_null(row(E), "energy_intensity");
    assert_null(row(E), "above_industry_median");
    assert_close(row(E), "added_value", 2.0);

    // February–March only, which tests the month of each reading in park time (UTC+8):
    // B: 4 (ts 2024-01-31T17:00Z = Feb 1 01:00 local) + 5 = 9 on 12 + 10 = 22. Counted by UTC
    // month it would be 5 / 22; without the end-of-interval rule 12 / 22.
    let rows = run(
        &park,
        "energy_intensity",
        &[("from", "2024-02"), ("to", "2024-03")],
    )
    .await;
    assert_close(find(&rows, &[("uscc", B)]), "energy_intensity", 9.0 / 22.0);
    // January only: C has 20 (ts 2023-12-31T18:00Z = Jan 1 02:00 local) + 100 = 120 on 66.
    let rows = run(
        &park,
        "energy_intensity",
        &[("from", "2024-01"), ("to", "2024-01")],
    )
    .await;
    assert_close(
        find(&rows, &[("uscc", C)]),
        "energy_intensity",
        120.0 / 66.0,
    );
    assert_close(find(&rows, &[("uscc", B)]), "energy_tce", 3.0);

    // By industry, January–March 2024, metered enterprises only (E is not):
    // machinery 30 + 12 = 42 tce on 108 + 30 = 138 → 0.3043…; iron_steel 320 / 182;
    // food 12 / 45; the park 42 + 320 + 12 = 374 on 138 + 182 + 45 = 365.
    let rows = run(
        &park,
        "energy_intensity_by_industry",
        &[("from", "2024-01"), ("to", "2024-03")],
    )
    .await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![
            &json!("food"),
            &json!("iron_steel"),
            &json!("machinery"),
            &json!("all")
        ]
    );
    let row = |industry: &str| find(&rows, &[("key_industry", industry)]);
    assert_close(row("machinery"), "enterprises", 2.0);
    assert_close(row("machinery"), "energy_tce", 42.0);
    assert_close(row("machinery"), "added_value", 138.0);
    assert_close(row("machinery"), "energy_intensity", 42.0 / 138.0);
    assert_close(
        row("machinery"),
        "median_enterprise_intensity",
        machinery_median,
    );
    assert_close(row("iron_steel"), "energy_intensity", 320.0 / 182.0);
    assert_close(row("food"), "energy_intensity", 12.0 / 45.0);
    assert_close(row("all"), "enterprises", 4.0);
    assert_close(row("all"), "energy_tce", 374.0);
    assert_close(row("all"), "energy_intensity", 374.0 / 365.0);
    // Median of the four enterprise intensities 0.2666, 0.2777, 0.4, 1.758: (0.2777 + 0.4) / 2.
    assert_close(row("all"), "median_enterprise_intensity", machinery_median);
}

#[tokio::test]
async fn top_energy_consumers_and_string_parameters_that_look_like_sql() {
    let park = park(&["enterprises", "energy_readings"]).await;
    // January–March 2024 (all readings, production or not), water excluded:
    // C 20 + 100 + 90 + 110 = 320, A 10 + 12 + 8 = 30, D 6 × 3 = 18, B 3 + 4 + 5 = 12;
    // the park 380.
    let rows = run(
        &park,
        "top_energy_consumers",
        &[("from", "2024-01"), ("to", "2024-03")],
    )
    .await;
    assert_eq!(
        column(&rows, "uscc"),
        vec![&json!(C), &json!(A), &json!(D), &json!(B)]
    );
    assert_eq!(
        column(&rows, "energy_rank"),
        vec![&json!(1), &json!(2), &json!(3), &json!(4)]
    );
    let row = |uscc: &str| find(&rows, &[("uscc", uscc)]);
    assert_close(row(C), "energy_tce", 320.0);
    assert_close(row(C), "electricity_tce", 200.0);
    assert_close(row(C), "other_tce", 120.0);
    assert_close(row(C), "share_of_park", 320.0 / 380.0);
    assert_close(row(A), "electricity_tce", 22.0);
    assert_close(row(A), "natural_gas_tce", 8.0);
    assert_close(row(B), "steam_tce", 5.0);
    assert_close(row(D), "energy_tce", 18.0);

    // limit 2: C and A.
    let rows = run(
        &park,
        "top_energy_consumers",
        &[("from", "2024-01"), ("to", "2024-03"), ("limit", "2")],
    )
    .await;
    assert_eq!(column(&rows, "uscc"), vec![&json!(C), &json!(A)]);

    // One industry: machinery is A then B, ranked among themselves; shares stay of the park.
    let rows = run(
        &park,
        "top_energy_consumers",
        &[
            ("from", "2024-01"),
            ("to", "2024-03"),
            ("key_industry", "machinery"),
        ],
    )
    .await;
    assert_eq!(column(&rows, "uscc"), vec![&json!(A), &json!(B)]);
    assert_close(&rows[1], "energy_rank", 2.0);
    assert_close(&rows[1], "share_of_park", 12.0 / 380.0);

    // A string parameter is a value, never SQL: these match no key industry.
    for attempt in [
        "' OR 1=1 --",
        "machinery' OR '1'='1",
        "all'; DROP TABLE enterprises; --",
        "$key_industry",
    ] {
        let rows = run(&park, "top_energy_consumers", &[("key_industry", attempt)]).await;
        assert!(rows.is_empty(), "{attempt}: {rows:?}");
    }
    // The table is still there and the park unchanged.
    assert_eq!(run(&park, "top_energy_consumers", &[]).await.len(), 4);
}

#[tokio::test]
async fn digital_levels_equipment_rates_and_maturity() {
    let park = park(&["enterprises", "digital_assessment", "equipment"]).await;
    // Latest assessments (today): A 2024-06-01 (level 3, cnc 0.8, rd tool 0.6, networking 0.9),
    // B (2, 0.6, 0.0, 0.5), C (2, 0.7, 0.3, 0.6), D (1, 0.4, null, 0.2).
    // machinery: cnc (0.8 + 0.6) / 2 = 0.7 ≥ 0.68; rd tool users 1 (A) of 2 → 0.5 < 0.85;
    // networking (0.9 + 0.5) / 2 = 0.7.
    // iron_steel: cnc 0.7 (meets); rd tool 1 of 1 → 1.0 (meets); networking 0.6.
    // food: cnc 0.4 (does not meet); rd tool not assessed → null; networking 0.2.
    // all: cnc (0.8 + 0.6 + 0.7 + 0.4) / 4 = 0.625 (does not meet); rd tool 2 of 3 → 0.666…;
    // networking (0.9 + 0.5 + 0.6 + 0.2) / 4 = 0.55.
    let rows = run(&park, "digital_levels", &[]).await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![
            &json!("food"),
            &json!("iron_steel"),
            &json!("machinery"),
            &json!("all")
        ]
    );
    let row = |industry: &str| find(&rows, &[("key_industry", industry)]);
    let machinery = row("machinery");
    assert_close(machinery, "enterprises_assessed", 2.0);
    assert_close(machinery, "key_process_cnc_rate", 0.7);
    assert_close(machinery, "cnc_target", 0.68);
    assert_eq!(machinery["meets_cnc_target"], json!(true));
    assert_close(machinery, "rd_tool_users", 1.0);
    assert_close(machinery, "rd_tool_assessed", 2.0);
    assert_close(machinery, "digital_rd_tool_rate", 0.5);
    assert_eq!(machinery["meets_rd_tool_target"], json!(false));
    assert_close(machinery, "equipment_networking_rate", 0.7);
    let steel = row("iron_steel");
    assert_close(steel, "digital_rd_tool_rate", 1.0);
    assert_eq!(steel["meets_cnc_target"], json!(true));
    assert_eq!(steel["meets_rd_tool_target"], json!(true));
    let food = row("food");
    assert_eq!(food["meets_cnc_target"], json!(false));
    assert_null(food, "digital_rd_tool_rate");
    assert_null(food, "meets_rd_tool_target");
    assert_close(food, "equipment_networking_rate", 0.2);
    let all = row("all");
    assert_close(all, "enterprises_assessed", 4.0);
    assert_close(all, "key_process_cnc_rate", 0.625);
    assert_eq!(all["meets_cnc_target"], json!(false));
    assert_close(all, "digital_rd_tool_rate", 2.0 / 3.0);
    assert_close(all, "equipment_networking_rate", 0.55);

    // As of 2024-01-01 only A's 2023 assessment (cnc 0.5, rd tool 0.0) and D's exist; with a
    // target of 0.45 A's machinery meets it.
    let rows = run(
        &park,
        "digital_levels",
        &[("as_of", "2024-01-01"), ("cnc_target", "0.45")],
    )
    .await;
    let machinery = find(&rows, &[("key_industry", "machinery")]);
    assert_close(machinery, "enterprises_assessed", 1.0);
    assert_close(machinery, "key_process_cnc_rate", 0.5);
    assert_close(machinery, "digital_rd_tool_rate", 0.0);
    assert_eq!(machinery["meets_cnc_target"], json!(true));
    assert_eq!(rows.len(), 3, "machinery, food and all: {rows:#?}");

    // Maturity, latest assessments: machinery A level 3, B level 2 → 2 of 2 at ≥ 2, mean 2.5;
    // iron_steel C level 2 → 1.0; food D level 1 → 0.0; all: levels 1, 2, 2, 3 → 3 of 4 = 0.75.
    let rows = run(&park, "maturity_distribution", &[]).await;
    let row = |industry: &str| find(&rows, &[("key_industry", industry)]);
    let machinery = row("machinery");
    for (level, count) in [
        ("level_1", 0.0),
        ("level_2", 1.0),
        ("level_3", 1.0),
        ("level_4", 0.0),
        ("level_5", 0.0),
    ] {
        assert_close(machinery, level, count);
    }
    assert_close(machinery, "share_level_2_plus", 1.0);
    assert_close(machinery, "mean_level", 2.5);
    assert_close(row("food"), "share_level_2_plus", 0.0);
    assert_close(row("iron_steel"), "level_2", 1.0);
    let all = row("all");
    assert_close(all, "enterprises_assessed", 4.0);
    assert_close(all, "level_1", 1.0);
    assert_close(all, "level_2", 2.0);
    assert_close(all, "level_3", 1.0);
    assert_close(all, "level_2_plus", 3.0);
    assert_close(all, "share_level_2_plus", 0.75);
    assert_close(all, "mean_level", 2.0);
    // As of 2024-04-01: A is still at level 1 (2023-06-01), B at level 2: machinery 1 of 2.
    let rows = run(&park, "maturity_distribution", &[("as_of", "2024-04-01")]).await;
    assert_close(
        find(&rows, &[("key_industry", "machinery")]),
        "share_level_2_plus",
        0.5,
    );

    // Equipment register, retired equipment left out:
    // machinery: A 1, 2, 3 and B 1, 2 = 5 in service, networked A1, A2, B2 = 3 → 0.6;
    // key-process A1, A2, B1 = 3, of which CNC A1, B1 = 2 → 0.666….
    // iron_steel: 3 in service (C3 has no status), networked 2 → 0.666…; key 3, CNC 2 → 0.666….
    // all: 8 in service, 5 networked → 0.625; key 6, CNC 4 → 0.666….
    let rows = run(&park, "equipment_rates", &[]).await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![&json!("iron_steel"), &json!("machinery"), &json!("all")]
    );
    let row = |industry: &str| find(&rows, &[("key_industry", industry)]);
    assert_close(row("machinery"), "equipment", 5.0);
    assert_close(row("machinery"), "networked", 3.0);
    assert_close(row("machinery"), "networking_rate", 0.6);
    assert_close(row("machinery"), "key_process_equipment", 3.0);
    assert_close(row("machinery"), "key_process_cnc", 2.0);
    assert_close(row("machinery"), "key_process_cnc_rate", 2.0 / 3.0);
    assert_close(row("iron_steel"), "networking_rate", 2.0 / 3.0);
    assert_close(row("all"), "equipment", 8.0);
    assert_close(row("all"), "networking_rate", 0.625);
    assert_close(row("all"), "key_process_cnc_rate", 4.0 / 6.0);
}

#[tokio::test]
async fn rd_intensity_by_industry() {
    let park = park(&["enterprises", "production_monthly"]).await;
    // All months: machinery R&D A 3 × 4 + 3 × 5 = 27, B 3 × 1 + 3 × 2 = 9 → 36; revenue
    // A 3 × 110 + 130 + 120 + 140 = 720, B 3 × 50 + 40 + 60 + 50 = 300 → 1020 → 0.035294…
    // iron_steel: R&D 6 × 3 = 18; revenue 310 + 210 + 310 + 340 + 260 + 340 = 1770.
    // food: R&D 0 on 3 × 90 + 90 + 110 = 470 → 0. textiles: 1 / 10 = 0.1.
    // all: 36 + 18 + 0 + 1 = 55 on 1020 + 1770 + 470 + 10 = 3270.
    let rows = run(&park, "rd_intensity", &[]).await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![
            &json!("food"),
            &json!("iron_steel"),
            &json!("machinery"),
            &json!("textiles"),
            &json!("all")
        ]
    );
    let row = |industry: &str| find(&rows, &[("key_industry", industry)]);
    assert_close(row("machinery"), "rd_expense", 36.0);
    assert_close(row("machinery"), "revenue", 1020.0);
    assert_close(row("machinery"), "rd_intensity", 36.0 / 1020.0);
    assert_close(row("iron_steel"), "rd_intensity", 18.0 / 1770.0);
    assert_close(row("food"), "rd_intensity", 0.0);
    assert_close(row("textiles"), "rd_intensity", 0.1);
    assert_close(row("all"), "enterprises", 5.0);
    assert_close(row("all"), "rd_intensity", 55.0 / 3270.0);

    // 2023 only: machinery R&D 12 + 3 = 15 on 330 + 150 = 480; no textiles row.
    let rows = run(
        &park,
        "rd_intensity",
        &[("from", "2023-01"), ("to", "2023-12")],
    )
    .await;
    assert_eq!(rows.len(), 4);
    assert_close(
        find(&rows, &[("key_industry", "machinery")]),
        "rd_intensity",
        15.0 / 480.0,
    );
}

#[tokio::test]
async fn projects_by_level_and_delayed_projects() {
    let park = park(&["enterprises", "transformation_projects"]).await;
    // Groups: point/mes/completed (P1, P4: investment 800, subsidy 130),
    // point/mes/cancelled (P6), point/predictive_maintenance/in_progress (P2),
    // line/energy_management/delayed (P3), area/platform/planned (P5).
    let rows = run(&park, "projects_by_level", &[]).await;
    let keys: Vec<(String, String, String)> = rows
        .iter()
        .map(|row| {
            (
                row["level"].as_str().unwrap_or_default().to_string(),
                row["category"].as_str().unwrap_or_default().to_string(),
                row["status"].as_str().unwrap_or_default().to_string(),
            )
        })
        .collect();
    let expected = [
        ("point", "mes", "completed"),
        ("point", "mes", "cancelled"),
        ("point", "predictive_maintenance", "in_progress"),
        ("line", "energy_management", "delayed"),
        ("area", "platform", "planned"),
    ];
    assert_eq!(
        keys,
        expected
            .iter()
            .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
            .collect::<Vec<_>>()
    );
    let completed = find(
        &rows,
        &[
            ("level", "point"),
            ("category", "mes"),
            ("status", "completed"),
        ],
    );
    assert_close(completed, "projects", 2.0);
    assert_close(completed, "investment", 800.0);
    assert_close(completed, "subsidy_granted", 130.0);
    assert_close(find(&rows, &[("level", "area")]), "investment", 2000.0);

    // As of 2024-06-30: P2 (in progress, planned end 2024-03-31 passed, no actual end):
    // April 30 + May 31 + June 30 = 91 days overdue; P3 (status delayed, planned end 2025-12-31
    // not reached: no days). P4 finished late but is completed; P6 is cancelled; P5's planned
    // end is later.
    let rows = run(&park, "delayed_projects", &[("as_of", "2024-06-30")]).await;
    assert_eq!(
        column(&rows, "project_id"),
        vec![&json!("P2"), &json!("P3")]
    );
    assert_close(&rows[0], "days_overdue", 91.0);
    assert_eq!(rows[0]["reason"], json!("past_planned_end"));
    assert_eq!(rows[0]["enterprise_name"], json!("甲机械"));
    assert_null(&rows[1], "days_overdue");
    assert_eq!(rows[1]["reason"], json!("status_delayed"));
    // As of 2025-01-15 P5 (planned, planned end 2024-12-31) is 15 days overdue too; P2 is
    // 2024-04-01 → 2025-01-15: 275 + 15 = 290 days.
    let rows = run(&park, "delayed_projects", &[("as_of", "2025-01-15")]).await;
    assert_eq!(
        column(&rows, "project_id"),
        vec![&json!("P2"), &json!("P5"), &json!("P3")]
    );
    assert_close(&rows[0], "days_overdue", 290.0);
    assert_close(&rows[1], "days_overdue", 15.0);
}

#[tokio::test]
async fn subsidy_leverage_and_projects_over_the_cap() {
    let park = park(&["transformation_projects"]).await;
    // Subsidised, not cancelled: investment subsidies P1 (500 / 100), P3 (1000 / 150),
    // P5 (2000 / 300) → 3500 / 550 = 6.3636…; loan interest P2 200 / 50 = 4;
    // guarantee fee P4 300 / 30 = 10; all 4000 / 630.
    let rows = run(&park, "subsidy_leverage", &[]).await;
    assert_eq!(
        column(&rows, "subsidy_type"),
        vec![
            &json!("investment"),
            &json!("loan_interest"),
            &json!("guarantee_fee"),
            &json!("all")
        ]
    );
    let row = |kind: &str| find(&rows, &[("subsidy_type", kind)]);
    assert_close(row("investment"), "projects", 3.0);
    assert_close(row("investment"), "investment", 3500.0);
    assert_close(row("investment"), "subsidy_granted", 550.0);
    assert_close(row("investment"), "leverage", 3500.0 / 550.0);
    assert_close(row("loan_interest"), "leverage", 4.0);
    assert_close(row("guarantee_fee"), "leverage", 10.0);
    assert_close(row("guarantee_fee"), "subsidy_share", 0.1);
    assert_close(row("all"), "projects", 5.0);
    assert_close(row("all"), "leverage", 4000.0 / 630.0);

    // Over 20%: P2 50 of 200 (25%, excess 50 − 40 = 10), P6 30 of 100 (30%, excess 10);
    // P1 is exactly 20% and is not over. Equal excesses are ordered by project.
    let rows = run(&park, "subsidy_over_cap", &[]).await;
    assert_eq!(
        column(&rows, "project_id"),
        vec![&json!("P2"), &json!("P6")]
    );
    assert_close(&rows[0], "subsidy_share", 0.25);
    assert_close(&rows[0], "excess", 10.0);
    assert_close(&rows[0], "cap_share", 0.2);
    assert_close(&rows[1], "subsidy_share", 0.3);
    // With a 12% cap: P2 (excess 50 − 24 = 26), P6 (30 − 12 = 18), P3 (150 − 120 = 30),
    // P5 (300 − 240 = 60), P1 (100 − 60 = 40); not P4 (10%).
    let rows = run(&park, "subsidy_over_cap", &[("cap_share", "0.12")]).await;
    assert_eq!(
        column(&rows, "project_id"),
        vec![
            &json!("P5"),
            &json!("P1"),
            &json!("P3"),
            &json!("P2"),
            &json!("P6")
        ]
    );
    assert_close(&rows[0], "excess", 60.0);
}

#[tokio::test]
async fn fund_execution_by_project_and_source() {
    let park = park(&["transformation_projects", "fund_disbursements"]).await;
    // By project (all disbursements): P1 100 of 100 → 1.0 (2 payments, last 2023-12-25);
    // P2 20 of 50 → 0.4; P3 60 + 30 = 90 of 150 → 0.6; P4 30 of 30 → 1.0; P5 0 of 300 → 0;
    // P6 0 of 30 → 0.
    let rows = run(&park, "fund_execution", &[]).await;
    assert_eq!(rows.len(), 6);
    let row = |id: &str| find(&rows, &[("project_id", id)]);
    assert_close(row("P1"), "granted", 100.0);
    assert_close(row("P1"), "disbursed", 100.0);
    assert_close(row("P1"), "execution_rate", 1.0);
    assert_close(row("P1"), "disbursements", 2.0);
    assert_eq!(row("P1")["last_disbursed_on"], json!("2023-12-25"));
    assert_close(row("P2"), "execution_rate", 0.4);
    assert_close(row("P3"), "disbursed", 90.0);
    assert_close(row("P3"), "execution_rate", 0.6);
    assert_close(row("P5"), "disbursed", 0.0);
    assert_close(row("P5"), "execution_rate", 0.0);
    assert_null(row("P5"), "last_disbursed_on");
    // As of 2024-06-30 D5 (P3, 30 on 2024-07-01) is not yet paid: P3 60 of 150 → 0.4.
    let rows = run(&park, "fund_execution", &[("as_of", "2024-06-30")]).await;
    assert_close(find(&rows, &[("project_id", "P3")]), "execution_rate", 0.4);

    // By source, everything granted: 100 + 50 + 150 + 30 + 300 + 30 = 660.
    // central D1 50 + D3 20 + D5 30 = 100 (P1, P2, P3) → 100 / 660; provincial D2 50 → 50 / 660;
    // local D4 60 + D6 30 = 90 (P3, P4) → 90 / 660; all 240 (P1–P4) → 240 / 660.
    // Shares of the 240 disbursed: 100 / 240, 50 / 240, 90 / 240.
    let rows = run(&park, "fund_execution_by_source", &[]).await;
    assert_eq!(
        column(&rows, "fund_source"),
        vec![
            &json!("central"),
            &json!("provincial"),
            &json!("local"),
            &json!("all")
        ]
    );
    let row = |source: &str| find(&rows, &[("fund_source", source)]);
    assert_close(row("central"), "disbursed", 100.0);
    assert_close(row("central"), "projects", 3.0);
    assert_close(row("central"), "disbursements", 3.0);
    assert_close(row("central"), "granted_total", 660.0);
    assert_close(row("central"), "execution_rate", 100.0 / 660.0);
    assert_close(row("central"), "share_of_disbursed", 100.0 / 240.0);
    assert_close(row("provincial"), "execution_rate", 50.0 / 660.0);
    assert_close(row("local"), "projects", 2.0);
    assert_close(row("local"), "execution_rate", 90.0 / 660.0);
    assert_close(row("local"), "share_of_disbursed", 90.0 / 240.0);
    assert_close(row("all"), "projects", 4.0);
    assert_close(row("all"), "disbursed", 240.0);
    assert_close(row("all"), "execution_rate", 240.0 / 660.0);
    assert_close(row("all"), "share_of_disbursed", 1.0);
    // As of 2023-12-31: central 50 (D1), provincial 50 (D2): all 100 / 660.
    let rows = run(
        &park,
        "fund_execution_by_source",
        &[("as_of", "2023-12-31")],
    )
    .await;
    assert_eq!(
        column(&rows, "fund_source"),
        vec![&json!("central"), &json!("provincial"), &json!("all")]
    );
    assert_close(
        find(&rows, &[("fund_source", "all")]),
        "execution_rate",
        100.0 / 660.0,
    );
}

#[tokio::test]
async fn provider_activity_by_key_industry() {
    let park = park(&[
        "enterprises",
        "transformation_projects",
        "service_providers",
    ])
    .await;
    // SP1: machinery P1 (completed) and P2 (in progress) → 2 projects, 1 completed, investment
    // 700; iron_steel P6 (cancelled) → 1, 0. SP2: food P4 (completed) → 1, 1; iron_steel P3
    // (delayed) → 1, 0, 1 delayed. P5 has no provider.
    let rows = run(&park, "provider_activity", &[]).await;
    assert_eq!(rows.len(), 4);
    let row = |provider: &str, industry: &str| {
        find(
            &rows,
            &[("provider_id", provider), ("key_industry", industry)],
        )
    };
    let machinery = row("SP1", "machinery");
    assert_eq!(machinery["provider_name"], json!("数智科技"));
    assert_close(machinery, "projects", 2.0);
    assert_close(machinery, "completed", 1.0);
    assert_close(machinery, "in_progress", 1.0);
    assert_close(machinery, "investment", 700.0);
    assert_close(row("SP1", "iron_steel"), "completed", 0.0);
    assert_close(row("SP2", "food"), "completed", 1.0);
    assert_close(row("SP2", "iron_steel"), "delayed", 1.0);
    assert_eq!(row("SP2", "food")["provider_name"], json!("云工服务"));
}

#[tokio::test]
async fn indicators_by_key_industry_and_enterprise_filter_by_zone() {
    let park = park(&[
        "enterprises",
        "production_monthly",
        "energy_readings",
        "equipment",
        "digital_assessment",
    ])
    .await;
    let library = IndicatorLibrary::builtin().expect("library");
    for name in [
        "output_by_industry",
        "energy_intensity",
        "energy_intensity_by_industry",
        "output_per_mu",
        "output_per_mu_by_industry",
        "digital_levels",
        "maturity_distribution",
        "rd_intensity",
        "equipment_rates",
        "top_energy_consumers",
    ] {
        let zone = library
            .get(name)
            .expect("indicator")
            .parameter("zone")
            .unwrap_or_else(|| panic!("{name} has no zone parameter"));
        assert_eq!(zone.kind, ParameterKind::String, "{name}");
        assert_eq!(zone.default.as_deref(), Some("all"), "{name}");
    }
    let months = [("from", "2024-01"), ("to", "2024-03")];
    let with_zone = |zone: &'static str| {
        let mut pairs = months.to_vec();
        pairs.push(("zone", zone));
        pairs
    };

    // Output by industry in 东区 (A machinery, D food), 2024: machinery is A alone, 120 in
    // January against 100 a year earlier → 0.2; the zone's park row in January is A 120 + D 80
    // = 200 from 2 enterprises against 100 + 80 = 180; in March A alone (D did not report),
    // 130 against 180. 3 machinery + 2 food + 3 park rows.
    let rows = run(&park, "output_by_industry", &with_zone("东区")).await;
    assert_eq!(rows.len(), 8, "{rows:#?}");
    let row = |industry: &str, period: &str| {
        find(&rows, &[("key_industry", industry), ("period", period)])
    };
    assert_close(row("machinery", "2024-01-01"), "enterprises", 1.0);
    assert_close(row("machinery", "2024-01-01"), "output_yoy", 0.2);
    let east_january = row("all", "2024-01-01");
    assert_close(east_january, "enterprises", 2.0);
    assert_close(east_january, "output_value", 200.0);
    assert_close(east_january, "enterprises_prev_year", 2.0);
    assert_close(east_january, "output_value_prev_year", 180.0);
    assert_close(row("all", "2024-03-01"), "output_value", 130.0);
    assert_close(row("all", "2024-03-01"), "output_value_prev_year", 180.0);
    // 西区 (B, C) in January: 40 + 330 = 370. With E's 10 (no zone), the zones make up the
    // park's 580.
    let west = run(&park, "output_by_industry", &with_zone("西区")).await;
    let west_january = find(&west, &[("key_industry", "all"), ("period", "2024-01-01")]);
    assert_close(west_january, "output_value", 370.0);
    let park_rows = run(&park, "output_by_industry", &with_zone("all")).await;
    let park_january = find(
        &park_rows,
        &[("key_industry", "all"), ("period", "2024-01-01")],
    );
    assert_close(
        park_january,
        "output_value",
        num(east_january, "output_value") + num(west_january, "output_value") + 10.0,
    );
    // zone = 'all' is the answer without the parameter.
    assert_eq!(park_rows, run(&park, "output_by_industry", &months).await);

    // Energy intensity in 西区: B 12 / 30 = 0.4 and C 320 / 182. B is machinery's only
    // enterprise in the zone, so the median is its own and it is not above it (in the park it
    // is).
    let rows = run(&park, "energy_intensity", &with_zone("西区")).await;
    assert_eq!(column(&rows, "uscc"), vec![&json!(C), &json!(B)]);
    let b = find(&rows, &[("uscc", B)]);
    assert_close(b, "industry_median_intensity", 0.4);
    assert_eq!(b["above_industry_median"], json!(false));
    // By industry: the zone's park row is B + C, 332 tce on 212.
    let rows = run(&park, "energy_intensity_by_industry", &with_zone("西区")).await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![&json!("iron_steel"), &json!("machinery"), &json!("all")]
    );
    let all = find(&rows, &[("key_industry", "all")]);
    assert_close(all, "enterprises", 2.0);
    assert_close(all, "energy_tce", 332.0);
    assert_close(all, "energy_intensity", 332.0 / 212.0);

    // Per mu in 2024, 东区: D (18, 0.8) ranks first, A (7.2, 0.36) second, in the zone.
    let rows = run(
        &park,
        "output_per_mu",
        &[("year", "2024"), ("zone", "东区")],
    )
    .await;
    assert_eq!(column(&rows, "uscc"), vec![&json!(D), &json!(A)]);
    assert_close(find(&rows, &[("uscc", A)]), "rank_tax_per_mu", 2.0);
    assert_close(find(&rows, &[("uscc", A)]), "rank_output_per_mu", 2.0);
    assert_close(find(&rows, &[("uscc", A)]), "output_per_mu", 7.2);
    // By industry, 西区: iron_steel (C: 9.1, 0.36) before machinery (B alone: 7.5, 0.3).
    let rows = run(
        &park,
        "output_per_mu_by_industry",
        &[("year", "2024"), ("zone", "西区")],
    )
    .await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![&json!("iron_steel"), &json!("machinery")]
    );
    let machinery = find(&rows, &[("key_industry", "machinery")]);
    assert_close(machinery, "enterprises", 1.0);
    assert_close(machinery, "land_area_mu", 20.0);
    assert_close(machinery, "tax_per_mu", 0.3);
    assert_close(machinery, "rank_tax_per_mu", 2.0);

    // Assessments in 东区: A (cnc 0.8, rd tool 0.6, networking 0.9) and D (0.4, null, 0.2):
    // cnc 0.6, rd tool 1 of 1, networking 0.55.
    let rows = run(&park, "digital_levels", &[("zone", "东区")]).await;
    let all = find(&rows, &[("key_industry", "all")]);
    assert_close(all, "enterprises_assessed", 2.0);
    assert_close(all, "key_process_cnc_rate", 0.6);
    assert_close(all, "digital_rd_tool_rate", 1.0);
    assert_close(all, "equipment_networking_rate", 0.55);
    // Maturity in 西区: B and C at level 2.
    let rows = run(&park, "maturity_distribution", &[("zone", "西区")]).await;
    let all = find(&rows, &[("key_industry", "all")]);
    assert_close(all, "enterprises_assessed", 2.0);
    assert_close(all, "level_2", 2.0);
    assert_close(all, "share_level_2_plus", 1.0);
    assert_close(all, "mean_level", 2.0);

    // R&D in 东区, all months: A 27 on 720, D 0 on 470.
    let rows = run(&park, "rd_intensity", &[("zone", "东区")]).await;
    assert_eq!(
        column(&rows, "key_industry"),
        vec![&json!("food"), &json!("machinery"), &json!("all")]
    );
    let all = find(&rows, &[("key_industry", "all")]);
    assert_close(all, "enterprises", 2.0);
    assert_close(all, "rd_intensity", 27.0 / 1190.0);

    // Equipment in 西区: B1, B2 (machinery: 1 of 2 networked, key 1 with CNC) and C1–C3:
    // 5 in service, 3 networked → 0.6; key process 4, CNC 3 → 0.75.
    let rows = run(&park, "equipment_rates", &[("zone", "西区")]).await;
    let row = |industry: &str| find(&rows, &[("key_industry", industry)]);
    assert_close(row("machinery"), "networking_rate", 0.5);
    assert_close(row("machinery"), "key_process_cnc_rate", 1.0);
    assert_close(row("all"), "enterprises", 2.0);
    assert_close(row("all"), "equipment", 5.0);
    assert_close(row("all"), "networking_rate", 0.6);
    assert_close(row("all"), "key_process_cnc_rate", 0.75);

    // Top consumers in 东区: A 30, D 18, ranked among themselves; shares stay of the park's 380.
    let rows = run(&park, "top_energy_consumers", &with_zone("东区")).await;
    assert_eq!(column(&rows, "uscc"), vec![&json!(A), &json!(D)]);
    assert_close(&rows[1], "energy_rank", 2.0);
    assert_close(&rows[1], "share_of_park", 18.0 / 380.0);
    let mut food_in_east = with_zone("东区");
    food_in_east.push(("key_industry", "food"));
    let rows = run(&park, "top_energy_consumers", &food_in_east).await;
    assert_eq!(column(&rows, "uscc"), vec![&json!(D)]);
    assert_close(&rows[0], "energy_rank", 1.0);

    // An unknown zone (or one written as SQL) has no enterprises: no rows, except the park row
    // of the indicators that always answer one (with no enterprises and empty figures).
    for zone in ["北区", "' OR 1=1 --", "东区 "] {
        for name in [
            "output_by_industry",
            "energy_intensity",
            "output_per_mu",
            "output_per_mu_by_industry",
            "maturity_distribution",
            "rd_intensity",
            "top_energy_consumers",
        ] {
            let rows = run(&park, name, &[("zone", zone)]).await;
            assert!(rows.is_empty(), "{name} in {zone}: {rows:?}");
        }
        for (name, count, figure) in [
            ("energy_intensity_by_industry", "enterprises", "energy_tce"),
            (
                "digital_levels",
                "enterprises_assessed",
                "key_process_cnc_rate",
            ),
            ("equipment_rates", "enterprises", "networking_rate"),
        ] {
            let rows = run(&park, name, &[("zone", zone)]).await;
            assert_eq!(rows.len(), 1, "{name} in {zone}: {rows:?}");
            assert_eq!(rows[0]["key_industry"], json!("all"), "{name}");
            assert_close(&rows[0], count, 0.0);
            assert_null(&rows[0], figure);
        }
    }
}

#[tokio::test]
async fn every_indicator_runs_with_its_defaults_on_the_full_fixture() {
    let park = park(&[
        "enterprises",
        "production_monthly",
        "energy_readings",
        "equipment",
        "digital_assessment",
        "transformation_projects",
        "fund_disbursements",
        "service_providers",
    ])
    .await;
    let library = IndicatorLibrary::builtin().expect("library");
    for indicator in library.parameterless() {
        let rows = run(&park, &indicator.name, &[]).await;
        assert!(!rows.is_empty(), "{} returned nothing", indicator.name);
        // The columns given their own decimals are float columns of the answer.
        let frame = run_indicator(&park.engine, indicator, &BTreeMap::new())
            .await
            .expect("plans");
        for column in indicator.decimals.columns.keys() {
            let field = frame
                .schema()
                .field_with_unqualified_name(column)
                .unwrap_or_else(|_| panic!("{} has no column {column}", indicator.name));
            assert!(
                field.data_type().is_floating(),
                "{}.{column} is {}, not a float",
                indicator.name,
                field.data_type()
            );
        }
        assert!(
            indicator.decimals.default.is_some(),
            "{} says how many decimals its measures need",
            indicator.name
        );
    }
}

#[tokio::test]
async fn indicators_name_a_missing_table() {
    let park = park(&["enterprises"]).await;
    let library = IndicatorLibrary::builtin().expect("library");
    let indicator = library.get("rd_intensity").expect("indicator");
    let error = run_indicator(&park.engine, indicator, &BTreeMap::new())
        .await
        .expect_err("no production table");
    assert!(
        matches!(&error, crate::Error::UnknownTable { name, .. } if name == "production_monthly"),
        "{error:?}"
    );
    // Parameters are checked before anything is planned.
    let error = run_indicator(&park.engine, indicator, &params(&[("form", "2024-01")]))
        .await
        .expect_err("unknown parameter");
    assert!(
        matches!(
            error,
            crate::Error::Indicator(IndicatorError::UnknownParameter { .. })
        ),
        "{error:?}"
    );
}
