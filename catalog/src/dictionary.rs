//! The dictionaries a query is expanded with: a bilingual term dictionary (English ↔ Chinese)
//! and synonym groups.
//!
//! - **Bilingual terms** ([`DEFAULT_BILINGUAL`], `data/bilingual.tsv` in the crate): one line
//!   per pair, `english<TAB>chinese`, each side listing alternatives separated by `|`
//!   (`production scheduling|scheduling<TAB>排产|排程`). An English query phrase brings its
//!   Chinese terms into the query, so English and mixed queries find entries written only in
//!   Chinese; a Chinese query word brings its English terms, with less weight, for English
//!   names. A park extends or corrects the list with `<index dir>/bilingual.tsv` in the same
//!   format: its lines are added, and an English term it lists replaces that term's built-in
//!   translations.
//! - **Synonyms** (`<index dir>/synonyms.txt`, written from [`DEFAULT_SYNONYMS`] when the
//!   catalog is first opened): one group per line, terms separated by `/` or `,`
//!   (`排产/排程/APS`); a query holding one term also looks for the others.
//!
//! In both files, blank lines and lines starting with `#` are ignored. Terms are matched as
//! analysed: English words lowercased and stemmed (`Scheduling` meets `scheduling` and
//! `schedule`), Chinese as written, whatever jieba makes of it. A key is the analysed words
//! of a term joined (Han words without a blank, others with one), so a query matches a term
//! over one or several of its words (`设备` + `健康管理` = `设备健康管理`).

use std::collections::{BTreeSet, HashMap};
use std::path::Path;

use crate::analysis::{self, is_han};
use crate::error::{Error, Result};
use crate::query::STOP_WORDS;

/// The built-in bilingual dictionary (`data/bilingual.tsv`).
pub const DEFAULT_BILINGUAL: &str = include_str!("../data/bilingual.tsv");
/// The default synonym groups (`data/synonyms.txt`), written to the index folder on first open.
pub const DEFAULT_SYNONYMS: &str = include_str!("../data/synonyms.txt");
/// The park's bilingual dictionary in the index folder, read when present.
pub const BILINGUAL_FILE: &str = "bilingual.tsv";
/// The synonym file in the index folder.
pub const SYNONYMS_FILE: &str = "synonyms.txt";
/// The most words a dictionary key may have; longer terms are not matched.
pub(crate) const MAX_KEY_WORDS: usize = 6;
/// Latin words shorter than this are never corrected (nor searched fuzzily).
pub const MIN_CORRECTED_CHARS: usize = 5;

/// How an expansion relates to the query words it replaces.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ExpansionKind {
    /// A synonym of the same language (or an abbreviation).
    Synonym,
    /// A translation from the bilingual dictionary.
    Translation,
}

/// One word of an expansion, analysed like the index.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExpansionWord {
    /// The term as the index holds it (Han word, or stemmed Latin word).
    pub term: String,
    /// The dictionary words inside a Han word.
    pub parts: Vec<String>,
    /// True for a word of Han characters.
    pub han: bool,
}

/// A term a query is expanded with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Expansion {
    /// Why it is added.
    pub kind: ExpansionKind,
    /// The term as the dictionary writes it.
    pub text: String,
    /// Its analysed words.
    pub words: Vec<ExpansionWord>,
}

impl Expansion {
    /// Returns true when every word of the expansion is Han text.
    pub fn is_han(&self) -> bool {
        self.words.iter().all(|word| word.han)
    }
}

/// The bilingual terms and synonyms of one catalog, keyed by analysed term.
#[derive(Debug, Clone, Default)]
pub struct Dictionary {
    entries: HashMap<String, Vec<Expansion>>,
    /// Lowercased Latin words of the dictionary, for typo correction.
    vocabulary: BTreeSet<String>,
    pairs: usize,
    groups: usize,
}

/// A line of the bilingual file: English alternatives and Chinese alternatives.
#[derive(Debug, Clone)]
struct Pair {
    english: Vec<String>,
    chinese: Vec<String>,
}

impl Dictionary {
    /// Returns the built-in dictionary: the default bilingual terms and synonyms.
    pub fn builtin() -> Dictionary {
        Dictionary::from_texts(DEFAULT_BILINGUAL, None, DEFAULT_SYNONYMS)
    }

    /// Builds a dictionary from the text of the built-in bilingual file, the park's
    /// bilingual file (which extends and overrides it) and a synonym file.
    pub fn from_texts(builtin: &str, park: Option<&str>, synonyms: &str) -> Dictionary {
        let mut pairs = parse_bilingual(builtin);
        if let Some(park) = park {
            let park_pairs = parse_bilingual(park);
            let replaced: BTreeSet<String> = park_pairs
                .iter()
                .flat_map(|pair| pair.english.iter().map(|english| key_of_text(english)))
                .collect();
            for pair in &mut pairs {
                pair.english
                    .retain(|english| !replaced.contains(&key_of_text(english)));
            }
            pairs.retain(|pair| !pair.english.is_empty());
            pairs.extend(park_pairs);
        }
        let groups = parse_synonyms(synonyms);

        let mut dictionary = Dictionary {
            pairs: pairs.len(),
            groups: groups.len(),
            ..Dictionary::default()
        };
        let mut analysed: HashMap<String, (String, Vec<ExpansionWord>)> = HashMap::new();
        let mut analyse = |text: &str| -> (String, Vec<ExpansionWord>) {
            analysed
                .entry(text.to_string())
                .or_insert_with(|| analyse_term(text))
                .clone()
        };
        for pair in &pairs {
            for english in &pair.english {
                dictionary.learn_words(english);
                for chinese in &pair.chinese {
                    let (english_key, _) = analyse(english);
                    let (chinese_key, chinese_words) = analyse(chinese);
                    let (_, english_words) = analyse(english);
                    dictionary.add(
                        &english_key,
                        ExpansionKind::Translation,
                        chinese,
                        chinese_words,
                    );
                    dictionary.add(
                        &chinese_key,
                        ExpansionKind::Translation,
                        english,
                        english_words,
                    );
                }
            }
        }
        for group in &groups {
            for term in group {
                if !term.chars().any(is_han) {
                    dictionary.learn_words(term);
                }
            }
            for (index, term) in group.iter().enumerate() {
                let (key, _) = analyse(term);
                for (other_index, other) in group.iter().enumerate() {
                    if other_index != index {
                        let (_, words) = analyse(other);
                        dictionary.add(&key, ExpansionKind::Synonym, other, words);
                    }
                }
            }
        }
        dictionary
    }

    /// Loads the dictionary of the index in `dir`: the built-in bilingual terms extended by
    /// `dir/bilingual.tsv` when present, and the synonyms of `dir/synonyms.txt`, which is
    /// written with the default groups when absent.
    pub fn load(dir: &Path) -> Result<Dictionary> {
        let bilingual_path = dir.join(BILINGUAL_FILE);
        let park = match std::fs::read(&bilingual_path) {
            Ok(bytes) => Some(String::from_utf8_lossy(&bytes).into_owned()),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => None,
            Err(source) => {
                return Err(Error::Io {
                    path: bilingual_path,
                    source,
                });
            }
        };
        let synonyms_path = dir.join(SYNONYMS_FILE);
        let synonyms = match std::fs::read(&synonyms_path) {
            Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => {
                std::fs::write(&synonyms_path, DEFAULT_SYNONYMS).map_err(|source| Error::Io {
                    path: synonyms_path.clone(),
                    source,
                })?;
                DEFAULT_SYNONYMS.to_string()
            }
            Err(source) => {
                return Err(Error::Io {
                    path: synonyms_path,
                    source,
                });
            }
        };
        let dictionary = Dictionary::from_texts(DEFAULT_BILINGUAL, park.as_deref(), &synonyms);
        tracing::debug!(
            pairs = dictionary.pairs,
            synonym_groups = dictionary.groups,
            keys = dictionary.entries.len(),
            park_bilingual = park.is_some(),
            "catalog dictionaries loaded"
        );
        Ok(dictionary)
    }

    /// Returns the expansions of an analysed key (see `key_of`); empty when it is none.
    pub fn lookup(&self, key: &str) -> &[Expansion] {
        self.entries.get(key).map_or(&[], Vec::as_slice)
    }

    /// Returns the number of keys.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Returns true when the dictionary has no key.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Returns true when `word` (lowercased) is a Latin word of the dictionary.
    pub fn knows(&self, word: &str) -> bool {
        self.vocabulary.contains(word)
    }

    /// Returns the dictionary word one typo away from `word` (lowercased Latin letters, at
    /// least `MIN_CORRECTED_CHARS` long, not itself a dictionary word): one letter left
    /// out, added, changed, or two neighbours swapped. When several are, the one sharing the
    /// first letter, then the first in alphabetical order.
    pub fn correct(&self, word: &str) -> Option<&str> {
        let length = word.chars().count();
        if length < MIN_CORRECTED_CHARS
            || !word.chars().all(|character| character.is_ascii_lowercase())
            || self.vocabulary.contains(word)
        {
            return None;
        }
        let first = word.chars().next();
        let mut fallback = None;
        for candidate in &self.vocabulary {
            if candidate.len().abs_diff(word.len()) > 1 || !within_one_edit(word, candidate) {
                continue;
            }
            if candidate.chars().next() == first {
                return Some(candidate);
            }
            fallback.get_or_insert(candidate.as_str());
        }
        fallback
    }

    fn learn_words(&mut self, text: &str) {
        for word in analysis::words(text) {
            if !word.han && word.text.chars().all(|c| c.is_ascii_lowercase()) {
                self.vocabulary.insert(word.text);
            }
        }
    }

    fn add(&mut self, key: &str, kind: ExpansionKind, text: &str, words: Vec<ExpansionWord>) {
        if key.is_empty() || words.is_empty() || key_of_words(&words) == key {
            return;
        }
        let expansions = self.entries.entry(key.to_string()).or_default();
        match expansions
            .iter_mut()
            .find(|expansion| expansion.words == words)
        {
            Some(existing) => existing.kind = existing.kind.max(kind),
            None => expansions.push(Expansion {
                kind,
                text: text.to_string(),
                words,
            }),
        }
    }
}

/// Returns the Han terms of the built-in dictionaries (two characters or more), which the
/// analyzer adds to jieba's dictionary so that they are kept whole.
pub(crate) fn builtin_han_terms() -> impl Iterator<Item = &'static str> {
    let bilingual = DEFAULT_BILINGUAL
        .lines()
        .filter(|line| !is_comment(line))
        .filter_map(|line| line.split_once('\t'))
        .flat_map(|(_, chinese)| chinese.split('|'));
    let synonyms = DEFAULT_SYNONYMS
        .lines()
        .filter(|line| !is_comment(line))
        .flat_map(|line| line.split(SYNONYM_SEPARATORS));
    bilingual
        .chain(synonyms)
        .map(str::trim)
        .filter(|term| term.chars().count() >= 2 && term.chars().all(is_han))
}

/// Separators of the terms of a synonym group.
const SYNONYM_SEPARATORS: [char; 4] = ['/', ',', '，', '／'];

fn is_comment(line: &str) -> bool {
    let line = line.trim();
    line.is_empty() || line.starts_with('#')
}

fn parse_bilingual(text: &str) -> Vec<Pair> {
    let mut pairs = Vec::new();
    let mut malformed = 0usize;
    for line in text.lines().filter(|line| !is_comment(line)) {
        let Some((english, chinese)) = line.split_once('\t') else {
            malformed += 1;
            continue;
        };
        let split = |side: &str| -> Vec<String> {
            side.split('|')
                .map(str::trim)
                .filter(|term| !term.is_empty())
                .map(str::to_string)
                .collect()
        };
        let pair = Pair {
            english: split(english),
            chinese: split(chinese),
        };
        if pair.english.is_empty() || pair.chinese.is_empty() {
            malformed += 1;
            continue;
        }
        pairs.push(pair);
    }
    if malformed > 0 {
        tracing::warn!(
            malformed,
            "bilingual dictionary lines without `english<TAB>chinese` skipped"
        );
    }
    pairs
}

fn parse_synonyms(text: &str) -> Vec<Vec<String>> {
    text.lines()
        .filter(|line| !is_comment(line))
        .map(|line| {
            let mut group: Vec<String> = Vec::new();
            for term in line.split(SYNONYM_SEPARATORS).map(str::trim) {
                if !term.is_empty() && !group.iter().any(|known| known == term) {
                    group.push(term.to_string());
                }
            }
            group
        })
        .filter(|group| group.len() >= 2)
        .collect()
}

/// Analyses a dictionary term: its key and its words.
fn analyse_term(text: &str) -> (String, Vec<ExpansionWord>) {
    let mut words = analysis::words(text);
    // Queries lose their stop words (`prognostics and health management` is searched as
    // `prognostics health management`), so terms do too: a key holding one could never be
    // met, and an expansion holding one would require it in the field.
    let is_stop_word = |word: &analysis::Word| STOP_WORDS.contains(&word.text.as_str());
    if words.iter().any(|word| !is_stop_word(word)) {
        words.retain(|word| !is_stop_word(word));
    }
    let words: Vec<ExpansionWord> = words
        .into_iter()
        .take(MAX_KEY_WORDS)
        .map(|word| ExpansionWord {
            term: if word.han {
                word.text
            } else {
                analysis::stem(&word.text)
            },
            parts: word.parts,
            han: word.han,
        })
        .collect();
    (key_of_words(&words), words)
}

fn key_of_text(text: &str) -> String {
    analyse_term(text).0
}

fn key_of_words(words: &[ExpansionWord]) -> String {
    key_of(words.iter().map(|word| (word.term.as_str(), word.han)))
}

/// Joins analysed words into a dictionary key: Han words without a blank between them,
/// other words with one.
pub(crate) fn key_of<'a>(words: impl IntoIterator<Item = (&'a str, bool)>) -> String {
    let mut key = String::new();
    let mut previous_han = None;
    for (term, han) in words {
        if previous_han.is_some() && !(han && previous_han == Some(true)) {
            key.push(' ');
        }
        key.push_str(term);
        previous_han = Some(han);
    }
    key
}

/// Returns true when `a` and `b` differ by exactly one edit (insertion, deletion,
/// substitution or swap of two neighbours).
fn within_one_edit(a: &str, b: &str) -> bool {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    if a == b {
        return false;
    }
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let (rest_a, rest_b) = (&a[prefix..], &b[prefix..]);
    match rest_a.len() as isize - rest_b.len() as isize {
        0 => {
            rest_a[1..] == rest_b[1..]
                || (rest_a.len() >= 2
                    && rest_a[0] == rest_b[1]
                    && rest_a[1] == rest_b[0]
                    && rest_a[2..] == rest_b[2..])
        }
        1 => rest_a[1..] == *rest_b,
        -1 => *rest_a == rest_b[1..],
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(expansions: &[Expansion]) -> Vec<&str> {
        expansions
            .iter()
            .map(|expansion| expansion.text.as_str())
            .collect()
    }

    #[test]
    fn the_builtin_files_parse_completely() {
        let lines = DEFAULT_BILINGUAL
            .lines()
            .filter(|line| !is_comment(line))
            .count();
        assert_eq!(
            parse_bilingual(DEFAULT_BILINGUAL).len(),
            lines,
            "every line is a pair"
        );
        assert!(lines >= 150, "{lines} pairs");
        let groups = DEFAULT_SYNONYMS
            .lines()
            .filter(|line| !is_comment(line))
            .count();
        assert_eq!(parse_synonyms(DEFAULT_SYNONYMS).len(), groups);
        assert!(builtin_han_terms().any(|term| term == "预测性维护"));
    }

    #[test]
    fn english_phrases_translate_to_chinese_and_back() {
        let dictionary = Dictionary::builtin();
        let key = key_of([("predict", false), ("mainten", false)]);
        assert_eq!(key, "predict mainten");
        assert!(texts(dictionary.lookup(&key)).contains(&"预测性维护"));
        assert!(texts(dictionary.lookup("digit twin")).contains(&"数字孪生"));
        assert!(texts(dictionary.lookup("blast furnac")).contains(&"高炉"));
        assert!(texts(dictionary.lookup("inject mold")).contains(&"注塑"));
        let scheduling = texts(dictionary.lookup("schedul"));
        assert!(scheduling.contains(&"排产") && scheduling.contains(&"排程"));
        let back = dictionary.lookup("预测性维护");
        assert!(
            back.iter()
                .any(|expansion| expansion.text == "predictive maintenance"
                    && expansion.kind == ExpansionKind::Translation)
        );
        assert!(
            dictionary
                .lookup("数字孪生")
                .iter()
                .any(|expansion| !expansion.is_han())
        );
    }

    #[test]
    fn synonyms_expand_every_way() {
        let dictionary = Dictionary::builtin();
        let aps = dictionary.lookup("排产");
        assert!(texts(aps).contains(&"排程"));
        assert!(texts(aps).contains(&"APS"));
        assert!(
            dictionary
                .lookup("phm")
                .iter()
                .any(|expansion| expansion.text == "预测性维护")
        );
        let words_of_key = dictionary
            .lookup("能耗")
            .iter()
            .find(|expansion| expansion.text == "能源管理")
            .map(|expansion| expansion.kind);
        assert_eq!(words_of_key, Some(ExpansionKind::Synonym));
    }

    #[test]
    fn the_park_file_extends_and_overrides() {
        let park = "# ours\nwidget\t小部件\nblast furnace\t炼铁高炉\nbroken line\n";
        let dictionary = Dictionary::from_texts(DEFAULT_BILINGUAL, Some(park), "甲/乙, 丙\n");
        assert_eq!(texts(dictionary.lookup("widget")), ["小部件"]);
        assert_eq!(texts(dictionary.lookup("blast furnac")), ["炼铁高炉"]);
        assert!(texts(dictionary.lookup("digit twin")).contains(&"数字孪生"));
        assert_eq!(texts(dictionary.lookup("甲")), ["乙", "丙"]);
    }

    #[test]
    fn typos_are_corrected_to_dictionary_words() {
        let dictionary = Dictionary::builtin();
        assert_eq!(dictionary.correct("maintenence"), Some("maintenance"));
        assert_eq!(dictionary.correct("schedulng"), Some("scheduling"));
        assert_eq!(dictionary.correct("predicitve"), Some("predictive"));
        assert_eq!(dictionary.correct("maintenance"), None, "known words stay");
        assert_eq!(dictionary.correct("twin"), None, "short words stay");
        assert_eq!(dictionary.correct("zzzzzzzz"), None);
        assert!(dictionary.knows("furnace"));
    }

    #[test]
    fn one_edit_means_one_edit() {
        assert!(within_one_edit("abcde", "abde"));
        assert!(within_one_edit("abde", "abcde"));
        assert!(within_one_edit("abcde", "abxde"));
        assert!(within_one_edit("abcde", "abdce"));
        assert!(!within_one_edit("abcde", "abcde"));
        assert!(!within_one_edit("abcde", "badce"));
        assert!(!within_one_edit("abcde", "abc"));
    }

    #[test]
    fn load_writes_the_default_synonyms_and_reads_the_park_files() -> Result<()> {
        let folder = tempfile::tempdir().map_err(|source| Error::Io {
            path: "tmp".into(),
            source,
        })?;
        let dictionary = Dictionary::load(folder.path())?;
        let written =
            std::fs::read_to_string(folder.path().join(SYNONYMS_FILE)).map_err(|source| {
                Error::Io {
                    path: "synonyms".into(),
                    source,
                }
            })?;
        assert_eq!(written, DEFAULT_SYNONYMS);
        assert!(!dictionary.is_empty());

        std::fs::write(folder.path().join(SYNONYMS_FILE), "园区/产业园\n").map_err(|source| {
            Error::Io {
                path: "synonyms".into(),
                source,
            }
        })?;
        std::fs::write(folder.path().join(BILINGUAL_FILE), "gizmo\t小玩意\n").map_err(
            |source| Error::Io {
                path: "bilingual".into(),
                source,
            },
        )?;
        let dictionary = Dictionary::load(folder.path())?;
        let park = texts(dictionary.lookup("园区"));
        assert!(
            park.contains(&"产业园") && park.contains(&"industrial park"),
            "{park:?}"
        );
        assert_eq!(texts(dictionary.lookup("gizmo")), ["小玩意"]);
        assert!(
            dictionary
                .lookup("排产")
                .iter()
                .all(|e| e.kind == ExpansionKind::Translation)
        );
        Ok(())
    }
}
