//! Relevance evaluation: judged queries and the nDCG@10 and recall@10 a catalog reaches on
//! them.
//!
//! A judgement file (`catalog/relevance/judgements.tsv`, built in as
//! [`BUILTIN_JUDGEMENTS`]) has one query per line, three tab-separated columns:
//!
//! ```text
//! # query<TAB>language<TAB>graded ids
//! 预测性维护<TAB>zh<TAB>O0012:3 A0040:2 P0003:1
//! ```
//!
//! The language is `zh`, `en` or `mixed`; each graded id is `id:grade` with a grade from 1
//! (somewhat relevant) to 3 (exactly what was asked for), ids not listed being irrelevant.
//! Lines starting with `#` and blank lines are ignored.
//!
//! The metrics, for the first [`CUTOFF`] hits of each query:
//!
//! - **nDCG@10**: the discounted cumulative gain (gain `2^grade - 1`, discount
//!   `log2(rank + 1)`) over that of the ideal ranking of the judged ids;
//! - **recall@10**: the relevant ids among the hits over the relevant ids that could be
//!   among them, `min(relevant, 10)` (so a query with 40 relevant entries and 10 relevant
//!   hits scores 1).
//!
//! Both are averaged over the queries, and over the queries of each language.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::index::Catalog;
use crate::search::SearchRequest;

/// The judged queries over the demo catalog (seed 42), built in.
pub const BUILTIN_JUDGEMENTS: &str = include_str!("../relevance/judgements.tsv");
/// How many hits of each query are judged.
pub const CUTOFF: usize = 10;
/// The highest grade.
pub const MAX_GRADE: u8 = 3;

/// The language of a judged query.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Language {
    /// Chinese.
    Zh,
    /// English.
    En,
    /// Chinese and English (or Latin abbreviations) together.
    Mixed,
}

impl Language {
    /// Returns the tag used in judgement files (`zh`, `en`, `mixed`).
    pub fn as_str(self) -> &'static str {
        match self {
            Language::Zh => "zh",
            Language::En => "en",
            Language::Mixed => "mixed",
        }
    }
}

/// One judged query.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgement {
    /// The query text.
    pub query: String,
    /// Its language.
    pub language: Language,
    /// The grade of each relevant entry id (1 to [`MAX_GRADE`]).
    pub grades: BTreeMap<String, u8>,
}

/// A set of judged queries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Judgements {
    /// The queries, in file order.
    pub queries: Vec<Judgement>,
}

impl Judgements {
    /// Returns the built-in judgements ([`BUILTIN_JUDGEMENTS`]).
    pub fn builtin() -> Result<Judgements> {
        Judgements::parse(BUILTIN_JUDGEMENTS)
    }

    /// Parses a judgement file (see the module documentation).
    pub fn parse(text: &str) -> Result<Judgements> {
        let mut queries = Vec::new();
        for (index, line) in text.lines().enumerate() {
            let line_number = index + 1;
            let invalid = |reason: String| Error::InvalidJudgements {
                line: line_number,
                reason,
            };
            if line.trim().is_empty() || line.trim_start().starts_with('#') {
                continue;
            }
            let mut columns = line.split('\t');
            let (Some(query), Some(language), Some(graded)) =
                (columns.next(), columns.next(), columns.next())
            else {
                return Err(invalid("expected query, language and graded ids".into()));
            };
            let language = match language.trim() {
                "zh" => Language::Zh,
                "en" => Language::En,
                "mixed" => Language::Mixed,
                other => return Err(invalid(format!("unknown language '{other}'"))),
            };
            let mut grades = BTreeMap::new();
            for item in graded.split_whitespace() {
                let (id, grade) = item
                    .rsplit_once(':')
                    .ok_or_else(|| invalid(format!("'{item}' is not id:grade")))?;
                let grade: u8 = grade
                    .parse()
                    .ok()
                    .filter(|grade| (1..=MAX_GRADE).contains(grade))
                    .ok_or_else(|| invalid(format!("grade of '{item}' is not 1 to {MAX_GRADE}")))?;
                grades.insert(id.to_string(), grade);
            }
            if query.trim().is_empty() || grades.is_empty() {
                return Err(invalid("a judged query needs text and relevant ids".into()));
            }
            queries.push(Judgement {
                query: query.trim().to_string(),
                language,
                grades,
            });
        }
        Ok(Judgements { queries })
    }
}

/// The metrics of one query.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QueryMetrics {
    /// The query text.
    pub query: String,
    /// Its language.
    pub language: Language,
    /// nDCG of its first [`CUTOFF`] hits.
    pub ndcg: f64,
    /// Recall of its first [`CUTOFF`] hits (over at most [`CUTOFF`] relevant ids).
    pub recall: f64,
    /// How many ids are judged relevant.
    pub relevant: usize,
    /// The ids of its first hits.
    pub hits: Vec<String>,
}

/// Averages over a group of queries.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Summary {
    /// How many queries.
    pub queries: usize,
    /// Mean nDCG@10.
    pub ndcg: f64,
    /// Mean recall@10.
    pub recall: f64,
}

/// What [`evaluate`] measures.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Metrics {
    /// Over every query.
    pub overall: Summary,
    /// Over the queries of each language (`zh`, `en`, `mixed`), and over English and mixed
    /// together (`en+mixed`).
    pub by_language: BTreeMap<String, Summary>,
    /// Each query.
    pub queries: Vec<QueryMetrics>,
}

impl Metrics {
    /// Computes the metrics of ranked ids for each judged query.
    pub fn from_rankings(judgements: &Judgements, rankings: &[Vec<String>]) -> Metrics {
        let queries: Vec<QueryMetrics> = judgements
            .queries
            .iter()
            .zip(rankings)
            .map(|(judgement, ranking)| {
                let ranking: Vec<String> = ranking.iter().take(CUTOFF).cloned().collect();
                QueryMetrics {
                    query: judgement.query.clone(),
                    language: judgement.language,
                    ndcg: ndcg(&judgement.grades, &ranking),
                    recall: recall(&judgement.grades, &ranking),
                    relevant: judgement.grades.len(),
                    hits: ranking,
                }
            })
            .collect();
        let summary = |keep: &dyn Fn(Language) -> bool| {
            let chosen: Vec<&QueryMetrics> = queries
                .iter()
                .filter(|query| keep(query.language))
                .collect();
            let count = chosen.len();
            let mean = |value: &dyn Fn(&QueryMetrics) -> f64| {
                if count == 0 {
                    0.0
                } else {
                    chosen.iter().map(|query| value(query)).sum::<f64>() / count as f64
                }
            };
            Summary {
                queries: count,
                ndcg: mean(&|query| query.ndcg),
                recall: mean(&|query| query.recall),
            }
        };
        let mut by_language = BTreeMap::new();
        for language in [Language::Zh, Language::En, Language::Mixed] {
            by_language.insert(
                language.as_str().to_string(),
                summary(&|other| other == language),
            );
        }
        by_language.insert(
            "en+mixed".to_string(),
            summary(&|language| language != Language::Zh),
        );
        Metrics {
            overall: summary(&|_| true),
            by_language,
            queries,
        }
    }

    /// Returns a plain-text report: the summaries, then each query with its figures.
    pub fn report(&self) -> String {
        let mut text = String::new();
        let _ = writeln!(
            text,
            "{:<10} {:>7} {:>8} {:>9}",
            "queries", "count", "nDCG@10", "recall@10"
        );
        let mut line = |name: &str, summary: &Summary| {
            let _ = writeln!(
                text,
                "{name:<10} {:>7} {:>8.3} {:>9.3}",
                summary.queries, summary.ndcg, summary.recall
            );
        };
        line("all", &self.overall);
        for (language, summary) in &self.by_language {
            line(language, summary);
        }
        let _ = writeln!(text);
        for query in &self.queries {
            let _ = writeln!(
                text,
                "{:.3}  {:.3}  {:<5} {} ({} relevant)",
                query.ndcg,
                query.recall,
                query.language.as_str(),
                query.query,
                query.relevant
            );
        }
        text
    }
}

/// Runs every judged query against the catalog (first [`CUTOFF`] hits, all kinds, no
/// facets) and measures nDCG@10 and recall@10.
pub fn evaluate(catalog: &Catalog, judgements: &Judgements) -> Result<Metrics> {
    let mut rankings = Vec::with_capacity(judgements.queries.len());
    for judgement in &judgements.queries {
        let request = SearchRequest {
            query: judgement.query.clone(),
            limit: CUTOFF,
            facets: false,
            ..SearchRequest::default()
        };
        let results = catalog.search(&request)?;
        rankings.push(results.hits.into_iter().map(|hit| hit.id).collect());
    }
    Ok(Metrics::from_rankings(judgements, &rankings))
}

fn gain(grade: u8) -> f64 {
    f64::from((1u32 << grade) - 1)
}

fn discount(rank: usize) -> f64 {
    ((rank + 2) as f64).log2()
}

/// nDCG of a ranking at [`CUTOFF`].
pub fn ndcg(grades: &BTreeMap<String, u8>, ranking: &[String]) -> f64 {
    let dcg: f64 = ranking
        .iter()
        .take(CUTOFF)
        .enumerate()
        .map(|(rank, id)| {
            grades
                .get(id)
                .map_or(0.0, |grade| gain(*grade) / discount(rank))
        })
        .sum();
    let mut ideal: Vec<u8> = grades.values().copied().collect();
    ideal.sort_unstable_by(|a, b| b.cmp(a));
    let ideal_dcg: f64 = ideal
        .iter()
        .take(CUTOFF)
        .enumerate()
        .map(|(rank, grade)| gain(*grade) / discount(rank))
        .sum();
    if ideal_dcg == 0.0 {
        0.0
    } else {
        dcg / ideal_dcg
    }
}

/// Recall of a ranking at [`CUTOFF`], over at most [`CUTOFF`] relevant ids.
pub fn recall(grades: &BTreeMap<String, u8>, ranking: &[String]) -> f64 {
    let possible = grades.len().min(CUTOFF);
    if possible == 0 {
        return 0.0;
    }
    let mut seen: HashMap<&str, ()> = HashMap::new();
    let found = ranking
        .iter()
        .take(CUTOFF)
        .filter(|id| grades.contains_key(id.as_str()) && seen.insert(id.as_str(), ()).is_none())
        .count();
    found as f64 / possible as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn grades(items: &[(&str, u8)]) -> BTreeMap<String, u8> {
        items
            .iter()
            .map(|(id, grade)| ((*id).to_string(), *grade))
            .collect()
    }

    fn ids(items: &[&str]) -> Vec<String> {
        items.iter().map(|id| (*id).to_string()).collect()
    }

    #[test]
    fn ndcg_and_recall_match_hand_computed_values() {
        let judged = grades(&[("a", 3), ("b", 1)]);
        assert!((ndcg(&judged, &ids(&["a", "b"])) - 1.0).abs() < 1e-12);
        // b first: (1/1 + 7/log2 3) / (7/1 + 1/log2 3)
        let expected = (1.0 + 7.0 / 3f64.log2()) / (7.0 + 1.0 / 3f64.log2());
        assert!((ndcg(&judged, &ids(&["b", "a"])) - expected).abs() < 1e-12);
        assert_eq!(ndcg(&judged, &ids(&["x"])), 0.0);
        assert_eq!(recall(&judged, &ids(&["x", "a", "a"])), 0.5);
        let many: Vec<(String, u8)> = (0..20).map(|n| (format!("id{n}"), 1)).collect();
        let many: BTreeMap<String, u8> = many.into_iter().collect();
        let top: Vec<String> = (0..10).map(|n| format!("id{n}")).collect();
        assert_eq!(recall(&many, &top), 1.0, "capped at ten relevant");
    }

    #[test]
    fn judgement_files_parse_and_errors_name_the_line() {
        let text = "# comment\n\n能耗\tzh\tA1:3 O2:1\nenergy\ten\tA1:2\n";
        let judgements = Judgements::parse(text).expect("judgements");
        assert_eq!(judgements.queries.len(), 2);
        assert_eq!(judgements.queries[0].grades.get("O2"), Some(&1));
        assert_eq!(judgements.queries[1].language, Language::En);
        for (bad, line) in [
            ("x\tzh\n", 1),
            ("#\nx\tfr\tA:1\n", 2),
            ("x\tzh\tA:4\n", 1),
            ("x\tzh\tA\n", 1),
        ] {
            let error = Judgements::parse(bad).expect_err("invalid");
            assert!(
                matches!(error, Error::InvalidJudgements { line: found, .. } if found == line),
                "{bad:?}: {error}"
            );
        }
    }

    #[test]
    fn the_builtin_judgements_cover_the_languages() {
        let judgements = Judgements::builtin().expect("built-in judgements");
        assert!(judgements.queries.len() >= 40);
        for language in [Language::Zh, Language::En, Language::Mixed] {
            assert!(
                judgements
                    .queries
                    .iter()
                    .filter(|query| query.language == language)
                    .count()
                    >= 8,
                "{language:?}"
            );
        }
    }

    #[test]
    fn metrics_average_by_language() {
        let judgements = Judgements::parse("q1\tzh\ta:3\nq2\ten\tb:3\n").expect("parse");
        let metrics = Metrics::from_rankings(&judgements, &[ids(&["a"]), ids(&["x"])]);
        assert_eq!(metrics.overall.queries, 2);
        assert!((metrics.overall.ndcg - 0.5).abs() < 1e-12);
        assert_eq!(metrics.by_language["zh"].ndcg, 1.0);
        assert_eq!(metrics.by_language["en+mixed"].ndcg, 0.0);
        assert!(metrics.report().contains("en+mixed"));
    }
}
