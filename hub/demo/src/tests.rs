//! Tests of the demo park: contracts, determinism, counts and the park's plausibility.

use std::collections::{BTreeMap, BTreeSet};

use parkhub_connectors::arrow::array::{Array, AsArray, Float64Array};
use parkhub_connectors::arrow::compute::cast;
use parkhub_connectors::arrow::datatypes::{DataType, Date32Type};
use parkhub_connectors::arrow::record_batch::RecordBatch;
use parkhub_connectors::{Contracts, industry, uscc};

use super::*;

fn small_params() -> DemoParams {
    DemoParams {
        enterprises: 40,
        months: 3,
        energy_days: 2,
        seed: 7,
        ..DemoParams::default()
    }
}

fn all_batches(park: &DemoPark, table: &str) -> Vec<RecordBatch> {
    if table == ENERGY_TABLE {
        park.energy_batches(1000).collect()
    } else {
        park.batches(table).expect("batches")
    }
}

fn strings(park: &DemoPark, table: &str, column: &str) -> Vec<Option<String>> {
    all_batches(park, table)
        .iter()
        .flat_map(|batch| {
            let array = batch
                .column_by_name(column)
                .expect("column")
                .as_string::<i32>()
                .clone();
            (0..array.len())
                .map(move |row| array.is_valid(row).then(|| array.value(row).to_string()))
        })
        .collect()
}

fn numbers(park: &DemoPark, table: &str, column: &str) -> Vec<Option<f64>> {
    all_batches(park, table)
        .iter()
        .flat_map(|batch| {
            let array = cast(
                batch.column_by_name(column).expect("column"),
                &DataType::Float64,
            )
            .expect("cast");
            let array = array
                .as_any()
                .downcast_ref::<Float64Array>()
                .expect("float")
                .clone();
            (0..array.len()).map(move |row| array.is_valid(row).then(|| array.value(row)))
        })
        .collect()
}

fn dates_of(park: &DemoPark, table: &str, column: &str) -> Vec<Option<NaiveDate>> {
    all_batches(park, table)
        .iter()
        .flat_map(|batch| {
            let array = batch
                .column_by_name(column)
                .expect("column")
                .as_primitive::<Date32Type>()
                .clone();
            (0..array.len()).map(move |row| {
                array
                    .is_valid(row)
                    .then(|| calendar::add_days(NaiveDate::default(), i64::from(array.value(row))))
            })
        })
        .collect()
}

fn rows(park: &DemoPark, table: &str) -> usize {
    all_batches(park, table)
        .iter()
        .map(RecordBatch::num_rows)
        .sum()
}

#[test]
fn every_batch_has_its_contract_schema_and_obeys_its_checks() {
    let park = DemoPark::generate(&small_params()).expect("park");
    let contracts = Contracts::builtin().expect("contracts");
    assert_eq!(DemoPark::table_names().len(), 12);
    for table in DemoPark::table_names() {
        let contract = contracts.get(table).expect("contract");
        let batches = all_batches(&park, table);
        assert!(!batches.is_empty(), "{table} has rows");
        for batch in &batches {
            assert_eq!(batch.schema(), contract.data_schema(), "{table}");
        }
        for column in &contract.columns {
            if !column.allowed.is_empty() {
                for value in strings(&park, table, &column.name).into_iter().flatten() {
                    assert!(
                        column.allowed.contains(&value),
                        "{table}.{}: {value}",
                        column.name
                    );
                }
            }
            if column.min.is_some() || column.max.is_some() {
                for value in numbers(&park, table, &column.name).into_iter().flatten() {
                    assert!(value.is_finite(), "{table}.{}", column.name);
                    assert!(
                        column.min.is_none_or(|min| value >= min),
                        "{table}.{}: {value}",
                        column.name
                    );
                    assert!(
                        column.max.is_none_or(|max| value <= max),
                        "{table}.{}: {value}",
                        column.name
                    );
                }
            }
        }
    }
    assert_eq!(
        energy::energy_schema(),
        contracts.get(ENERGY_TABLE).expect("contract").data_schema()
    );
}

#[test]
fn unknown_and_streamed_tables_are_refused() {
    let park = DemoPark::generate(&DemoParams {
        enterprises: 3,
        months: 1,
        energy_days: 1,
        ..DemoParams::default()
    })
    .expect("park");
    assert!(matches!(
        park.batches("enterprise"),
        Err(Error::UnknownTable { .. })
    ));
    let message = park
        .batches(ENERGY_TABLE)
        .expect_err("streamed")
        .to_string();
    assert!(message.contains("energy_batches"), "{message}");
    assert_eq!(park.row_count("enterprise"), None);
}

#[test]
fn an_empty_park_has_a_catalog_and_nothing_else() {
    let park = DemoPark::generate(&DemoParams {
        enterprises: 0,
        months: 0,
        energy_days: 0,
        ..DemoParams::default()
    })
    .expect("park");
    assert_eq!(park.energy_batches(10).count(), 0);
    assert_eq!(park.energy_row_count(), 0);
    for table in DemoPark::table_names()
        .iter()
        .filter(|table| **table != ENERGY_TABLE)
    {
        let rows: usize = park
            .batches(table)
            .expect("batches")
            .iter()
            .map(RecordBatch::num_rows)
            .sum();
        let catalog = table.starts_with("service_") || *table == "shared_applications";
        assert_eq!(rows > 0, catalog, "{table}");
    }
}

#[test]
fn the_same_seed_gives_the_same_park_and_another_seed_another() {
    let params = DemoParams {
        enterprises: 12,
        months: 2,
        energy_days: 1,
        ..DemoParams::default()
    };
    let first = DemoPark::generate(&params).expect("park");
    let second = DemoPark::generate(&params).expect("park");
    for table in DemoPark::table_names() {
        assert_eq!(
            all_batches(&first, table),
            all_batches(&second, table),
            "{table}"
        );
    }
    let other = DemoPark::generate(&DemoParams {
        seed: params.seed + 1,
        ..params.clone()
    })
    .expect("park");
    assert_ne!(
        all_batches(&first, "enterprises"),
        all_batches(&other, "enterprises")
    );
    assert_ne!(
        all_batches(&first, ENERGY_TABLE),
        all_batches(&other, ENERGY_TABLE)
    );
    // The catalog does not depend on the enterprises' stream.
    let bigger = DemoPark::generate(&DemoParams {
        enterprises: 13,
        ..params
    })
    .expect("park");
    assert_eq!(
        all_batches(&first, "service_offerings"),
        all_batches(&bigger, "service_offerings")
    );
}

#[test]
fn row_counts_follow_the_parameters() {
    let params = DemoParams {
        enterprises: 5,
        months: 3,
        energy_days: 2,
        ..DemoParams::default()
    };
    let park = DemoPark::generate(&params).expect("park");
    assert_eq!(rows(&park, "enterprises"), 5);
    assert_eq!(rows(&park, "production_monthly"), 15);
    assert!(rows(&park, "service_providers") >= 150);
    assert!(rows(&park, "service_offerings") >= 400);
    assert!(rows(&park, "shared_applications") >= 300);
    for table in DemoPark::table_names() {
        assert_eq!(
            park.row_count(table),
            Some(rows(&park, table) as u64),
            "{table}"
        );
    }

    assert_eq!(
        park.energy_batches(100).size_hint().0 as u64,
        park.energy_row_count().div_ceil(100)
    );
    let batches: Vec<RecordBatch> = park.energy_batches(100).collect();
    assert!(
        batches
            .iter()
            .all(|batch| batch.num_rows() <= 100 && batch.num_rows() > 0)
    );
    let yielded: usize = batches.iter().map(RecordBatch::num_rows).sum();
    assert_eq!(park.energy_row_count(), yielded as u64);
    // Each enterprise has at least electricity and water, read every hour.
    assert!(yielded >= 5 * 2 * 48);
    assert_eq!(yielded % 48, 0);
    let again: Vec<RecordBatch> = park.energy_batches(100).collect();
    assert_eq!(batches, again);
    let one_batch: Vec<RecordBatch> = park.energy_batches(usize::MAX).collect();
    assert_eq!(one_batch.len(), 1);
    assert_eq!(one_batch[0].num_rows(), yielded);
}

#[test]
fn energy_readings_are_hourly_in_the_window_with_tce_from_the_factors() {
    let params = DemoParams {
        enterprises: 20,
        months: 1,
        energy_days: 3,
        ..DemoParams::default()
    };
    let park = DemoPark::generate(&params).expect("park");
    let batch = park.energy_batches(usize::MAX).next().expect("readings");
    let ts = batch
        .column_by_name("ts")
        .expect("ts")
        .as_primitive::<parkhub_connectors::arrow::datatypes::TimestampMicrosecondType>();
    let first = calendar::midnight_utc_micros(calendar::date(2026, 10, 29)) + 3_600_000_000;
    let last = calendar::midnight_utc_micros(calendar::date(2026, 11, 1));
    for row in 0..ts.len() {
        let value = ts.value(row);
        assert!((first..=last).contains(&value) && value % 3_600_000_000 == 0);
    }
    let kinds = strings(&park, ENERGY_TABLE, "energy_type");
    let units = strings(&park, ENERGY_TABLE, "unit");
    let values = numbers(&park, ENERGY_TABLE, "value");
    let tce = numbers(&park, ENERGY_TABLE, "tce");
    for (((kind, unit), value), tce) in kinds.iter().zip(&units).zip(&values).zip(&tce) {
        let (kind, unit, value) = (
            kind.as_deref().expect("kind"),
            unit.as_deref().expect("unit"),
            value.expect("value"),
        );
        let factor = match (kind, unit) {
            ("electricity", "kWh") => Some(0.1229),
            ("natural_gas", "m3") => Some(1.2143),
            ("steam", "kg") => Some(0.1286),
            ("water", "m3") => None,
            other => panic!("unexpected {other:?}"),
        };
        match (factor, tce) {
            (Some(factor), Some(tce)) => assert!((tce - value * factor / 1000.0).abs() < 1e-9),
            (None, None) => {}
            other => panic!("tce {other:?} for {kind}"),
        }
    }
    let meters: BTreeSet<String> = strings(&park, ENERGY_TABLE, "meter_id")
        .into_iter()
        .flatten()
        .collect();
    // Every enterprise reads electricity and water, but those late with the round, whose
    // readings stop before this short window begins.
    let late = production::late_submissions(&params, &park.enterprises);
    assert!(!late.is_empty());
    for enterprise in &park.enterprises {
        let number = enterprise.index + 1;
        let metered = meters.contains(&format!("E-{number:04}-1"))
            && meters.contains(&format!("W-{number:04}-1"));
        assert_eq!(metered, !late.contains_key(&enterprise.index), "{number}");
    }
}

#[test]
fn a_few_enterprises_are_late_with_the_last_months_and_the_last_days_of_energy() {
    let params = DemoParams {
        enterprises: 50,
        months: 3,
        energy_days: 10,
        ..DemoParams::default()
    };
    let park = DemoPark::generate(&params).expect("park");
    let late = production::late_submissions(&params, &park.enterprises);
    // 8% of 50, of which 2% of 50 miss the month before too.
    assert_eq!(late.len(), 4);
    let twice: Vec<_> = late
        .values()
        .filter(|late| late.months_missed == 2)
        .collect();
    assert_eq!(twice.len(), 1);
    assert_eq!(
        late,
        production::late_submissions(&params, &park.enterprises)
    );

    let periods = dates_of(&park, "production_monthly", "period");
    let usccs = strings(&park, "production_monthly", "uscc");
    let mut reported: BTreeMap<String, Vec<NaiveDate>> = BTreeMap::new();
    for (uscc, period) in usccs.into_iter().zip(periods) {
        reported
            .entry(uscc.expect("uscc"))
            .or_default()
            .push(period.expect("period"));
    }
    let last_ts = {
        let mut last: BTreeMap<String, i64> = BTreeMap::new();
        for batch in park.energy_batches(10_000) {
            let usccs = batch
                .column_by_name("uscc")
                .expect("uscc")
                .as_string::<i32>();
            let ts = batch
                .column_by_name("ts")
                .expect("ts")
                .as_primitive::<parkhub_connectors::arrow::datatypes::TimestampMicrosecondType>(
            );
            for row in 0..batch.num_rows() {
                let entry = last.entry(usccs.value(row).to_string()).or_insert(i64::MIN);
                *entry = (*entry).max(ts.value(row));
            }
        }
        last
    };
    let window_end = calendar::midnight_utc_micros(calendar::date(2026, 11, 1));
    let day = 86_400_000_000;
    let months = [
        calendar::date(2026, 8, 1),
        calendar::date(2026, 9, 1),
        calendar::date(2026, 10, 1),
    ];
    for enterprise in &park.enterprises {
        let months_reported = reported.get(&enterprise.uscc).cloned().unwrap_or_default();
        let last_reading = last_ts.get(&enterprise.uscc).copied();
        match late.get(&enterprise.index) {
            None => {
                assert_eq!(months_reported, months, "{}", enterprise.uscc);
                assert_eq!(last_reading, Some(window_end), "{}", enterprise.uscc);
            }
            Some(late) => {
                let kept = 3 - late.months_missed as usize;
                assert_eq!(months_reported, months[..kept], "{}", enterprise.uscc);
                assert!((3..=6).contains(&late.energy_days_missed), "{late:?}");
                assert_eq!(
                    last_reading,
                    Some(window_end - i64::from(late.energy_days_missed) * day),
                    "{}",
                    enterprise.uscc
                );
            }
        }
    }
    assert_eq!(
        park.row_count("production_monthly"),
        Some(50 * 3 - 4 - 1),
        "every enterprise's months but the late ones' last"
    );
}

#[test]
fn usccs_are_valid_and_unique() {
    let park = DemoPark::generate(&small_params()).expect("park");
    let mut seen = BTreeSet::new();
    for (table, column) in [("enterprises", "uscc"), ("service_providers", "uscc")] {
        for code in strings(&park, table, column).into_iter().flatten() {
            assert!(uscc::is_valid(&code), "{code}");
            assert!(code.starts_with("91"), "{code}");
            assert!(seen.insert(code.clone()), "duplicate {code}");
        }
    }
    let names: Vec<String> = strings(&park, "enterprises", "name")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(names.iter().collect::<BTreeSet<_>>().len(), names.len());
    assert!(names.iter().all(|name| name.ends_with("公司")));
    let registered: BTreeSet<String> = strings(&park, "enterprises", "uscc")
        .into_iter()
        .flatten()
        .collect();
    for table in [
        "production_monthly",
        "energy_readings",
        "emissions",
        "equipment",
        "digital_assessment",
        "transformation_projects",
        "enterprise_needs",
    ] {
        for code in strings(&park, table, "uscc").into_iter().flatten() {
            assert!(registered.contains(&code), "{table}: {code}");
        }
    }
}

#[test]
fn industry_codes_belong_to_their_key_industry() {
    let park = DemoPark::generate(&DemoParams {
        enterprises: 120,
        months: 1,
        energy_days: 1,
        ..DemoParams::default()
    })
    .expect("park");
    let codes = strings(&park, "enterprises", "industry_code");
    let key_industries = strings(&park, "enterprises", "key_industry");
    let mut seen_industries = BTreeSet::new();
    for (code, key) in codes.iter().flatten().zip(key_industries.iter().flatten()) {
        assert!(industry::is_valid_code(code) && code.len() == 5, "{code}");
        let key_industry = industry::key_industry(key).expect("known key industry");
        seen_industries.insert(key.clone());
        if key == "other" {
            let division = industry::division_of(code).expect("division");
            assert!(industry::division_name(division).is_some(), "{code}");
            assert_eq!(industry::key_industry_of(code).code, "other", "{code}");
        } else {
            let fits = key_industry
                .primary_divisions
                .iter()
                .chain(key_industry.partial_divisions)
                .any(|prefix| code.starts_with(prefix));
            assert!(fits, "{code} is not {key}");
        }
    }
    assert_eq!(seen_industries.len(), industry::KEY_INDUSTRIES.len());
    let tables = Tables::get().expect("tables");
    assert!(
        tables
            .industries
            .iter()
            .all(|profile| industry::key_industry(profile.code).is_some())
    );
    for profile in &tables.industries {
        assert_eq!(tables.industry_words(profile.code).code, profile.code);
    }
}

#[test]
fn subsidies_stay_within_the_cap_and_payments_within_the_subsidy() {
    let park = DemoPark::generate(&DemoParams {
        enterprises: 150,
        months: 1,
        energy_days: 1,
        ..DemoParams::default()
    })
    .expect("park");
    let until = park.params().until;
    let ids = strings(&park, "transformation_projects", "project_id");
    let investment = numbers(&park, "transformation_projects", "investment");
    let subsidy = numbers(&park, "transformation_projects", "subsidy_granted");
    let status = strings(&park, "transformation_projects", "status");
    let starts = dates_of(&park, "transformation_projects", "start_date");
    let planned_ends = dates_of(&park, "transformation_projects", "planned_end");
    let actual_ends = dates_of(&park, "transformation_projects", "actual_end");
    let mut projects = BTreeMap::new();
    for (position, id) in ids.iter().enumerate() {
        let (investment, subsidy) = (
            investment[position].expect("investment"),
            subsidy[position].unwrap_or(0.0),
        );
        assert!(
            subsidy <= 0.2 * investment,
            "{subsidy} > 20% of {investment}"
        );
        let start = starts[position].expect("start");
        match status[position].as_deref().expect("status") {
            "completed" => {
                assert!(actual_ends[position].is_some_and(|end| end <= until && end > start))
            }
            "delayed" => assert!(
                actual_ends[position].is_none() && planned_ends[position].expect("end") < until
            ),
            "planned" => assert!(start > until && actual_ends[position].is_none()),
            _ => assert!(actual_ends[position].is_none()),
        }
        projects.insert(id.clone().expect("id"), (subsidy, start));
    }
    let levels: BTreeSet<String> = strings(&park, "transformation_projects", "level")
        .into_iter()
        .flatten()
        .collect();
    assert_eq!(levels.len(), 3);

    let mut paid: BTreeMap<String, f64> = BTreeMap::new();
    let project_of = strings(&park, "fund_disbursements", "project_id");
    let amounts = numbers(&park, "fund_disbursements", "amount");
    let paid_on = dates_of(&park, "fund_disbursements", "disbursed_on");
    assert!(!project_of.is_empty());
    for ((project, amount), day) in project_of.iter().zip(&amounts).zip(&paid_on) {
        let project = project.clone().expect("project");
        let (_, start) = projects.get(&project).expect("known project");
        let day = day.expect("date");
        assert!(day > *start && day <= until, "{project} paid on {day}");
        *paid.entry(project).or_default() += amount.expect("amount");
    }
    for (project, total) in paid {
        let (subsidy, _) = projects[&project];
        assert!(total <= subsidy + 1e-9, "{project}: {total} > {subsidy}");
    }

    let providers: BTreeSet<String> = strings(&park, "service_providers", "provider_id")
        .into_iter()
        .flatten()
        .collect();
    for table in [
        "transformation_projects",
        "service_offerings",
        "shared_applications",
    ] {
        for provider in strings(&park, table, "provider_id").into_iter().flatten() {
            assert!(providers.contains(&provider), "{table}: {provider}");
        }
    }
}

#[test]
fn the_catalog_speaks_the_scenarios_language() {
    let park = DemoPark::generate(&DemoParams {
        enterprises: 2,
        months: 1,
        energy_days: 1,
        ..DemoParams::default()
    })
    .expect("park");
    let descriptions: Vec<String> = strings(&park, "service_offerings", "description")
        .into_iter()
        .flatten()
        .collect();
    let scenarios: Vec<String> = strings(&park, "service_offerings", "scenarios")
        .into_iter()
        .flatten()
        .collect();
    let with = |word: &str| {
        descriptions
            .iter()
            .filter(|text| text.contains(word))
            .count()
    };
    assert!(with("预测性维护") >= 10);
    assert!(with("能耗") >= 10);
    for (description, scenarios) in descriptions.iter().zip(&scenarios) {
        if scenarios.starts_with("predictive_maintenance") {
            assert!(description.contains("预测性维护"), "{description}");
        }
        if scenarios.starts_with("energy_management") {
            assert!(description.contains("能耗"), "{description}");
        }
        assert!(description.chars().count() > 80, "{description}");
    }
    for word in ["高炉", "注塑", "印染", "窑"] {
        assert!(with(word) > 0, "{word}");
    }
    for table in [
        "service_providers",
        "service_offerings",
        "shared_applications",
    ] {
        let names: Vec<String> = strings(&park, table, "name")
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(
            names.iter().collect::<BTreeSet<_>>().len(),
            names.len(),
            "{table}"
        );
    }
    let codes: BTreeSet<&str> = Tables::get()
        .expect("tables")
        .scenarios
        .iter()
        .map(|scenario| scenario.code)
        .collect();
    let used: BTreeSet<String> = scenarios
        .iter()
        .flat_map(|list| list.split(';').map(str::to_string))
        .collect();
    assert_eq!(used.len(), codes.len());
    assert!(used.iter().all(|code| codes.contains(code.as_str())));
}

#[test]
fn the_park_looks_plausible() {
    let params = DemoParams::default();
    let park = DemoPark::generate(&params).expect("park");
    let latest: BTreeMap<String, (i32, f64, f64)> = park
        .assessments
        .iter()
        .map(|row| {
            (
                row.uscc.clone(),
                (
                    row.maturity_level,
                    row.key_process_cnc_rate,
                    row.digital_rd_tool_rate,
                ),
            )
        })
        .collect();
    let count = latest.len() as f64;
    let cnc: f64 = latest.values().map(|(_, cnc, _)| cnc).sum::<f64>() / count;
    let rd_users = latest.values().filter(|(_, _, rd)| *rd > 0.0).count() as f64 / count;
    assert!((0.55..0.68).contains(&cnc), "CNC rate {cnc}");
    assert!(
        (0.70..0.85).contains(&rd_users),
        "R&D tool users {rd_users}"
    );
    let low_levels = latest.values().filter(|(level, _, _)| *level <= 2).count() as f64 / count;
    assert!(low_levels > 0.7, "{low_levels}");

    // Energy intensity: heavy industries far above machinery.
    let mut intensity: BTreeMap<&str, (f64, f64)> = BTreeMap::new();
    for enterprise in &park.enterprises {
        let yearly_tce: f64 = park
            .energy_plan
            .meters
            .iter()
            .filter(|meter| meter.uscc == enterprise.uscc)
            .filter_map(|meter| {
                meter
                    .carrier
                    .kgce_per_unit()
                    .map(|factor| meter.yearly_use * factor / 1000.0)
            })
            .sum::<f64>();
        let entry = intensity.entry(enterprise.industry_code()).or_default();
        entry.0 += yearly_tce;
        entry.1 += enterprise.annual_added_value();
    }
    let ratio = |code: &str| {
        intensity
            .get(code)
            .map_or(0.0, |(tce, added_value)| tce / added_value)
    };
    assert!(
        ratio("machinery") > 0.04 && ratio("machinery") < 0.2,
        "machinery {}",
        ratio("machinery")
    );
    assert!(
        ratio("iron_steel") > 0.8 && ratio("iron_steel") < 2.5,
        "steel {}",
        ratio("iron_steel")
    );

    let rows_of_energy = park.energy_row_count();
    assert!(
        (1_500_000..2_500_000).contains(&rows_of_energy),
        "{rows_of_energy}"
    );
}

/// Returns the sha256 of a table's batches in the Arrow IPC stream format.
fn digest(park: &DemoPark, table: &str) -> String {
    use sha2::{Digest, Sha256};
    let batches = all_batches(park, table);
    let mut bytes = Vec::new();
    let mut writer = parkhub_connectors::arrow::ipc::writer::StreamWriter::try_new(
        &mut bytes,
        &batches[0].schema(),
    )
    .expect("writer");
    for batch in &batches {
        writer.write(batch).expect("write");
    }
    writer.finish().expect("finish");
    drop(writer);
    hex::encode(Sha256::digest(&bytes))
}

/// The park a seed gives is part of the interface: the README and the relevance judgements
/// quote the default park (`parkhub match --need ND0022`), so a change to a generator or to a
/// data file that moves any value shows here. The digests were recorded from the generator
/// before its tables became data files; a deliberate change of the park records them again.
#[test]
fn the_parks_of_a_seed_stay_the_same_to_the_byte() {
    let small = DemoPark::generate(&small_params()).expect("park");
    let expected_small = [
        (
            "enterprises",
            "323b5a85dffac04481ad411fd349d9d182aa1a728f22a2597d3035fa61178789",
        ),
        (
            "production_monthly",
            "a3ee20bbbb59edd6324896e6546271164f5fe8d26f95abf37d061585504be680",
        ),
        (
            "energy_readings",
            "0f8c10dc5b5128e274b7726a9f7a0efc8cf660d6cec0fc29f903d29953603370",
        ),
        (
            "emissions",
            "b0f3e80ab0d7c1a8d4b623fcbe6081457e34287831134c1e4a6af49b2447436e",
        ),
        (
            "equipment",
            "4ef6b0b80cd6ebd6c605b018967b97d6838dd142628fe42d5fc1184890ad2852",
        ),
        (
            "digital_assessment",
            "13122d7ed211c11289c3036e1130a1413f474307863b5d90a07b5d7493dbe0ef",
        ),
        (
            "service_providers",
            "905c1f82312998756a75cafeead077e3804531c6ac4f0ca0b4210c33bbc4d719",
        ),
        (
            "service_offerings",
            "fd56a56731e4f6bde9f6ef8ae0d59d4938644948a770346540905ce4e089fabe",
        ),
        (
            "shared_applications",
            "cfb7daa113895a10f86a3431e9f848fb0c9f9895bc49707413470e66f1dcc478",
        ),
        (
            "transformation_projects",
            "f728775db72a006bf42e27b7a9287446223849ac122abe59310edcce10f6656f",
        ),
        (
            "fund_disbursements",
            "69f6b66d841defe3f47e4b1e27291d803d82765791f3b3cbef4dc8c6d8f5cb3a",
        ),
        (
            "enterprise_needs",
            "4c029d80a69cbfd53a0bb8639cda41e9d4d75cea4989c593e5b0e65dd2836106",
        ),
    ];
    for (table, expected) in expected_small {
        assert_eq!(digest(&small, table), expected, "{table} of the small park");
    }
    // The default park but its 2 million energy readings (the small park covers their code).
    let default = DemoPark::generate(&DemoParams::default()).expect("park");
    let expected_default = [
        (
            "enterprises",
            "234dab77e62ebb04578157942a02d47bf71d319c25dc2647162ad0713af0f483",
        ),
        (
            "production_monthly",
            "eec11b08e2d9a3a5142d2205b74923dd083406bb838650db748cd33a356a835e",
        ),
        (
            "emissions",
            "cb4d0ff9f6023c6a7a49cdf12fe2748baaf17062def2138b2c9ff4f06c933f3c",
        ),
        (
            "equipment",
            "566c350ab3a1a747701bbb296e3c574c4f651f7f88acb6a0ccb1b27889e2957d",
        ),
        (
            "digital_assessment",
            "7bf3a31f5766b07738d1945a85d4639eadc65773180df4c58b6adb8f92e1fb50",
        ),
        (
            "service_providers",
            "e0cf1a88a951500fd9e62050d3e439b3e507186a144cc40e2e29833bb08afa55",
        ),
        (
            "service_offerings",
            "9277a6fe3ed0ccd9aacbe45055089852939e257bbd76e92a19216f2e0c0c7c89",
        ),
        (
            "shared_applications",
            "39b1c9495db003483054b1b8e146726b21a83defb2118251427e3bce9304c87a",
        ),
        (
            "transformation_projects",
            "0cd885fd6521d2839f9d31c03bb79a8a3f99e7c81f50823493c6624562215025",
        ),
        (
            "fund_disbursements",
            "9dafeb0cb6e6df2a031345d0f8e65197eebbdde21d238e3fc3c2c3129fb0df6b",
        ),
        (
            "enterprise_needs",
            "87085b76f141a382eeb1b08858fafb3c3896f4e88e76ab1121285d998593e089",
        ),
    ];
    for (table, expected) in expected_default {
        assert_eq!(
            digest(&default, table),
            expected,
            "{table} of the default park"
        );
    }
}

#[test]
fn a_catalog_alone_is_the_parks_catalog_at_the_demo_size_and_grows_to_any_size() {
    let params = small_params();
    let park = DemoPark::generate(&params).expect("park");
    let catalog = DemoCatalog::generate(&params, CatalogSize::DEMO).expect("catalog");
    for table in DemoCatalog::table_names() {
        assert_eq!(
            catalog.batches(table).expect("batches"),
            park.batches(table).expect("batches"),
            "{table}"
        );
    }
    assert!(matches!(
        catalog.batches("enterprises"),
        Err(Error::UnknownTable { .. })
    ));
    let size = CatalogSize::with_entries(3000);
    assert_eq!(size.entries(), 3000);
    assert_eq!(size.providers, 500);
    let bigger = DemoCatalog::generate(&params, size).expect("catalog");
    let counts: Vec<usize> = DemoCatalog::table_names()
        .iter()
        .map(|table| {
            bigger
                .batches(table)
                .expect("batches")
                .iter()
                .map(RecordBatch::num_rows)
                .sum()
        })
        .collect();
    assert_eq!(counts, [size.providers, size.offerings, size.applications]);
    let names: BTreeSet<String> = bigger
        .batches("service_offerings")
        .expect("batches")
        .iter()
        .flat_map(|batch| {
            let names = batch
                .column_by_name("name")
                .expect("name")
                .as_string::<i32>();
            (0..names.len())
                .map(|row| names.value(row).to_string())
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(names.len(), size.offerings, "offering names stay unique");
}
