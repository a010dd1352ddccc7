//! Searching the catalog: queries built from analysed terms (never from query syntax), BM25
//! with field boosts, an optional kind filter, and highlighted snippets.

use std::ops::Range;

use serde::{Deserialize, Serialize};
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, Occur, Query, TermQuery};
use tantivy::schema::{Field, IndexRecordOption, Value};
use tantivy::snippet::SnippetGenerator;
use tantivy::{DocAddress, Searcher, TantivyDocument, Term};

use crate::analysis;
use crate::entry::EntryKind;
use crate::error::{Error, Result};
use crate::index::Catalog;
use crate::schema;

/// Hits returned when a request does not say how many.
pub const DEFAULT_LIMIT: usize = 10;
/// The most hits one request returns; larger limits are lowered to it.
pub const MAX_LIMIT: usize = 1000;
/// Only the first this many characters of a query are analysed.
pub const MAX_QUERY_CHARS: usize = 1000;
/// Only the first this many distinct terms of a query are searched for.
pub const MAX_QUERY_TERMS: usize = 64;
/// The length snippets aim at, in characters.
pub const SNIPPET_CHARS: usize = 120;

const HIGHLIGHT_START: &str = "<em>";
const HIGHLIGHT_END: &str = "</em>";
const ELLIPSIS: &str = "…";

/// A search of the catalog.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRequest {
    /// What the user typed: Chinese, English or both. No syntax is interpreted; quotes,
    /// colons, `AND`, `-` are ordinary text.
    pub query: String,
    /// Only entries of this kind, when set.
    #[serde(default)]
    pub kind: Option<EntryKind>,
    /// How many hits to return at most (capped at [`MAX_LIMIT`]; 0 returns only the total).
    #[serde(default = "default_limit")]
    pub limit: usize,
    /// How many of the best hits to skip, for paging.
    #[serde(default)]
    pub offset: usize,
}

fn default_limit() -> usize {
    DEFAULT_LIMIT
}

impl SearchRequest {
    /// Returns a request for the first [`DEFAULT_LIMIT`] hits of every kind.
    pub fn new(query: impl Into<String>) -> SearchRequest {
        SearchRequest {
            query: query.into(),
            kind: None,
            limit: DEFAULT_LIMIT,
            offset: 0,
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
}

/// The outcome of a search.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    /// How many entries match in all, whatever the page.
    pub total: usize,
    /// The requested page of matches, best first.
    pub hits: Vec<SearchHit>,
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
    /// BM25 relevance with field boosts; higher is better.
    pub score: f32,
}

/// Returns the terms a query is searched with: the query's first [`MAX_QUERY_CHARS`]
/// characters analysed like the indexed text (so a Chinese word brings its parts along),
/// without single Han characters when there are longer words (they are mostly particles
/// such as `的`), at most [`MAX_QUERY_TERMS`] of them.
pub fn query_terms(query: &str) -> Vec<String> {
    let cut = query
        .char_indices()
        .nth(MAX_QUERY_CHARS)
        .map_or(query.len(), |(offset, _)| offset);
    let mut terms = analysis::analyze(&query[..cut]);
    let is_single_han = |term: &String| {
        let mut characters = term.chars();
        matches!((characters.next(), characters.next()), (Some(first), None) if analysis::is_han(first))
    };
    if terms.iter().any(|term| !is_single_han(term)) {
        terms.retain(|term| !is_single_han(term));
    }
    terms.truncate(MAX_QUERY_TERMS);
    terms
}

impl Catalog {
    /// Searches the catalog.
    ///
    /// The query text is analysed like the indexed text and each term is looked for in every
    /// text field with that field's boost ([`schema::TEXT_FIELD_BOOSTS`]); an entry matches
    /// when it holds any term, and ranks by BM25. Text that analyses to nothing (only
    /// punctuation or emoji) matches nothing. Empty or blank text is [`Error::EmptyQuery`].
    pub fn search(&self, request: &SearchRequest) -> Result<SearchResults> {
        if request.query.trim().is_empty() {
            return Err(Error::EmptyQuery);
        }
        let terms = query_terms(&request.query);
        if terms.is_empty() {
            return Ok(SearchResults {
                total: 0,
                hits: Vec::new(),
            });
        }
        let query = self.build_query(&terms, request.kind);
        let searcher = self.searcher();

        // TopDocs allocates for offset + limit documents: bound both by the index size.
        let num_docs = usize::try_from(searcher.num_docs()).unwrap_or(usize::MAX);
        let limit = request
            .limit
            .min(MAX_LIMIT)
            .min(num_docs.saturating_sub(request.offset));
        let (top_docs, total) = if limit == 0 {
            (Vec::new(), searcher.search(&query, &Count)?)
        } else {
            let top = TopDocs::with_limit(limit)
                .and_offset(request.offset)
                .order_by_score();
            searcher.search(&query, &(top, Count))?
        };

        let mut snippets = Snippets::new(&searcher, &*query, self)?;
        let mut hits = Vec::with_capacity(top_docs.len());
        for (score, address) in top_docs {
            let document: TantivyDocument = searcher.doc(address)?;
            hits.push(self.hit(&document, address, score, &mut snippets)?);
        }
        Ok(SearchResults { total, hits })
    }

    fn build_query(&self, terms: &[String], kind: Option<EntryKind>) -> Box<dyn Query> {
        let mut clauses: Vec<(Occur, Box<dyn Query>)> =
            Vec::with_capacity(terms.len() * self.fields.text_fields.len());
        for term in terms {
            for (field, boost) in &self.fields.text_fields {
                let term_query = TermQuery::new(
                    Term::from_field_text(*field, term),
                    IndexRecordOption::WithFreqs,
                );
                clauses.push((
                    Occur::Should,
                    Box::new(BoostQuery::new(Box::new(term_query), *boost)),
                ));
            }
        }
        let text_query = BooleanQuery::new(clauses);
        let Some(kind) = kind else {
            return Box::new(text_query);
        };
        let kind_term = Term::from_field_text(self.fields.kind, kind.as_str());
        // The filter scores nothing, so scores stay comparable with and without it.
        let kind_filter = ConstScoreQuery::new(
            Box::new(TermQuery::new(kind_term, IndexRecordOption::Basic)),
            0.0,
        );
        Box::new(BooleanQuery::new(vec![
            (Occur::Must, Box::new(text_query)),
            (Occur::Must, Box::new(kind_filter)),
        ]))
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
        Ok(SearchHit {
            kind,
            id: id.to_string(),
            title: title.to_string(),
            snippet,
            score,
        })
    }
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

        let mut mes = CatalogEntry::new(EntryKind::Application, "APP-MES", "轻量化MES生产执行系统");
        mes.title_en = Some("Lightweight MES".into());
        mes.summary = "面向离散制造中小企业的MES系统".into();
        mes.description =
            "工单管理、报工、质量追溯、AGV调度接口与设备数据采集，支持注塑、机加工车间。\
            开放 <API> 接口 & \"插件\"。"
                .into();
        mes.category = Some("mes".into());

        let mut vision = CatalogEntry::new(EntryKind::Offering, "OF-VIS", "机器视觉表面缺陷检测");
        vision.title_en = Some("Machine vision surface defect inspection".into());
        vision.summary = "基于深度学习的产品外观缺陷检测".into();
        vision.description =
            "在产线部署工业相机与边缘计算盒，对钢板、注塑件表面缺陷进行在线检测，检出率99%以上。"
                .into();
        vision.category = Some("integration".into());

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
            }],
        })
        .expect("results json");
        assert_eq!(json["hits"][0]["kind"], "offering");
        assert_eq!(json["total"], 1);
    }
}
