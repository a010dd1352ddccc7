//! From query text to weighted clauses: what [`crate::Catalog::search`] looks for.
//!
//! The text is cut into words like the indexed text (`analysis::words`); English stop
//! words (`the`, `for`, …) and single Han characters (particles such as `的`) are dropped
//! when there are other words, and Han words that jieba keeps whole but that are no domain
//! or dictionary term (`钢铁行业`) are split into the dictionary words covering them (`钢铁`,
//! `行业`). Each word becomes a clause searched in every text field:
//!
//! | clause | weight |
//! | --- | --- |
//! | a typed word (Han word, or stemmed Latin word) | 1 |
//! | a dictionary word inside a typed Han word (`预测` in `预测性维护`) | [`PART_WEIGHT`] |
//! | a Chinese translation of typed words (`defect detection` → `缺陷检测`) | [`TRANSLATION_WEIGHT`] |
//! | an English translation of typed Chinese words | [`LATIN_TRANSLATION_WEIGHT`] |
//! | a synonym of typed words (`排产` → `排程`, `APS`) | [`SYNONYM_WEIGHT`] |
//! | a Latin word of 5+ letters, one typo away in the index | [`FUZZY_WEIGHT`] (constant) |
//!
//! Translations and synonyms come from the catalog's [`Dictionary`]: the longest run of typed
//! words (up to `MAX_KEY_WORDS`) that is a dictionary key brings its expansions, then
//! matching goes on after it. A Latin word that is not a dictionary word but one typo away from
//! one (`digitl`) is read as that word for the dictionary, with [`CORRECTION_FACTOR`] less
//! weight. An expansion of several words (`设备 健康管理`) needs all of them in one field.
//!
//! Clauses are grouped by **concept**: a typed word, or the run of typed words a dictionary
//! key covered, with everything it brought. A run that is a synonym or translation of an
//! earlier run, or shares one with it (`APS 排产`, `设备联网 数据采集`, `排产…高级计划排程`),
//! names the same concept again and joins it; a
//! term is looked for once per concept, at its best weight. Within a concept, the typed words
//! form one group and each expansion another; the concept scores its best group plus
//! [`GROUP_TIE_BREAKER`] times the others (so ten synonyms do not outweigh another concept),
//! and the dictionary words found inside its words ([`Clause::part`]) count apart. Concepts
//! add up, scaled by the share of concepts an entry holds (coordination, see
//! [`crate::search`]: a concept held only through inner words counts in part), so that an
//! entry with everything asked for ranks before one repeating a single word. A query naming
//! service providers ([`PROVIDER_WORDS`]) ranks providers [`KIND_HINT_FACTOR`] higher. Latin
//! words are also kept unstemmed for names in pinyin.

use crate::analysis;
use crate::dictionary::{
    Dictionary, Expansion, ExpansionKind, MAX_KEY_WORDS, MIN_CORRECTED_CHARS, key_of,
};
use crate::entry::EntryKind;

/// Only the first this many characters of a query are analysed.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Only the first this many words of a query are searched for.
pub const MAX_QUERY_WORDS: usize = 64;
/// A query has at most this many clauses; expansions past it are left out.
pub const MAX_CLAUSES: usize = 160;

/// Weight of a dictionary word found inside a typed Han word.
pub const PART_WEIGHT: f32 = 0.35;
/// Weight of a Chinese (or mixed) translation from the bilingual dictionary.
pub const TRANSLATION_WEIGHT: f32 = 0.9;
/// Weight of an English translation of typed Chinese.
pub const LATIN_TRANSLATION_WEIGHT: f32 = 0.5;
/// Weight of a synonym.
pub const SYNONYM_WEIGHT: f32 = 0.5;
/// Factor on the weights of what a typo correction brings.
pub const CORRECTION_FACTOR: f32 = 0.8;
/// Constant score (before the field boost) of a Latin term matched one typo away.
pub const FUZZY_WEIGHT: f32 = 0.3;

/// English words dropped from a query that has other words: they say nothing about what
/// is searched for.
pub const STOP_WORDS: &[&str] = &[
    "a", "an", "and", "are", "as", "at", "be", "by", "for", "from", "in", "into", "is", "it", "of",
    "on", "or", "the", "to", "with", "we", "our", "i", "my", "need", "want", "looking",
];

/// A word of a query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct QueryWord {
    /// The word as typed, full-width folded and lowercased.
    pub surface: String,
    /// The term the index holds for it (the stem of a Latin word).
    pub term: String,
    /// True for a word of Han characters.
    pub han: bool,
    /// The dictionary words inside a Han word.
    pub parts: Vec<String>,
}

/// One thing a query looks for in every text field.
#[derive(Debug, Clone, PartialEq)]
pub struct Clause {
    /// The terms: one, or several that must all be in the same field.
    pub terms: Vec<String>,
    /// The weight of a match, times the field's boost.
    pub weight: f32,
    /// Also match the (single) term one typo away, at [`FUZZY_WEIGHT`].
    pub fuzzy: bool,
    /// True for a dictionary word found inside a longer word (`维护` in `预测性维护`): it is
    /// left out of the fields where it is too common to tell entries apart (see
    /// [`crate::search`]).
    pub part: bool,
    /// The concept it stands for: the typed word (or run of words the dictionary knows) it
    /// comes from, numbered from 0 in query order.
    pub concept: usize,
    /// Within its concept, 0 for the typed words (with their parts, corrections and fuzzy
    /// matches), then one number per expansion: a concept scores its best group plus
    /// [`GROUP_TIE_BREAKER`] times the others, so that many synonyms do not outweigh
    /// another concept.
    pub group: usize,
}

/// What a query looks for.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryPlan {
    /// The clauses, concept by concept.
    pub clauses: Vec<Clause>,
    /// Latin words as typed (letters only), looked up in the names' pinyin, with their
    /// concept.
    pub names: Vec<(String, usize)>,
    /// How many concepts the query has: an entry matching `k` of them scores `k / concepts`
    /// of the sum of its matches (coordination), so entries with everything asked for come
    /// first.
    pub concepts: usize,
    /// The kind of entry the query names (`服务商`, `provider`, …), whose entries rank
    /// [`KIND_HINT_FACTOR`] higher.
    pub kind_hint: Option<EntryKind>,
    /// The concept clauses are added to while planning.
    building: usize,
}

/// Words that ask for service providers rather than what they offer.
pub const PROVIDER_WORDS: &[&str] = &[
    "服务商",
    "提供商",
    "厂商",
    "公司",
    "provider",
    "providers",
    "vendor",
    "vendors",
    "company",
    "companies",
];
/// How much higher entries of the kind a query names rank.
pub const KIND_HINT_FACTOR: f32 = 1.5;
/// How much the groups of a concept other than its best count.
pub const GROUP_TIE_BREAKER: f32 = 0.3;

impl QueryPlan {
    /// Returns true when the query looks for nothing (only punctuation, emoji, …).
    pub fn is_empty(&self) -> bool {
        self.clauses.is_empty() && self.names.is_empty()
    }

    /// Returns the clauses of one concept.
    pub fn concept(&self, concept: usize) -> impl Iterator<Item = &Clause> {
        self.clauses
            .iter()
            .filter(move |clause| clause.concept == concept)
    }

    /// Returns the clauses of one group of one concept.
    pub fn group(&self, concept: usize, group: usize) -> impl Iterator<Item = &Clause> {
        self.concept(concept)
            .filter(move |clause| clause.group == group)
    }

    /// Returns the number of groups of a concept.
    pub fn groups(&self, concept: usize) -> usize {
        self.concept(concept)
            .map(|clause| clause.group + 1)
            .max()
            .unwrap_or(0)
    }

    /// Returns the weight of the clause with exactly these terms, if any.
    pub fn weight_of(&self, terms: &[&str]) -> Option<f32> {
        self.clauses
            .iter()
            .find(|clause| {
                clause
                    .terms
                    .iter()
                    .map(String::as_str)
                    .eq(terms.iter().copied())
            })
            .map(|clause| clause.weight)
    }

    fn add(&mut self, terms: Vec<String>, weight: f32, flags: Flags) {
        self.add_to(0, terms, weight, flags);
    }

    fn add_to(&mut self, group: usize, terms: Vec<String>, weight: f32, flags: Flags) {
        let Flags { fuzzy, part } = flags;
        if terms.is_empty() || terms.iter().any(String::is_empty) {
            return;
        }
        // A term already looked for in the concept (a synonym that is also a part of the
        // typed word, a translation two keys share) is looked for once, at its best weight,
        // among the typed words when it is one.
        let concept = self.building;
        if let Some(clause) = self
            .clauses
            .iter_mut()
            .find(|clause| clause.concept == concept && clause.terms == terms)
        {
            clause.weight = clause.weight.max(weight);
            clause.fuzzy |= fuzzy;
            clause.part &= part;
            clause.group = clause.group.min(group);
            return;
        }
        if self.clauses.len() < MAX_CLAUSES {
            self.clauses.push(Clause {
                terms,
                weight,
                fuzzy,
                part,
                concept,
                group,
            });
        }
    }

    fn add_expansion(&mut self, expansion: &Expansion, weight: f32) {
        let concept = self.building;
        let group = self.groups(concept).max(1);
        let flags = Flags::default();
        match expansion.words.as_slice() {
            [word] => {
                self.add_to(group, vec![word.term.clone()], weight, flags);
                // The parts of a translation help recall; those of a synonym mostly add noise
                // (`虚拟工厂` → `工厂`).
                if expansion.kind == ExpansionKind::Translation {
                    for part in &word.parts {
                        self.add_to(
                            group,
                            vec![part.clone()],
                            weight * PART_WEIGHT,
                            Flags {
                                part: true,
                                ..flags
                            },
                        );
                    }
                }
            }
            words => self.add_to(
                group,
                words.iter().map(|word| word.term.clone()).collect(),
                weight,
                flags,
            ),
        }
    }
}

/// How a clause is looked for, besides its terms and weight.
#[derive(Debug, Clone, Copy, Default)]
struct Flags {
    fuzzy: bool,
    part: bool,
}

/// Returns the words of a query: its first [`MAX_QUERY_CHARS`] characters cut like the
/// indexed text, without single Han characters when there are longer words, at most
/// [`MAX_QUERY_WORDS`] of them.
pub(crate) fn query_words(query: &str) -> Vec<QueryWord> {
    let cut = query
        .char_indices()
        .nth(MAX_QUERY_CHARS)
        .map_or(query.len(), |(offset, _)| offset);
    let mut words: Vec<QueryWord> = analysis::words(&query[..cut])
        .into_iter()
        .map(|word| QueryWord {
            term: if word.han {
                word.text.clone()
            } else {
                analysis::stem(&word.text)
            },
            surface: word.text,
            han: word.han,
            parts: word.parts,
        })
        .collect();
    let is_single_han = |word: &QueryWord| word.han && word.surface.chars().count() == 1;
    if words.iter().any(|word| !is_single_han(word)) {
        words.retain(|word| !is_single_han(word));
    }
    let is_stop_word = |word: &QueryWord| STOP_WORDS.contains(&word.surface.as_str());
    if words.iter().any(|word| !is_stop_word(word)) {
        words.retain(|word| !is_stop_word(word));
    }
    words.truncate(MAX_QUERY_WORDS);
    words
}

/// Splits the Han words of a query that jieba keeps whole but that are neither domain words
/// nor dictionary terms (`钢铁行业`, `食品行业`) into the dictionary words that cover them
/// (`钢铁` + `行业`), each its own concept, so that an entry holding only one of them does
/// not count as holding the whole. Domain and dictionary words (`预测性维护`, `能源管理系统`)
/// stay whole.
fn split_compounds(words: Vec<QueryWord>, dictionary: &Dictionary) -> Vec<QueryWord> {
    let mut split = Vec::with_capacity(words.len());
    for word in words {
        let keep = !word.han
            || word.parts.is_empty()
            || analysis::DOMAIN_WORDS.contains(&word.surface.as_str())
            || !dictionary.lookup(&word.surface).is_empty();
        let cover = if keep { None } else { cover(&word) };
        match cover {
            Some(pieces) => split.extend(pieces.into_iter().map(|piece| {
                let parts = analysis::words(&piece)
                    .into_iter()
                    .flat_map(|inner| inner.parts)
                    .collect();
                QueryWord {
                    surface: piece.clone(),
                    term: piece,
                    han: true,
                    parts,
                }
            })),
            None => split.push(word),
        }
    }
    split
}

/// Returns the longest-first cover of a Han word by its parts, when there is one of two
/// parts or more.
fn cover(word: &QueryWord) -> Option<Vec<String>> {
    let mut pieces = Vec::new();
    let mut rest = word.surface.as_str();
    while !rest.is_empty() {
        let piece = word
            .parts
            .iter()
            .filter(|part| rest.starts_with(part.as_str()))
            .max_by_key(|part| part.len())?;
        pieces.push(piece.clone());
        rest = &rest[piece.len()..];
    }
    (pieces.len() >= 2).then_some(pieces)
}

/// Returns the clauses a query is searched with (see the module documentation).
pub fn plan(query: &str, dictionary: &Dictionary) -> QueryPlan {
    let words = split_compounds(query_words(query), dictionary);
    let mut plan = QueryPlan::default();

    // What the dictionary sees of each word: its term, or the stem of its correction.
    let keys: Vec<(String, bool, bool)> = words
        .iter()
        .map(|word| {
            let correction = if word.han {
                None
            } else {
                dictionary.correct(&word.surface).map(analysis::stem)
            };
            match correction {
                Some(corrected) if corrected != word.term => (corrected, false, true),
                _ => (word.term.clone(), word.han, false),
            }
        })
        .collect();

    // Concepts: the longest runs of words the dictionary knows, and the other words alone.
    // A run that is a synonym or translation of an earlier one (`APS 排产`, `WMS 仓储管理`)
    // names the same concept again and joins it.
    let mut known: Vec<(usize, String, Vec<String>)> = Vec::new();
    let mut start = 0;
    while start < words.len() {
        let longest = MAX_KEY_WORDS.min(words.len() - start);
        let mut span = (1, &[][..]);
        for length in (1..=longest).rev() {
            let run = &keys[start..start + length];
            let key = key_of(run.iter().map(|(term, han, _)| (term.as_str(), *han)));
            let expansions = dictionary.lookup(&key);
            if !expansions.is_empty() {
                span = (length, expansions);
                break;
            }
        }
        let (length, expansions) = span;
        let run = start..start + length;
        let run_key = key_of(
            keys[run.clone()]
                .iter()
                .map(|(term, han, _)| (term.as_str(), *han)),
        );
        let expansion_keys: Vec<String> = expansions
            .iter()
            .map(|expansion| {
                key_of(
                    expansion
                        .words
                        .iter()
                        .map(|word| (word.term.as_str(), word.han)),
                )
            })
            .collect();
        let same_as = known.iter().find(|(_, key, expanded)| {
            expanded.contains(&run_key)
                || expansion_keys.contains(key)
                || expanded.iter().any(|other| expansion_keys.contains(other))
        });
        plan.building = same_as.map_or(plan.concepts, |(concept, _, _)| *concept);
        for (word, (key, _, corrected)) in words[run.clone()].iter().zip(&keys[run.clone()]) {
            let latin_letters = !word.han && word.surface.chars().all(|c| c.is_ascii_lowercase());
            let long = word.surface.chars().count() >= MIN_CORRECTED_CHARS;
            let fuzzy = Flags {
                fuzzy: latin_letters && long,
                ..Flags::default()
            };
            plan.add(vec![word.term.clone()], 1.0, fuzzy);
            for part in &word.parts {
                let part_flags = Flags {
                    part: true,
                    ..Flags::default()
                };
                plan.add(vec![part.clone()], PART_WEIGHT, part_flags);
            }
            if *corrected {
                plan.add(vec![key.clone()], CORRECTION_FACTOR, Flags::default());
            }
            if latin_letters
                && word.surface.len() >= 2
                && !plan.names.iter().any(|(name, _)| *name == word.surface)
            {
                plan.names.push((word.surface.clone(), plan.building));
            }
            if PROVIDER_WORDS.contains(&word.surface.as_str()) {
                plan.kind_hint = Some(EntryKind::Provider);
            }
        }
        let all_latin = keys[run.clone()].iter().all(|(_, han, _)| !*han);
        let corrected = keys[run].iter().any(|(_, _, corrected)| *corrected);
        for expansion in expansions {
            let weight = match expansion.kind {
                ExpansionKind::Translation if expansion.is_han() || all_latin => {
                    // Chinese for English, or English for English (an abbreviation beside
                    // its Chinese).
                    TRANSLATION_WEIGHT
                }
                ExpansionKind::Translation => LATIN_TRANSLATION_WEIGHT,
                ExpansionKind::Synonym => SYNONYM_WEIGHT,
            };
            let weight = if corrected {
                weight * CORRECTION_FACTOR
            } else {
                weight
            };
            plan.add_expansion(expansion, weight);
        }
        if !expansions.is_empty() {
            known.push((plan.building, run_key, expansion_keys));
        }
        if plan.building == plan.concepts
            && (plan
                .clauses
                .iter()
                .any(|clause| clause.concept == plan.concepts)
                || plan
                    .names
                    .iter()
                    .any(|(_, concept)| *concept == plan.concepts))
        {
            plan.concepts += 1;
        }
        start += length;
    }
    plan
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dictionary() -> Dictionary {
        Dictionary::builtin()
    }

    #[test]
    fn typed_words_weigh_most_and_parts_less() {
        let plan = plan("预测性维护", &dictionary());
        assert_eq!(plan.weight_of(&["预测性维护"]), Some(1.0));
        assert_eq!(plan.weight_of(&["维护"]), Some(PART_WEIGHT));
        assert_eq!(plan.clauses[0].terms, ["预测性维护"]);
        assert!(plan.names.is_empty());
    }

    #[test]
    fn english_phrases_bring_their_chinese() {
        let plan = plan("Predictive Maintenance", &dictionary());
        assert_eq!(plan.weight_of(&["predict"]), Some(1.0));
        assert_eq!(plan.weight_of(&["mainten"]), Some(1.0));
        assert_eq!(plan.weight_of(&["预测性维护"]), Some(TRANSLATION_WEIGHT));
        assert_eq!(
            plan.names,
            [
                ("predictive".to_string(), 0),
                ("maintenance".to_string(), 0)
            ]
        );

        let plan = super::plan("blast furnace 注塑 scheduling", &dictionary());
        assert_eq!(plan.weight_of(&["高炉"]), Some(TRANSLATION_WEIGHT));
        assert_eq!(plan.weight_of(&["注塑"]), Some(1.0));
        assert_eq!(plan.weight_of(&["排产"]), Some(TRANSLATION_WEIGHT));
        assert!(plan.weight_of(&["injection"]).is_none());
    }

    #[test]
    fn chinese_words_bring_english_and_synonyms_with_less_weight() {
        let plan = plan("排产", &dictionary());
        assert_eq!(plan.weight_of(&["排产"]), Some(1.0));
        assert_eq!(plan.weight_of(&["排程"]), Some(SYNONYM_WEIGHT));
        assert_eq!(plan.weight_of(&["ap"]), Some(SYNONYM_WEIGHT), "{plan:#?}");
        assert_eq!(
            plan.weight_of(&["product", "schedul"]),
            Some(LATIN_TRANSLATION_WEIGHT)
        );
    }

    #[test]
    fn typos_are_corrected_for_the_dictionary_and_searched_fuzzily() {
        // The stemmer already reads `maintenence` as `maintenance`.
        let plan = plan("predictive maintenence", &dictionary());
        assert_eq!(plan.weight_of(&["预测性维护"]), Some(TRANSLATION_WEIGHT));
        let plan = super::plan("digitl twin", &dictionary());
        assert_eq!(
            plan.weight_of(&["数字孪生"]),
            Some(TRANSLATION_WEIGHT * CORRECTION_FACTOR)
        );
        assert_eq!(plan.weight_of(&["digit"]), Some(CORRECTION_FACTOR));
        let typed = plan
            .clauses
            .iter()
            .find(|clause| clause.terms == ["digitl"]);
        assert!(
            typed.is_some_and(|clause| clause.fuzzy && clause.weight == 1.0),
            "{plan:#?}"
        );
        let short = super::plan("twin MES", &dictionary());
        assert!(short.clauses.iter().all(|clause| !clause.fuzzy));
    }

    #[test]
    fn compounds_that_are_not_domain_words_are_split() {
        let plan = plan("钢铁行业能源管理", &dictionary());
        assert_eq!(plan.concepts, 3, "{plan:#?}");
        assert_eq!(plan.weight_of(&["钢铁"]), Some(1.0));
        assert_eq!(plan.weight_of(&["行业"]), Some(1.0));
        let kept = super::plan("预测性维护", &dictionary());
        assert_eq!(kept.concepts, 1);
        assert_eq!(kept.weight_of(&["预测性维护"]), Some(1.0));
    }

    #[test]
    fn concepts_group_words_with_their_expansions() {
        let plan = plan("钢铁 predictive maintenance 服务商", &dictionary());
        assert_eq!(plan.concepts, 3, "{plan:#?}");
        let concept_of = |terms: &[&str]| {
            plan.clauses
                .iter()
                .find(|clause| {
                    clause
                        .terms
                        .iter()
                        .map(String::as_str)
                        .eq(terms.iter().copied())
                })
                .map(|clause| clause.concept)
        };
        assert_eq!(concept_of(&["钢铁"]), Some(0));
        assert_eq!(concept_of(&["predict"]), Some(1));
        assert_eq!(concept_of(&["mainten"]), Some(1));
        assert_eq!(concept_of(&["预测性维护"]), Some(1));
        assert_eq!(concept_of(&["服务商"]), Some(2));
        assert_eq!(plan.kind_hint, Some(EntryKind::Provider));
        assert_eq!(
            plan.concept(1).count(),
            plan.clauses.iter().filter(|c| c.concept == 1).count()
        );
        assert_eq!(super::plan("能耗", &dictionary()).kind_hint, None);
    }

    #[test]
    fn a_synonym_typed_beside_its_word_is_the_same_concept() {
        let plan = plan("APS 排产", &dictionary());
        assert_eq!(plan.concepts, 1, "{plan:#?}");
        let typed: Vec<&str> = plan
            .group(0, 0)
            .flat_map(|clause| clause.terms.iter().map(String::as_str))
            .collect();
        assert!(
            typed.contains(&"ap") && typed.contains(&"排产"),
            "{plan:#?}"
        );
        let twice = |terms: &[&str]| {
            plan.clauses
                .iter()
                .filter(|clause| {
                    clause
                        .terms
                        .iter()
                        .map(String::as_str)
                        .eq(terms.iter().copied())
                })
                .count()
        };
        assert_eq!(twice(&["排程"]), 1, "each term once per concept: {plan:#?}");
        assert_eq!(super::plan("MES 注塑", &dictionary()).concepts, 2);
    }

    #[test]
    fn parts_are_marked_and_stop_words_leave_dictionary_terms() {
        let plan = plan("预测性维护", &dictionary());
        let part = plan.clauses.iter().find(|clause| clause.terms == ["维护"]);
        assert!(part.is_some_and(|clause| clause.part), "{plan:#?}");
        assert!(!plan.clauses[0].part);
        // `and` is no stop word of the key any more than of the query.
        let plan = super::plan("prognostics and health management", &dictionary());
        assert_eq!(plan.concepts, 1, "{plan:#?}");
        assert!(plan.weight_of(&["预测性维护"]).is_some(), "{plan:#?}");
    }

    #[test]
    fn particles_go_and_length_is_bounded() {
        let words: Vec<String> = query_words("能耗的监测")
            .into_iter()
            .map(|word| word.term)
            .collect();
        assert_eq!(words, ["能耗", "监测"]);
        assert_eq!(query_words("碳").len(), 1);
        let many: String = (0..500).map(|number| format!("w{number} ")).collect();
        assert_eq!(query_words(&many).len(), MAX_QUERY_WORDS);
        let plan = plan(&"数字孪生 能耗 排产 质检 ".repeat(100), &dictionary());
        assert!(plan.clauses.len() <= MAX_CLAUSES);
        assert!(super::plan("，。😀", &dictionary()).is_empty());
    }
}
