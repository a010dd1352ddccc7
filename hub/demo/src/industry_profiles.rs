//! What a typical enterprise of each key industry looks like: share of the park, sizes, zones,
//! productivity, added-value ratio, energy intensity and carriers, water, land, R&D and margins,
//! and the GB/T 4754-2017 classes it is made of. The profiles are data (`data/industries.tsv`,
//! `data/industry_classes.tsv`); the size classes and zones, which code branches on, are here.

use crate::tables::{Tsv, reference};
use crate::{Error, Result};

/// Size classes, as the `enterprises.scale` column spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scale {
    /// 大型: ≥ 1000 employees and ≥ 400 million yuan revenue.
    Large,
    /// 中型.
    Medium,
    /// 小型.
    Small,
    /// 微型.
    Micro,
}

impl Scale {
    /// All scales, largest first (the order of the weight arrays).
    pub(crate) const ALL: [Scale; 4] = [Scale::Large, Scale::Medium, Scale::Small, Scale::Micro];

    /// The code stored in the lake.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Scale::Large => "large",
            Scale::Medium => "medium",
            Scale::Small => "small",
            Scale::Micro => "micro",
        }
    }

    /// Range of employees of an enterprise of this size.
    pub(crate) fn employee_range(self) -> (f64, f64) {
        match self {
            Scale::Large => (1000.0, 5200.0),
            Scale::Medium => (300.0, 999.0),
            Scale::Small => (20.0, 299.0),
            Scale::Micro => (4.0, 19.0),
        }
    }

    /// Output per employee relative to the industry's typical productivity.
    pub(crate) fn productivity_factor(self) -> f64 {
        match self {
            Scale::Large => 1.2,
            Scale::Medium => 1.0,
            Scale::Small => 0.85,
            Scale::Micro => 0.6,
        }
    }

    /// Weights of maturity levels 1 to 5 (GB/T 39116) at this size.
    pub(crate) fn maturity_weights(self) -> [f64; 5] {
        match self {
            Scale::Large => [0.10, 0.30, 0.35, 0.17, 0.08],
            Scale::Medium => [0.25, 0.42, 0.23, 0.08, 0.02],
            Scale::Small => [0.50, 0.35, 0.12, 0.03, 0.0],
            Scale::Micro => [0.75, 0.22, 0.03, 0.0, 0.0],
        }
    }

    /// Range of the number of registered pieces of equipment.
    pub(crate) fn equipment_range(self) -> (i64, i64) {
        match self {
            Scale::Large => (120, 200),
            Scale::Medium => (50, 120),
            Scale::Small => (15, 50),
            Scale::Micro => (10, 15),
        }
    }

    /// Range of the investment of a point project (10k yuan).
    pub(crate) fn point_investment_range(self) -> (f64, f64) {
        match self {
            Scale::Large => (600.0, 5000.0),
            Scale::Medium => (200.0, 1500.0),
            Scale::Small => (60.0, 500.0),
            Scale::Micro => (20.0, 120.0),
        }
    }
}

/// The zones of the park.
pub(crate) const ZONES: [&str; 5] = ["东区", "西区", "高新片区", "化工园区", "临江重工片区"];

/// The zone where the chemical enterprises are concentrated.
pub(crate) const CHEMICAL_ZONE: &str = "化工园区";

/// A GB/T 4754-2017 class an enterprise of a key industry can be registered under.
#[derive(Debug, PartialEq)]
pub(crate) struct IndustryClass {
    /// The four-digit class code, e.g. `C3484`.
    pub code: &'static str,
    /// Relative frequency within the key industry.
    pub weight: f64,
    /// Words that name the trade in company names (精密机械, 印染, 特钢…).
    pub trade_words: Vec<&'static str>,
    /// Runs around the clock (blast furnaces, kilns, crackers, paper machines, spinning).
    pub continuous: bool,
    /// Probability that an enterprise burns natural gas.
    pub gas_probability: f64,
    /// Probability that an enterprise uses steam.
    pub steam_probability: f64,
    /// Energy intensity relative to the key industry's typical range.
    pub intensity_factor: f64,
}

/// The profile of a key industry.
#[derive(Debug, PartialEq)]
pub(crate) struct IndustryProfile {
    /// The key industry code (as in `parkhub_connectors::industry::KEY_INDUSTRIES`).
    pub code: &'static str,
    /// Short Chinese name used in texts (钢铁, 石化化工…).
    pub name_zh: &'static str,
    /// Share of the park's enterprises.
    pub share: f64,
    /// Weights of large, medium, small, micro.
    pub scale_weights: [f64; 4],
    /// Weights of the zones, in the order of [`ZONES`].
    pub zone_weights: [f64; 5],
    /// Yearly output per employee (10k yuan).
    pub productivity: (f64, f64),
    /// Added value as a share of output.
    pub added_value_ratio: (f64, f64),
    /// Yearly energy use per 10k yuan of added value (tce).
    pub energy_intensity: (f64, f64),
    /// Shares of tce by carrier when present: electricity, natural gas, steam.
    pub carrier_weights: (f64, f64, f64),
    /// Yearly water use per 10k yuan of added value (m3).
    pub water_intensity: (f64, f64),
    /// Land per employee (mu).
    pub land_per_employee: (f64, f64),
    /// R&D expense as a share of revenue.
    pub rd_ratio: (f64, f64),
    /// Profit margin on revenue.
    pub margin: (f64, f64),
    /// Bonus on the key-process CNC rate (process industries run under DCS control).
    pub cnc_bonus: f64,
    /// The classes enterprises of the industry are registered under (never empty).
    pub classes: Vec<IndustryClass>,
}

/// Reads the key industries (`data/industries.tsv`, in seed order) and their classes
/// (`data/industry_classes.tsv`); every industry must have a class.
pub(crate) fn read(industries: &Tsv, classes: &Tsv) -> Result<Vec<IndustryProfile>> {
    industries.require(&[
        "code",
        "name_zh",
        "share",
        "scale_weights",
        "zone_weights",
        "productivity",
        "added_value_ratio",
        "energy_intensity",
        "carrier_weights",
        "water_intensity",
        "land_per_employee",
        "rd_ratio",
        "margin",
        "cnc_bonus",
    ])?;
    classes.require(&[
        "industry",
        "code",
        "weight",
        "trade_words",
        "continuous",
        "gas_probability",
        "steam_probability",
        "intensity_factor",
    ])?;
    let mut profiles = industries
        .rows()
        .map(|row| {
            let [electricity, gas, steam] = row.numbers::<3>("carrier_weights")?;
            Ok(IndustryProfile {
                code: row.required("code")?,
                name_zh: row.required("name_zh")?,
                share: row.number("share")?,
                scale_weights: row.numbers::<4>("scale_weights")?,
                zone_weights: row.numbers::<5>("zone_weights")?,
                productivity: row.range("productivity")?,
                added_value_ratio: row.range("added_value_ratio")?,
                energy_intensity: row.range("energy_intensity")?,
                carrier_weights: (electricity, gas, steam),
                water_intensity: row.range("water_intensity")?,
                land_per_employee: row.range("land_per_employee")?,
                rd_ratio: row.range("rd_ratio")?,
                margin: row.range("margin")?,
                cnc_bonus: row.number("cnc_bonus")?,
                classes: Vec::new(),
            })
        })
        .collect::<Result<Vec<IndustryProfile>>>()?;
    let codes: Vec<&str> = profiles.iter().map(|profile| profile.code).collect();
    for row in classes.rows() {
        let industry = reference(&row, "industry", &codes, "industries.tsv")?;
        let class = IndustryClass {
            code: row.required("code")?,
            weight: row.number("weight")?,
            trade_words: row.list("trade_words")?,
            continuous: row.flag("continuous")?,
            gas_probability: row.number("gas_probability")?,
            steam_probability: row.number("steam_probability")?,
            intensity_factor: row.number("intensity_factor")?,
        };
        if let Some(profile) = profiles.iter_mut().find(|profile| profile.code == industry) {
            profile.classes.push(class);
        }
    }
    if let Some(profile) = profiles.iter().find(|profile| profile.classes.is_empty()) {
        return Err(Error::MissingDataRow {
            file: "industry_classes.tsv",
            key: profile.code,
        });
    }
    Ok(profiles)
}
