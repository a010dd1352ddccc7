//! Facet counts over every match of a search (not only the page), from the exact-value fast
//! fields of the index.
//!
//! [`FacetCounter`] is a tantivy collector: for each matching document it reads the term
//! ordinals of each faceted field's column and counts them; at the end of a segment the
//! ordinals are turned into values, and segments are summed. A document with several values
//! in a field (an offering with two scenarios) counts once for each.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::StrColumn;
use tantivy::{DocId, Score, SegmentOrdinal, SegmentReader};

use crate::schema;

/// The facets every search counts: the name in [`crate::SearchResults::facets`] and the index
/// field it counts.
pub const FACETS: [(&str, &str); 7] = [
    ("kind", schema::KIND),
    ("key_industry", schema::INDUSTRY),
    ("category", schema::CATEGORY),
    ("scenario", schema::SCENARIO),
    ("deployment", schema::DEPLOYMENT),
    ("price_band", schema::PRICE_BAND),
    ("region", schema::REGION),
];

/// At most this many values are returned per facet, the most frequent.
pub const MAX_FACET_VALUES: usize = 100;

/// How many matching entries have one value of a facet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetCount {
    /// The value (`iron_steel`, `saas`, `10-50`, …).
    pub value: String,
    /// How many matching entries have it.
    pub count: u64,
}

/// Counts the values of [`FACETS`] over every document a query matches.
#[derive(Debug, Clone, Copy, Default)]
pub struct FacetCounter;

/// The counts of one segment: per facet, value ordinal → count.
pub struct SegmentFacetCounter {
    columns: Vec<Option<(StrColumn, Vec<u32>)>>,
}

impl Collector for FacetCounter {
    type Fruit = BTreeMap<String, Vec<FacetCount>>;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let mut columns = Vec::with_capacity(FACETS.len());
        for (_, field) in FACETS {
            let column = reader.fast_fields().str(field)?;
            columns.push(column.map(|column| {
                let counts = vec![0u32; column.num_terms()];
                (column, counts)
            }));
        }
        Ok(SegmentFacetCounter { columns })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(
        &self,
        segments: Vec<Vec<HashMap<String, u64>>>,
    ) -> tantivy::Result<BTreeMap<String, Vec<FacetCount>>> {
        let mut facets = BTreeMap::new();
        for (index, (name, _)) in FACETS.iter().enumerate() {
            let mut totals: HashMap<&str, u64> = HashMap::new();
            for segment in &segments {
                if let Some(counts) = segment.get(index) {
                    for (value, count) in counts {
                        *totals.entry(value.as_str()).or_default() += count;
                    }
                }
            }
            let mut counts: Vec<FacetCount> = totals
                .into_iter()
                .map(|(value, count)| FacetCount {
                    value: value.to_string(),
                    count,
                })
                .collect();
            counts.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            counts.truncate(MAX_FACET_VALUES);
            facets.insert((*name).to_string(), counts);
        }
        Ok(facets)
    }
}

impl SegmentCollector for SegmentFacetCounter {
    type Fruit = Vec<HashMap<String, u64>>;

    fn collect(&mut self, doc: DocId, _score: Score) {
        for (column, counts) in self.columns.iter_mut().flatten() {
            for ordinal in column.term_ords(doc) {
                if let Some(count) = usize::try_from(ordinal)
                    .ok()
                    .and_then(|ordinal| counts.get_mut(ordinal))
                {
                    *count += 1;
                }
            }
        }
    }

    fn harvest(self) -> Vec<HashMap<String, u64>> {
        let mut value = String::new();
        self.columns
            .into_iter()
            .map(|column| {
                let mut values = HashMap::new();
                let Some((column, counts)) = column else {
                    return values;
                };
                for (ordinal, count) in counts.into_iter().enumerate() {
                    if count == 0 {
                        continue;
                    }
                    value.clear();
                    if matches!(column.ord_to_str(ordinal as u64, &mut value), Ok(true)) {
                        values.insert(value.clone(), u64::from(count));
                    }
                }
                values
            })
            .collect()
    }
}
