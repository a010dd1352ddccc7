//! Coordination: a disjunction of concept queries whose score is the sum of the matching
//! concepts' scores times the share of concepts matched.
//!
//! BM25 alone lets an entry that repeats one word of a two-word query outrank an entry that
//! holds both (`钢铁行业能源管理`: an energy-management entry of another industry before
//! the steel one). Scaling by `matched / concepts` (the "coord" factor of classic Lucene
//! scoring) puts entries with everything asked for first, without requiring it.

use tantivy::query::{BooleanWeight, EnableScoring, Occur, Query, ScoreCombiner, Scorer, Weight};
use tantivy::{Score, Term};

/// The power of the share of concepts matched in the score: 2 halves the score of an entry
/// matching two of three concepts more than once (`(2/3)² ≈ 0.44`).
pub(crate) const COORDINATION_EXPONENT: Score = 2.0;

/// Matches what any concept matches; scores `sum × (matched / concepts)^COORDINATION_EXPONENT`.
#[derive(Debug)]
pub(crate) struct CoordinationQuery {
    concepts: Vec<Box<dyn Query>>,
}

impl Clone for CoordinationQuery {
    fn clone(&self) -> CoordinationQuery {
        CoordinationQuery {
            concepts: self
                .concepts
                .iter()
                .map(|concept| concept.box_clone())
                .collect(),
        }
    }
}

impl CoordinationQuery {
    /// Returns the disjunction of `concepts`, one query each.
    pub(crate) fn new(concepts: Vec<Box<dyn Query>>) -> CoordinationQuery {
        CoordinationQuery { concepts }
    }
}

impl Query for CoordinationQuery {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let weights = self
            .concepts
            .iter()
            .map(|concept| Ok((Occur::Should, concept.weight(enable_scoring)?)))
            .collect::<tantivy::Result<Vec<_>>>()?;
        let concepts = u32::try_from(weights.len()).unwrap_or(u32::MAX);
        Ok(Box::new(BooleanWeight::with_minimum_number_should_match(
            weights,
            1,
            enable_scoring.is_scoring_enabled(),
            Box::new(move || CoordinationCombiner {
                score: 0.0,
                matched: 0,
                concepts,
            }),
        )))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        for concept in &self.concepts {
            concept.query_terms(visitor);
        }
    }
}

/// Sums the scores of the matching concepts and scales by the share matched.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct CoordinationCombiner {
    score: Score,
    matched: u32,
    concepts: u32,
}

impl ScoreCombiner for CoordinationCombiner {
    fn update<TScorer: Scorer>(&mut self, scorer: &mut TScorer) {
        self.score += scorer.score();
        self.matched += 1;
    }

    fn clear(&mut self) {
        self.score = 0.0;
        self.matched = 0;
    }

    fn score(&self) -> Score {
        if self.concepts <= 1 {
            self.score
        } else {
            let share = self.matched.min(self.concepts) as Score / self.concepts as Score;
            self.score * share.powf(COORDINATION_EXPONENT)
        }
    }
}

#[cfg(test)]
mod tests {
    use tantivy::collector::TopDocs;
    use tantivy::query::TermQuery;
    use tantivy::schema::{IndexRecordOption, STRING, Schema};
    use tantivy::{Index, IndexWriter, TantivyDocument, doc};

    use super::*;

    #[test]
    fn entries_matching_every_concept_come_first() -> tantivy::Result<()> {
        let mut builder = Schema::builder();
        let word = builder.add_text_field("word", STRING);
        let index = Index::create_in_ram(builder.build());
        let mut writer: IndexWriter<TantivyDocument> = index.writer(15_000_000)?;
        // Doc 0 has `a` three times, doc 1 has `a` and `b`.
        writer.add_document(doc!(word => "a", word => "a", word => "a"))?;
        writer.add_document(doc!(word => "a", word => "b"))?;
        writer.add_document(doc!(word => "c"))?;
        writer.commit()?;
        let searcher = index.reader()?.searcher();
        let term = |text: &str| -> Box<dyn Query> {
            Box::new(TermQuery::new(
                Term::from_field_text(word, text),
                IndexRecordOption::WithFreqs,
            ))
        };
        let query = CoordinationQuery::new(vec![term("a"), term("b")]);
        let top = searcher.search(&query, &TopDocs::with_limit(10).order_by_score())?;
        let docs: Vec<u32> = top.iter().map(|(_, address)| address.doc_id).collect();
        assert_eq!(docs, [1, 0], "{top:?}");
        let single = CoordinationQuery::new(vec![term("a")]);
        let alone = searcher.search(&single, &TopDocs::with_limit(10).order_by_score())?;
        let plain = searcher.search(&*term("a"), &TopDocs::with_limit(10).order_by_score())?;
        assert_eq!(alone, plain, "one concept scores as BM25");
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| terms.push(term.clone()));
        assert_eq!(terms.len(), 2);
        Ok(())
    }
}
