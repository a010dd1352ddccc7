//! Coordination: a disjunction of concept queries whose score is the sum of the matching
//! parts' scores times the share of the query's concepts an entry holds.
//!
//! BM25 alone lets an entry that repeats one word of a two-word query outrank an entry that
//! holds both (`钢铁行业能源管理`: an energy-management entry of another industry before
//! the steel one). Scaling by `matched / concepts` (the "coord" factor of classic Lucene
//! scoring) puts entries with everything asked for first, without requiring it.
//!
//! Each concept comes in up to two [`ConceptPart`]s: what the query names (typed words,
//! translations, synonyms), and the dictionary words found inside them (`维护` in
//! `预测性维护`). An entry holding only the latter holds the concept by [`PART_CREDIT`]:
//! `配方管理` shares `管理` with `能源管理` but is not about it.
//!
//! A concept the planner marks as not *driving* (a word most entries hold, such as `行业` or
//! `设备` in a long need) adds to the score of entries that other concepts bring, but brings
//! none by itself, as Lucene's common-terms query does: the matches, their count and their
//! facets are those of the words that tell entries apart.
//!
//! The scorer is a windowed union like tantivy's own (`BufferedUnionScorer`): the driving
//! parts are read [`WINDOW`] documents at a time into a bit set, with each document's score
//! and the concepts it holds; the other parts then add to the documents of the window.

use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, DocSet, Score, SegmentReader, TERMINATED, TantivyError, Term};

/// The power of the share of concepts matched in the score: 2 halves the score of an entry
/// matching two of three concepts more than once (`(2/3)² ≈ 0.44`).
pub(crate) const COORDINATION_EXPONENT: Score = 2.0;
/// How much of a concept an entry holds when it holds only words found inside the query's
/// words.
pub(crate) const PART_CREDIT: Score = 0.5;
/// Documents read from the parts at a time.
const WINDOW: u32 = 4096;
const WINDOW_WORDS: usize = (WINDOW / 64) as usize;
/// Concepts beyond this many share the last bit of the concept masks.
const MAX_CONCEPTS: usize = 64;

/// One query of a concept.
#[derive(Debug)]
pub(crate) struct ConceptPart {
    /// What it matches, with its scores.
    pub(crate) query: Box<dyn Query>,
    /// The concept, numbered from 0.
    pub(crate) concept: usize,
    /// True for what the query names; false for the words found inside them.
    pub(crate) named: bool,
    /// True when its matches are matches of the query; false when it only adds to the score
    /// of entries other parts bring.
    pub(crate) drives: bool,
}

impl Clone for ConceptPart {
    fn clone(&self) -> ConceptPart {
        ConceptPart {
            query: self.query.box_clone(),
            concept: self.concept,
            named: self.named,
            drives: self.drives,
        }
    }
}

/// Matches what any driving part matches; scores `sum × (held / concepts)^COORDINATION_EXPONENT`
/// where `held` counts 1 for a concept whose named part matches and [`PART_CREDIT`] for one
/// only its inner words match.
#[derive(Debug, Clone)]
pub(crate) struct CoordinationQuery {
    parts: Vec<ConceptPart>,
    concepts: usize,
}

impl CoordinationQuery {
    /// Returns the coordination of `parts` over `concepts` concepts. When no part drives,
    /// every part does.
    pub(crate) fn new(mut parts: Vec<ConceptPart>, concepts: usize) -> CoordinationQuery {
        if !parts.iter().any(|part| part.drives) {
            for part in &mut parts {
                part.drives = true;
            }
        }
        CoordinationQuery {
            parts,
            concepts: concepts.max(1),
        }
    }
}

impl Query for CoordinationQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let parts = self
            .parts
            .iter()
            .map(|part| {
                Ok(PartWeight {
                    weight: part.query.weight(enable_scoring)?,
                    mask: concept_mask(part.concept),
                    named: part.named,
                    drives: part.drives,
                })
            })
            .collect::<tantivy::Result<Vec<_>>>()?;
        Ok(Box::new(CoordinationWeight {
            parts,
            concepts: self.concepts,
        }))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for part in &self.parts {
            part.query.query_terms(visitor);
        }
    }
}

/// `share^COORDINATION_EXPONENT`, without `powf` for the usual exponent.
fn coordination_factor(share: Score) -> Score {
    if COORDINATION_EXPONENT == 2.0 {
        share * share
    } else {
        share.powf(COORDINATION_EXPONENT)
    }
}

fn concept_mask(concept: usize) -> u64 {
    1u64 << concept.min(MAX_CONCEPTS - 1)
}

struct PartWeight {
    weight: Box<dyn Weight>,
    mask: u64,
    named: bool,
    drives: bool,
}

struct CoordinationWeight {
    parts: Vec<PartWeight>,
    concepts: usize,
}

impl Weight for CoordinationWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let mut drivers = Vec::new();
        let mut others = Vec::new();
        for part in &self.parts {
            let scorer = part.weight.scorer(reader, boost)?;
            if scorer.doc() == TERMINATED {
                continue;
            }
            let part_scorer = PartScorer {
                scorer,
                mask: part.mask,
                named: part.named,
            };
            if part.drives {
                drivers.push(part_scorer);
            } else {
                others.push(part_scorer);
            }
        }
        Ok(Box::new(CoordinationScorer::new(
            drivers,
            others,
            self.concepts,
        )))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(TantivyError::InvalidArgument(format!(
                "document {doc} does not match"
            )));
        }
        Ok(Explanation::new(
            "sum of the concepts' scores × (share of concepts held)²",
            scorer.score(),
        ))
    }
}

struct PartScorer {
    scorer: Box<dyn Scorer>,
    mask: u64,
    named: bool,
}

/// The union of the driving parts, window by window (see the module documentation).
struct CoordinationScorer {
    drivers: Vec<PartScorer>,
    others: Vec<PartScorer>,
    concepts: Score,
    /// The documents of the window not yet visited, relative to `offset`.
    bits: [u64; WINDOW_WORDS],
    /// Per document of the window: the sum of its parts' scores and the concepts held by a
    /// named part and by an inner word.
    sums: Box<[Score]>,
    named: Box<[u64]>,
    inner: Box<[u64]>,
    /// The first document of the window.
    offset: DocId,
    /// The word of `bits` the next document is looked for from.
    cursor: usize,
    doc: DocId,
}

impl CoordinationScorer {
    fn new(drivers: Vec<PartScorer>, others: Vec<PartScorer>, concepts: usize) -> Self {
        let mut scorer = CoordinationScorer {
            drivers,
            others,
            concepts: concepts.max(1) as Score,
            bits: [0; WINDOW_WORDS],
            sums: vec![0.0; WINDOW as usize].into_boxed_slice(),
            named: vec![0; WINDOW as usize].into_boxed_slice(),
            inner: vec![0; WINDOW as usize].into_boxed_slice(),
            offset: 0,
            cursor: WINDOW_WORDS,
            doc: 0,
        };
        scorer.advance();
        scorer
    }

    /// Reads the next window of the driving parts; false when they are exhausted.
    fn refill(&mut self) -> bool {
        let Some(first) = self
            .drivers
            .iter()
            .map(|part| part.scorer.doc())
            .min()
            .filter(|doc| *doc != TERMINATED)
        else {
            return false;
        };
        self.offset = first;
        let horizon = first.saturating_add(WINDOW);
        self.bits = [0; WINDOW_WORDS];
        for part in &mut self.drivers {
            let mut doc = part.scorer.doc();
            while doc < horizon {
                let slot = (doc - first) as usize;
                let (word, bit) = (slot / 64, 1u64 << (slot % 64));
                if self.bits[word] & bit == 0 {
                    self.bits[word] |= bit;
                    self.sums[slot] = 0.0;
                    self.named[slot] = 0;
                    self.inner[slot] = 0;
                }
                self.sums[slot] += part.scorer.score();
                if part.named {
                    self.named[slot] |= part.mask;
                } else {
                    self.inner[slot] |= part.mask;
                }
                doc = part.scorer.advance();
            }
        }
        // The other parts are sought to the documents of the window only, so that the
        // postings of a common word are mostly skipped.
        for part in &mut self.others {
            for (word, &bits) in self.bits.iter().enumerate() {
                let mut bits = bits;
                while bits != 0 {
                    let slot = word * 64 + bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    let target = first + slot as DocId;
                    let mut doc = part.scorer.doc();
                    if doc < target {
                        doc = part.scorer.seek(target);
                    }
                    if doc == TERMINATED {
                        break;
                    }
                    if doc == target {
                        self.sums[slot] += part.scorer.score();
                        if part.named {
                            self.named[slot] |= part.mask;
                        } else {
                            self.inner[slot] |= part.mask;
                        }
                    }
                }
            }
        }
        self.cursor = 0;
        true
    }
}

impl DocSet for CoordinationScorer {
    fn advance(&mut self) -> DocId {
        loop {
            while self.cursor < WINDOW_WORDS {
                let word = self.bits[self.cursor];
                if word != 0 {
                    self.bits[self.cursor] = word & (word - 1);
                    self.doc = self.offset + (self.cursor as u32) * 64 + word.trailing_zeros();
                    return self.doc;
                }
                self.cursor += 1;
            }
            if !self.refill() {
                self.doc = TERMINATED;
                return TERMINATED;
            }
        }
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc >= target {
            return self.doc;
        }
        if self.doc == TERMINATED {
            return TERMINATED;
        }
        if target < self.offset.saturating_add(WINDOW) {
            // Forget the documents of the window before the target.
            let slot = (target - self.offset) as usize;
            let word = slot / 64;
            for skipped in &mut self.bits[self.cursor.min(word)..word] {
                *skipped = 0;
            }
            self.cursor = self.cursor.max(word);
            if self.cursor == word {
                self.bits[word] &= !((1u64 << (slot % 64)) - 1);
            }
        } else {
            for part in &mut self.drivers {
                if part.scorer.doc() < target {
                    part.scorer.seek(target);
                }
            }
            self.cursor = WINDOW_WORDS;
        }
        self.advance()
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.drivers
            .iter()
            .map(|part| part.scorer.size_hint())
            .max()
            .unwrap_or(0)
    }

    fn cost(&self) -> u64 {
        self.drivers
            .iter()
            .chain(&self.others)
            .map(|part| part.scorer.cost())
            .sum()
    }
}

impl Scorer for CoordinationScorer {
    fn score(&mut self) -> Score {
        let Some(slot) = self
            .doc
            .checked_sub(self.offset)
            .map(|slot| slot as usize)
            .filter(|slot| *slot < WINDOW as usize)
        else {
            return 0.0;
        };
        let named = self.named[slot];
        let inner_only = self.inner[slot] & !named;
        let held = named.count_ones() as Score + PART_CREDIT * inner_only.count_ones() as Score;
        let share = (held / self.concepts).min(1.0);
        self.sums[slot] * coordination_factor(share)
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::{Count, TopDocs};
    use tantivy::query::{AllQuery, BooleanQuery, Occur, TermQuery};
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument};

    use super::*;

    struct Fixture {
        index: Index,
        word: tantivy::schema::Field,
    }

    fn fixture(documents: &[&[&str]]) -> tantivy::Result<Fixture> {
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter<TantivyDocument> = index.writer(15_000_000)?;
        for words in documents {
            let mut document = TantivyDocument::default();
            for text in *words {
                document.add_text(word, text);
            }
            writer.add_document(document)?;
        }
        writer.commit()?;
        Ok(Fixture { index, word })
    }

    impl Fixture {
        fn term(&self, text: &str) -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(self.word, text),
                IndexRecordOption::WithFreqs,
            ))
        }

        fn part(&self, text: &str, concept: usize, named: bool, drives: bool) -> ConceptPart {
            ConceptPart {
                query: self.term(text),
                concept,
                named,
                drives,
            }
        }

        fn ranking(&self, query: &dyn Query) -> tantivy::Result<Vec<u32>> {
            let searcher = self.index.reader()?.searcher();
            let top = searcher.search(query, &TopDocs::with_limit(100).order_by_score())?;
            Ok(top.iter().map(|(_, address)| address.doc_id).collect())
        }
    }

    #[test]
    fn entries_matching_every_concept_come_first() -> tantivy::Result<()> {
        // Doc 0 has `a` three times, doc 1 has `a` and `b`.
        let fixture = fixture(&[&["a", "a", "a"], &["a", "b"], &["c"]])?;
        let query = CoordinationQuery::new(
            vec![
                fixture.part("a", 0, true, true),
                fixture.part("b", 1, true, true),
            ],
            2,
        );
        assert_eq!(fixture.ranking(&query)?, [1, 0]);
        let single = CoordinationQuery::new(vec![fixture.part("a", 0, true, true)], 1);
        let searcher = fixture.index.reader()?.searcher();
        let alone = searcher.search(&single, &TopDocs::with_limit(10).order_by_score())?;
        let plain = searcher.search(
            &*fixture.term("a"),
            &TopDocs::with_limit(10).order_by_score(),
        )?;
        assert_eq!(alone, plain, "one concept scores as BM25");
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| terms.push(term.clone()));
        assert_eq!(terms.len(), 2);
        Ok(())
    }

    #[test]
    fn inner_words_hold_a_concept_in_part() -> tantivy::Result<()> {
        // Concept 0 is named `x` (inner word `y`), concept 1 is `z`. Doc 0 holds `y` and
        // `z`, doc 1 holds `x` and `z` once each; doc 1 comes first although `y` is rarer.
        let fixture = fixture(&[&["y", "z"], &["x", "z"], &["x"], &["x"], &["q"]])?;
        let query = CoordinationQuery::new(
            vec![
                fixture.part("x", 0, true, true),
                fixture.part("y", 0, false, true),
                fixture.part("z", 1, true, true),
            ],
            2,
        );
        assert_eq!(fixture.ranking(&query)?[0], 1);
        Ok(())
    }

    #[test]
    fn parts_that_do_not_drive_only_add_to_others_matches() -> tantivy::Result<()> {
        let fixture = fixture(&[&["common"], &["common", "rare"], &["rare"], &["other"]])?;
        let query = CoordinationQuery::new(
            vec![
                fixture.part("common", 0, true, false),
                fixture.part("rare", 1, true, true),
            ],
            2,
        );
        assert_eq!(fixture.ranking(&query)?, [1, 2]);
        let searcher = fixture.index.reader()?.searcher();
        assert_eq!(searcher.search(&query, &Count)?, 2);
        // Without a driving part, every part drives.
        let alone = CoordinationQuery::new(vec![fixture.part("common", 0, true, false)], 1);
        assert_eq!(searcher.search(&alone, &Count)?, 2);
        Ok(())
    }

    #[test]
    fn the_union_holds_over_many_windows_and_seeks() -> tantivy::Result<()> {
        // 10,000 documents: every third holds `a`, every fifth `b`, every seventh `c`.
        let words: Vec<Vec<&str>> = (0..10_000u32)
            .map(|doc| {
                let mut words = vec!["all"];
                for (step, word) in [(3, "a"), (5, "b"), (7, "c")] {
                    if doc % step == 0 {
                        words.push(word);
                    }
                }
                words
            })
            .collect();
        let documents: Vec<&[&str]> = words.iter().map(Vec::as_slice).collect();
        let fixture = fixture(&documents)?;
        let query = CoordinationQuery::new(
            vec![
                fixture.part("a", 0, true, true),
                fixture.part("b", 1, true, true),
                fixture.part("c", 2, true, false),
            ],
            3,
        );
        let searcher = fixture.index.reader()?.searcher();
        let expected = (0..10_000u32)
            .filter(|doc| doc % 3 == 0 || doc % 5 == 0)
            .count();
        assert_eq!(searcher.search(&query, &Count)?, expected);
        let top = fixture.ranking(&query)?;
        assert!(
            top.iter().take(10).all(|doc| doc % 105 == 0),
            "documents holding all three concepts first: {top:?}"
        );
        // Intersected with a filter, the union is sought forward.
        let filtered = BooleanQuery::new(vec![
            (Occur::Must, Box::new(query.clone()) as Box<dyn Query>),
            (Occur::Must, fixture.term("c")),
            (Occur::Must, Box::new(AllQuery)),
        ]);
        let expected = (0..10_000u32)
            .filter(|doc| doc % 7 == 0 && (doc % 3 == 0 || doc % 5 == 0))
            .count();
        assert_eq!(searcher.search(&filtered, &Count)?, expected);
        Ok(())
    }
}
