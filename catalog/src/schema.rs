//! The tantivy schema of the catalog index and how an entry becomes a document.
//!
//! Three groups of fields:
//!
//! - analysed text (with `analysis::TEXT_ANALYZER`), searched with a boost each
//!   (see [`TEXT_FIELD_BOOSTS`]): `title`, `title_en`, `summary`, `scenarios`,
//!   `key_industries`, `qualifications`, `region_text`, `description`, `cases`;
//! - exact values (raw, indexed, fast) for filters and facets: `kind`, `id`, `category`,
//!   `deployment`, `pricing_model`, `provider_id`, `scenario`, `industry`, `division`,
//!   `region` (the last four multi-valued where the entry has several), and the derived
//!   `price_band` (see [`price_band`]);
//! - numbers (indexed, fast, stored): `price_min`, `price_max`, `rating` (f64),
//!   `subscribers`, `target_maturity_level` (u64), and the date `published_on`;
//! - `name_pinyin` (raw, indexed only): the pinyin of provider and application names, whole
//!   syllables and initials, for queries such as `hxjm` or `huaxing` (see [`name_pinyin`]).
//!
//! `kind`, `id`, `title`, `title_en`, `summary`, `description` and the exact values are
//! stored, so hits and snippets are built from the index alone.

use parkhub_connectors::industry;
use pinyin::ToPinyin;
use tantivy::schema::{
    DateOptions, DateTimePrecision, FAST, Field, INDEXED, IndexRecordOption, STORED, STRING,
    Schema, TextFieldIndexing, TextOptions,
};
use tantivy::{DateTime, TantivyDocument};

use crate::analysis::TEXT_ANALYZER;
use crate::entry::{CatalogEntry, EntryKind};
use crate::vocabulary;

/// Name of the field holding the entry kind (`application`, `offering`, `provider`).
pub const KIND: &str = "kind";
/// Name of the field holding the entry id.
pub const ID: &str = "id";
/// Name of the analysed Chinese title field.
pub const TITLE: &str = "title";
/// Name of the analysed English title field.
pub const TITLE_EN: &str = "title_en";
/// Name of the analysed summary field.
pub const SUMMARY: &str = "summary";
/// Name of the analysed description field.
pub const DESCRIPTION: &str = "description";
/// Name of the analysed reference-cases field.
pub const CASES: &str = "cases";
/// Name of the analysed scenarios field (values plus the names of known scenario codes).
pub const SCENARIOS: &str = "scenarios";
/// Name of the analysed key-industries field (codes, names, division names).
pub const KEY_INDUSTRIES: &str = "key_industries";
/// Name of the analysed qualifications field.
pub const QUALIFICATIONS: &str = "qualifications";
/// Name of the analysed region field.
pub const REGION_TEXT: &str = "region_text";
/// Name of the exact category field.
pub const CATEGORY: &str = "category";
/// Name of the exact deployment field.
pub const DEPLOYMENT: &str = "deployment";
/// Name of the exact pricing-model field.
pub const PRICING_MODEL: &str = "pricing_model";
/// Name of the exact provider id field.
pub const PROVIDER_ID: &str = "provider_id";
/// Name of the exact, multi-valued scenario field (values as the lake holds them).
pub const SCENARIO: &str = "scenario";
/// Name of the exact, multi-valued key industry code field.
pub const INDUSTRY: &str = "industry";
/// Name of the exact, multi-valued GB/T 4754 division field.
pub const DIVISION: &str = "division";
/// Name of the exact region field.
pub const REGION: &str = "region";
/// Name of the lowest-price field (10k yuan).
pub const PRICE_MIN: &str = "price_min";
/// Name of the highest-price field (10k yuan).
pub const PRICE_MAX: &str = "price_max";
/// Name of the rating field.
pub const RATING: &str = "rating";
/// Name of the subscribers field.
pub const SUBSCRIBERS: &str = "subscribers";
/// Name of the target maturity level field.
pub const TARGET_MATURITY_LEVEL: &str = "target_maturity_level";
/// Name of the exact, derived price band field (see [`price_band`]).
pub const PRICE_BAND: &str = "price_band";
/// Name of the publication date field.
pub const PUBLISHED_ON: &str = "published_on";
/// Name of the raw field holding the pinyin of provider and application names.
pub const NAME_PINYIN: &str = "name_pinyin";

/// The price bands, in 10k yuan, cheapest first: what [`price_band`] returns.
pub const PRICE_BANDS: [&str; 4] = ["<10", "10-50", "50-200", ">=200"];

/// Returns the price band of an entry priced from `price_min` to `price_max` (10k yuan): the
/// band of its lowest price (the highest when only that is known); none without a price.
pub fn price_band(price_min: Option<f64>, price_max: Option<f64>) -> Option<&'static str> {
    let price = price_min
        .filter(|price| price.is_finite())
        .or(price_max.filter(|price| price.is_finite()))?;
    Some(if price < 10.0 {
        PRICE_BANDS[0]
    } else if price < 50.0 {
        PRICE_BANDS[1]
    } else if price < 200.0 {
        PRICE_BANDS[2]
    } else {
        PRICE_BANDS[3]
    })
}

/// Seconds in a day, to turn the lake's dates (days since 1970-01-01) into index dates.
const SECONDS_PER_DAY: i64 = 86_400;

/// The analysed text fields a search looks in, with the weight of a match in each: a word
/// in the title counts three times one in the description.
pub const TEXT_FIELD_BOOSTS: &[(&str, f32)] = &[
    (TITLE, 3.0),
    (TITLE_EN, 2.5),
    (SUMMARY, 2.0),
    (SCENARIOS, 1.5),
    (KEY_INDUSTRIES, 1.0),
    (QUALIFICATIONS, 1.0),
    (REGION_TEXT, 1.0),
    (DESCRIPTION, 1.0),
    (CASES, 0.8),
];

/// The text fields where a Latin word of a query is also matched one typo away: those that
/// hold English (names, scenario and industry names) or product words (`MES`, `SaaS`).
pub const FUZZY_FIELDS: &[&str] = &[TITLE, TITLE_EN, SUMMARY, SCENARIOS, KEY_INDUSTRIES];

/// The catalog schema with its fields resolved.
#[derive(Debug, Clone)]
pub struct CatalogSchema {
    /// The tantivy schema.
    pub schema: Schema,
    /// `kind`
    pub kind: Field,
    /// `id`
    pub id: Field,
    /// `title`
    pub title: Field,
    /// `title_en`
    pub title_en: Field,
    /// `summary`
    pub summary: Field,
    /// `description`
    pub description: Field,
    /// `cases`
    pub cases: Field,
    /// `scenarios`
    pub scenarios: Field,
    /// `key_industries`
    pub key_industries: Field,
    /// `qualifications`
    pub qualifications: Field,
    /// `region_text`
    pub region_text: Field,
    /// `category`
    pub category: Field,
    /// `deployment`
    pub deployment: Field,
    /// `pricing_model`
    pub pricing_model: Field,
    /// `provider_id`
    pub provider_id: Field,
    /// `scenario`
    pub scenario: Field,
    /// `industry`
    pub industry: Field,
    /// `division`
    pub division: Field,
    /// `region`
    pub region: Field,
    /// `price_min`
    pub price_min: Field,
    /// `price_max`
    pub price_max: Field,
    /// `rating`
    pub rating: Field,
    /// `subscribers`
    pub subscribers: Field,
    /// `target_maturity_level`
    pub target_maturity_level: Field,
    /// `price_band`
    pub price_band: Field,
    /// `published_on`
    pub published_on: Field,
    /// `name_pinyin`
    pub name_pinyin: Field,
    /// The analysed text fields with their boosts, in the order of [`TEXT_FIELD_BOOSTS`].
    pub text_fields: Vec<(Field, f32)>,
    /// The text fields where Latin words are also matched one typo away
    /// ([`FUZZY_FIELDS`]).
    pub fuzzy_fields: Vec<Field>,
}

impl CatalogSchema {
    /// Builds the schema of this version of the catalog.
    pub fn new() -> CatalogSchema {
        let mut builder = Schema::builder();
        let stored_text = analysed_text().set_stored();
        let exact = STRING | FAST | STORED;
        let number = INDEXED | FAST | STORED;

        let kind = builder.add_text_field(KIND, exact.clone());
        let id = builder.add_text_field(ID, STRING | STORED);
        let title = builder.add_text_field(TITLE, stored_text.clone());
        let title_en = builder.add_text_field(TITLE_EN, stored_text.clone());
        let summary = builder.add_text_field(SUMMARY, stored_text.clone());
        let description = builder.add_text_field(DESCRIPTION, stored_text);
        let cases = builder.add_text_field(CASES, analysed_text());
        let scenarios = builder.add_text_field(SCENARIOS, analysed_text());
        let key_industries = builder.add_text_field(KEY_INDUSTRIES, analysed_text());
        let qualifications = builder.add_text_field(QUALIFICATIONS, analysed_text());
        let region_text = builder.add_text_field(REGION_TEXT, analysed_text());
        let category = builder.add_text_field(CATEGORY, exact.clone());
        let deployment = builder.add_text_field(DEPLOYMENT, exact.clone());
        let pricing_model = builder.add_text_field(PRICING_MODEL, exact.clone());
        let provider_id = builder.add_text_field(PROVIDER_ID, exact.clone());
        let scenario = builder.add_text_field(SCENARIO, exact.clone());
        let industry = builder.add_text_field(INDUSTRY, exact.clone());
        let division = builder.add_text_field(DIVISION, exact.clone());
        let region = builder.add_text_field(REGION, exact);
        let price_min = builder.add_f64_field(PRICE_MIN, number.clone());
        let price_max = builder.add_f64_field(PRICE_MAX, number.clone());
        let rating = builder.add_f64_field(RATING, number.clone());
        let subscribers = builder.add_u64_field(SUBSCRIBERS, number.clone());
        let target_maturity_level = builder.add_u64_field(TARGET_MATURITY_LEVEL, number);
        let price_band = builder.add_text_field(PRICE_BAND, STRING | FAST | STORED);
        let published_on = builder.add_date_field(
            PUBLISHED_ON,
            DateOptions::default()
                .set_indexed()
                .set_fast()
                .set_stored()
                .set_precision(DateTimePrecision::Seconds),
        );
        let name_pinyin = builder.add_text_field(NAME_PINYIN, STRING);
        let schema = builder.build();

        let text_fields = TEXT_FIELD_BOOSTS
            .iter()
            .filter_map(|(name, boost)| schema.get_field(name).ok().map(|field| (field, *boost)))
            .collect();
        let fuzzy_fields = FUZZY_FIELDS
            .iter()
            .filter_map(|name| schema.get_field(name).ok())
            .collect();
        CatalogSchema {
            schema,
            kind,
            id,
            title,
            title_en,
            summary,
            description,
            cases,
            scenarios,
            key_industries,
            qualifications,
            region_text,
            category,
            deployment,
            pricing_model,
            provider_id,
            scenario,
            industry,
            division,
            region,
            price_min,
            price_max,
            rating,
            subscribers,
            target_maturity_level,
            price_band,
            published_on,
            name_pinyin,
            text_fields,
            fuzzy_fields,
        }
    }

    /// Returns the document indexing `entry`.
    pub fn document(&self, entry: &CatalogEntry) -> TantivyDocument {
        let mut document = TantivyDocument::new();
        document.add_text(self.kind, entry.kind.as_str());
        document.add_text(self.id, &entry.id);
        document.add_text(self.title, &entry.title);
        add_optional_text(&mut document, self.title_en, entry.title_en.as_deref());
        add_optional_text(&mut document, self.summary, Some(&entry.summary));
        add_optional_text(&mut document, self.description, Some(&entry.description));
        add_optional_text(&mut document, self.cases, Some(&entry.cases));

        for value in distinct(&entry.scenarios) {
            document.add_text(self.scenario, value);
            let text = match vocabulary::scenario(value) {
                Some(known) => format!("{value} {} {}", known.name_zh, known.name_en),
                None => value.clone(),
            };
            document.add_text(self.scenarios, text);
        }
        for code in distinct(&entry.key_industries) {
            document.add_text(self.industry, code);
            let text = match industry::key_industry(code) {
                Some(known) => format!("{code} {} {}", known.name_zh, known.name_en),
                None => code.clone(),
            };
            document.add_text(self.key_industries, text);
        }
        for division in distinct(&entry.divisions) {
            document.add_text(self.division, division);
            if let Some(name) = industry::division_name(division) {
                document.add_text(self.key_industries, format!("{division} {name}"));
            }
        }
        for qualification in &entry.qualifications {
            document.add_text(self.qualifications, qualification);
        }
        if let Some(region) = entry.region.as_deref() {
            document.add_text(self.region, region);
            document.add_text(self.region_text, region);
        }

        add_optional_text(&mut document, self.category, entry.category.as_deref());
        add_optional_text(&mut document, self.deployment, entry.deployment.as_deref());
        add_optional_text(
            &mut document,
            self.pricing_model,
            entry.pricing_model.as_deref(),
        );
        add_optional_text(
            &mut document,
            self.provider_id,
            entry.provider_id.as_deref(),
        );

        // A price known at one end only is the price at both ends.
        let price_min = entry.price_min.filter(|price| price.is_finite());
        let price_max = entry.price_max.filter(|price| price.is_finite());
        for (field, value) in [
            (self.price_min, price_min.or(price_max)),
            (self.price_max, price_max.or(price_min)),
            (self.rating, entry.rating),
        ] {
            if let Some(value) = value.filter(|value| value.is_finite()) {
                document.add_f64(field, value);
            }
        }
        if let Some(subscribers) = entry.subscribers {
            document.add_u64(self.subscribers, subscribers);
        }
        if let Some(level) = entry.target_maturity_level {
            document.add_u64(self.target_maturity_level, u64::from(level));
        }
        if let Some(band) = price_band(price_min, price_max) {
            document.add_text(self.price_band, band);
        }
        if let Some(days) = entry.published_on {
            let seconds = i64::from(days) * SECONDS_PER_DAY;
            document.add_date(self.published_on, DateTime::from_timestamp_secs(seconds));
        }
        if matches!(entry.kind, EntryKind::Provider | EntryKind::Application) {
            for key in name_pinyin(&entry.title) {
                document.add_text(self.name_pinyin, key);
            }
        }
        document
    }
}

impl Default for CatalogSchema {
    fn default() -> Self {
        CatalogSchema::new()
    }
}

/// Text analysed with the catalog analyzer, with frequencies and positions (positions leave
/// room for phrase queries later; the catalog is small).
fn analysed_text() -> TextOptions {
    TextOptions::default().set_indexing_options(
        TextFieldIndexing::default()
            .set_tokenizer(TEXT_ANALYZER)
            .set_index_option(IndexRecordOption::WithFreqsAndPositions),
    )
}

/// Initials of at least this many characters are indexed (fewer would match words typed
/// for something else).
const MIN_PINYIN_INITIALS: usize = 4;
/// Initials of at most this many characters are indexed, besides the whole name's.
const MAX_PINYIN_INITIALS: usize = 8;
/// Whole syllables of two to this many characters are indexed, besides the whole name's.
const MAX_PINYIN_SYLLABLES: usize = 4;

/// Returns the pinyin keys of a name: within each run of Han characters, the initials of
/// every four to eight consecutive characters (`华兴精密机械` → `hxjm`, `hxjmjx`, …) and the
/// syllables of every two to four (`huaxing`, `huaxingjingmi`, …), plus the initials and
/// syllables of the whole name's Han text. Lowercase ASCII, distinct, in order.
pub fn name_pinyin(name: &str) -> Vec<String> {
    let mut runs: Vec<Vec<(char, String)>> = vec![Vec::new()];
    for character in name.chars() {
        match character.to_pinyin() {
            Some(pinyin) => {
                let initial = pinyin.first_letter().chars().next().unwrap_or('_');
                if let Some(run) = runs.last_mut() {
                    run.push((initial, pinyin.plain().to_string()));
                }
            }
            None => runs.push(Vec::new()),
        }
    }
    runs.retain(|run| !run.is_empty());
    let mut keys: Vec<String> = Vec::new();
    let mut push = |key: String| {
        if !keys.contains(&key) {
            keys.push(key);
        }
    };
    for run in &runs {
        for start in 0..run.len() {
            for end in start + 1..=run.len() {
                let length = end - start;
                let window = &run[start..end];
                if (MIN_PINYIN_INITIALS..=MAX_PINYIN_INITIALS).contains(&length) {
                    push(window.iter().map(|(initial, _)| *initial).collect());
                }
                if (2..=MAX_PINYIN_SYLLABLES).contains(&length) {
                    push(window.iter().map(|(_, plain)| plain.as_str()).collect());
                }
            }
        }
    }
    let all: Vec<&(char, String)> = runs.iter().flatten().collect();
    if all.len() >= 2 {
        push(all.iter().map(|(initial, _)| *initial).collect());
        push(all.iter().map(|(_, plain)| plain.as_str()).collect());
    }
    keys
}

/// Returns the distinct values of a list, in order.
fn distinct(values: &[String]) -> impl Iterator<Item = &String> {
    values
        .iter()
        .enumerate()
        .filter(|(index, value)| !values[..*index].contains(value))
        .map(|(_, value)| value)
}

fn add_optional_text(document: &mut TantivyDocument, field: Field, value: Option<&str>) {
    if let Some(value) = value.filter(|value| !value.trim().is_empty()) {
        document.add_text(field, value);
    }
}

#[cfg(test)]
mod tests {
    use tantivy::schema::Value;

    use super::*;

    #[test]
    fn text_fields_resolve_with_their_boosts() {
        let schema = CatalogSchema::new();
        assert_eq!(schema.text_fields.len(), TEXT_FIELD_BOOSTS.len());
        assert_eq!(schema.text_fields[0], (schema.title, 3.0));
        assert_eq!(
            schema.schema,
            CatalogSchema::new().schema,
            "the schema is deterministic"
        );
    }

    #[test]
    fn documents_carry_codes_and_their_names() {
        let schema = CatalogSchema::new();
        let mut entry = CatalogEntry::new(EntryKind::Offering, "OF-1", "高炉预测性维护");
        entry.scenarios = vec!["predictive_maintenance".into(), "自定义场景".into()];
        entry.key_industries = vec!["iron_steel".into()];
        entry.divisions = vec!["C31".into()];
        entry.rating = Some(f64::NAN);
        let document = schema.document(&entry);
        let texts = |field: Field| -> Vec<String> {
            document
                .get_all(field)
                .filter_map(|value| value.as_str().map(str::to_string))
                .collect()
        };
        assert_eq!(texts(schema.kind), ["offering"]);
        assert_eq!(
            texts(schema.scenario),
            ["predictive_maintenance", "自定义场景"]
        );
        assert!(texts(schema.scenarios)[0].contains("预测性维护"));
        assert!(texts(schema.key_industries)[0].contains("钢铁"));
        assert_eq!(texts(schema.industry), ["iron_steel"]);
        assert_eq!(texts(schema.division), ["C31"]);
        assert!(
            texts(schema.summary).is_empty(),
            "empty text is not indexed"
        );
        assert_eq!(
            document.get_all(schema.rating).count(),
            0,
            "NaN is not indexed"
        );
    }

    #[test]
    fn price_bands_follow_the_lowest_price() {
        assert_eq!(price_band(Some(0.0), Some(0.0)), Some("<10"));
        assert_eq!(price_band(Some(9.99), Some(300.0)), Some("<10"));
        assert_eq!(price_band(Some(10.0), None), Some("10-50"));
        assert_eq!(price_band(None, Some(120.0)), Some("50-200"));
        assert_eq!(price_band(Some(200.0), Some(400.0)), Some(">=200"));
        assert_eq!(price_band(None, None), None);
        assert_eq!(price_band(Some(f64::NAN), None), None);
    }

    #[test]
    fn documents_carry_band_date_filled_prices_and_pinyin() {
        let schema = CatalogSchema::new();
        let mut entry = CatalogEntry::new(EntryKind::Application, "A-1", "华兴精密能耗监测");
        entry.price_min = Some(12.0);
        entry.published_on = Some(20_000);
        entry.scenarios = vec!["mes".into(), "mes".into()];
        let document = schema.document(&entry);
        let first_str = |field: Field| {
            document
                .get_first(field)
                .and_then(|value| value.as_str().map(str::to_string))
        };
        assert_eq!(first_str(schema.price_band).as_deref(), Some("10-50"));
        assert_eq!(
            document
                .get_first(schema.price_max)
                .and_then(|value| value.as_f64()),
            Some(12.0)
        );
        assert_eq!(
            document
                .get_first(schema.published_on)
                .and_then(|value| value.as_datetime())
                .map(|date| date.into_timestamp_secs()),
            Some(20_000 * SECONDS_PER_DAY)
        );
        assert_eq!(
            document.get_all(schema.scenario).count(),
            1,
            "distinct values"
        );
        let pinyin: Vec<String> = document
            .get_all(schema.name_pinyin)
            .filter_map(|value| value.as_str().map(str::to_string))
            .collect();
        assert!(pinyin.contains(&"hxjm".to_string()), "{pinyin:?}");
        assert!(pinyin.contains(&"huaxingjingmi".to_string()), "{pinyin:?}");
        assert!(
            pinyin.contains(&"hxjmnhjc".to_string()),
            "the whole name: {pinyin:?}"
        );
        assert!(
            !pinyin.contains(&"hx".to_string()),
            "short initials: {pinyin:?}"
        );

        let offering = schema.document(&CatalogEntry::new(EntryKind::Offering, "O-1", "华兴精密"));
        assert_eq!(offering.get_all(schema.name_pinyin).count(), 0);
    }
}
