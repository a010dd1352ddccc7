//! Searching the catalog: queries built from analysed terms (never from query syntax) and
//! expanded with the catalog's dictionaries ([`crate::query`]), BM25 with field boosts,
//! filters on the exact-value fields, sorting, facet counts over every match, paging and
//! highlighted snippets.

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery,
    EmptyScorer, EnableScoring, Explanation, FuzzyTermQuery, Occur, Query, Scorer, TermQuery,
    TermSetQuery, Weight,
};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{
    DocAddress, DocId, DocSet, Score, Searcher, SeekDangerResult, SegmentReader, TERMINATED,
    TantivyDocument, Term,
};

use crate::coordination::{ConceptPart, CoordinationQuery};
use crate::entry::EntryKind;
use crate::error::{Error, Result};
use crate::facets::{FACETS, FacetCount, FacetCounter};
use crate::index::Catalog;
use crate::query::{self, Clause, FUZZY_WEIGHT, GROUP_TIE_BREAKER, KIND_HINT_FACTOR, QueryPlan};
use crate::schema::{self, CatalogSchema};
use crate::vocabulary;

pub use crate::query::{MAX_QUERY_CHARS, MAX_QUERY_WORDS as MAX_QUERY_TERMS};

/// Hits returned when a request does not say how many.
pub const DEFAULT_LIMIT: usize = 10;
/// The most hits one request returns; larger limits are lowered to it.
pub const MAX_LIMIT: usize = 1000;
/// The length snippets aim at, in characters.
pub const SNIPPET_CHARS: usize = 120;
/// The boost of a query word equal to the pinyin (whole or initials) of a provider's or an
/// application's name.
pub const NAME_PINYIN_BOOST: f32 = 4.0;
/// Values of one filter separated by these are alternatives (`iron_steel,machinery`).
pub const FILTER_VALUE_SEPARATORS: [char; 3] = [',', '，', '|'];

const HIGHLIGHT_START: &str = "<em>";
const HIGHLIGHT_END: &str = "</em>";
const ELLIPSIS: &str = "…";

/// How hits are ordered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SortOrder {
    /// Best match first (BM25 with field boosts; ties by rating). A request without query
    /// text is listed by rating instead.
    #[default]
    Relevance,
    /// Highest rating first (ties by relevance); entries without rating last.
    Rating,
    /// Lowest price first (the entry's lowest price); entries without price last.
    Price,
    /// Most recently published first; entries without a date (providers) last.
    Newest,
}

impl SortOrder {
    /// Every order.
    pub const ALL: [SortOrder; 4] = [
        SortOrder::Relevance,
        SortOrder::Rating,
        SortOrder::Price,
        SortOrder::Newest,
    ];

    /// Returns the lower-case name (`relevance`, `rating`, `price`, `newest`).
    pub fn as_str(self) -> &'static str {
        match self {
            SortOrder::Relevance => "relevance",
            SortOrder::Rating => "rating",
            SortOrder::Price => "price",
            SortOrder::Newest => "newest",
        }
    }
}

impl fmt::Display for SortOrder {
    fn fmt(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str(self.as_str())
    }
}

impl FromStr for SortOrder {
    type Err = Error;

    /// Parses `relevance`, `rating`, `price` or `newest` (any case, blanks around ignored).
    fn from_str(text: &str) -> Result<SortOrder> {
        let wanted = text.trim();
        SortOrder::ALL
            .into_iter()
            .find(|order| order.as_str().eq_ignore_ascii_case(wanted))
            .ok_or_else(|| Error::InvalidSort(text.to_string()))
    }
}

/// A search of the catalog.
///
/// Filters narrow the matches; each text filter takes one value or alternatives separated by
/// `,` (`iron_steel,machinery`). Build requests with struct literals ending in
/// `..Default::default()`, or with [`SearchRequest::new`] and the `with_*` methods.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct SearchRequest {
    /// What the user typed: Chinese, English or both. No syntax is interpreted; quotes,
    /// colons, `AND`, `-` are ordinary text. May be empty when a filter is set: the
    /// filtered entries are then listed (by rating, unless `sort` says otherwise).
    pub query: String,
    /// Only entries of this kind, when set.
    pub kind: Option<EntryKind>,
    /// How many hits to return at most (capped at [`MAX_LIMIT`]; 0 returns only the total
    /// and the facets).
    pub limit: usize,
    /// How many of the best hits to skip, for paging.
    pub offset: usize,
    /// Only entries of these key industries (codes such as `iron_steel`, or their Chinese or
    /// English names).
    pub industry: Option<String>,
    /// Only entries of these GB/T 4754 divisions (`C31`).
    pub division: Option<String>,
    /// Only entries of these categories (`platform`, `mes`, …).
    pub category: Option<String>,
    /// Only entries of these scenarios (codes such as `predictive_maintenance`, or the
    /// scenarios' Chinese names).
    pub scenario: Option<String>,
    /// Only entries with these deployments (`saas`, `on_premise`, `hybrid`, `edge`).
    pub deployment: Option<String>,
    /// Only entries of these providers (provider ids; a provider itself included).
    pub provider: Option<String>,
    /// Only entries whose price range reaches this price (10k yuan): entries priced up to at
    /// least `price_min`.
    pub price_min: Option<f64>,
    /// Only entries whose price range starts at or below this price (10k yuan).
    pub price_max: Option<f64>,
    /// How hits are ordered.
    pub sort: SortOrder,
    /// Count the facets of every match ([`SearchResults::facets`]); true by default.
    pub facets: bool,
}

impl Default for SearchRequest {
    fn default() -> SearchRequest {
        SearchRequest {
            query: String::new(),
            kind: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
            industry: None,
            division: None,
            category: None,
            scenario: None,
            deployment: None,
            provider: None,
            price_min: None,
            price_max: None,
            sort: SortOrder::Relevance,
            facets: true,
        }
    }
}

impl SearchRequest {
    /// Returns a request for the first [`DEFAULT_LIMIT`] hits of every kind, with facets.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            ..SearchRequest::default()
        }
    }

    /// Returns this request restricted to one kind of entry.
    #[must_use]
    pub fn with_kind(mut self, kind: EntryKind) -> SearchRequest {
        self.kind = Some(kind);
        self
    }

    /// Returns this request with another page: `limit` hits after skipping `offset`.
    #[must_use]
    pub fn with_page(mut self, limit: usize, offset: usize) -> SearchRequest {
        self.limit = limit;
        self.offset = offset;
        self
    }

    /// Returns this request with another order.
    #[must_use]
    pub fn with_sort(mut self, sort: SortOrder) -> SearchRequest {
        self.sort = sort;
        self
    }

    /// Returns this request with or without facet counts.
    #[must_use]
    pub fn with_facets(mut self, facets: bool) -> SearchRequest {
        self.facets = facets;
        self
    }

    /// Returns true when the request sets any filter (kind included).
    pub fn has_filters(&self) -> bool {
        self.kind.is_some()
            || self.price_min.is_some()
            || self.price_max.is_some()
            || [
                &self.industry,
                &self.division,
                &self.category,
                &self.scenario,
                &self.deployment,
                &self.provider,
            ]
            .into_iter()
            .any(|value| !filter_values(value.as_deref()).is_empty())
    }
}

/// The outcome of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// How many entries match in all, whatever the page.
    pub total: usize,
    /// The requested page of matches, best first.
    pub hits: Vec<SearchHit>,
    /// For each facet of [`crate::facets::FACETS`] (`kind`, `key_industry`, `category`,
    /// `scenario`, `deployment`, `price_band`, `region`), how many of all the matches have
    /// each value, most frequent first; empty when the request asked for no facets.
    #[serde(default)]
    pub facets: BTreeMap<String, Vec<FacetCount>>,
}

/// One matching entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    /// What the entry is.
    pub kind: EntryKind,
    /// Its id in its lake table.
    pub id: String,
    /// Its (Chinese) name.
    pub title: String,
    /// About [`SNIPPET_CHARS`] characters of its description (or summary) around the
    /// matches, HTML-escaped, matches wrapped in `<em>…</em>`; `…` where text was cut.
    pub snippet: String,
    /// BM25 relevance with field boosts; higher is better (0 when the request had no text).
    pub score: f32,
    /// Its category.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub category: Option<String>,
    /// The provider behind it (a provider's own id for a provider).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub provider_id: Option<String>,
    /// Its rating, 0 to 5.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<f64>,
    /// Its lowest price, 10k yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_min: Option<f64>,
    /// Its highest price, 10k yuan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub price_max: Option<f64>,
    /// When it was published (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub published_on: Option<String>,
}

/// Returns the words a query is searched with, analysed like the indexed text (see
/// `query::query_words`); dictionary expansions are not included.
pub fn query_terms(query: &str) -> Vec<String> {
    query::query_words(query)
        .into_iter()
        .map(|word| word.term)
        .collect()
}

/// Splits a filter value into its alternatives.
fn filter_values(value: Option<&str>) -> Vec<String> {
    value
        .map(|value| {
            value
                .split(FILTER_VALUE_SEPARATORS)
                .map(str::trim)
                .filter(|item| !item.is_empty())
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

/// The sort key of a hit: the order's value, a tie-breaker, and the relevance score.
type SortKey = (f64, f64, Score);

impl Catalog {
    /// Searches the catalog.
    ///
    /// The query text is planned into weighted clauses ([`crate::query::plan`]: typed words,
    /// their parts, translations, synonyms, typo-tolerant Latin words) and each clause is
    /// looked for in every text field with that field's boost
    /// ([`schema::TEXT_FIELD_BOOSTS`]); an entry matches when it holds any clause and passes
    /// every filter, except that a part of a word is not looked for in a field where it is
    /// common ([`COMMON_PART_SHARE`]) and that the clauses of a common concept of a longer
    /// query only add to the score of entries other concepts find
    /// ([`COMMON_CONCEPT_SPREAD`]). Text that analyses to nothing (only punctuation or emoji)
    /// matches nothing. Empty text lists the filtered entries; empty text without any filter is
    /// [`Error::EmptyQuery`]. A price filter that is not a number, or a `price_min` above
    /// `price_max`, is [`Error::InvalidFilter`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        let filters = self.filter_queries(request)?;
        let has_text = !request.query.trim().is_empty();
        if !has_text && filters.is_empty() {
            return Err(Error::EmptyQuery);
        }
        let searcher = self.searcher();
        let mut kind_hint = None;
        let text_query = if has_text {
            let plan = query::plan(&request.query, &self.dictionary());
            kind_hint = plan.kind_hint;
            if plan.is_empty() {
                return Ok(SearchResults {
                    total: 0,
                    hits: Vec::new(),
                    facets: empty_facets(request.facets),
                });
            }
            Some(self.text_query(&plan, &searcher))
        } else {
            None
        };
        let sort = match (request.sort, has_text) {
            (SortOrder::Relevance, false) => SortOrder::Rating,
            (sort, _) => sort,
        };
        let query: Box<dyn Query> = if filters.is_empty() {
            text_query.unwrap_or_else(|| Box::new(AllQuery))
        } else {
            let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::with_capacity(filters.len() + 1);
            clauses.push((
                Occur::Must,
                text_query
                    .unwrap_or_else(|| Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))),
            ));
            for filter in filters {
                // Filters score nothing, so scores stay comparable with and without them.
                clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(filter, 0.0))));
            }
            Box::new(BooleanQuery::new(clauses))
        };

        // TopDocs allocates for offset + limit documents: bound both by the index size.
        let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let limit = request
            .limit
            .min(MAX_LIMIT)
            .min(num_docs.saturating_sub(request.offset));
        let facet_counter = request.facets.then_some(FacetCounter);
        let (top_docs, total, facets) = if limit == 0 {
            let (total, facets) = searcher.search(&*query, &(Count, facet_counter))?;
            (Vec::new(), total, facets)
        } else {
            let top = TopDocs::with_limit(limit)
                .and_offset(request.offset)
                .tweak_score(move |reader: &SegmentReader| sort_key(sort, kind_hint, reader));
            searcher.search(&*query, &(top, Count, facet_counter))?
        };

        let mut snippets = Snippets::new(&searcher, &*query, self)?;
        let mut hits = Vec::with_capacity(top_docs.len());
        for ((_, _, score), address) in top_docs {
            let document: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&document, address, score, &mut snippets)?);
        }
        Ok(SearchResults {
            total,
            hits,
            facets: facets.unwrap_or_default(),
        })
    }

    /// Returns the query of a plan: for each concept, each of its clauses in each text
    /// field with the field's boost times the clause's weight, Latin words one typo away at
    /// [`FUZZY_WEIGHT`], and Latin words in the names' pinyin; the clauses of each group
    /// summed, the groups of a concept combined by their best with [`GROUP_TIE_BREAKER`],
    /// the words found inside the query's words apart from what the query names; concepts
    /// combined with coordination ([`CoordinationQuery`]), where a concept common in the
    /// catalog ([`COMMON_CONCEPT_SPREAD`]) only adds to the entries others bring.
    fn text_query(&self, plan: &QueryPlan, searcher: &Searcher) -> Box<dyn Query> {
        let fields = &self.fields;
        let common = CommonTerms::new(searcher);
        let mut parts: Vec<ConceptPart> = Vec::with_capacity(plan.concepts * 2);
        for concept in 0..plan.concepts {
            let mut named_groups: Vec<Box<dyn Query>> = Vec::new();
            let mut inner_groups: Vec<Box<dyn Query>> = Vec::new();
            for group in 0..plan.groups(concept).max(1) {
                let mut named: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                let mut inner: Vec<(Occur, Box<dyn Query>)> = Vec::new();
                for clause in plan.group(concept, group) {
                    let queries = if clause.part { &mut inner } else { &mut named };
                    self.push_clause(clause, &common, queries);
                }
                if group == 0 {
                    for (name, _) in plan.names.iter().filter(|(_, of)| *of == concept) {
                        let name_query = TermQuery::new(
                            Term::from_field_text(fields.name_pinyin, name),
                            IndexRecordOption::Basic,
                        );
                        named.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(Box::new(name_query), NAME_PINYIN_BOOST)),
                        ));
                    }
                }
                for (queries, groups) in [(named, &mut named_groups), (inner, &mut inner_groups)] {
                    match queries.len() {
                        0 => {}
                        1 => groups.extend(queries.into_iter().map(|(_, query)| query)),
                        _ => groups.push(Box::new(BooleanQuery::new(queries))),
                    }
                }
            }
            let drives = plan.concepts < 2 || !common.is_common_concept(plan, concept, fields);
            for (groups, named) in [(named_groups, true), (inner_groups, false)] {
                let query: Box<dyn Query> = match groups.len() {
                    0 => continue,
                    1 => groups
                        .into_iter()
                        .next()
                        .unwrap_or_else(|| Box::new(EmptyQuery)),
                    _ => Box::new(DisjunctionMaxQuery::with_tie_breaker(
                        groups,
                        GROUP_TIE_BREAKER,
                    )),
                };
                parts.push(ConceptPart {
                    query,
                    concept,
                    named,
                    drives,
                });
            }
        }
        Box::new(CoordinationQuery::new(parts, plan.concepts))
    }

    /// Pushes the queries of one clause: its terms in each text field with the field's boost
    /// times the clause's weight, and one typo away in the fuzzy fields. A part of a word
    /// is left out of the fields where it is common ([`CommonTerms`]).
    fn push_clause(
        &self,
        clause: &Clause,
        common: &CommonTerms,
        queries: &mut Vec<(Occur, Box<dyn Query>)>,
    ) {
        for (field, boost) in &self.fields.text_fields {
            if let ([term], true) = (clause.terms.as_slice(), clause.part)
                && common.is_common(*field, term)
            {
                continue;
            }
            let term_query = |term: &String| -> Box<dyn Query> {
                Box::new(TermQuery::new(
                    Term::from_field_text(*field, term),
                    IndexRecordOption::WithFreqs,
                ))
            };
            let matching: Box<dyn Query> = match clause.terms.as_slice() {
                [term] => term_query(term),
                terms => Box::new(BooleanQuery::new(
                    terms
                        .iter()
                        .map(|term| (Occur::Must, term_query(term)))
                        .collect(),
                )),
            };
            queries.push((
                Occur::Should,
                Box::new(BoostQuery::new(matching, boost * clause.weight)),
            ));
            if let ([term], true) = (clause.terms.as_slice(), clause.fuzzy)
                && self.fields.fuzzy_fields.contains(field)
            {
                let fuzzy = FuzzyTermQuery::new(Term::from_field_text(*field, term), 1, true);
                queries.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(fuzzy), boost * FUZZY_WEIGHT)),
                ));
            }
        }
    }

    /// Returns the filters of a request as queries (each matching the entries it keeps).
    fn filter_queries(&self, request: &SearchRequest) -> Result<Vec<Box<dyn Query>>> {
        let fields = &self.fields;
        let mut filters: Vec<Box<dyn Query>> = Vec::new();
        let mut one_of = |field: Field, values: Vec<String>| {
            if values.is_empty() {
                return;
            }
            let terms: Vec<Term> = values
                .iter()
                .map(|value| Term::from_field_text(field, value))
                .collect();
            filters.push(Box::new(TermSetQuery::new(terms)));
        };
        if let Some(kind) = request.kind {
            one_of(fields.kind, vec![kind.as_str().to_string()]);
        }
        one_of(
            fields.industry,
            filter_values(request.industry.as_deref())
                .into_iter()
                .map(|value| industry_code(&value))
                .collect(),
        );
        one_of(fields.division, filter_values(request.division.as_deref()));
        one_of(fields.category, filter_values(request.category.as_deref()));
        one_of(
            fields.scenario,
            filter_values(request.scenario.as_deref())
                .into_iter()
                .flat_map(|value| scenario_codes(&value))
                .collect(),
        );
        one_of(
            fields.deployment,
            filter_values(request.deployment.as_deref()),
        );
        one_of(
            fields.provider_id,
            filter_values(request.provider.as_deref()),
        );

        for (name, value) in [
            ("price_min", request.price_min),
            ("price_max", request.price_max),
        ] {
            if value.is_some_and(|price| !price.is_finite()) {
                return Err(Error::InvalidFilter {
                    name,
                    reason: "it is not a finite number".into(),
                });
            }
        }
        if let (Some(low), Some(high)) = (request.price_min, request.price_max)
            && low > high
        {
            return Err(Error::InvalidFilter {
                name: "price_min",
                reason: format!("{low} is above price_max {high}"),
            });
        }
        // The entry's range [price_min, price_max] overlaps the requested one.
        if request.price_min.is_some() || request.price_max.is_some() {
            filters.push(Box::new(PriceFilter {
                low: request.price_min,
                high: request.price_max,
            }));
        }
        Ok(filters)
    }

    fn hit(
        &self,
        document: &TantivyDocument,
        address: DocAddress,
        score: f32,
        snippets: &mut Snippets,
    ) -> Result<SearchHit> {
        let corrupt = |field: &'static str| Error::CorruptDocument {
            address: format!("{address:?}"),
            field,
        };
        let kind = stored_text(document, self.fields.kind)
            .and_then(|kind| kind.parse::<EntryKind>().ok())
            .ok_or_else(|| corrupt(schema::KIND))?;
        let id = stored_text(document, self.fields.id).ok_or_else(|| corrupt(schema::ID))?;
        let title =
            stored_text(document, self.fields.title).ok_or_else(|| corrupt(schema::TITLE))?;

        let description = stored_text(document, self.fields.description).unwrap_or_default();
        let summary = stored_text(document, self.fields.summary).unwrap_or_default();
        let snippet = snippets
            .highlight(Which::Description, description)
            .or_else(|| snippets.highlight(Which::Summary, summary))
            .unwrap_or_else(|| {
                leading_text(if summary.is_empty() {
                    description
                } else {
                    summary
                })
            });
        let number = |field: Field| document.get_first(field).and_then(|value| value.as_f64());
        Ok(SearchHit {
            kind,
            id: id.to_string(),
            title: title.to_string(),
            snippet,
            score,
            category: stored_text(document, self.fields.category).map(str::to_string),
            provider_id: stored_text(document, self.fields.provider_id).map(str::to_string),
            rating: number(self.fields.rating),
            price_min: number(self.fields.price_min),
            price_max: number(self.fields.price_max),
            published_on: document
                .get_first(self.fields.published_on)
                .and_then(|value| value.as_datetime())
                .map(|date| iso_date(date.into_timestamp_secs())),
        })
    }
}

/// A part of a word (`管理` in `能源管理`) in more than this share of the entries, in a
/// field, is not searched in that field: it tells entries apart no better than chance (BM25
/// gives it little weight anyway), while matching it would add most of the catalog to the
/// matches, to their count and facets, and cost the time of reading its postings.
pub const COMMON_PART_SHARE: f64 = 0.2;
/// Catalogs with fewer entries than this search every part everywhere: shares mean little.
pub const COMMON_PART_MIN_ENTRIES: u64 = 200;

/// A concept of a query of several concepts that one of its words (typed or brought by the
/// dictionary) finds in more than a share of the entries, in one field, is *common*: it adds
/// to the score of the entries the other concepts find, but finds none by itself (`行业` in
/// `钢铁行业能源管理`, `设备` or `系统` in a long need), so that the matches, their count and
/// facets are those of the words that tell entries apart. The share is
/// `COMMON_CONCEPT_SPREAD / concepts`, at least [`COMMON_CONCEPT_SHARE`]: 40% for a query of
/// two concepts, where each matters, down to 20% for a long need.
pub const COMMON_CONCEPT_SPREAD: f64 = 0.8;
/// The lowest share of entries that makes a concept common (see [`COMMON_CONCEPT_SPREAD`]).
pub const COMMON_CONCEPT_SHARE: f64 = 0.2;

/// Tells whether a term is common in a field of the searched index.
struct CommonTerms<'a> {
    searcher: &'a Searcher,
    entries: u64,
}

impl<'a> CommonTerms<'a> {
    fn new(searcher: &'a Searcher) -> CommonTerms<'a> {
        CommonTerms {
            searcher,
            entries: searcher.num_docs(),
        }
    }

    /// Returns true when more than `share` of the entries hold `term` in `field`; never in a
    /// catalog of fewer than [`COMMON_PART_MIN_ENTRIES`] entries.
    fn exceeds(&self, field: Field, term: &str, share: f64) -> bool {
        self.entries >= COMMON_PART_MIN_ENTRIES
            && self
                .searcher
                .doc_freq(&Term::from_field_text(field, term))
                .is_ok_and(|frequency| frequency as f64 > self.entries as f64 * share)
    }

    /// Returns true when a part of a word is common in a field ([`COMMON_PART_SHARE`]).
    fn is_common(&self, field: Field, term: &str) -> bool {
        self.exceeds(field, term, COMMON_PART_SHARE)
    }

    /// Returns true when a single word the query names for a concept is common in one of the
    /// text fields ([`COMMON_CONCEPT_SPREAD`]).
    fn is_common_concept(&self, plan: &QueryPlan, concept: usize, fields: &CatalogSchema) -> bool {
        let share = (COMMON_CONCEPT_SPREAD / plan.concepts.max(1) as f64).max(COMMON_CONCEPT_SHARE);
        self.entries >= COMMON_PART_MIN_ENTRIES
            && plan
                .concept(concept)
                .filter(|clause| !clause.part)
                .filter_map(|clause| match clause.terms.as_slice() {
                    [term] => Some(term),
                    _ => None,
                })
                .any(|term| {
                    fields
                        .text_fields
                        .iter()
                        .any(|(field, _)| self.exceeds(*field, term, share))
                })
    }
}

/// Keeps the entries whose price range overlaps the requested one: highest price at least
/// `low`, lowest price at most `high` (an entry without the price compared is left out).
///
/// It reads the price columns of the documents it is asked about, rather than scanning a
/// whole column as a range query does: a filter is intersected with the text query, which
/// leads, so only its candidates are looked at.
#[derive(Debug, Clone, Copy)]
struct PriceFilter {
    low: Option<f64>,
    high: Option<f64>,
}

impl Query for PriceFilter {
    fn weight(&self, _scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(*self))
    }
}

impl Weight for PriceFilter {
    fn scorer(&self, reader: &SegmentReader, _boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let fast = reader.fast_fields();
        let column = |wanted: bool, name: &str| -> tantivy::Result<Option<Option<Column<f64>>>> {
            // None: not asked for; Some(None): asked for, but no entry of the segment has it.
            if wanted {
                Ok(Some(fast.column_opt::<f64>(name)?))
            } else {
                Ok(None)
            }
        };
        let highest = column(self.low.is_some(), schema::PRICE_MAX)?;
        let lowest = column(self.high.is_some(), schema::PRICE_MIN)?;
        if matches!(highest, Some(None)) || matches!(lowest, Some(None)) {
            return Ok(Box::new(EmptyScorer));
        }
        let mut scorer = PriceScorer {
            low: self.low.unwrap_or(f64::NEG_INFINITY),
            high: self.high.unwrap_or(f64::INFINITY),
            highest: highest.flatten(),
            lowest: lowest.flatten(),
            max_doc: reader.max_doc(),
            doc: 0,
        };
        scorer.doc = scorer.next_from(0);
        Ok(Box::new(scorer))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!(
                "document {doc} is outside the price range"
            )));
        }
        Ok(Explanation::new("price range", 0.0))
    }
}

/// The documents of one segment within a price range (see [`PriceFilter`]).
struct PriceScorer {
    low: f64,
    high: f64,
    /// The highest prices, when a lowest price was asked for.
    highest: Option<Column<f64>>,
    /// The lowest prices, when a highest price was asked for.
    lowest: Option<Column<f64>>,
    max_doc: DocId,
    doc: DocId,
}

impl PriceScorer {
    fn keeps(&self, doc: DocId) -> bool {
        let low = self.low;
        let high = self.high;
        self.highest
            .as_ref()
            .is_none_or(|column| column.first(doc).is_some_and(|price| price >= low))
            && self
                .lowest
                .as_ref()
                .is_none_or(|column| column.first(doc).is_some_and(|price| price <= high))
    }

    fn next_from(&self, mut doc: DocId) -> DocId {
        while doc < self.max_doc {
            if self.keeps(doc) {
                return doc;
            }
            doc += 1;
        }
        TERMINATED
    }
}

impl DocSet for PriceScorer {
    fn advance(&mut self) -> DocId {
        if self.doc != TERMINATED {
            self.doc = self.next_from(self.doc + 1);
        }
        self.doc
    }

    fn seek(&mut self, target: DocId) -> DocId {
        if self.doc < target {
            self.doc = self.next_from(target);
        }
        self.doc
    }

    fn seek_danger(&mut self, target: DocId) -> SeekDangerResult {
        if target >= self.max_doc {
            self.doc = TERMINATED;
            return SeekDangerResult::SeekLowerBound(TERMINATED);
        }
        if self.keeps(target) {
            self.doc = target;
            SeekDangerResult::Found
        } else {
            SeekDangerResult::SeekLowerBound(target + 1)
        }
    }

    fn doc(&self) -> DocId {
        self.doc
    }

    fn size_hint(&self) -> u32 {
        self.max_doc
    }

    fn cost(&self) -> u64 {
        // Reading it through costs a column lookup per document: let any other docset lead.
        u64::from(self.max_doc) * 4
    }
}

impl Scorer for PriceScorer {
    fn score(&mut self) -> Score {
        0.0
    }
}

/// Returns the sort key computer of one segment for an order. Entries of the kind the query
/// names score [`KIND_HINT_FACTOR`] times more.
fn sort_key(
    sort: SortOrder,
    kind_hint: Option<EntryKind>,
    reader: &SegmentReader,
) -> impl Fn(DocId, Score) -> SortKey + use<> {
    let fast = reader.fast_fields();
    let hinted = kind_hint.and_then(|kind| {
        let column = fast.str(schema::KIND).ok().flatten()?;
        let ordinal = column
            .dictionary()
            .term_ord(kind.as_str().as_bytes())
            .ok()
            .flatten()?;
        Some((column, ordinal))
    });
    let rating = fast.f64(schema::RATING).ok();
    let price = match sort {
        SortOrder::Price => fast.f64(schema::PRICE_MIN).ok(),
        _ => None,
    };
    let published = match sort {
        SortOrder::Newest => fast.date(schema::PUBLISHED_ON).ok(),
        _ => None,
    };
    move |doc: DocId, score: Score| -> SortKey {
        let score = match &hinted {
            Some((column, ordinal)) if column.term_ords(doc).next() == Some(*ordinal) => {
                score * KIND_HINT_FACTOR
            }
            _ => score,
        };
        let rating = rating.as_ref().and_then(|column| column.first(doc));
        let relevance = f64::from(score);
        match sort {
            SortOrder::Relevance => (relevance, rating.unwrap_or(0.0), score),
            SortOrder::Rating => (rating.unwrap_or(-1.0), relevance, score),
            SortOrder::Price => (
                price
                    .as_ref()
                    .and_then(|column| column.first(doc))
                    .map_or(f64::NEG_INFINITY, |price| -price),
                relevance,
                score,
            ),
            SortOrder::Newest => (
                published
                    .as_ref()
                    .and_then(|column| column.first(doc))
                    .map_or(f64::NEG_INFINITY, |date| date.into_timestamp_secs() as f64),
                relevance,
                score,
            ),
        }
    }
}

/// Returns the code of a key industry given by code or by its Chinese or English name.
fn industry_code(value: &str) -> String {
    parkhub_connectors::industry::KEY_INDUSTRIES
        .iter()
        .find(|industry| {
            industry.code.eq_ignore_ascii_case(value)
                || industry.name_zh == value
                || industry.name_en.eq_ignore_ascii_case(value)
        })
        .map_or_else(|| value.to_string(), |industry| industry.code.to_string())
}

/// Returns the scenario codes a filter value stands for: the value itself, and the codes of
/// the scenarios it names in Chinese or English.
fn scenario_codes(value: &str) -> Vec<String> {
    let mut codes = vec![value.to_string()];
    for scenario in vocabulary::SCENARIOS {
        if (scenario.name_zh == value || scenario.name_en.eq_ignore_ascii_case(value))
            && !codes.iter().any(|code| code == scenario.code)
        {
            codes.push(scenario.code.to_string());
        }
    }
    codes
}

/// The facets of a search that matched nothing: every facet, no value.
fn empty_facets(wanted: bool) -> BTreeMap<String, Vec<FacetCount>> {
    if !wanted {
        return BTreeMap::new();
    }
    FACETS
        .iter()
        .map(|(name, _)| ((*name).to_string(), Vec::new()))
        .collect()
}

/// Formats seconds since 1970-01-01 UTC as `YYYY-MM-DD` (proleptic Gregorian calendar).
fn iso_date(seconds: i64) -> String {
    // Days to civil date, after Howard Hinnant's `civil_from_days`.
    let days = seconds.div_euclid(86_400) + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_index = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_index + 2) / 5 + 1;
    let month = if month_index < 10 {
        month_index + 3
    } else {
        month_index - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

fn stored_text(document: &TantivyDocument, field: Field) -> Option<&str> {
    document.get_first(field).and_then(|value| value.as_str())
}

#[derive(Debug, Clone, Copy)]
enum Which {
    Description,
    Summary,
}

/// The snippet generators of one search, for the description and the summary.
struct Snippets {
    description: SnippetGenerator,
    summary: SnippetGenerator,
}

impl Snippets {
    fn new(searcher: &Searcher, query: &dyn Query, catalog: &Catalog) -> Result<Snippets> {
        Ok(Snippets {
            description: SnippetGenerator::create(searcher, query, catalog.fields.description)?,
            summary: SnippetGenerator::create(searcher, query, catalog.fields.summary)?,
        })
    }

    /// Returns the best ~[`SNIPPET_CHARS`] characters of `text` with the matches
    /// highlighted, or none when nothing in `text` matches.
    fn highlight(&mut self, which: Which, text: &str) -> Option<String> {
        if text.is_empty() {
            return None;
        }
        let generator = match which {
            Which::Description => &mut self.description,
            Which::Summary => &mut self.summary,
        };
        // The generator counts bytes, not characters: scale the budget by the text's mean
        // character width (three bytes a Han character).
        let characters = text.chars().count().max(1);
        generator.set_max_num_chars((SNIPPET_CHARS * text.len()).div_ceil(characters));
        let mut snippet = generator.snippet(text);
        if snippet.is_empty() {
            return None;
        }
        snippet.set_snippet_prefix_postfix(HIGHLIGHT_START, HIGHLIGHT_END);
        // Adjacent matches (`MES` then `系统`) read as one highlight.
        let html = snippet
            .to_html()
            .replace(&format!("{HIGHLIGHT_END}{HIGHLIGHT_START}"), "");
        Some(with_ellipses(text, snippet.fragment_range(), html))
    }
}

/// Completes a highlighted fragment of `text`: `…` on a side where words were left out,
/// the punctuation itself where only punctuation was (the fragment spans whole tokens, so it
/// stops short of a closing quote or full stop).
fn with_ellipses(text: &str, fragment: Range<usize>, html: String) -> String {
    let has_words = |part: &str| part.chars().any(char::is_alphanumeric);
    let before = text.get(..fragment.start).unwrap_or_default();
    let after = text.get(fragment.end..).unwrap_or_default();
    let mut snippet = String::with_capacity(html.len() + before.len() + after.len());
    if has_words(before) {
        snippet.push_str(ELLIPSIS);
    } else {
        snippet.push_str(&escape_html(before.trim_start()));
    }
    snippet.push_str(&html);
    if has_words(after) {
        snippet.push_str(ELLIPSIS);
    } else {
        snippet.push_str(&escape_html(after.trim_end()));
    }
    snippet
}

/// Returns the first [`SNIPPET_CHARS`] characters of `text`, HTML-escaped, with `…` when
/// cut.
fn leading_text(text: &str) -> String {
    let text = text.trim();
    let cut = text
        .char_indices()
        .nth(SNIPPET_CHARS)
        .map_or(text.len(), |(offset, _)| offset);
    let mut snippet = escape_html(&text[..cut]);
    if cut < text.len() {
        snippet.push_str(ELLIPSIS);
    }
    snippet
}

/// Escapes the characters tantivy's snippets escape: `& < > " '`.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#x27;"),
            other => escaped.push(other),
        }
    }
    escaped
}

#[cfg(test)]
mod tests {
    use std::time::Instant;

    use super::*;
    use crate::entry::CatalogEntry;

    struct Fixture {
        _folder: tempfile::TempDir,
        catalog: Catalog,
    }

    fn entries() -> Vec<CatalogEntry> {
        let mut maintenance =
            CatalogEntry::new(EntryKind::Offering, "OF-PM", "高炉设备预测性维护解决方案");
        maintenance.title_en = Some("Blast furnace predictive maintenance".into());
        maintenance.summary = "基于振动与温度数据的高炉关键设备预测性维护服务".into();
        maintenance.description =
            "通过设备联网采集风机、炉顶设备的振动、温度数据，结合机理模型与机器学习，\
            实现预测性维护，提前预警故障，减少非计划停机。"
                .into();
        maintenance.scenarios = vec!["predictive_maintenance".into()];
        maintenance.key_industries = vec!["iron_steel".into()];
        maintenance.category = Some("platform".into());
        maintenance.provider_id = Some("SP-01".into());
        maintenance.deployment = Some("hybrid".into());
        maintenance.price_min = Some(30.0);
        maintenance.price_max = Some(80.0);
        maintenance.rating = Some(4.6);
        maintenance.cases = "某钢铁集团2号高炉".into();
        maintenance.published_on = Some(18_000);

        let mut energy =
            CatalogEntry::new(EntryKind::Application, "APP-EN", "园区企业能耗监测平台");
        energy.title_en = Some("Energy monitoring platform".into());
        energy.summary = "水电气热分项计量与能耗监测".into();
        energy.description =
            "实时采集电、水、天然气、蒸汽表计数据，按工序统计综合能耗并折算标准煤，\
            支持能耗双控考核与碳排放核算。"
                .into();
        energy.scenarios = vec!["energy_monitoring".into()];
        energy.category = Some("energy".into());
        energy.deployment = Some("saas".into());
        energy.price_min = Some(5.0);
        energy.rating = Some(4.8);
        energy.published_on = Some(19_000);

        let mut mes = CatalogEntry::new(EntryKind::Application, "APP-MES", "轻量化MES生产执行系统");
        mes.title_en = Some("Lightweight MES".into());
        mes.summary = "面向离散制造中小企业的MES系统".into();
        mes.description =
            "工单管理、报工、质量追溯、AGV调度接口与设备数据采集，支持注塑、机加工车间。\
            开放 <API> 接口 & \"插件\"。"
                .into();
        mes.category = Some("mes".into());
        mes.price_min = Some(12.0);
        mes.price_max = Some(20.0);
        mes.rating = Some(3.9);
        mes.published_on = Some(19_500);

        let mut vision = CatalogEntry::new(EntryKind::Offering, "OF-VIS", "机器视觉表面缺陷检测");
        vision.title_en = Some("Machine vision surface defect inspection".into());
        vision.summary = "基于深度学习的产品外观缺陷检测".into();
        vision.description =
            "在产线部署工业相机与边缘计算盒，对钢板、注塑件表面缺陷进行在线检测，检出率99%以上。"
                .into();
        vision.category = Some("integration".into());
        vision.price_min = Some(100.0);
        vision.price_max = Some(300.0);
        vision.rating = Some(4.2);

        let mut provider =
            CatalogEntry::new(EntryKind::Provider, "SP-01", "苏州智维工业科技有限公司");
        provider.summary = "专注钢铁、有色行业设备智能运维的服务商".into();
        provider.description =
            "提供设备联网、预测性维护与能源管理咨询服务，服务园区企业三十余家。".into();
        provider.region = Some("江苏省苏州市".into());
        provider.qualifications = vec!["ISO9001".into(), "高新技术企业".into()];
        provider.key_industries = vec!["iron_steel".into(), "nonferrous".into()];

        vec![maintenance, energy, mes, vision, provider]
    }

    fn fixture() -> Fixture {
        let folder = tempfile::tempdir().expect("temporary folder");
        let catalog = Catalog::open(&folder.path().join("catalog")).expect("catalog opens");
        let started = Instant::now();
        assert_eq!(catalog.rebuild(&entries()).expect("rebuild"), 5);
        eprintln!("rebuild of 5 entries: {:?}", started.elapsed());
        Fixture {
            _folder: folder,
            catalog,
        }
    }

    fn search(catalog: &Catalog, request: SearchRequest) -> SearchResults {
        catalog
            .search(&request)
            .unwrap_or_else(|error| panic!("search {request:?}: {error}"))
    }

    fn ids(results: &SearchResults) -> Vec<&str> {
        results.hits.iter().map(|hit| hit.id.as_str()).collect()
    }

    #[test]
    fn predictive_maintenance_ranks_the_offering_first_with_a_highlight() {
        let fixture = fixture();
        let results = search(&fixture.catalog, SearchRequest::new("预测性维护"));
        assert_eq!(ids(&results).first(), Some(&"OF-PM"), "{results:#?}");
        assert!(
            ids(&results).contains(&"SP-01"),
            "the provider mentions it too"
        );
        let hit = &results.hits[0];
        assert_eq!(hit.kind, EntryKind::Offering);
        assert_eq!(hit.title, "高炉设备预测性维护解决方案");
        assert!(
            hit.snippet.contains("<em>预测性维护</em>"),
            "{}",
            hit.snippet
        );
        assert!(
            hit.snippet.chars().count() <= SNIPPET_CHARS + 30,
            "{}",
            hit.snippet
        );
        assert!(hit.score > 0.0);
        let scores: Vec<f32> = results.hits.iter().map(|hit| hit.score).collect();
        assert!(
            scores.windows(2).all(|pair| pair[0] >= pair[1]),
            "sorted by score: {scores:?}"
        );
    }

    #[test]
    fn a_part_of_a_word_finds_the_whole_word() {
        let fixture = fixture();
        let results = search(&fixture.catalog, SearchRequest::new("能耗"));
        assert_eq!(ids(&results).first(), Some(&"APP-EN"), "{results:#?}");
        assert!(
            results.hits[0].snippet.contains("<em>"),
            "{}",
            results.hits[0].snippet
        );

        let results = search(&fixture.catalog, SearchRequest::new("缺陷"));
        assert_eq!(ids(&results).first(), Some(&"OF-VIS"));
        let results = search(&fixture.catalog, SearchRequest::new("高炉"));
        assert_eq!(ids(&results).first(), Some(&"OF-PM"));
    }

    #[test]
    fn english_words_match_whatever_their_case_and_form() {
        let fixture = fixture();
        for query in ["maintenance", "Maintenance", "PREDICTIVE Maintenances"] {
            let results = search(&fixture.catalog, SearchRequest::new(query));
            assert_eq!(
                ids(&results).first(),
                Some(&"OF-PM"),
                "{query}: {results:#?}"
            );
        }
        let results = search(&fixture.catalog, SearchRequest::new("energy monitoring"));
        assert_eq!(ids(&results).first(), Some(&"APP-EN"));
    }

    #[test]
    fn mixed_chinese_and_latin_queries_work() {
        let fixture = fixture();
        let results = search(&fixture.catalog, SearchRequest::new("MES 系统"));
        assert_eq!(ids(&results).first(), Some(&"APP-MES"), "{results:#?}");
        assert!(
            results.hits[0].snippet.contains("<em>MES系统</em>"),
            "{}",
            results.hits[0].snippet
        );
        let results = search(&fixture.catalog, SearchRequest::new("AGV调度"));
        assert_eq!(ids(&results), ["APP-MES"]);
        let results = search(&fixture.catalog, SearchRequest::new("机器视觉"));
        assert_eq!(ids(&results).first(), Some(&"OF-VIS"));
        let results = search(&fixture.catalog, SearchRequest::new("苏州 ISO9001"));
        assert_eq!(ids(&results).first(), Some(&"SP-01"));
        let results = search(&fixture.catalog, SearchRequest::new("钢铁"));
        assert!(
            ids(&results).contains(&"OF-PM"),
            "key industry names are searchable"
        );
    }

    #[test]
    fn the_kind_filter_keeps_one_kind() {
        let fixture = fixture();
        let all = search(&fixture.catalog, SearchRequest::new("预测性维护"));
        let providers = search(
            &fixture.catalog,
            SearchRequest::new("预测性维护").with_kind(EntryKind::Provider),
        );
        assert_eq!(ids(&providers), ["SP-01"]);
        assert_eq!(providers.total, 1);
        let in_all = all
            .hits
            .iter()
            .find(|hit| hit.id == "SP-01")
            .map(|hit| hit.score);
        assert_eq!(
            in_all,
            Some(providers.hits[0].score),
            "the filter does not change scores"
        );

        let offerings = search(
            &fixture.catalog,
            SearchRequest::new("检测 维护").with_kind(EntryKind::Offering),
        );
        assert!(offerings.total >= 2);
        assert!(
            offerings
                .hits
                .iter()
                .all(|hit| hit.kind == EntryKind::Offering)
        );
        let applications = search(
            &fixture.catalog,
            SearchRequest::new("高炉").with_kind(EntryKind::Application),
        );
        assert_eq!(applications.total, 0);
        assert!(applications.hits.is_empty());
    }

    #[test]
    fn paging_honours_offset_limit_and_counts_everything() {
        let fixture = fixture();
        let query = "设备 数据 检测";
        let everything = search(
            &fixture.catalog,
            SearchRequest::new(query).with_page(100, 0),
        );
        assert!(everything.total >= 4, "{everything:#?}");
        assert_eq!(everything.hits.len(), everything.total);

        let page = search(&fixture.catalog, SearchRequest::new(query).with_page(2, 1));
        assert_eq!(page.total, everything.total);
        assert_eq!(ids(&page), ids(&everything)[1..3]);

        let counted = search(&fixture.catalog, SearchRequest::new(query).with_page(0, 0));
        assert_eq!((counted.total, counted.hits.len()), (everything.total, 0));
        let beyond = search(
            &fixture.catalog,
            SearchRequest::new(query).with_page(10, usize::MAX),
        );
        assert_eq!((beyond.total, beyond.hits.len()), (everything.total, 0));
        let huge = search(
            &fixture.catalog,
            SearchRequest::new(query).with_page(usize::MAX, 0),
        );
        assert_eq!(huge.hits.len(), everything.total);
    }

    #[test]
    fn empty_queries_are_an_error() {
        let fixture = fixture();
        for query in ["", "   ", "\t\n　"] {
            let error = fixture
                .catalog
                .search(&SearchRequest::new(query))
                .expect_err("empty");
            assert!(matches!(error, Error::EmptyQuery), "{query:?}: {error}");
        }
    }

    #[test]
    fn hostile_queries_never_fail() {
        let fixture = fixture();
        let long = "测试".repeat(2500);
        let long_latin = "a".repeat(100_000);
        let hostile = [
            "\"",
            "title:(",
            "AND OR NOT",
            "-",
            "+-!(){}[]^\"~*?:\\/",
            "预测性维护\" OR title:*",
            "😀🏭",
            "kind:provider",
            "<script>alert(1)</script>",
            long.as_str(),
            long_latin.as_str(),
        ];
        for query in hostile {
            let results = fixture.catalog.search(&SearchRequest::new(query));
            assert!(
                results.is_ok(),
                "{:?}: {results:?}",
                query.chars().take(20).collect::<String>()
            );
        }
        let quoted = search(&fixture.catalog, SearchRequest::new("\"预测性维护\""));
        assert_eq!(
            ids(&quoted).first(),
            Some(&"OF-PM"),
            "quotes are plain text"
        );
        let punctuation = search(&fixture.catalog, SearchRequest::new("-"));
        assert_eq!(punctuation.total, 0);
    }

    #[test]
    fn snippets_are_escaped_and_fall_back_to_the_summary() {
        let fixture = fixture();
        let results = search(&fixture.catalog, SearchRequest::new("插件"));
        let snippet = &results.hits[0].snippet;
        assert!(
            snippet.contains("&lt;API&gt;") && snippet.contains("&amp;"),
            "{snippet}"
        );
        assert!(
            snippet.ends_with("&quot;<em>插件</em>&quot;。"),
            "{snippet}"
        );

        // Only the English title matches: the snippet is the beginning of the summary.
        let results = search(&fixture.catalog, SearchRequest::new("lightweight"));
        assert_eq!(results.hits[0].snippet, "面向离散制造中小企业的MES系统");

        assert_eq!(
            leading_text(&"能".repeat(200)).chars().count(),
            SNIPPET_CHARS + 1
        );
        assert_eq!(
            escape_html("<a href='x'>&\""),
            "&lt;a href=&#x27;x&#x27;&gt;&amp;&quot;"
        );
    }

    #[test]
    fn long_descriptions_give_snippets_of_about_the_target_length() {
        let folder = tempfile::tempdir().expect("temporary folder");
        let catalog = Catalog::open(folder.path()).expect("catalog opens");
        let mut entry = CatalogEntry::new(EntryKind::Application, "APP-LONG", "长文本应用");
        entry.description = format!(
            "{}数字孪生工厂{}",
            "生产管理".repeat(60),
            "仓储物流".repeat(60)
        );
        catalog.rebuild(&[entry]).expect("rebuild");
        let results = search(&catalog, SearchRequest::new("数字孪生"));
        let snippet = &results.hits[0].snippet;
        assert!(snippet.contains("<em>数字孪生</em>"), "{snippet}");
        let visible = snippet
            .replace(HIGHLIGHT_START, "")
            .replace(HIGHLIGHT_END, "");
        let length = visible.chars().count();
        assert!(
            (60..=SNIPPET_CHARS + 2).contains(&length),
            "{length}: {snippet}"
        );
        assert!(snippet.ends_with(ELLIPSIS), "{snippet}");
    }

    #[test]
    fn query_terms_drop_particles_and_are_bounded() {
        assert_eq!(query_terms("能耗的监测"), ["能耗", "监测"]);
        assert_eq!(query_terms("碳"), ["碳"]);
        let many: String = (0..500).map(|number| format!("w{number} ")).collect();
        assert_eq!(query_terms(&many).len(), MAX_QUERY_TERMS);
    }

    #[test]
    fn requests_deserialize_with_defaults() {
        let request: SearchRequest =
            serde_json::from_str(r#"{"query":"能耗","kind":"application"}"#).expect("request json");
        assert_eq!(
            request,
            SearchRequest::new("能耗").with_kind(EntryKind::Application)
        );
        let json = serde_json::to_value(SearchResults {
            total: 1,
            hits: vec![SearchHit {
                kind: EntryKind::Offering,
                id: "OF-1".into(),
                title: "t".into(),
                snippet: "s".into(),
                score: 1.5,
                category: None,
                provider_id: None,
                rating: Some(4.5),
                price_min: None,
                price_max: None,
                published_on: None,
            }],
            facets: BTreeMap::new(),
        })
        .expect("results json");
        assert_eq!(json["hits"][0]["kind"], "offering");
        assert_eq!(json["total"], 1);
    }

    /// A query every fixture entry matches.
    const EVERYTHING: &str = "检测 维护 数据 设备 能耗 MES 苏州";

    fn request(query: &str) -> SearchRequest {
        SearchRequest::new(query).with_page(100, 0)
    }

    #[test]
    fn the_struct_literal_with_defaults_keeps_compiling() {
        let request = SearchRequest {
            query: "能耗".into(),
            kind: None,
            limit: 5,
            offset: 0,
            ..Default::default()
        };
        assert!(request.facets);
        assert_eq!(request.sort, SortOrder::Relevance);
        assert!(!request.has_filters());
        assert!(
            SearchRequest::new("")
                .with_kind(EntryKind::Offering)
                .has_filters()
        );
        let blank_filter = SearchRequest {
            industry: Some(" , ".into()),
            ..SearchRequest::new("x")
        };
        assert!(!blank_filter.has_filters());
    }

    #[test]
    fn sort_orders_parse_and_print() {
        assert_eq!(
            " Newest ".parse::<SortOrder>().ok(),
            Some(SortOrder::Newest)
        );
        for order in SortOrder::ALL {
            assert_eq!(order.to_string().parse::<SortOrder>().ok(), Some(order));
        }
        let error = "cheapest".parse::<SortOrder>().expect_err("not an order");
        assert!(matches!(&error, Error::InvalidSort(order) if order == "cheapest"));
        assert_eq!(
            serde_json::to_value(SortOrder::Price).ok(),
            Some(serde_json::json!("price"))
        );
    }

    #[test]
    fn filters_narrow_the_matches() {
        let fixture = fixture();
        let all = search(&fixture.catalog, request(EVERYTHING));
        assert_eq!(all.total, 5, "{all:#?}");
        let with = |change: &dyn Fn(&mut SearchRequest)| {
            let mut filtered = request(EVERYTHING);
            change(&mut filtered);
            let mut found: Vec<String> = search(&fixture.catalog, filtered)
                .hits
                .into_iter()
                .map(|hit| hit.id)
                .collect();
            found.sort();
            found
        };
        assert_eq!(with(&|r| r.category = Some("platform".into())), ["OF-PM"]);
        assert_eq!(
            with(&|r| r.deployment = Some("saas,edge".into())),
            ["APP-EN"]
        );
        assert_eq!(
            with(&|r| r.industry = Some("钢铁".into())),
            ["OF-PM", "SP-01"]
        );
        assert_eq!(
            with(&|r| r.industry = Some("iron_steel".into())),
            ["OF-PM", "SP-01"]
        );
        assert_eq!(
            with(&|r| r.provider = Some("SP-01".into())),
            ["OF-PM", "SP-01"]
        );
        assert_eq!(with(&|r| r.scenario = Some("预测性维护".into())), ["OF-PM"]);
        assert_eq!(
            with(&|r| r.scenario = Some("predictive_maintenance, energy_monitoring".into())),
            ["APP-EN", "OF-PM"]
        );
        assert_eq!(
            with(&|r| r.division = Some("C31".into())),
            Vec::<String>::new()
        );
        assert_eq!(
            with(&|r| {
                r.kind = Some(EntryKind::Application);
                r.category = Some("mes".into());
            }),
            ["APP-MES"]
        );
    }

    #[test]
    fn price_filters_keep_overlapping_ranges() {
        let fixture = fixture();
        let ids_with = |low: Option<f64>, high: Option<f64>| {
            let mut filtered = request(EVERYTHING);
            filtered.price_min = low;
            filtered.price_max = high;
            let mut found: Vec<String> = search(&fixture.catalog, filtered)
                .hits
                .into_iter()
                .map(|hit| hit.id)
                .collect();
            found.sort();
            found
        };
        // Prices: APP-EN 5, APP-MES 12–20, OF-PM 30–80, OF-VIS 100–300, SP-01 none.
        assert_eq!(ids_with(Some(50.0), None), ["OF-PM", "OF-VIS"]);
        assert_eq!(ids_with(None, Some(10.0)), ["APP-EN"]);
        assert_eq!(ids_with(Some(15.0), Some(25.0)), ["APP-MES"]);
        assert_eq!(ids_with(Some(80.0), Some(80.0)), ["OF-PM"]);
        assert_eq!(
            ids_with(Some(0.0), None).len(),
            4,
            "entries without price are left out"
        );

        for (low, high) in [
            (Some(10.0), Some(5.0)),
            (Some(f64::NAN), None),
            (None, Some(f64::INFINITY)),
        ] {
            let mut invalid = request("能耗");
            invalid.price_min = low;
            invalid.price_max = high;
            let error = fixture
                .catalog
                .search(&invalid)
                .expect_err("invalid price filter");
            assert!(matches!(error, Error::InvalidFilter { .. }), "{error}");
        }
    }

    #[test]
    fn an_empty_query_with_a_filter_lists_entries() {
        let fixture = fixture();
        let listed = search(
            &fixture.catalog,
            SearchRequest::new("").with_kind(EntryKind::Application),
        );
        assert_eq!(ids(&listed), ["APP-EN", "APP-MES"], "by rating");
        assert_eq!(listed.total, 2);
        assert!(listed.hits.iter().all(|hit| hit.score == 0.0));
        assert_eq!(listed.hits[0].snippet, "水电气热分项计量与能耗监测");
        let newest = search(
            &fixture.catalog,
            SearchRequest::new("  ")
                .with_kind(EntryKind::Application)
                .with_sort(SortOrder::Newest),
        );
        assert_eq!(ids(&newest), ["APP-MES", "APP-EN"]);
        assert_eq!(newest.hits[0].published_on.as_deref(), Some("2023-05-23"));
        let by_provider = search(
            &fixture.catalog,
            SearchRequest {
                provider: Some("SP-01".into()),
                ..SearchRequest::default()
            },
        );
        assert_eq!(ids(&by_provider), ["OF-PM", "SP-01"]);
        let error = fixture
            .catalog
            .search(&SearchRequest::default())
            .expect_err("no text, no filter");
        assert!(matches!(error, Error::EmptyQuery));
    }

    #[test]
    fn sorting_by_rating_price_and_date() {
        let fixture = fixture();
        let sorted = |order: SortOrder| {
            search(&fixture.catalog, request(EVERYTHING).with_sort(order))
                .hits
                .into_iter()
                .map(|hit| hit.id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            sorted(SortOrder::Rating),
            ["APP-EN", "OF-PM", "OF-VIS", "APP-MES", "SP-01"]
        );
        assert_eq!(
            sorted(SortOrder::Price)[..4],
            ["APP-EN", "APP-MES", "OF-PM", "OF-VIS"]
        );
        assert_eq!(
            sorted(SortOrder::Newest)[..3],
            ["APP-MES", "APP-EN", "OF-PM"]
        );
        let relevance = search(&fixture.catalog, request(EVERYTHING));
        let scores: Vec<f32> = relevance.hits.iter().map(|hit| hit.score).collect();
        assert!(
            scores.windows(2).all(|pair| pair[0] >= pair[1]),
            "{scores:?}"
        );
    }

    #[test]
    fn facets_count_every_match_not_only_the_page() {
        let fixture = fixture();
        let results = search(
            &fixture.catalog,
            SearchRequest::new(EVERYTHING).with_page(1, 0),
        );
        assert_eq!((results.total, results.hits.len()), (5, 1));
        let counts = |facet: &str| -> Vec<(String, u64)> {
            results.facets[facet]
                .iter()
                .map(|count| (count.value.clone(), count.count))
                .collect()
        };
        let pairs = |items: &[(&str, u64)]| -> Vec<(String, u64)> {
            items
                .iter()
                .map(|(value, count)| ((*value).to_string(), *count))
                .collect()
        };
        assert_eq!(
            counts("kind"),
            pairs(&[("application", 2), ("offering", 2), ("provider", 1)])
        );
        assert_eq!(
            counts("price_band"),
            pairs(&[("10-50", 2), ("50-200", 1), ("<10", 1)])
        );
        assert_eq!(
            counts("key_industry"),
            pairs(&[("iron_steel", 2), ("nonferrous", 1)])
        );
        assert_eq!(counts("region"), pairs(&[("江苏省苏州市", 1)]));
        assert_eq!(counts("deployment"), pairs(&[("hybrid", 1), ("saas", 1)]));
        assert_eq!(
            results
                .facets
                .keys()
                .map(String::as_str)
                .collect::<Vec<_>>(),
            [
                "category",
                "deployment",
                "key_industry",
                "kind",
                "price_band",
                "region",
                "scenario"
            ]
        );

        let filtered = search(
            &fixture.catalog,
            SearchRequest::new(EVERYTHING)
                .with_kind(EntryKind::Offering)
                .with_page(0, 0),
        );
        assert_eq!(filtered.total, 2);
        assert_eq!(
            filtered.facets["kind"],
            [FacetCount {
                value: "offering".into(),
                count: 2
            }]
        );

        let without = search(
            &fixture.catalog,
            SearchRequest::new("能耗").with_facets(false),
        );
        assert!(without.facets.is_empty());
        let nothing = search(&fixture.catalog, SearchRequest::new("，。"));
        assert_eq!(nothing.total, 0);
        assert!(nothing.facets.values().all(Vec::is_empty));
    }

    #[test]
    fn hits_carry_their_exact_values() {
        let fixture = fixture();
        let results = search(&fixture.catalog, SearchRequest::new("高炉预测性维护"));
        let hit = &results.hits[0];
        assert_eq!(hit.id, "OF-PM");
        assert_eq!(hit.category.as_deref(), Some("platform"));
        assert_eq!(hit.provider_id.as_deref(), Some("SP-01"));
        assert_eq!((hit.price_min, hit.price_max), (Some(30.0), Some(80.0)));
        assert_eq!(hit.rating, Some(4.6));
        assert_eq!(hit.published_on.as_deref(), Some("2019-04-14"));
        assert_eq!(iso_date(0), "1970-01-01");
        assert_eq!(iso_date(19_000 * 86_400), "2022-01-08");
        assert_eq!(iso_date(-86_400), "1969-12-31");
    }

    /// Entries written only in Chinese, without scenario codes (whose English names the
    /// index would add).
    fn chinese_only() -> (tempfile::TempDir, Catalog) {
        let folder = tempfile::tempdir().expect("temporary folder");
        std::fs::write(
            folder.path().join("synonyms.txt"),
            "孪生体/数字孪生\n排程, 排产\n",
        )
        .expect("synonyms");
        let catalog = Catalog::open(folder.path()).expect("catalog opens");
        let mut twin = CatalogEntry::new(EntryKind::Offering, "OF-TWIN", "数字孪生工厂解决方案");
        twin.summary = "构建工厂三维模型，实时映射产线状态".into();
        let mut scheduling =
            CatalogEntry::new(EntryKind::Application, "APP-INJ", "注塑车间排程助手");
        scheduling.summary = "面向注塑企业的排程工具".into();
        let mut planning = CatalogEntry::new(EntryKind::Application, "APP-PLAN", "智能排产系统");
        planning.summary = "订单排产与产能平衡".into();
        let mut defects = CatalogEntry::new(EntryKind::Offering, "OF-DEF", "表面缺陷检测服务");
        defects.description = "钢板表面缺陷在线检测".into();
        let mut furnace = CatalogEntry::new(EntryKind::Offering, "OF-BF", "高炉炉况智能诊断");
        furnace.summary = "炼铁高炉专家系统".into();
        let mut provider = CatalogEntry::new(EntryKind::Provider, "SP-HX", "华兴精密机械有限公司");
        provider.summary = "精密零件加工".into();
        let mut light = CatalogEntry::new(EntryKind::Application, "APP-LIGHT", "轻量化系统");
        light.title_en = Some("Lightweight suite".into());
        catalog
            .rebuild(&[
                twin, scheduling, planning, defects, furnace, provider, light,
            ])
            .expect("rebuild");
        (folder, catalog)
    }

    #[test]
    fn english_queries_find_chinese_only_entries_through_the_dictionary() {
        let (_folder, catalog) = chinese_only();
        for (query, expected) in [
            ("digital twin", "OF-TWIN"),
            ("Digital Twins factory", "OF-TWIN"),
            ("defect detection", "OF-DEF"),
            ("blast furnace", "OF-BF"),
            ("injection molding scheduling", "APP-INJ"),
            ("injection moulding 排程", "APP-INJ"),
        ] {
            let results = search(&catalog, SearchRequest::new(query));
            assert_eq!(
                ids(&results).first(),
                Some(&expected),
                "{query}: {results:#?}"
            );
        }
        let results = search(&catalog, SearchRequest::new("defect detection"));
        assert!(
            results.hits[0].snippet.contains("<em>"),
            "{}",
            results.hits[0].snippet
        );
    }

    #[test]
    fn synonyms_from_the_index_folder_expand_with_less_weight() {
        let (_folder, catalog) = chinese_only();
        let results = search(&catalog, SearchRequest::new("孪生体"));
        assert_eq!(ids(&results), ["OF-TWIN"]);
        // 排程 is typed in one title; 排产, its synonym, in the other.
        let results = search(&catalog, SearchRequest::new("排程"));
        assert_eq!(ids(&results).first(), Some(&"APP-INJ"), "{results:#?}");
        assert!(ids(&results).contains(&"APP-PLAN"), "{results:#?}");
        assert!(results.hits[0].score > results.hits[1].score);
    }

    #[test]
    fn latin_words_of_five_letters_or_more_tolerate_one_typo() {
        let (_folder, catalog) = chinese_only();
        // Not in the dictionary: matched one typo away in the index.
        let results = search(&catalog, SearchRequest::new("ligthweight"));
        assert_eq!(ids(&results), ["APP-LIGHT"]);
        let exact = search(&catalog, SearchRequest::new("lightweight"));
        assert!(
            exact.hits[0].score > results.hits[0].score,
            "a typo scores less"
        );
        // In the dictionary: corrected, then translated.
        let results = search(&catalog, SearchRequest::new("digitl twin"));
        assert_eq!(ids(&results).first(), Some(&"OF-TWIN"));
        // Five letters are enough; four are not.
        let results = search(&catalog, SearchRequest::new("suitx"));
        assert_eq!(ids(&results), ["APP-LIGHT"]);
        let results = search(&catalog, SearchRequest::new("sute"));
        assert_eq!(results.total, 0);
    }

    #[test]
    fn names_are_found_by_their_pinyin() {
        let (_folder, catalog) = chinese_only();
        for query in ["hxjm", "huaxing", "HuaXingJingMi"] {
            let results = search(&catalog, SearchRequest::new(query));
            assert_eq!(
                ids(&results).first(),
                Some(&"SP-HX"),
                "{query}: {results:#?}"
            );
        }
    }
}
