//! Chinese and English text analysis: jieba segmentation for Han text, lowercasing and
//! English stemming for Latin words, numbers kept, punctuation and blanks skipped.
//!
//! One analyzer, [`TEXT_ANALYZER`], serves every text field of the index:
//!
//! - A run of Han characters is cut by jieba (`cut`, with HMM for words the dictionary does
//!   not know). Each word is emitted whole and, finer than jieba's search mode, followed by
//!   every dictionary word of two to eight characters inside it: `预测性维护` gives
//!   `预测性维护`, `预测`, `维护`, `预测性`; `能源管理系统` gives `能源管理系统`, `能源`, `管理`,
//!   `系统`, `能源管理`. A query for a part (`能耗`) therefore finds text holding the whole
//!   (`能耗监测`). The parts share the position of their word, so phrase positions are those
//!   of the words.
//! - A run of letters and digits of any other script is one word: full-width forms are folded
//!   to ASCII, it is lowercased and stemmed with tantivy's English [`Stemmer`], so
//!   `Maintenance`, `maintenance` and `maintenances` meet. A `.` between two digits stays
//!   inside the word (`3.5`).
//! - Everything else (punctuation, blanks, symbols, emoji) separates words and is dropped.
//!
//! Queries are cut the same way by [`words`], but weigh a word's parts below the word itself
//! (see [`crate::query`]). Jieba's dictionary is extended with the park's domain words
//! ([`DOMAIN_WORDS`]) and the Chinese terms of the built-in bilingual dictionary and synonyms
//! ([`crate::dictionary`]), so that they are kept whole.
//!
//! The parts of a Han word carry the byte range of the whole word. Offsets are not stored in
//! the index, so this only affects highlighting, where the whole word is marked; in exchange
//! offsets never go backwards in a token stream, which tantivy's `SnippetGenerator` relies
//! on (overlapping ranges make it slice outside its fragment).
//!
//! The jieba dictionary takes a noticeable time to load (most in debug builds), so it is
//! loaded once per process, on first use or by [`load_dictionary`].

use std::sync::LazyLock;
use std::time::{Duration, Instant};

use jieba_rs::Jieba;
use tantivy::tokenizer::{
    Language, RawTokenizer, RemoveLongFilter, Stemmer, TextAnalyzer, Token, TokenStream, Tokenizer,
};

/// The name the catalog's analyzer is registered under in the index.
pub const TEXT_ANALYZER: &str = "parkhub_zh_en";

/// Tokens longer than this many bytes are dropped: they are not words anyone types, and
/// tantivy refuses terms above 65 530 bytes.
const MAX_TOKEN_BYTES: usize = 100;

/// Words of the park's domain that jieba's general dictionary lacks or would cut apart. They
/// are kept whole; search mode still adds their dictionary parts (`能耗监测` → `能耗`,
/// `监测`), so a query for either finds them.
pub const DOMAIN_WORDS: &[&str] = &[
    // maintenance and equipment
    "预测性维护",
    "故障诊断",
    "振动监测",
    "状态监测",
    "健康管理",
    "设备联网",
    "数据采集",
    "数采",
    "边缘计算",
    "点检",
    // energy and carbon
    "能耗监测",
    "能源管理",
    "综合能耗",
    "用能",
    "能碳",
    "碳排放",
    "碳足迹",
    "碳核算",
    "碳达峰",
    "碳中和",
    "双碳",
    // quality and vision
    "机器视觉",
    "视觉检测",
    "缺陷检测",
    "表面缺陷",
    "质量追溯",
    "良率",
    // planning and production
    "排产",
    "智能排产",
    "排程",
    "产线",
    "安全生产",
    "智能制造",
    // platforms and software
    "数字孪生",
    "工业互联网",
    "工业软件",
    "工业机器人",
    "物联网",
    "云平台",
    "上云",
    "知识图谱",
    "大模型",
    "两化融合",
    "数字化转型",
    "数控化",
    // processes of the key industries
    "注塑",
    "高炉",
    "转炉",
    "电炉",
    "压铸",
    "窑炉",
    "机加工",
];

static JIEBA: LazyLock<Jieba> = LazyLock::new(|| {
    let started = Instant::now();
    let mut jieba = Jieba::new();
    for word in DOMAIN_WORDS {
        // The suggested frequency is just high enough for jieba to keep the word whole.
        jieba.add_word(word, None, None);
    }
    // The Chinese terms of the built-in bilingual dictionary and synonyms are kept whole
    // too, unless jieba already does (words it knows keep their own frequency).
    for term in crate::dictionary::builtin_han_terms() {
        if jieba.cut(term, false).len() > 1 {
            jieba.add_word(term, None, None);
        }
    }
    tracing::info!(
        elapsed_ms = started.elapsed().as_millis(),
        "jieba dictionary loaded"
    );
    jieba
});

/// Loads the jieba dictionary now rather than on the first analysis, and returns how long
/// that took (zero when it was already loaded). Servers call it at start-up so that the first
/// search is not the slow one.
pub fn load_dictionary() -> Duration {
    let started = Instant::now();
    LazyLock::force(&JIEBA);
    started.elapsed()
}

/// Returns the analyzer used for every text field and every query: [`ParkTokenizer`], then
/// long tokens removed, then English stemming.
pub fn text_analyzer() -> TextAnalyzer {
    TextAnalyzer::builder(ParkTokenizer)
        .filter(RemoveLongFilter::limit(MAX_TOKEN_BYTES))
        .filter(Stemmer::new(Language::English))
        .build()
}

/// Returns the distinct terms of `text` as the index holds them, in order of first
/// appearance.
pub fn analyze(text: &str) -> Vec<String> {
    let mut analyzer = text_analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut terms: Vec<String> = Vec::new();
    while let Some(token) = stream.next() {
        if !terms.contains(&token.text) {
            terms.push(token.text.clone());
        }
    }
    terms
}

/// The tokenizer behind [`TEXT_ANALYZER`]: jieba for Han runs, lowercased words for other
/// letters and digits (see the module documentation).
#[derive(Debug, Clone, Copy, Default)]
pub struct ParkTokenizer;

impl Tokenizer for ParkTokenizer {
    type TokenStream<'a> = ParkTokenStream;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> ParkTokenStream {
        ParkTokenStream {
            tokens: segment(text),
            next: 0,
            before_first: Token::default(),
        }
    }
}

/// The tokens of one text, computed up front (jieba segments a whole run at a time).
#[derive(Debug, Clone)]
pub struct ParkTokenStream {
    tokens: Vec<Token>,
    next: usize,
    /// What `token()` shows before the first `advance()`, instead of panicking.
    before_first: Token,
}

impl TokenStream for ParkTokenStream {
    fn advance(&mut self) -> bool {
        if self.next < self.tokens.len() {
            self.next += 1;
            true
        } else {
            false
        }
    }

    fn token(&self) -> &Token {
        match self.next.checked_sub(1) {
            Some(current) => &self.tokens[current],
            None => &self.before_first,
        }
    }

    fn token_mut(&mut self) -> &mut Token {
        match self.next.checked_sub(1) {
            Some(current) => &mut self.tokens[current],
            None => &mut self.before_first,
        }
    }
}

/// What a character is to the tokenizer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum CharClass {
    /// A CJK ideograph: segmented by jieba.
    Han,
    /// A letter or digit of any other script: part of a word.
    Word,
    /// Anything else: a separator.
    Separator,
}

/// Returns true for CJK ideographs, the characters jieba segments.
pub(crate) fn is_han(character: char) -> bool {
    matches!(
        u32::from(character),
        0x3400..=0x4DBF       // extension A
            | 0x4E00..=0x9FFF // unified ideographs
            | 0xF900..=0xFAFF // compatibility ideographs
            | 0x20000..=0x2A6DF
            | 0x2A700..=0x2EBEF
            | 0x30000..=0x3134F
    )
}

fn class_of(character: char) -> CharClass {
    if is_han(character) {
        CharClass::Han
    } else if character.is_alphanumeric() {
        CharClass::Word
    } else {
        CharClass::Separator
    }
}

/// The longest dictionary word, in characters, emitted as a part of a longer Han word.
pub const MAX_PART_CHARS: usize = 8;

/// A word of a text as the catalog sees it, before stemming.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word: a jieba word of Han text, or a run of other letters and digits with
    /// full-width forms folded to ASCII and lowercased.
    pub text: String,
    /// Where the word starts in the text, in bytes.
    pub from: usize,
    /// Where the word ends in the text, in bytes.
    pub to: usize,
    /// True for a word of Han characters.
    pub han: bool,
    /// The dictionary words inside a Han word (two to [`MAX_PART_CHARS`] characters, shorter
    /// than the word), in order of length then position; empty for other words.
    pub parts: Vec<String>,
}

/// Splits `text` into words: jieba words for runs of Han characters (each with its parts),
/// lowercased runs of other letters and digits. Punctuation, blanks and symbols separate
/// words and are dropped.
pub fn words(text: &str) -> Vec<Word> {
    let mut words = Vec::new();
    let characters: Vec<(usize, char)> = text.char_indices().collect();
    let mut index = 0;
    while index < characters.len() {
        let (run_start, first) = characters[index];
        let class = class_of(first);
        let mut end = index + 1;
        match class {
            CharClass::Separator => {
                index = end;
                continue;
            }
            CharClass::Han => {
                while end < characters.len() && class_of(characters[end].1) == CharClass::Han {
                    end += 1;
                }
            }
            CharClass::Word => {
                while end < characters.len() {
                    let character = characters[end].1;
                    let joins_digits = character == '.'
                        && characters[end - 1].1.is_ascii_digit()
                        && characters
                            .get(end + 1)
                            .is_some_and(|(_, next)| next.is_ascii_digit());
                    if class_of(character) == CharClass::Word || joins_digits {
                        end += 1;
                    } else {
                        break;
                    }
                }
            }
        }
        let run_end = characters
            .get(end)
            .map_or(text.len(), |(offset, _)| *offset);
        let run = &text[run_start..run_end];
        match class {
            CharClass::Han => push_han_run(run, run_start, &mut words),
            _ => words.push(Word {
                text: normalize_word(run),
                from: run_start,
                to: run_end,
                han: false,
                parts: Vec::new(),
            }),
        }
        index = end;
    }
    words
}

/// Splits `text` into tokens with byte offsets into `text`. A Han word is followed by its
/// parts, which share its position and byte range; each word takes the next position, so
/// phrase positions stay those of the words.
fn segment(text: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    for (position, word) in words(text).into_iter().enumerate() {
        let (from, to) = (word.from, word.to);
        tokens.push(token(word.text, from, to, position));
        for part in word.parts {
            tokens.push(token(part, from, to, position));
        }
    }
    tokens
}

fn token(text: String, offset_from: usize, offset_to: usize, position: usize) -> Token {
    Token {
        offset_from,
        offset_to,
        position,
        text,
        position_length: 1,
    }
}

/// Cuts a run of Han characters with jieba and pushes each word with its parts.
fn push_han_run(run: &str, run_start: usize, words: &mut Vec<Word>) {
    let jieba: &Jieba = &JIEBA;
    for word in jieba.cut(run, true) {
        let characters: Vec<usize> = word.word.char_indices().map(|(offset, _)| offset).collect();
        let char_count = characters.len();
        let byte_at =
            |position: usize| characters.get(position).copied().unwrap_or(word.word.len());
        let mut parts = Vec::new();
        for gram_length in 2..char_count.min(MAX_PART_CHARS + 1) {
            for start in 0..=char_count - gram_length {
                let gram = &word.word[byte_at(start)..byte_at(start + gram_length)];
                if jieba.has_word(gram) && !parts.iter().any(|part: &String| part == gram) {
                    parts.push(gram.to_string());
                }
            }
        }
        words.push(Word {
            text: word.word.to_string(),
            from: run_start + word.byte_start,
            to: run_start + word.byte_end,
            han: true,
            parts,
        });
    }
}

/// Folds full-width ASCII forms to ASCII and lowercases.
fn normalize_word(word: &str) -> String {
    word.chars()
        .map(|character| match u32::from(character) {
            code @ 0xFF01..=0xFF5E => char::from_u32(code - 0xFEE0).unwrap_or(character),
            _ => character,
        })
        .flat_map(char::to_lowercase)
        .collect()
}

/// Returns the English stem of a lowercased word, as the index holds it (`maintenance` →
/// `mainten`); Han words and numbers come back unchanged.
pub fn stem(word: &str) -> String {
    let mut analyzer = TextAnalyzer::builder(RawTokenizer::default())
        .filter(Stemmer::new(Language::English))
        .build();
    let mut stream = analyzer.token_stream(word);
    match stream.next() {
        Some(token) => token.text.clone(),
        None => word.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens_of(text: &str) -> Vec<(String, usize, usize)> {
        let mut analyzer = text_analyzer();
        let mut stream = analyzer.token_stream(text);
        let mut tokens = Vec::new();
        while let Some(token) = stream.next() {
            tokens.push((token.text.clone(), token.offset_from, token.offset_to));
        }
        tokens
    }

    fn texts_of(text: &str) -> Vec<String> {
        tokens_of(text)
            .into_iter()
            .map(|(text, _, _)| text)
            .collect()
    }

    #[test]
    fn dictionary_loads_once_and_reports_its_time() {
        let first = load_dictionary();
        let second = load_dictionary();
        eprintln!("jieba dictionary load: {first:?} (second call {second:?})");
        assert!(second <= first.max(Duration::from_millis(5)));
    }

    #[test]
    fn domain_words_are_kept_whole_and_split_into_parts() {
        let terms = texts_of("基于振动数据的预测性维护");
        for expected in ["预测性维护", "预测", "维护", "预测性"] {
            assert!(
                terms.contains(&expected.to_string()),
                "{expected} missing from {terms:?}"
            );
        }
        let terms = texts_of("能耗监测与碳排放核算");
        for expected in ["能耗监测", "能耗", "监测", "碳排放", "排放"] {
            assert!(
                terms.contains(&expected.to_string()),
                "{expected} missing from {terms:?}"
            );
        }
        let terms = texts_of("高炉注塑工业互联网");
        for expected in ["高炉", "注塑", "工业互联网", "工业", "互联网"] {
            assert!(
                terms.contains(&expected.to_string()),
                "{expected} missing from {terms:?}"
            );
        }
    }

    #[test]
    fn every_domain_word_is_in_the_dictionary() {
        let jieba: &Jieba = &JIEBA;
        for word in DOMAIN_WORDS {
            assert!(jieba.has_word(word), "{word}");
            let whole = jieba.cut(word, true);
            assert_eq!(whole.len(), 1, "{word} is cut into {whole:?}");
        }
    }

    #[test]
    fn latin_words_are_lowercased_and_stemmed_numbers_kept() {
        assert_eq!(texts_of("Predictive Maintenance"), ["predict", "mainten"]);
        assert_eq!(texts_of("maintenance"), texts_of("MAINTENANCE"));
        assert_eq!(
            texts_of("ISO9001, 3.5 MW; v2"),
            ["iso9001", "3.5", "mw", "v2"]
        );
        assert_eq!(texts_of("ＭＥＳ"), ["mes"]);
        assert_eq!(texts_of("predictive_maintenance"), ["predict", "mainten"]);
    }

    #[test]
    fn mixed_text_is_split_at_script_changes() {
        assert_eq!(texts_of("AGV调度"), ["agv", "调度"]);
        assert_eq!(texts_of("MES 系统"), ["mes", "系统"]);
    }

    #[test]
    fn han_words_are_not_changed_by_the_stemmer() {
        for word in ["能耗", "维护", "系统", "检测", "高炉"] {
            assert_eq!(texts_of(word), [word]);
        }
    }

    #[test]
    fn punctuation_blanks_and_emoji_are_skipped() {
        assert!(texts_of("，。！？「」“”\"':()[] \t\n-—😀🏭").is_empty());
        assert_eq!(texts_of("设备😀维护"), ["设备", "维护"]);
    }

    #[test]
    fn offsets_point_at_the_word_and_never_go_backwards() {
        let text = "Smart 能耗监测系统，AGV调度";
        let tokens = tokens_of(text);
        let mut previous = (0, 0);
        for (term, from, to) in &tokens {
            assert!(text.is_char_boundary(*from) && text.is_char_boundary(*to));
            let covered = &text[*from..*to];
            assert!(
                covered.to_lowercase().contains(term.as_str()),
                "{term} at {from}..{to} covers {covered}"
            );
            assert!((*from, *to) >= previous, "{term} goes backwards");
            previous = (*from, *to);
        }
        let energy = tokens
            .iter()
            .find(|(term, _, _)| term == "能耗")
            .map(|(_, from, to)| (*from, *to));
        assert_eq!(energy.map(|(from, to)| &text[from..to]), Some("能耗监测"));
    }

    #[test]
    fn an_empty_stream_does_not_panic() {
        let mut tokenizer = ParkTokenizer;
        let mut stream = tokenizer.token_stream("");
        assert_eq!(stream.token().text, "");
        assert!(!stream.advance());
    }

    #[test]
    fn analyze_dedupes_terms() {
        let terms = analyze(&"测试".repeat(2500));
        assert_eq!(terms, ["测试"]);
    }
}
