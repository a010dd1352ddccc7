//! Hourly energy readings (`energy_readings`), generated lazily.
//!
//! [`plan_energy`] decides, per enterprise, which meters it has (electricity and water always,
//! natural gas and steam by industry) and how much each carrier uses a year: the enterprise's
//! added value × its energy intensity (tce per 10k yuan) gives its yearly tce, split over the
//! carriers by industry-typical shares and turned back into kWh, m3 and kg with the GB/T 2589
//! factors. [`EnergyBatches`] then walks meter by meter and hour by hour, shaping the load by
//! local time (UTC+8): day and night shifts, lunch breaks, weekends, holidays, the off-peak
//! night tariff that continuous plants follow, and random stoppage days. The meters of an
//! enterprise late with the current round (`production::late_submissions`) stop reading a
//! few days before the window ends.

use std::sync::Arc;

use chrono::NaiveDate;
use parkhub_connectors::ColumnType;
use parkhub_connectors::arrow::array::{
    ArrayRef, Float64Builder, StringBuilder, TimestampMicrosecondBuilder,
};
use parkhub_connectors::arrow::datatypes::{Field, Schema, SchemaRef};
use parkhub_connectors::arrow::record_batch::RecordBatch;
use parkhub_connectors::contract::TIMESTAMP_ZONE;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::DemoParams;
use crate::calendar::{
    LOCAL_UTC_OFFSET_HOURS, add_days, date, day_activity, midnight_utc_micros, next_month,
};
use crate::enterprises::Enterprise;
use crate::industry_profiles::Scale;
use crate::production::late_submissions;
use crate::random::{
    chance, derive_indexed_seed, derive_seed, indexed_stream, noise, round_to, uniform,
};

/// kgce per kWh of electricity (equivalent value, GB/T 2589-2020).
pub(crate) const ELECTRICITY_KGCE_PER_KWH: f64 = 0.1229;
/// kgce per m3 of natural gas (GB/T 2589-2020 default).
pub(crate) const NATURAL_GAS_KGCE_PER_M3: f64 = 1.2143;
/// kgce per kg of low-pressure steam (GB/T 2589-2020).
pub(crate) const STEAM_KGCE_PER_KG: f64 = 0.1286;

const MICROS_PER_HOUR: i64 = 3_600 * 1_000_000;

/// An energy carrier metered in the park.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Carrier {
    /// Electricity, kWh.
    Electricity,
    /// Natural gas, m3.
    NaturalGas,
    /// Low-pressure steam, kg.
    Steam,
    /// Water, m3 (metered, not energy).
    Water,
}

impl Carrier {
    /// The `energy_type` code.
    pub(crate) fn energy_type(self) -> &'static str {
        match self {
            Carrier::Electricity => "electricity",
            Carrier::NaturalGas => "natural_gas",
            Carrier::Steam => "steam",
            Carrier::Water => "water",
        }
    }

    /// The unit of the readings.
    pub(crate) fn unit(self) -> &'static str {
        match self {
            Carrier::Electricity => "kWh",
            Carrier::NaturalGas | Carrier::Water => "m3",
            Carrier::Steam => "kg",
        }
    }

    /// kgce per unit, `None` for water.
    pub(crate) fn kgce_per_unit(self) -> Option<f64> {
        match self {
            Carrier::Electricity => Some(ELECTRICITY_KGCE_PER_KWH),
            Carrier::NaturalGas => Some(NATURAL_GAS_KGCE_PER_M3),
            Carrier::Steam => Some(STEAM_KGCE_PER_KG),
            Carrier::Water => None,
        }
    }

    /// The letter meter ids start with.
    fn meter_letter(self) -> char {
        match self {
            Carrier::Electricity => 'E',
            Carrier::NaturalGas => 'G',
            Carrier::Steam => 'S',
            Carrier::Water => 'W',
        }
    }

    /// Relative hour-to-hour noise of the readings.
    fn hourly_noise(self) -> f64 {
        match self {
            Carrier::Electricity => 0.03,
            Carrier::NaturalGas | Carrier::Steam => 0.05,
            Carrier::Water => 0.12,
        }
    }

    /// Decimals readings are rounded to.
    fn decimals(self) -> i32 {
        match self {
            Carrier::Electricity | Carrier::Steam => 2,
            Carrier::NaturalGas | Carrier::Water => 3,
        }
    }
}

/// How an enterprise's load moves through the day.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LoadShape {
    /// Runs around the clock.
    pub continuous: bool,
    /// Shifts a day (1 to 3) when not continuous.
    pub shifts: u8,
    /// Load outside working hours as a share of the working load.
    pub idle_level: f64,
}

impl LoadShape {
    /// Share of the working load in a local hour, before the day's activity.
    fn hour_shape(&self, local_hour: i64) -> f64 {
        if self.continuous {
            // Energy-intensive plants shift load to the off-peak tariff (23:00–07:00).
            return match local_hour {
                23 | 0..=6 => 1.05,
                8..=10 | 17..=20 => 0.96,
                _ => 1.0,
            };
        }
        match (self.shifts, local_hour) {
            (1, 12) => 0.75,
            (1, 8..=16) => 1.0,
            (1, 7) => 0.6,
            (1, 17) => 0.5,
            (1, _) => 0.0,
            (2, 12) => 0.8,
            (2, 17) => 0.85,
            (2, 8..=23) => 1.0,
            (2, 7) => 0.6,
            (2, 0) => 0.4,
            (2, _) => 0.0,
            (_, 12) => 0.9,
            (_, 8..=19) => 1.0,
            (_, _) => 0.92,
        }
    }

    /// Load level of an hour given the day's activity (1 on a working day).
    fn level(&self, local_hour: i64, activity: f64) -> f64 {
        let shape = self.hour_shape(local_hour);
        if self.continuous {
            shape * activity
        } else {
            self.idle_level + (1.0 - self.idle_level) * shape * activity
        }
    }

    /// Average level over an ordinary week (no holidays), to scale yearly use to hourly use.
    fn mean_weekly_level(&self) -> f64 {
        // 2025-03-10 is a Monday of an ordinary working week.
        let monday = date(2025, 3, 10);
        let total: f64 = (0..7)
            .map(|day| day_activity(add_days(monday, day), self.continuous))
            .flat_map(|activity| (0..24).map(move |hour| self.level(hour, activity)))
            .sum();
        (total / 168.0).max(0.05)
    }
}

/// One meter and what it reads.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MeterPlan {
    /// The enterprise's USCC.
    pub uscc: String,
    /// The meter id (`E-0001-1`).
    pub meter_id: String,
    /// What it meters.
    pub carrier: Carrier,
    /// Yearly use the meter's readings add up to over an ordinary year (in the carrier's unit).
    pub yearly_use: f64,
    /// Reading of an hour at load level 1 (in the carrier's unit).
    pub hourly_base: f64,
    /// Load shape of the enterprise.
    pub shape: LoadShape,
    /// Seed of the meter's hour-to-hour noise.
    pub noise_seed: u64,
    /// Seed of the enterprise's day-to-day variation (shared by its meters).
    pub day_seed: u64,
    /// Hours it reads from the start of the window: all of them, or fewer for an enterprise
    /// late with its data.
    pub hours: u64,
}

/// Everything needed to generate the readings on demand.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EnergyPlan {
    /// First day (UTC) of the window.
    pub window_start: NaiveDate,
    /// Days in the window.
    pub days: u32,
    /// The meters, enterprise by enterprise.
    pub meters: Vec<MeterPlan>,
    /// Activity of each local day of the window (one more than `days`: the local day after
    /// the last UTC day starts before the window ends), for continuous plants.
    pub continuous_activity: Vec<f64>,
    /// Same, for discrete manufacturers.
    pub discrete_activity: Vec<f64>,
    /// The `energy_readings` data schema.
    pub schema: SchemaRef,
}

impl EnergyPlan {
    /// Rows the readings come to.
    pub(crate) fn row_count(&self) -> u64 {
        self.meters.iter().map(|meter| meter.hours).sum()
    }
}

/// The `energy_readings` data schema, as the contract defines it.
pub(crate) fn energy_schema() -> SchemaRef {
    let field = |name: &str, column_type: ColumnType, required: bool| {
        Field::new(name, column_type.arrow_type(), !required)
    };
    Arc::new(Schema::new(vec![
        field("uscc", ColumnType::String, true),
        field("meter_id", ColumnType::String, true),
        field("ts", ColumnType::Timestamp, true),
        field("energy_type", ColumnType::String, true),
        field("value", ColumnType::Float64, true),
        field("unit", ColumnType::String, true),
        field("tce", ColumnType::Float64, false),
    ]))
}

/// The UTC days of the energy window: `energy_days` days ending with the last day of
/// `until`'s month. Returns the first day and the number of days.
pub(crate) fn energy_window(params: &DemoParams) -> (NaiveDate, u32) {
    let end = next_month(params.until_month());
    (
        add_days(end, -i64::from(params.energy_days)),
        params.energy_days,
    )
}

/// Yearly use of each carrier an enterprise has, in the carrier's unit.
fn yearly_use(enterprise: &Enterprise) -> Vec<(Carrier, f64)> {
    let profile = &enterprise.profile;
    let added_value = enterprise.annual_added_value();
    let tce = added_value * profile.energy_intensity;
    let (electricity_weight, gas_weight, steam_weight) = enterprise.industry.carrier_weights;
    let mut weights = vec![(Carrier::Electricity, electricity_weight.max(0.05))];
    if profile.uses_gas {
        weights.push((Carrier::NaturalGas, gas_weight.max(0.05)));
    }
    if profile.uses_steam {
        weights.push((Carrier::Steam, steam_weight.max(0.05)));
    }
    let total_weight: f64 = weights.iter().map(|(_, weight)| weight).sum();
    let mut uses: Vec<(Carrier, f64)> = weights
        .into_iter()
        .map(|(carrier, weight)| {
            let kgce = tce * 1000.0 * weight / total_weight;
            (carrier, kgce / carrier.kgce_per_unit().unwrap_or(1.0))
        })
        .collect();
    uses.push((Carrier::Water, added_value * profile.water_intensity));
    uses
}

/// Plans the meters of every enterprise.
pub(crate) fn plan_energy(params: &DemoParams, enterprises: &[Enterprise]) -> EnergyPlan {
    let (window_start, days) = energy_window(params);
    let noise_seeds = derive_seed(params.seed, "energy_readings/noise");
    let day_seeds = derive_seed(params.seed, "energy_readings/days");
    let late = late_submissions(params, enterprises);
    let mut meters = Vec::new();
    for enterprise in enterprises {
        let days_read = days.saturating_sub(
            late.get(&enterprise.index)
                .map_or(0, |late| late.energy_days_missed),
        );
        let mut rng = indexed_stream(
            params.seed,
            "energy_readings/meters",
            enterprise.index as u64,
        );
        let shape = LoadShape {
            continuous: enterprise.profile.continuous,
            shifts: enterprise.profile.shifts,
            idle_level: uniform(&mut rng, 0.12, 0.32),
        };
        let mean_level = shape.mean_weekly_level();
        let day_seed = derive_indexed_seed(day_seeds, enterprise.index as u64);
        let number = enterprise.index + 1;
        for (carrier, yearly) in yearly_use(enterprise) {
            // Larger sites meter production and utilities separately.
            let splits: Vec<f64> = if carrier == Carrier::Electricity
                && matches!(enterprise.scale, Scale::Large | Scale::Medium)
            {
                let production_share = uniform(&mut rng, 0.55, 0.75);
                vec![production_share, 1.0 - production_share]
            } else {
                vec![1.0]
            };
            for (position, share) in splits.iter().enumerate() {
                let noise_seed = derive_indexed_seed(noise_seeds, meters.len() as u64);
                meters.push(MeterPlan {
                    uscc: enterprise.uscc.clone(),
                    meter_id: format!("{}-{number:04}-{}", carrier.meter_letter(), position + 1),
                    carrier,
                    yearly_use: yearly * share,
                    hourly_base: yearly * share / 8760.0 / mean_level,
                    shape,
                    noise_seed,
                    day_seed,
                    hours: u64::from(days_read) * 24,
                });
            }
        }
    }
    let local_days = |continuous: bool| -> Vec<f64> {
        (0..=i64::from(days))
            .map(|day| day_activity(add_days(window_start, day), continuous))
            .collect()
    };
    EnergyPlan {
        window_start,
        days,
        meters,
        continuous_activity: local_days(true),
        discrete_activity: local_days(false),
        schema: energy_schema(),
    }
}

/// Day-to-day variation of an enterprise: ordinary noise and the odd stoppage day.
fn day_factors(meter: &MeterPlan, count: usize) -> Vec<f64> {
    let mut rng = ChaCha8Rng::seed_from_u64(meter.day_seed);
    let stoppage_probability = if meter.shape.continuous { 0.004 } else { 0.012 };
    (0..count)
        .map(|_| {
            let ordinary = noise(&mut rng, 0.04);
            if chance(&mut rng, stoppage_probability) {
                ordinary * 0.4
            } else {
                ordinary
            }
        })
        .collect()
}

/// The state of the meter being read.
struct MeterCursor {
    rng: ChaCha8Rng,
    day_factors: Vec<f64>,
}

/// Lazy iterator over the `energy_readings` batches.
pub(crate) struct EnergyBatches {
    plan: Arc<EnergyPlan>,
    batch_rows: usize,
    meter_position: usize,
    hour_position: u64,
    cursor: Option<MeterCursor>,
}

impl EnergyBatches {
    /// Starts at the first meter's first hour.
    pub(crate) fn new(plan: Arc<EnergyPlan>, batch_rows: usize) -> EnergyBatches {
        let mut batches = EnergyBatches {
            plan,
            batch_rows: batch_rows.max(1),
            meter_position: 0,
            hour_position: 0,
            cursor: None,
        };
        batches.skip_silent_meters();
        batches
    }

    /// Moves past the meters that read no hour (at the position, and after it).
    fn skip_silent_meters(&mut self) {
        while self
            .plan
            .meters
            .get(self.meter_position)
            .is_some_and(|meter| meter.hours == 0)
        {
            self.meter_position += 1;
        }
    }
}

impl Iterator for EnergyBatches {
    type Item = RecordBatch;

    fn next(&mut self) -> Option<RecordBatch> {
        let plan = Arc::clone(&self.plan);
        if self.meter_position >= plan.meters.len() {
            return None;
        }
        let capacity = self
            .batch_rows
            .min(usize::try_from(plan.row_count()).unwrap_or(usize::MAX));
        let mut uscc = StringBuilder::with_capacity(capacity, capacity * 18);
        let mut meter_id = StringBuilder::with_capacity(capacity, capacity * 8);
        let mut ts =
            TimestampMicrosecondBuilder::with_capacity(capacity).with_timezone(TIMESTAMP_ZONE);
        let mut energy_type = StringBuilder::with_capacity(capacity, capacity * 11);
        let mut value = Float64Builder::with_capacity(capacity);
        let mut unit = StringBuilder::with_capacity(capacity, capacity * 3);
        let mut tce = Float64Builder::with_capacity(capacity);
        let window_start_micros = midnight_utc_micros(plan.window_start);
        let mut rows = 0;
        while rows < self.batch_rows {
            let Some(meter) = plan.meters.get(self.meter_position) else {
                break;
            };
            let cursor = self.cursor.get_or_insert_with(|| MeterCursor {
                rng: ChaCha8Rng::seed_from_u64(meter.noise_seed),
                day_factors: day_factors(meter, plan.continuous_activity.len()),
            });
            let hour = i64::try_from(self.hour_position).unwrap_or(0);
            let local_hours = hour + LOCAL_UTC_OFFSET_HOURS;
            let local_day = usize::try_from(local_hours / 24).unwrap_or(0);
            let activities = if meter.shape.continuous {
                &plan.continuous_activity
            } else {
                &plan.discrete_activity
            };
            let activity = activities.get(local_day).copied().unwrap_or(1.0);
            let mut level = meter.shape.level(local_hours % 24, activity);
            if meter.carrier == Carrier::Water {
                level = 0.35 + 0.65 * level;
            }
            let day_factor = cursor.day_factors.get(local_day).copied().unwrap_or(1.0);
            let reading = round_to(
                meter.hourly_base
                    * level
                    * day_factor
                    * noise(&mut cursor.rng, meter.carrier.hourly_noise()),
                meter.carrier.decimals(),
            )
            .max(0.0);
            uscc.append_value(&meter.uscc);
            meter_id.append_value(&meter.meter_id);
            // Readings are stamped with the end of their hour.
            ts.append_value(window_start_micros + (hour + 1) * MICROS_PER_HOUR);
            energy_type.append_value(meter.carrier.energy_type());
            value.append_value(reading);
            unit.append_value(meter.carrier.unit());
            tce.append_option(
                meter
                    .carrier
                    .kgce_per_unit()
                    .map(|factor| reading * factor / 1000.0),
            );
            rows += 1;
            self.hour_position += 1;
            if self.hour_position >= meter.hours {
                self.hour_position = 0;
                self.meter_position += 1;
                self.cursor = None;
                self.skip_silent_meters();
            }
        }
        if rows == 0 {
            return None;
        }
        let columns: Vec<ArrayRef> = vec![
            Arc::new(uscc.finish()),
            Arc::new(meter_id.finish()),
            Arc::new(ts.finish()),
            Arc::new(energy_type.finish()),
            Arc::new(value.finish()),
            Arc::new(unit.finish()),
            Arc::new(tce.finish()),
        ];
        // The columns are built to the schema, so this cannot fail; were it to, the iteration
        // ends rather than yield a batch that does not fit the contract.
        RecordBatch::try_new(Arc::clone(&plan.schema), columns).ok()
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let done = self
            .plan
            .meters
            .iter()
            .take(self.meter_position)
            .map(|meter| meter.hours)
            .sum::<u64>()
            + self.hour_position;
        let remaining_rows = self.plan.row_count().saturating_sub(done);
        let batches = remaining_rows.div_ceil(self.batch_rows as u64);
        let batches = usize::try_from(batches).unwrap_or(usize::MAX);
        (batches, Some(batches))
    }
}
