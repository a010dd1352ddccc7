//! Prometheus metrics: counters and histograms kept in process and rendered as the text
//! exposition format at `GET /metrics`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds (seconds) of the latency histograms.
const BUCKETS: &[f64] = &[
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0,
];

/// A metric's name and its labels, sorted.
type Key = (&'static str, Vec<(&'static str, String)>);

#[derive(Debug, Default, Clone)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

/// What the help lines say about each metric.
const HELP: &[(&str, &str, &str)] = &[
    (
        "parkhub_http_requests_total",
        "counter",
        "HTTP requests by route, method and status",
    ),
    (
        "parkhub_http_request_duration_seconds",
        "histogram",
        "HTTP request latency by route",
    ),
    (
        "parkhub_queries_total",
        "counter",
        "SQL queries and indicators by surface and outcome",
    ),
    (
        "parkhub_query_duration_seconds",
        "histogram",
        "Time to plan and run a query until its answer was sent",
    ),
    (
        "parkhub_query_rows_total",
        "counter",
        "Rows returned by queries",
    ),
    (
        "parkhub_ingests_total",
        "counter",
        "Ingested batches by table and status",
    ),
    (
        "parkhub_ingest_rows_total",
        "counter",
        "Rows written by ingestion, by table",
    ),
    (
        "parkhub_rejected_rows_total",
        "counter",
        "Rows sent to quarantine, by table",
    ),
    (
        "parkhub_searches_total",
        "counter",
        "Catalog searches by outcome",
    ),
    (
        "parkhub_search_duration_seconds",
        "histogram",
        "Catalog search latency",
    ),
];

/// The hub's metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    counters: Mutex<BTreeMap<Key, f64>>,
    histograms: Mutex<BTreeMap<Key, Histogram>>,
}

impl Metrics {
    /// Adds `value` to a counter.
    pub fn add(&self, name: &'static str, labels: &[(&'static str, &str)], value: f64) {
        let key = key(name, labels);
        let mut counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *counters.entry(key).or_default() += value;
    }

    /// Adds one to a counter.
    pub fn increment(&self, name: &'static str, labels: &[(&'static str, &str)]) {
        self.add(name, labels, 1.0);
    }

    /// Records a duration in a histogram.
    pub fn observe(&self, name: &'static str, labels: &[(&'static str, &str)], duration: Duration) {
        let seconds = duration.as_secs_f64();
        let key = key(name, labels);
        let mut histograms = self
            .histograms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        let histogram = histograms.entry(key).or_insert_with(|| Histogram {
            counts: vec![0; BUCKETS.len()],
            ..Histogram::default()
        });
        for (bucket, count) in BUCKETS.iter().zip(histogram.counts.iter_mut()) {
            if seconds <= *bucket {
                *count += 1;
            }
        }
        histogram.sum += seconds;
        histogram.count += 1;
    }

    /// Renders every metric in the Prometheus text format.
    pub fn render(&self) -> String {
        let counters = self
            .counters
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let histograms = self
            .histograms
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
            .clone();
        let mut text = String::new();
        for (name, kind, help) in HELP {
            let _ = writeln!(text, "# HELP {name} {help}\n# TYPE {name} {kind}");
            if *kind == "counter" {
                for ((metric, labels), value) in
                    counters.iter().filter(|((metric, _), _)| metric == name)
                {
                    let _ = writeln!(text, "{metric}{} {value}", render_labels(labels, None));
                }
            } else {
                for ((metric, labels), histogram) in
                    histograms.iter().filter(|((metric, _), _)| metric == name)
                {
                    for (bucket, count) in BUCKETS.iter().zip(&histogram.counts) {
                        let _ = writeln!(
                            text,
                            "{metric}_bucket{} {count}",
                            render_labels(labels, Some(&bucket.to_string()))
                        );
                    }
                    let _ = writeln!(
                        text,
                        "{metric}_bucket{} {}",
                        render_labels(labels, Some("+Inf")),
                        histogram.count
                    );
                    let _ = writeln!(
                        text,
                        "{metric}_sum{} {}",
                        render_labels(labels, None),
                        histogram.sum
                    );
                    let _ = writeln!(
                        text,
                        "{metric}_count{} {}",
                        render_labels(labels, None),
                        histogram.count
                    );
                }
            }
        }
        text
    }
}

fn key(name: &'static str, labels: &[(&'static str, &str)]) -> Key {
    let mut labels: Vec<(&'static str, String)> = labels
        .iter()
        .map(|(label, value)| (*label, (*value).to_string()))
        .collect();
    labels.sort();
    (name, labels)
}

fn render_labels(labels: &[(&'static str, String)], bucket: Option<&str>) -> String {
    let mut parts: Vec<String> = labels
        .iter()
        .map(|(label, value)| {
            format!(
                "{label}=\"{}\"",
                value
                    .replace('\\', "\\\\")
                    .replace('"', "\\\"")
                    .replace('\n', "\\n")
            )
        })
        .collect();
    if let Some(bucket) = bucket {
        parts.push(format!("le=\"{bucket}\""));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("{{{}}}", parts.join(","))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counters_and_histograms_render_in_the_text_format() {
        let metrics = Metrics::default();
        metrics.increment(
            "parkhub_queries_total",
            &[("surface", "http"), ("outcome", "ok")],
        );
        metrics.increment(
            "parkhub_queries_total",
            &[("outcome", "ok"), ("surface", "http")],
        );
        metrics.observe(
            "parkhub_search_duration_seconds",
            &[],
            Duration::from_millis(3),
        );
        let text = metrics.render();
        assert!(
            text.contains("parkhub_queries_total{outcome=\"ok\",surface=\"http\"} 2"),
            "{text}"
        );
        assert!(
            text.contains("parkhub_search_duration_seconds_bucket{le=\"0.0025\"} 0"),
            "{text}"
        );
        assert!(
            text.contains("parkhub_search_duration_seconds_bucket{le=\"0.005\"} 1"),
            "{text}"
        );
        assert!(
            text.contains("parkhub_search_duration_seconds_count 1"),
            "{text}"
        );
        assert!(
            text.contains("# TYPE parkhub_ingests_total counter"),
            "{text}"
        );
    }
}
