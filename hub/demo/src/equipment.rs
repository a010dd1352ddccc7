//! Equipment registers (`equipment`): the machines of each enterprise by industry, with key
//! process, CNC and networking flags that follow the enterprise's digital maturity.

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;

use crate::arrow_columns::{boolean, optional_dates, optional_text, table_batches, text};
use crate::calendar::{add_days, add_months, date, day_between};
use crate::enterprises::Enterprise;
use crate::industry_profiles::IndustryProfile;
use crate::random::{chance, integer, stream, uniform, weighted_pick};
use crate::tables::{Tables, Tsv, reference};
use crate::{DemoParams, Result};

/// One piece of equipment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EquipmentRow {
    pub uscc: String,
    pub equipment_id: String,
    pub equipment_type: &'static str,
    pub is_key_process: bool,
    pub is_cnc: bool,
    pub is_networked: bool,
    pub commissioned: NaiveDate,
    pub status: &'static str,
}

/// Whether a kind of equipment is numerically / automatically controlled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Automation {
    /// By nature (machining centres, robots, AGVs).
    Always,
    /// Never counted (cranes, tanks, heat exchangers).
    Never,
    /// Depends on the model and the retrofit (a lathe may be manual or CNC).
    Depends,
}

/// A kind of equipment (`data/equipment.tsv`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EquipmentKind {
    /// The key industry that has it, or `common` for every industry.
    industry: &'static str,
    /// Name of the manual / conventional model.
    plain: &'static str,
    /// Name of the numerically controlled or automated model.
    automated: &'static str,
    weight: f64,
    key_probability: f64,
    automation: Automation,
    /// Divisions (or classes) it belongs to; empty for any.
    divisions: Vec<&'static str>,
}

/// The industry of the kinds every enterprise has (robots and AGVs weighted by maturity).
const COMMON: &str = "common";

/// Reads the kinds of equipment; each belongs to an industry of `industries` or to `common`.
pub(crate) fn read(tsv: &Tsv, industries: &[IndustryProfile]) -> Result<Vec<EquipmentKind>> {
    tsv.require(&[
        "industry",
        "plain",
        "automated",
        "weight",
        "key_probability",
        "automation",
        "divisions",
    ])?;
    let mut codes: Vec<&str> = industries.iter().map(|industry| industry.code).collect();
    codes.push(COMMON);
    tsv.rows()
        .map(|row| {
            let automation = match row.choice("automation", &["always", "never", "depends"])? {
                "always" => Automation::Always,
                "never" => Automation::Never,
                _ => Automation::Depends,
            };
            Ok(EquipmentKind {
                industry: reference(&row, "industry", &codes, "industries.tsv")?,
                plain: row.required("plain")?,
                automated: row.required("automated")?,
                weight: row.number("weight")?,
                key_probability: row.number("key_probability")?,
                automation,
                divisions: row.list("divisions")?,
            })
        })
        .collect()
}

use Automation::{Always, Depends, Never};

/// The kinds of a key industry (those of `other` for an industry without its own).
fn industry_kinds<'a>(
    kinds: &'a [EquipmentKind],
    industry: &str,
) -> impl Iterator<Item = &'a EquipmentKind> {
    let has_own = kinds.iter().any(|kind| kind.industry == industry);
    let wanted = if has_own { industry } else { "other" };
    kinds
        .iter()
        .filter(move |equipment_kind| equipment_kind.industry == wanted)
}

/// The kinds an enterprise of this class has, with their weights.
fn kinds_for<'a>(
    all_kinds: &'a [EquipmentKind],
    enterprise: &Enterprise,
) -> Vec<(&'a EquipmentKind, f64)> {
    let class_code = enterprise.class.code;
    let level = f64::from(enterprise.profile.maturity_level);
    let fits = |equipment_kind: &EquipmentKind| {
        equipment_kind.divisions.is_empty()
            || equipment_kind
                .divisions
                .iter()
                .any(|prefix| class_code.starts_with(prefix))
    };
    let mut kinds: Vec<(&EquipmentKind, f64)> =
        industry_kinds(all_kinds, enterprise.industry_code())
            .filter(|equipment_kind| fits(equipment_kind))
            .map(|equipment_kind| (equipment_kind, equipment_kind.weight))
            .collect();
    for equipment_kind in all_kinds
        .iter()
        .filter(|equipment_kind| equipment_kind.industry == COMMON)
    {
        let weight = match equipment_kind.plain {
            "工业机器人" => 0.4 + 0.9 * (level - 1.0),
            "AGV" => 0.5 * (level - 1.0),
            _ => equipment_kind.weight,
        };
        kinds.push((equipment_kind, weight));
    }
    kinds
}

/// Generates every enterprise's equipment register.
pub(crate) fn generate_equipment(
    tables: &'static Tables,
    params: &DemoParams,
    enterprises: &[Enterprise],
) -> Vec<EquipmentRow> {
    let mut rng = stream(params.seed, "equipment");
    let last_day = add_days(add_months(params.until_month(), 1), -1);
    let mut rows = Vec::new();
    for enterprise in enterprises {
        let kinds = kinds_for(&tables.equipment, enterprise);
        let profile = &enterprise.profile;
        let (low, high) = enterprise.scale.equipment_range();
        let count = integer(&mut rng, low, high);
        let first_day = enterprise.founded.max(date(2003, 1, 1)).min(last_day);
        for number in 1..=count {
            let Some((equipment_kind, _)) = weighted_pick(&mut rng, &kinds, |(_, weight)| *weight)
            else {
                break;
            };
            let is_key_process = chance(&mut rng, equipment_kind.key_probability);
            let is_cnc = match equipment_kind.automation {
                Always => true,
                Never => false,
                // Machining centres and robots are automated by nature; the other key-process
                // machines make up the rest of the enterprise's key-process CNC rate.
                Depends if is_key_process => chance(&mut rng, profile.cnc_rate * 0.85),
                Depends => chance(&mut rng, profile.cnc_rate * 0.6),
            };
            let networked_probability = match (is_cnc, equipment_kind.automation) {
                (true, _) => (profile.networking_rate * 1.3).min(0.98),
                (false, Never) => profile.networking_rate * 0.3,
                (false, _) => profile.networking_rate * 0.4,
            };
            let is_networked = chance(&mut rng, networked_probability);
            // Numerically controlled machines are on average newer.
            let age_draw = uniform(&mut rng, 0.0, 1.0);
            let position = if is_cnc { age_draw.sqrt() } else { age_draw };
            let commissioned = day_between(first_day, last_day, position);
            let years_in_service =
                last_day.signed_duration_since(commissioned).num_days() as f64 / 365.0;
            let status_draw = uniform(&mut rng, 0.0, 1.0);
            let status = if years_in_service > 10.0 && status_draw > 0.94 {
                "retired"
            } else if status_draw < 0.07 {
                "idle"
            } else if status_draw < 0.11 {
                "maintenance"
            } else {
                "running"
            };
            rows.push(EquipmentRow {
                uscc: enterprise.uscc.clone(),
                equipment_id: format!("EQ-{number:04}"),
                equipment_type: if is_cnc {
                    equipment_kind.automated
                } else {
                    equipment_kind.plain
                },
                is_key_process,
                is_cnc,
                is_networked,
                commissioned,
                status,
            });
        }
    }
    rows
}

/// The `equipment` batches.
pub(crate) fn equipment_batches(rows: &[EquipmentRow]) -> Result<Vec<RecordBatch>> {
    table_batches(
        "equipment",
        vec![
            text(rows.iter().map(|row| row.uscc.as_str())),
            text(rows.iter().map(|row| row.equipment_id.as_str())),
            text(rows.iter().map(|row| row.equipment_type)),
            boolean(rows.iter().map(|row| row.is_key_process)),
            boolean(rows.iter().map(|row| row.is_cnc)),
            boolean(rows.iter().map(|row| row.is_networked)),
            optional_dates(rows.iter().map(|row| Some(row.commissioned))),
            optional_text(rows.iter().map(|row| Some(row.status))),
        ],
    )
}
