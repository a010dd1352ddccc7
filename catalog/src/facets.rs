//! Facet counts over every match of a search (not only the page), from the exact-value fast
//! fields of the index.
//!
//! [`FacetCounter`] is a tantivy collector: for each matching document it counts the values
//! of each faceted field; at the end of a segment the counts are turned into values, and
//! segments are summed. A document with several values in a field (an offering with two
//! scenarios) counts once for each.
//!
//! Reading the fast-field columns document by document costs more than the search itself
//! when a query matches most of a large catalog, so the values of every document of a
//! segment are laid out once in a flat table ([`SegmentFacets`]: per document, the slots of
//! its values, all facets together) and kept for the segment's life, segments being
//! immutable; counting a match is then a few increments. Tables are kept for the
//! [`MAX_CACHED_SEGMENTS`] segments used last.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, LazyLock, Mutex, PoisonError};

use serde::{Deserialize, Serialize};
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::index::SegmentId;
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

/// How many segments' facet tables are kept (the most recently used).
pub const MAX_CACHED_SEGMENTS: usize = 128;

/// The facet values of every document of one segment, laid out for counting.
#[derive(Debug, Default)]
pub struct SegmentFacets {
    /// The slots of document `d` are `slots[offsets[d]..offsets[d + 1]]`.
    offsets: Vec<u32>,
    /// Slot numbers: one per value of a facet, all facets together.
    slots: Vec<u32>,
    /// What each slot stands for: the facet (its index in [`FACETS`]) and the value.
    values: Vec<(usize, String)>,
}

impl SegmentFacets {
    /// Reads the facet columns of a segment into a table.
    fn build(reader: &SegmentReader) -> tantivy::Result<SegmentFacets> {
        let mut columns = Vec::with_capacity(FACETS.len());
        let mut values = Vec::new();
        for (facet, (_, field)) in FACETS.iter().enumerate() {
            let Some(column) = reader.fast_fields().str(field)? else {
                continue;
            };
            let base = u32::try_from(values.len()).unwrap_or(u32::MAX);
            let mut value = String::new();
            for ordinal in 0..column.num_terms() as u64 {
                value.clear();
                column.ord_to_str(ordinal, &mut value)?;
                values.push((facet, value.clone()));
            }
            columns.push((column, base));
        }
        let max_doc = reader.max_doc();
        let mut offsets = Vec::with_capacity(max_doc as usize + 1);
        let mut slots = Vec::with_capacity(max_doc as usize * FACETS.len());
        offsets.push(0);
        for doc in 0..max_doc {
            for (column, base) in &columns {
                slots.extend(
                    column
                        .term_ords(doc)
                        .map(|ordinal| base.saturating_add(ordinal as u32)),
                );
            }
            offsets.push(u32::try_from(slots.len()).unwrap_or(u32::MAX));
        }
        Ok(SegmentFacets {
            offsets,
            slots,
            values,
        })
    }

    /// Returns the slots of a document's values.
    fn slots_of(&self, doc: DocId) -> &[u32] {
        let doc = doc as usize;
        match (self.offsets.get(doc), self.offsets.get(doc + 1)) {
            (Some(&from), Some(&to)) => self.slots.get(from as usize..to as usize).unwrap_or(&[]),
            _ => &[],
        }
    }
}

/// The tables of the segments searched last, with when each was last used.
struct FacetCache {
    tables: HashMap<SegmentId, (Arc<SegmentFacets>, u64)>,
    clock: u64,
}

static FACET_CACHE: LazyLock<Mutex<FacetCache>> = LazyLock::new(|| {
    Mutex::new(FacetCache {
        tables: HashMap::new(),
        clock: 0,
    })
});

/// Returns the facet table of a segment, building it on first use.
fn segment_facets(reader: &SegmentReader) -> tantivy::Result<Arc<SegmentFacets>> {
    let id = reader.segment_id();
    {
        let mut cache = FACET_CACHE.lock().unwrap_or_else(PoisonError::into_inner);
        cache.clock += 1;
        let now = cache.clock;
        if let Some((table, used)) = cache.tables.get_mut(&id) {
            *used = now;
            return Ok(Arc::clone(table));
        }
    }
    // Built outside the lock: two searches may both build it, the later one is kept.
    let table = Arc::new(SegmentFacets::build(reader)?);
    let mut cache = FACET_CACHE.lock().unwrap_or_else(PoisonError::into_inner);
    cache.clock += 1;
    let now = cache.clock;
    if cache.tables.len() >= MAX_CACHED_SEGMENTS
        && let Some(oldest) = cache
            .tables
            .iter()
            .min_by_key(|(_, (_, used))| *used)
            .map(|(id, _)| *id)
    {
        cache.tables.remove(&oldest);
    }
    cache.tables.insert(id, (Arc::clone(&table), now));
    Ok(table)
}

/// Counts the values of [`FACETS`] over every document a query matches.
#[derive(Debug, Clone, Copy, Default)]
pub struct FacetCounter;

/// The counts of one segment: per slot of its facet table, how many matches have it.
pub struct SegmentFacetCounter {
    table: Arc<SegmentFacets>,
    counts: Vec<u32>,
}

impl Collector for FacetCounter {
    type Fruit = BTreeMap<String, Vec<FacetCount>>;
    type Child = SegmentFacetCounter;

    fn for_segment(
        &self,
        _segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<SegmentFacetCounter> {
        let table = segment_facets(reader)?;
        let counts = vec![0u32; table.values.len()];
        Ok(SegmentFacetCounter { table, counts })
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
        for &slot in self.table.slots_of(doc) {
            if let Some(count) = self.counts.get_mut(slot as usize) {
                *count += 1;
            }
        }
    }

    fn harvest(self) -> Vec<HashMap<String, u64>> {
        let mut facets: Vec<HashMap<String, u64>> = vec![HashMap::new(); FACETS.len()];
        for (slot, count) in self.counts.into_iter().enumerate() {
            if count == 0 {
                continue;
            }
            if let Some((facet, value)) = self.table.values.get(slot)
                && let Some(values) = facets.get_mut(*facet)
            {
                values.insert(value.clone(), u64::from(count));
            }
        }
        facets
    }
}
