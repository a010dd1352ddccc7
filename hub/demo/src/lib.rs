//! The demo park: a deterministic, plausible synthetic manufacturing park.
//!
//! [`DemoPark::generate`] builds a park of `enterprises` companies in Suzhou (苏州澄湖智造产业园,
//! five zones, the eight key industries of the programme and some `other` manufacturing), with
//! their monthly production and finance, hourly energy readings, daily emissions, equipment
//! registers, digital-maturity assessments, transformation projects and the subsidies paid to
//! them, their needs, and a catalog of service providers, offerings and shared applications.
//! [`DemoCatalog::generate`] builds the catalog alone, at any size, for search benchmarks.
//!
//! Everything is generated from one seed with `ChaCha8Rng`; each table draws from its own
//! sub-seed, so the same [`DemoParams`] always give the same rows, and changing how one table is
//! generated does not shift the random draws of another. Nothing reads the clock: the park's
//! "now" is [`DemoParams::until`].
//!
//! The names and words the park is made of (trade names, cities, industry profiles and
//! classes, equipment, pollutants, the catalog's scenarios and sentences, provider kinds) are
//! tab-separated data files under `data/`, embedded in the crate and read on first use (a
//! file that does not parse is an [`Error`] naming the file, line and column).
//!
//! The crate only generates Arrow [`RecordBatch`]es whose schema is exactly the table
//! contract's `data_schema()`; writing them to the lake is the caller's job. The large
//! `energy_readings` table is produced lazily by [`DemoPark::energy_batches`].
//!
//! ```
//! use parkhub_demo::{DemoPark, DemoParams, ENERGY_TABLE};
//!
//! let params = DemoParams { enterprises: 12, months: 3, energy_days: 2, ..DemoParams::default() };
//! let park = DemoPark::generate(&params)?;
//! for table in DemoPark::table_names() {
//!     // The caller writes these to the lake (`Lake::commit`), registry first.
//!     let rows: usize = if *table == ENERGY_TABLE {
//!         park.energy_batches(65_536).map(|batch| batch.num_rows()).sum()
//!     } else {
//!         park.batches(table)?.iter().map(|batch| batch.num_rows()).sum()
//!     };
//!     assert_eq!(park.row_count(table), Some(rows as u64));
//! }
//! // The same parameters give the same park.
//! let again = DemoPark::generate(&params)?;
//! assert_eq!(again.batches("enterprises")?, park.batches("enterprises")?);
//! # Ok::<(), parkhub_demo::Error>(())
//! ```

mod arrow_columns;
mod assessment;
mod calendar;
mod catalog;
mod catalog_text;
mod company_names;
mod emissions;
mod energy;
mod enterprises;
mod equipment;
mod industry_profiles;
mod industry_words;
mod needs;
mod production;
mod projects;
mod provider_kinds;
mod random;
mod tables;
#[cfg(test)]
mod tests;

use std::sync::Arc;

use chrono::{Datelike, NaiveDate};
use parkhub_connectors::arrow::error::ArrowError;
use parkhub_connectors::arrow::record_batch::RecordBatch;

use self::assessment::AssessmentRow;
use self::catalog::Catalog;
pub use self::catalog::CatalogSize;
use self::emissions::EmissionRow;
use self::energy::EnergyPlan;
use self::enterprises::Enterprise;
use self::equipment::EquipmentRow;
use self::needs::NeedRow;
use self::production::ProductionRow;
use self::projects::{DisbursementRow, ProjectRow};
use self::tables::Tables;

/// The name of the park the demo data describes.
pub const DEMO_PARK_NAME: &str = "苏州澄湖智造产业园";

/// The name of the large, lazily generated table.
pub const ENERGY_TABLE: &str = "energy_readings";

/// The lake tables the demo fills, in the order they should be written (registry first, so
/// that every row referring to an enterprise or a provider finds it already there).
const TABLE_NAMES: &[&str] = &[
    "enterprises",
    "production_monthly",
    "energy_readings",
    "emissions",
    "equipment",
    "digital_assessment",
    "service_providers",
    "service_offerings",
    "shared_applications",
    "transformation_projects",
    "fund_disbursements",
    "enterprise_needs",
];

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoParams {
    /// Number of enterprises in the park.
    pub enterprises: usize,
    /// Number of months of production data, ending with `until`.
    pub months: u32,
    /// Number of days of hourly energy readings, ending with the last day of `until`'s month.
    pub energy_days: u32,
    /// The seed every random draw derives from.
    pub seed: u64,
    /// The last month of data, as its first day (another day of the month is moved to the first).
    pub until: NaiveDate,
}

impl Default for DemoParams {
    fn default() -> Self {
        DemoParams {
            enterprises: 300,
            months: 24,
            energy_days: 90,
            seed: 42,
            until: calendar::date(2026, 10, 1),
        }
    }
}

impl DemoParams {
    /// Returns `until` moved to the first day of its month.
    pub fn until_month(&self) -> NaiveDate {
        self.until.with_day(1).unwrap_or(self.until)
    }
}

/// The catalog tables, in the order they should be written (providers first).
const CATALOG_TABLE_NAMES: &[&str] = &[
    "service_providers",
    "service_offerings",
    "shared_applications",
];

/// Why the demo park cannot be generated or cannot hand out a table.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The table is not one of [`DemoPark::table_names`].
    #[error("the demo park has no table '{name}'; its tables are {}", TABLE_NAMES.join(", "))]
    UnknownTable {
        /// The name asked for.
        name: String,
    },
    /// The table is too large to be returned at once; it has its own lazy accessor.
    #[error("table '{name}' is large and streamed: use {use_instead}")]
    StreamedTable {
        /// The name asked for.
        name: String,
        /// The method that streams it.
        use_instead: &'static str,
    },
    /// The built-in table contracts could not be loaded.
    #[error("demo park contracts: {0}")]
    Contract(#[from] parkhub_connectors::Error),
    /// A batch did not match its contract's schema (a bug in the generator).
    #[error("demo park batch: {0}")]
    Arrow(#[from] ArrowError),

    // The data files of names and words (`data/*.tsv`), each error naming the file.
    /// A file has no header or no rows.
    #[error("data file {file} has no rows")]
    EmptyDataFile {
        /// The data file.
        file: &'static str,
    },
    /// A row has more cells than the header has columns.
    #[error(
        "data file {file}, line {line}: {found} cells, but the header names {expected} columns"
    )]
    DataRowLength {
        /// The data file.
        file: &'static str,
        /// The line, from 1.
        line: usize,
        /// Columns in the header.
        expected: usize,
        /// Cells in the row.
        found: usize,
    },
    /// The header lacks a column the generator reads.
    #[error("data file {file} has no column '{column}'")]
    MissingDataColumn {
        /// The data file.
        file: &'static str,
        /// The column.
        column: &'static str,
    },
    /// A cell does not hold what its column should.
    #[error("data file {file}, line {line}, column {column}: '{value}' is not {expected}")]
    BadDataValue {
        /// The data file.
        file: &'static str,
        /// The line, from 1.
        line: usize,
        /// The column.
        column: &'static str,
        /// The cell.
        value: String,
        /// What the column holds.
        expected: &'static str,
    },
    /// A cell names an industry, scenario or other key that its table does not define.
    #[error(
        "data file {file}, line {line}, column {column}: '{value}' is not defined in {defined_in}"
    )]
    UnknownDataReference {
        /// The data file.
        file: &'static str,
        /// The line, from 1.
        line: usize,
        /// The column.
        column: &'static str,
        /// The cell.
        value: String,
        /// The file that should define it.
        defined_in: &'static str,
    },
    /// A row the generator relies on is missing.
    #[error("data file {file} has no row for '{key}'")]
    MissingDataRow {
        /// The data file.
        file: &'static str,
        /// The key of the row.
        key: &'static str,
    },
}

/// The result of the demo park's functions.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A generated demo park: every table but `energy_readings` held in memory, plus the plan the
/// energy readings are generated from on demand.
#[derive(Debug, Clone)]
pub struct DemoPark {
    params: DemoParams,
    enterprises: Vec<Enterprise>,
    production: Vec<ProductionRow>,
    emissions: Vec<EmissionRow>,
    equipment: Vec<EquipmentRow>,
    assessments: Vec<AssessmentRow>,
    catalog: Catalog,
    projects: Vec<ProjectRow>,
    disbursements: Vec<DisbursementRow>,
    needs: Vec<NeedRow>,
    energy_plan: Arc<EnergyPlan>,
}

impl DemoPark {
    /// Generates the park described by `params`. The energy readings are only planned here;
    /// [`DemoPark::energy_batches`] produces them. Fails only when the data files do not parse.
    pub fn generate(params: &DemoParams) -> Result<DemoPark> {
        let tables = Tables::get()?;
        let params = DemoParams {
            until: params.until_month(),
            ..params.clone()
        };
        let enterprises = enterprises::generate_enterprises(tables, &params);
        let production = production::generate_production(&params, &enterprises);
        let energy_plan = Arc::new(energy::plan_energy(&params, &enterprises));
        let emissions = emissions::generate_emissions(tables, &params, &enterprises);
        let equipment = equipment::generate_equipment(tables, &params, &enterprises);
        let assessments = assessment::generate_assessments(tables, &params, &enterprises);
        let catalog = catalog::generate_catalog(tables, &params, CatalogSize::DEMO);
        let (projects, disbursements) =
            projects::generate_projects(tables, &params, &enterprises, &catalog);
        let needs = needs::generate_needs(tables, &params, &enterprises);
        Ok(DemoPark {
            params,
            enterprises,
            production,
            emissions,
            equipment,
            assessments,
            catalog,
            projects,
            disbursements,
            needs,
            energy_plan,
        })
    }

    /// Returns the parameters the park was generated with (`until` moved to its month's first day).
    pub fn params(&self) -> &DemoParams {
        &self.params
    }

    /// Returns the lake tables the demo fills, in the order they should be written.
    pub fn table_names() -> &'static [&'static str] {
        TABLE_NAMES
    }

    /// Returns the batches of one table, whose schema is the table contract's `data_schema()`,
    /// for every table except `energy_readings` (use [`DemoPark::energy_batches`]). A table
    /// without rows gives no batch.
    pub fn batches(&self, table: &str) -> Result<Vec<RecordBatch>> {
        match table {
            "enterprises" => enterprises::enterprise_batches(&self.enterprises),
            "production_monthly" => production::production_batches(&self.production),
            ENERGY_TABLE => Err(Error::StreamedTable {
                name: table.to_string(),
                use_instead: "DemoPark::energy_batches",
            }),
            "emissions" => emissions::emission_batches(&self.emissions),
            "equipment" => equipment::equipment_batches(&self.equipment),
            "digital_assessment" => assessment::assessment_batches(&self.assessments),
            "service_providers" | "service_offerings" | "shared_applications" => {
                catalog::catalog_batches(&self.catalog, table)
            }
            "transformation_projects" => projects::project_batches(&self.projects),
            "fund_disbursements" => projects::disbursement_batches(&self.disbursements),
            "enterprise_needs" => needs::need_batches(&self.needs),
            _ => Err(Error::UnknownTable {
                name: table.to_string(),
            }),
        }
    }

    /// Returns the number of rows of a table held in memory (for `energy_readings`, the number
    /// [`DemoPark::energy_batches`] yields), or `None` for an unknown table.
    pub fn row_count(&self, table: &str) -> Option<u64> {
        let count = match table {
            "enterprises" => self.enterprises.len(),
            "production_monthly" => self.production.len(),
            ENERGY_TABLE => return Some(self.energy_row_count()),
            "emissions" => self.emissions.len(),
            "equipment" => self.equipment.len(),
            "digital_assessment" => self.assessments.len(),
            "service_providers" => self.catalog.providers.len(),
            "service_offerings" => self.catalog.offerings.len(),
            "shared_applications" => self.catalog.applications.len(),
            "transformation_projects" => self.projects.len(),
            "fund_disbursements" => self.disbursements.len(),
            "enterprise_needs" => self.needs.len(),
            _ => return None,
        };
        Some(count as u64)
    }

    /// Returns the hourly energy readings as a lazy, deterministic iterator of batches of at most
    /// `batch_rows` rows (at least 1), with the `energy_readings` contract's `data_schema()`.
    /// Calling it twice yields identical data. Rows come enterprise by enterprise, meter by
    /// meter, hour by hour.
    pub fn energy_batches(
        &self,
        batch_rows: usize,
    ) -> impl Iterator<Item = RecordBatch> + Send + 'static {
        energy::EnergyBatches::new(Arc::clone(&self.energy_plan), batch_rows)
    }

    /// Returns the exact number of rows [`DemoPark::energy_batches`] yields.
    pub fn energy_row_count(&self) -> u64 {
        self.energy_plan.row_count()
    }
}

/// A catalog generated alone: providers, offerings and applications as in the demo park, in
/// any number (for search benchmarks). [`CatalogSize::DEMO`] gives the demo park's catalog.
#[derive(Debug, Clone)]
pub struct DemoCatalog {
    catalog: Catalog,
}

impl DemoCatalog {
    /// Generates a catalog of `size` from the seed of `params` (and its `until`, which the
    /// publication dates end with, and `enterprises`, which subscriber counts follow).
    pub fn generate(params: &DemoParams, size: CatalogSize) -> Result<DemoCatalog> {
        Ok(DemoCatalog {
            catalog: catalog::generate_catalog(Tables::get()?, params, size),
        })
    }

    /// Returns the catalog tables, in the order they should be written.
    pub fn table_names() -> &'static [&'static str] {
        CATALOG_TABLE_NAMES
    }

    /// Returns the batches of one catalog table, with the contract's `data_schema()`.
    pub fn batches(&self, table: &str) -> Result<Vec<RecordBatch>> {
        if !CATALOG_TABLE_NAMES.contains(&table) {
            return Err(Error::UnknownTable {
                name: table.to_string(),
            });
        }
        catalog::catalog_batches(&self.catalog, table)
    }
}
