//! Which words of a match query an offering holds: the query is planned exactly as the catalog
//! search plans it (typed words, the dictionary words inside them, translations, synonyms), and
//! each clause is looked for among the terms of the offering's text, analysed as the index
//! analyses it.

use std::collections::{HashMap, HashSet};

use parkhub_connectors::industry;

use crate::analysis;
use crate::dictionary::{Dictionary, MAX_KEY_WORDS, key_of};
use crate::entry::CatalogEntry;
use crate::query::{self, QueryPlan, QueryWord};
use crate::vocabulary;

/// A planned match query, ready to be compared with offerings.
#[derive(Debug, Clone)]
pub struct QueryTerms {
    plan: QueryPlan,
    words: Vec<QueryWord>,
    /// The dictionary's expansions of runs of the query's words, by their analysed terms, as
    /// the dictionary writes them (`emergency management` rather than `emergenc manag`).
    expansions: HashMap<Vec<String>, String>,
}

/// The words of a query found, and not found, in one offering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TermMatches {
    /// The query's terms found in the offering's text, in query order: typed words, the
    /// dictionary words inside them, translations and synonyms (as typed, or as the
    /// dictionary writes them), leaving out those found inside another found term.
    pub matched: Vec<String>,
    /// The typed words (or dictionary phrases) of which nothing was found.
    pub unmatched: Vec<String>,
}

impl QueryTerms {
    /// Plans `query` with the catalog's dictionary.
    pub fn new(query: &str, dictionary: &Dictionary) -> QueryTerms {
        let words = query::query_words(query);
        let mut expansions = HashMap::new();
        for start in 0..words.len() {
            for end in start + 1..=words.len().min(start + MAX_KEY_WORDS) {
                let key = key_of(
                    words[start..end]
                        .iter()
                        .map(|word| (word.term.as_str(), word.han)),
                );
                for expansion in dictionary.lookup(&key) {
                    let terms = expansion
                        .words
                        .iter()
                        .map(|word| word.term.clone())
                        .collect();
                    expansions
                        .entry(terms)
                        .or_insert_with(|| expansion.text.clone());
                }
            }
        }
        QueryTerms {
            plan: query::plan(query, dictionary),
            words,
            expansions,
        }
    }

    /// Returns the word as typed for an index term, or the term itself.
    fn display(&self, term: &str) -> String {
        self.words
            .iter()
            .find(|word| word.term == term)
            .map_or_else(|| term.to_string(), |word| word.surface.clone())
    }

    /// Returns a clause's terms as people write them: typed words as typed, dictionary
    /// expansions as the dictionary writes them.
    fn display_clause(&self, terms: &[String]) -> String {
        if let Some(text) = self.expansions.get(terms) {
            return text.clone();
        }
        terms
            .iter()
            .map(|term| self.display(term))
            .collect::<Vec<_>>()
            .join(" ")
    }

    /// Returns what of the query `offering` holds.
    pub fn matches(&self, offering: &CatalogEntry) -> TermMatches {
        let terms: HashSet<String> = analysis::analyze(&indexed_text(offering))
            .into_iter()
            .collect();
        let mut found = TermMatches::default();
        for concept in 0..self.plan.concepts {
            let mut any = false;
            for clause in self.plan.concept(concept) {
                if clause.terms.iter().all(|term| terms.contains(term)) {
                    any = true;
                    let shown = self.display_clause(&clause.terms);
                    if !found.matched.contains(&shown) {
                        found.matched.push(shown);
                    }
                }
            }
            if !any {
                // The concept as typed: its typed words at full weight.
                let typed: Vec<String> = self
                    .plan
                    .group(concept, 0)
                    .filter(|clause| clause.weight >= 1.0)
                    .flat_map(|clause| clause.terms.iter().map(|term| self.display(term)))
                    .collect();
                if !typed.is_empty() {
                    found.unmatched.push(typed.join(" "));
                }
            }
        }
        // A part found beside its whole (`应急` beside `应急管理`) says nothing more.
        let lowered: Vec<String> = found
            .matched
            .iter()
            .map(|term| term.to_lowercase())
            .collect();
        let mut index = 0;
        found.matched.retain(|_| {
            let term = &lowered[index];
            index += 1;
            !lowered
                .iter()
                .any(|other| other != term && other.contains(term.as_str()))
        });
        found
    }
}

/// Returns the text the index holds for an offering, field by field (see
/// [`crate::schema::CatalogSchema::document`]): names, summary, description, cases,
/// scenarios and key industries with their Chinese and English names, division names.
fn indexed_text(offering: &CatalogEntry) -> String {
    let mut parts: Vec<String> = vec![
        offering.title.clone(),
        offering.title_en.clone().unwrap_or_default(),
        offering.summary.clone(),
        offering.description.clone(),
        offering.cases.clone(),
    ];
    for code in &offering.scenarios {
        parts.push(match vocabulary::scenario(code) {
            Some(known) => format!("{code} {} {}", known.name_zh, known.name_en),
            None => code.clone(),
        });
    }
    for code in &offering.key_industries {
        parts.push(match industry::key_industry(code) {
            Some(known) => format!("{code} {} {}", known.name_zh, known.name_en),
            None => code.clone(),
        });
    }
    for division in &offering.divisions {
        if let Some(name) = industry::division_name(division) {
            parts.push(format!("{division} {name}"));
        }
    }
    // Line breaks keep words of neighbouring fields apart.
    parts.join("\n")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::EntryKind;

    #[test]
    fn typed_words_parts_and_translations_are_found() {
        let mut offering = CatalogEntry::new(EntryKind::Offering, "O1", "注塑机预测性维护系统");
        offering.summary = "振动监测与故障预警".into();
        offering.scenarios = vec!["predictive_maintenance".into()];
        let dictionary = Dictionary::builtin();

        let chinese = QueryTerms::new("预测性维护 高炉", &dictionary).matches(&offering);
        assert!(
            chinese.matched.contains(&"预测性维护".to_string()),
            "{chinese:?}"
        );
        assert_eq!(chinese.unmatched, ["高炉"], "{chinese:?}");

        let english = QueryTerms::new("predictive maintenance", &dictionary).matches(&offering);
        assert!(
            english.matched.iter().any(|term| term == "预测性维护"),
            "{english:?}"
        );
        assert!(english.unmatched.is_empty(), "{english:?}");

        let nothing = QueryTerms::new("仓储", &dictionary).matches(&offering);
        assert!(nothing.matched.is_empty(), "{nothing:?}");
        assert_eq!(nothing.unmatched, ["仓储"]);
    }
}
