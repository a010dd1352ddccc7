//! The query mix of the search benchmarks and how their latencies are reported, shared by
//! the in-process bench (`catalog/benches/search.rs`) and the HTTP bench
//! (`hub/benches/search.rs`, which includes this file by path) so that both measure the same
//! 35 queries over the same generated catalog.

use std::time::Duration;

use parkhub_catalog::{EntryKind, SearchRequest, SortOrder};

/// Entries in the generated catalog, unless `PARKHUB_BENCH_ENTRIES` says otherwise.
pub const ENTRIES: usize = 100_000;

/// Returns a number from the environment variable `name`, or `default`.
pub fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

/// The queries of the mix, each with its family, narrowed by `PARKHUB_BENCH_ONLY` (a family or
/// a query) when set.
pub fn mix() -> Vec<(&'static str, SearchRequest)> {
    let text = |query: &str| SearchRequest::new(query);
    let mut mix = vec![];
    for query in [
        "预测性维护",
        "能耗监测",
        "数字孪生",
        "缺陷检测",
        "排产",
        "高炉",
        "注塑机联网",
        "碳足迹",
        "设备联网",
        "平台",
    ] {
        mix.push(("zh short", text(query)));
    }
    for query in [
        "希望建立覆盖全厂的能耗监测体系，分车间计量电、气、蒸汽消耗，降低单位产品能耗",
        "设备故障多靠事后抢修，希望建立设备健康管理和预测性维护体系",
        "订单品种多插单频繁，人工排产耗时长，希望引入高级计划排程系统",
    ] {
        mix.push(("zh long", text(query)));
    }
    for query in [
        "predictive maintenance",
        "energy monitoring",
        "digital twin factory",
        "machine vision defect detection",
        "production scheduling",
        "blast furnace",
        "warehouse management system",
    ] {
        mix.push(("en", text(query)));
    }
    for query in [
        "predictive maintenence",
        "digitl twin",
        "energy monitorng",
        "warehose management",
    ] {
        mix.push(("en typo", text(query)));
    }
    for query in [
        "钢铁 predictive maintenance",
        "MES 注塑",
        "APS 排产",
        "textile 能耗监测",
        "5G 工业互联网",
    ] {
        mix.push(("mixed", text(query)));
    }
    let mut filtered = text("能源管理");
    filtered.industry = Some("iron_steel".into());
    filtered.deployment = Some("saas".into());
    mix.push(("filtered", filtered));
    let mut priced = text("MES");
    priced.price_min = Some(20.0);
    priced.price_max = Some(80.0);
    mix.push(("filtered", priced));
    mix.push((
        "filtered",
        text("数字孪生")
            .with_kind(EntryKind::Offering)
            .with_sort(SortOrder::Rating),
    ));
    let mut listing = SearchRequest::new("");
    listing.scenario = Some("carbon".into());
    mix.push(("listing", listing));
    let mut newest = SearchRequest::new("").with_sort(SortOrder::Newest);
    newest.industry = Some("textiles".into());
    mix.push(("listing", newest));
    mix.push(("paged", text("质量追溯").with_page(10, 50)));
    if let Ok(only) = std::env::var("PARKHUB_BENCH_ONLY") {
        mix.retain(|(family, request)| *family == only || request.query == only);
    }
    mix
}

/// Returns the latency below which `fraction` of the sorted `latencies` lie.
fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

/// Prints a line of latency percentiles (ms) of one query family.
pub fn report(name: &str, latencies: &mut [Duration]) {
    latencies.sort();
    let ms = |duration: Duration| duration.as_secs_f64() * 1000.0;
    println!(
        "{name:<10} {:>6} {:>8.3} {:>8.3} {:>8.3} {:>8.3}",
        latencies.len(),
        ms(percentile(latencies, 0.5)),
        ms(percentile(latencies, 0.9)),
        ms(percentile(latencies, 0.99)),
        ms(latencies.last().copied().unwrap_or_default()),
    );
}

/// Returns how many segments the index in `path` has.
pub fn segments(path: &std::path::Path) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(path.join("meta.json"))?)?;
    Ok(meta["segments"].as_array().map_or(0, Vec::len))
}
