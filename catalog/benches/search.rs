//! Search benchmark of the catalog: a generated catalog of 100,000 entries (demo-like Chinese
//! text recombined deterministically), indexed once, then a mix of 35 queries (Chinese short
//! and long, English, typos, mixed, filters, listing without text, sorts, paging; facets on):
//!
//! 1. in process: each query timed one by one on one thread, then the mix on every core for
//!    throughput;
//! 2. over HTTP: the same entries ingested into the catalog tables of a fresh data directory
//!    (`parkhub ingest`), `parkhub serve` started on it (it builds its index from the lake),
//!    the mix sent as `GET /api/catalog/search` by one client alone, then by 16 concurrent
//!    clients over keep-alive connections. Needs the release binary
//!    (`cargo build --release -p parkhub`, or `PARKHUB_BIN`); skipped without it.
//!
//! ```text
//! cargo build --release -p parkhub
//! cargo bench -p parkhub-catalog --bench search            # 100,000 entries
//! ```
//!
//! Environment: `PARKHUB_BENCH_ENTRIES` (100000), `PARKHUB_BENCH_ROUNDS` (passes over the mix
//! in process, 60), `PARKHUB_BENCH_HTTP_ROUNDS` (passes per HTTP client, 10),
//! `PARKHUB_BENCH_CLIENTS` (16), `PARKHUB_BENCH_HTTP=0` (in process only),
//! `PARKHUB_BENCH_INDEX=DIR` (keep the in-process index in DIR and reuse it),
//! `PARKHUB_BENCH_ONLY=FAMILY|QUERY` (one family or query of the mix),
//! `PARKHUB_BENCH_VERBOSE=1` (each query alone: matches, time with and without facets,
//! clauses and concepts; `PARKHUB_BENCH_PLANS=1` adds the clauses).
//!
//! Prints the index build time, latency percentiles (p50, p90, p99, max) per query family
//! and overall, and queries per second.

use std::time::{Duration, Instant};

use parkhub_catalog::{Catalog, CatalogEntry, EntryKind, SearchRequest, SortOrder};

/// A small deterministic generator (SplitMix64).
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    fn unit(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// A scenario: code, Chinese name, product nouns (Chinese, English), sentences, category.
struct Scenario {
    code: &'static str,
    name: &'static str,
    nouns: &'static [(&'static str, &'static str)],
    sentences: &'static [&'static str],
    category: &'static str,
}

const SCENARIOS: &[Scenario] = &[
    Scenario {
        code: "predictive_maintenance",
        name: "预测性维护",
        nouns: &[
            ("设备预测性维护平台", "Predictive Maintenance Platform"),
            ("振动监测与故障诊断系统", "Vibration Monitoring System"),
            ("设备健康管理SaaS", "Equipment Health SaaS"),
        ],
        sentences: &[
            "通过加装振动与温度传感器在线监测{e}运行状态，提前预警故障。",
            "结合机理模型与机器学习实现故障诊断和剩余寿命预测，减少非计划停机。",
            "支持点检巡检、维修工单闭环与备件联动。",
        ],
        category: "platform",
    },
    Scenario {
        code: "energy_management",
        name: "能源管理",
        nouns: &[
            ("能源管理系统", "Energy Management System"),
            ("能耗在线监测平台", "Energy Monitoring Platform"),
            ("空压站节能改造服务", "Compressed Air Energy Saving"),
        ],
        sentences: &[
            "分车间、分设备计量电、气、水、蒸汽消耗，自动折算标准煤。",
            "提供能效对标、峰谷用电优化与节能诊断，降低单位产品能耗。",
            "对{e}等重点用能设备开展能耗监测和节能改造。",
        ],
        category: "energy",
    },
    Scenario {
        code: "mes",
        name: "MES制造执行系统",
        nouns: &[
            ("MES制造执行系统", "Manufacturing Execution System"),
            ("轻量化MES", "Lightweight MES"),
            ("生产报工App", "Production Reporting App"),
        ],
        sentences: &[
            "支持工单管理、扫码报工、质量追溯与车间看板。",
            "通过设备数据采集自动统计OEE和停机原因。",
            "可与ERP、WMS、PLM集成，覆盖{p}等工序。",
        ],
        category: "mes",
    },
    Scenario {
        code: "aps",
        name: "APS高级计划排程",
        nouns: &[
            ("APS高级计划排程系统", "Advanced Planning and Scheduling"),
            ("智能排产SaaS", "Smart Scheduling SaaS"),
        ],
        sentences: &[
            "综合设备产能、物料齐套和换型时间，分钟级生成排产计划。",
            "支持插单模拟、交期承诺和产能负荷分析。",
        ],
        category: "scheduling",
    },
    Scenario {
        code: "quality_inspection",
        name: "机器视觉质量检测",
        nouns: &[
            ("机器视觉缺陷检测系统", "Machine Vision Defect Detection"),
            ("AI视觉质检云", "AI Visual Inspection Cloud"),
        ],
        sentences: &[
            "部署工业相机与边缘AI盒子，对产品表面缺陷进行在线检测。",
            "检测结果写入质量追溯系统，结合SPC分析缺陷成因。",
        ],
        category: "quality",
    },
    Scenario {
        code: "equipment_networking",
        name: "设备联网与数据采集",
        nouns: &[
            (
                "设备联网与数据采集解决方案",
                "Equipment Networking Solution",
            ),
            ("工业互联网平台", "Industrial Internet Platform"),
            ("边缘计算网关", "Edge Gateway"),
        ],
        sentences: &[
            "支持主流PLC与Modbus、OPC UA、MQTT协议，实现{e}联网。",
            "边缘网关实现断点续传和本地计算，平台提供OEE分析。",
        ],
        category: "iot",
    },
    Scenario {
        code: "carbon",
        name: "碳排放核算与碳管理",
        nouns: &[
            ("碳排放核算与碳管理平台", "Carbon Accounting Platform"),
            ("产品碳足迹核算服务", "Carbon Footprint Service"),
        ],
        sentences: &[
            "按排放因子计算范围一、范围二排放，生成碳排放报告。",
            "支持产品碳足迹核算、碳配额管理和碳达峰路径模拟。",
        ],
        category: "carbon",
    },
    Scenario {
        code: "digital_twin",
        name: "数字孪生",
        nouns: &[
            ("数字孪生工厂解决方案", "Digital Twin Factory"),
            ("三维可视化工厂", "3D Visual Factory"),
        ],
        sentences: &[
            "构建工厂、产线和{e}的数字孪生模型，实现虚实映射。",
            "支持产线布局仿真、物流仿真和虚拟调试。",
        ],
        category: "twin",
    },
    Scenario {
        code: "safety",
        name: "安全生产与应急管理",
        nouns: &[
            ("安全生产信息化平台", "Safety Production Platform"),
            ("危化品风险监测预警系统", "Hazardous Chemicals Monitoring"),
        ],
        sentences: &[
            "接入可燃有毒气体、温度压力监测数据，实现重大危险源分级预警。",
            "支持特殊作业票审批、隐患排查治理和应急演练。",
        ],
        category: "safety",
    },
    Scenario {
        code: "warehouse",
        name: "WMS仓储物流",
        nouns: &[
            ("WMS仓储管理系统", "Warehouse Management System"),
            ("AGV厂内物流改造服务", "AGV Intralogistics"),
        ],
        sentences: &[
            "支持条码出入库、库位管理、先进先出和盘点。",
            "集成立体仓库、AGV和输送线，实现产线物料自动配送。",
        ],
        category: "wms",
    },
    Scenario {
        code: "erp",
        name: "ERP企业资源计划",
        nouns: &[
            ("ERP企业资源计划系统", "Enterprise Resource Planning"),
            ("进销存SaaS", "Purchase-Sales-Inventory SaaS"),
        ],
        sentences: &[
            "覆盖采购、销售、库存、生产与财务，实现业财一体化。",
            "成本核算精确到工单和批次。",
        ],
        category: "erp",
    },
    Scenario {
        code: "process_optimization",
        name: "工艺优化",
        nouns: &[
            ("工艺参数优化解决方案", "Process Optimisation"),
            ("APC先进过程控制系统", "Advanced Process Control"),
        ],
        sentences: &[
            "采集温度、压力、配比等工艺数据，挖掘最优工艺窗口。",
            "针对{p}等工序实现关键工艺参数闭环优化。",
        ],
        category: "process",
    },
];

/// An industry: code, Chinese name, equipment, processes.
const INDUSTRIES: &[(&str, &str, &[&str], &[&str])] = &[
    (
        "iron_steel",
        "钢铁",
        &["高炉", "转炉", "轧机", "连铸机"],
        &["炼铁", "炼钢", "轧钢"],
    ),
    (
        "petrochemicals",
        "石化化工",
        &["反应釜", "压缩机", "精馏塔"],
        &["反应", "精馏", "聚合"],
    ),
    (
        "nonferrous",
        "有色金属",
        &["电解槽", "熔炼炉", "挤压机"],
        &["熔炼", "电解", "挤压"],
    ),
    (
        "building_materials",
        "建材",
        &["回转窑", "玻璃熔窑", "立磨"],
        &["烧成", "粉磨"],
    ),
    (
        "machinery",
        "机械装备",
        &["数控机床", "加工中心", "焊接机器人"],
        &["机加工", "冲压", "焊接"],
    ),
    (
        "food",
        "食品饮料",
        &["灌装线", "杀菌釜", "包装线"],
        &["配料", "灌装", "包装"],
    ),
    (
        "light_industry",
        "轻工",
        &["注塑机", "造纸机", "印刷机"],
        &["注塑", "造纸", "涂装"],
    ),
    (
        "textiles",
        "纺织印染",
        &["细纱机", "喷气织机", "染色机"],
        &["纺纱", "织造", "印染"],
    ),
];

const BRANDS: &[&str] = &[
    "华兴", "智维", "恒信", "博联", "科擎", "启智", "星帆", "创达", "易控", "数创", "腾鉴", "蓝码",
    "新创", "思通", "卓辰", "睿联",
];
const CITIES: &[(&str, &str)] = &[
    ("苏州", "江苏省苏州市"),
    ("无锡", "江苏省无锡市"),
    ("南京", "江苏省南京市"),
    ("上海", "上海市"),
    ("杭州", "浙江省杭州市"),
    ("宁波", "浙江省宁波市"),
];
const DEPLOYMENTS: &[&str] = &["saas", "on_premise", "hybrid", "edge"];

fn fill(template: &str, random: &mut Random, industry: usize) -> String {
    let (_, _, equipment, processes) = INDUSTRIES[industry];
    template
        .replace("{e}", random.pick::<&str>(equipment))
        .replace("{p}", random.pick::<&str>(processes))
}

fn generate(count: usize) -> Vec<CatalogEntry> {
    let mut random = Random(42);
    let providers = (count / 6).max(1);
    let mut entries = Vec::with_capacity(count);
    for position in 0..count {
        let kind = if position < providers {
            EntryKind::Provider
        } else if random.below(10) < 6 {
            EntryKind::Offering
        } else {
            EntryKind::Application
        };
        let scenario = random.pick(SCENARIOS);
        let secondary = random.pick(SCENARIOS);
        let industry = random.below(INDUSTRIES.len());
        let other_industry = random.below(INDUSTRIES.len());
        let (industry_code, industry_name, _, _) = INDUSTRIES[industry];
        let brand = random.pick(BRANDS);
        let (noun, noun_en) = *random.pick(scenario.nouns);
        let (city, region) = *random.pick(CITIES);
        let prefix = match kind {
            EntryKind::Provider => "P",
            EntryKind::Offering => "O",
            EntryKind::Application => "A",
        };
        let title = match kind {
            EntryKind::Provider => format!(
                "{city}{brand}{}科技有限公司",
                random.pick(&["智能", "数字", "工业互联网", "节能", "视觉"])
            ),
            _ => format!("{brand}{industry_name}{noun}"),
        };
        let mut entry = CatalogEntry::new(kind, format!("{prefix}{position:06}"), title);
        if random.below(10) < 8 {
            entry.title_en = Some(format!("{brand} {noun_en}"));
        }
        entry.summary = format!(
            "面向{industry_name}行业的{}{}",
            scenario.name,
            if kind == EntryKind::Provider {
                "服务商"
            } else {
                "解决方案"
            }
        );
        let mut description = format!("针对{industry_name}行业{}的需求，", scenario.name);
        for _ in 0..3 {
            description.push_str(&fill(
                random.pick::<&str>(scenario.sentences),
                &mut random,
                industry,
            ));
        }
        description.push_str(&format!("方案还可扩展{}能力：", secondary.name));
        description.push_str(&fill(
            random.pick::<&str>(secondary.sentences),
            &mut random,
            other_industry,
        ));
        description.push_str("提供需求调研、方案设计、实施上线和运维培训全流程服务。");
        entry.description = description;
        let cases = format!(
            "{}{}有限公司部署{noun}，效率提升{}%。",
            random.pick(BRANDS),
            industry_name,
            5 + random.below(40)
        );
        // As the lake holds them: providers have no cases, applications one price.
        if kind != EntryKind::Provider {
            entry.cases = cases;
        }
        entry.scenarios = vec![scenario.code.to_string(), secondary.code.to_string()];
        entry.key_industries = vec![
            industry_code.to_string(),
            INDUSTRIES[other_industry].0.to_string(),
        ];
        entry.rating = Some(3.4 + (random.unit() * 16.0).round() / 10.0);
        if kind == EntryKind::Provider {
            entry.region = Some(region.to_string());
            entry.qualifications = vec!["高新技术企业".into(), "ISO 9001质量管理体系认证".into()];
        } else {
            entry.category = Some(scenario.category.to_string());
            entry.deployment = Some(random.pick(DEPLOYMENTS).to_string());
            entry.provider_id = Some(format!("P{:06}", random.below(providers)));
            let low = (random.unit() * random.unit() * 300.0 * 10.0).round() / 10.0;
            let spread = 1.5 + random.unit() * 2.0;
            entry.price_min = Some(low);
            entry.price_max = Some(if kind == EntryKind::Application {
                low
            } else {
                (low * spread * 10.0).round() / 10.0
            });
            entry.published_on = Some(19_000 + random.below(1000) as i32);
        }
        entries.push(entry);
    }
    entries
}

/// Runs the merges tantivy's merge policy asks for on the index in `path`, to the end.
fn settle(path: &std::path::Path) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let index = tantivy::Index::open_in_dir(path)?;
    let mut writer: tantivy::IndexWriter<tantivy::TantivyDocument> = index.writer(100_000_000)?;
    // An empty commit keeps the index as it is and lets the merge policy look at it.
    writer.commit()?;
    writer.wait_merging_threads()?;
    Ok(())
}

/// Returns how many segments the index in `path` has.
fn segments(path: &std::path::Path) -> Result<usize, Box<dyn std::error::Error + Send + Sync>> {
    let meta: serde_json::Value = serde_json::from_slice(&std::fs::read(path.join("meta.json"))?)?;
    Ok(meta["segments"].as_array().map_or(0, Vec::len))
}

/// A query of the mix: its family and the request.
fn mix() -> Vec<(&'static str, SearchRequest)> {
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
    mix
}

fn percentile(sorted: &[Duration], fraction: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let index = ((sorted.len() as f64 - 1.0) * fraction).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

fn report(name: &str, latencies: &mut [Duration]) {
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

fn main() -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
    let count: usize = std::env::var("PARKHUB_BENCH_ENTRIES")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(100_000);
    let rounds: usize = std::env::var("PARKHUB_BENCH_ROUNDS")
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(60);

    let started = Instant::now();
    let entries = generate(count);
    println!(
        "generated {} entries in {:.2?}",
        entries.len(),
        started.elapsed()
    );
    let folder = tempfile::tempdir()?;
    let reuse = std::env::var_os("PARKHUB_BENCH_INDEX").map(std::path::PathBuf::from);
    let path = reuse.as_deref().unwrap_or(folder.path());
    let catalog = Catalog::open(path)?;
    if reuse.is_some() && catalog.len()? == entries.len() as u64 {
        println!("reusing the index of {} entries", entries.len());
    } else {
        let started = Instant::now();
        let indexed = catalog.rebuild(&entries)?;
        println!("indexed {indexed} entries in {:.2?}", started.elapsed());
    }
    // Searched as a running server finds it once the merges that follow a rebuild are done
    // (they would otherwise compete with the searches measured, over more segments).
    drop(catalog);
    let started = Instant::now();
    settle(path)?;
    let catalog = Catalog::open(path)?;
    println!(
        "{} segments after merging ({:.2?})",
        segments(path)?,
        started.elapsed()
    );

    let mut mix = mix();
    if let Ok(only) = std::env::var("PARKHUB_BENCH_ONLY") {
        mix.retain(|(family, request)| *family == only || request.query == only);
    }
    // Warm up: every query once, and check that each finds something.
    for (family, request) in &mix {
        let results = catalog.search(request)?;
        if results.total == 0 {
            println!("warning: {family} query {:?} found nothing", request.query);
        }
    }

    if std::env::var_os("PARKHUB_BENCH_VERBOSE").is_some() {
        // Each query alone: matches, and the median of 20 runs with and without facets.
        println!(
            "{:>8} {:>8} {:>8} {:>8}  query",
            "total", "facets", "none", "clauses"
        );
        for (family, request) in &mix {
            let median = |request: &SearchRequest| -> Result<Duration, Box<dyn std::error::Error + Send + Sync>> {
                let mut times = Vec::new();
                for _ in 0..20 {
                    let begun = Instant::now();
                    std::hint::black_box(catalog.search(request)?);
                    times.push(begun.elapsed());
                }
                times.sort();
                Ok(times[times.len() / 2])
            };
            let total = catalog.search(request)?.total;
            let with = median(request)?;
            let without = median(&request.clone().with_facets(false))?;
            let plan = parkhub_catalog::query::plan(&request.query, &catalog.dictionary());
            println!(
                "{total:>8} {:>8.3} {:>8.3} {:>4}/{:<3} {family}: {}",
                with.as_secs_f64() * 1000.0,
                without.as_secs_f64() * 1000.0,
                plan.clauses.len(),
                plan.concepts,
                request.query
            );
            if std::env::var_os("PARKHUB_BENCH_PLANS").is_some() {
                for clause in &plan.clauses {
                    println!(
                        "      {}.{} {:.2}{} {}",
                        clause.concept,
                        clause.group,
                        clause.weight,
                        if clause.fuzzy { "~" } else { "" },
                        clause.terms.join("+")
                    );
                }
            }
        }
    }

    let mut by_family: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
    let mut all = Vec::with_capacity(rounds * mix.len());
    let started = Instant::now();
    for _ in 0..rounds {
        for (family, request) in &mix {
            let begun = Instant::now();
            let results = catalog.search(request)?;
            let elapsed = begun.elapsed();
            std::hint::black_box(results);
            by_family.entry(family).or_default().push(elapsed);
            all.push(elapsed);
        }
    }
    let serial = started.elapsed();
    println!();
    println!(
        "{:<10} {:>6} {:>8} {:>8} {:>8} {:>8}   (ms, one thread, facets on)",
        "queries", "count", "p50", "p90", "p99", "max"
    );
    for (family, latencies) in &mut by_family {
        report(family, latencies);
    }
    report("all", &mut all);
    println!(
        "one thread: {:.0} queries/s",
        all.len() as f64 / serial.as_secs_f64()
    );

    let threads = std::thread::available_parallelism().map_or(2, usize::from);
    let started = Instant::now();
    let searched: usize = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = 0usize;
                    for _ in 0..rounds {
                        for (_, request) in &mix {
                            if catalog.search(request).is_ok() {
                                done += 1;
                            }
                        }
                    }
                    done
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|handle| handle.join().unwrap_or(0))
            .sum()
    });
    println!(
        "{threads} threads: {:.0} queries/s",
        searched as f64 / started.elapsed().as_secs_f64()
    );
    drop(catalog);

    if std::env::var("PARKHUB_BENCH_HTTP").is_ok_and(|value| value == "0") {
        return Ok(());
    }
    http::run(&entries, &mix)
}

/// The same catalog and queries through `parkhub serve`: the entries are written to the three
/// catalog tables of a fresh data directory with `parkhub ingest`, the server builds its
/// index from the lake at start, and clients send `GET /api/catalog/search` over keep-alive
/// connections, first one client alone, then [`http::CLIENTS`] at once.
mod http {
    use std::io::{BufRead, BufReader, Read, Write};
    use std::net::TcpStream;
    use std::path::{Path, PathBuf};
    use std::process::{Child, Command, Stdio};
    use std::sync::Barrier;
    use std::time::{Duration, Instant};

    use parkhub_catalog::{CatalogEntry, EntryKind, SearchRequest};
    use serde_json::{Map, Value, json};

    type BoxError = Box<dyn std::error::Error + Send + Sync>;

    /// Concurrent clients, unless `PARKHUB_BENCH_CLIENTS` says otherwise.
    pub const CLIENTS: usize = 16;

    fn env_number(name: &str, default: usize) -> usize {
        std::env::var(name)
            .ok()
            .and_then(|value| value.parse().ok())
            .unwrap_or(default)
    }

    /// The `parkhub` binary: `PARKHUB_BIN`, else the workspace's release build.
    fn binary() -> PathBuf {
        std::env::var_os("PARKHUB_BIN").map_or_else(
            || Path::new(env!("CARGO_MANIFEST_DIR")).join("../target/release/parkhub"),
            PathBuf::from,
        )
    }

    /// Kills the server when the benchmark ends, however it ends.
    struct Server(Child);

    impl Drop for Server {
        fn drop(&mut self) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }

    pub fn run(
        entries: &[CatalogEntry],
        mix: &[(&'static str, SearchRequest)],
    ) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        let parkhub = binary();
        if !parkhub.exists() {
            println!(
                "\nHTTP: skipped, {} is missing (cargo build --release -p parkhub, or set \
                 PARKHUB_BIN)",
                parkhub.display()
            );
            return Ok(());
        }
        let clients = env_number("PARKHUB_BENCH_CLIENTS", CLIENTS);
        let rounds = env_number("PARKHUB_BENCH_HTTP_ROUNDS", 10);
        let folder = tempfile::tempdir()?;
        let data_dir = folder.path().join("data");

        let started = Instant::now();
        for kind in EntryKind::ALL {
            let path = folder.path().join(format!("{}.ndjson", kind.table()));
            let mut file = std::io::BufWriter::new(std::fs::File::create(&path)?);
            for entry in entries.iter().filter(|entry| entry.kind == kind) {
                serde_json::to_writer(&mut file, &lake_row(entry))?;
                file.write_all(b"\n")?;
            }
            file.flush()?;
            drop(file);
            let output = Command::new(&parkhub)
                .args(["ingest", "--table", kind.table(), "--data-dir"])
                .arg(&data_dir)
                .arg(&path)
                .output()?;
            if !output.status.success() {
                return Err(format!(
                    "parkhub ingest {} failed: {}",
                    kind.table(),
                    String::from_utf8_lossy(&output.stderr)
                )
                .into());
            }
        }
        println!(
            "\nHTTP: ingested {} entries into the lake in {:.2?}",
            entries.len(),
            started.elapsed()
        );

        let started = Instant::now();
        let log = std::fs::File::create(folder.path().join("serve.log"))?;
        let mut child = Command::new(&parkhub)
            .args(["serve", "--listen", "127.0.0.1:0", "--data-dir"])
            .arg(&data_dir)
            .stdout(Stdio::piped())
            .stderr(Stdio::from(log))
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let server = Server(child);
        let mut lines = BufReader::new(stdout).lines();
        let address = loop {
            let Some(line) = lines.next() else {
                let log = std::fs::read_to_string(folder.path().join("serve.log"))?;
                return Err(format!("parkhub serve stopped:\n{log}").into());
            };
            if let Some(address) = line?.strip_prefix("parkhub listening on http://") {
                break address.trim().to_string();
            }
        };
        // Keep reading the server's output so that it never blocks on a full pipe.
        std::thread::spawn(move || lines.for_each(drop));
        println!(
            "HTTP: parkhub serve ready on {address} in {:.2?} (index built from the lake)",
            started.elapsed()
        );
        // The server merges the segments of its new index in the background: measure once
        // their number has held for three seconds, as a server that has been up a while.
        let index = data_dir.join("catalog");
        let started = Instant::now();
        let (mut count, mut since) = (super::segments(&index)?, Instant::now());
        while since.elapsed() < Duration::from_secs(3)
            && started.elapsed() < Duration::from_secs(120)
        {
            std::thread::sleep(Duration::from_millis(250));
            let now = super::segments(&index)?;
            if now != count {
                (count, since) = (now, Instant::now());
            }
        }
        println!(
            "HTTP: {count} segments after merging ({:.2?})",
            started.elapsed()
        );

        let paths: Vec<(&str, String)> = mix
            .iter()
            .map(|(family, request)| (*family, path_of(request)))
            .collect();
        let mut warm = Client::connect(&address)?;
        for (family, path) in &paths {
            let body = warm.get(path)?;
            let total = total_of(&body);
            if total == Some(0) || total.is_none() {
                println!("warning: {family} {path} answered {total:?} hits");
            }
        }

        // One client alone: the latency of a request, HTTP and JSON included.
        let mut alone = Vec::new();
        for _ in 0..rounds {
            for (family, path) in &paths {
                let begun = Instant::now();
                warm.get(path)?;
                alone.push((*family, begun.elapsed()));
            }
        }
        drop(warm);
        report("1 client", alone, None);

        // Many clients at once, each over its own connection, starting at different queries.
        let barrier = Barrier::new(clients);
        let started = Instant::now();
        let results: Vec<Result<Vec<(&str, Duration)>, BoxError>> = std::thread::scope(|scope| {
            let handles: Vec<_> = (0..clients)
                .map(|client| {
                    let (paths, barrier, address) = (&paths, &barrier, &address);
                    scope.spawn(move || -> Result<Vec<(&str, Duration)>, BoxError> {
                        let mut connection = Client::connect(address)?;
                        let mut latencies = Vec::with_capacity(rounds * paths.len());
                        barrier.wait();
                        for round in 0..rounds {
                            for step in 0..paths.len() {
                                let (family, path) =
                                    &paths[(client * 7 + round + step) % paths.len()];
                                let begun = Instant::now();
                                connection.get(path)?;
                                latencies.push((*family, begun.elapsed()));
                            }
                        }
                        Ok(latencies)
                    })
                })
                .collect();
            handles
                .into_iter()
                .map(|handle| {
                    handle
                        .join()
                        .unwrap_or_else(|_| Err("client panicked".into()))
                })
                .collect()
        });
        let elapsed = started.elapsed();
        let mut all = Vec::new();
        for result in results {
            all.extend(result.map_err(|error| error.to_string())?);
        }
        report(&format!("{clients} clients"), all, Some(elapsed));
        drop(server);
        Ok(())
    }

    /// The row of an entry in its lake table.
    fn lake_row(entry: &CatalogEntry) -> Value {
        let mut row = Map::new();
        row.insert(entry.kind.id_column().into(), json!(entry.id));
        row.insert("name".into(), json!(entry.title));
        if let Some(name_en) = &entry.title_en {
            row.insert("name_en".into(), json!(name_en));
        }
        row.insert("summary".into(), json!(entry.summary));
        row.insert("description".into(), json!(entry.description));
        row.insert("scenarios".into(), json!(entry.scenarios.join(";")));
        row.insert(
            "key_industries".into(),
            json!(entry.key_industries.join(";")),
        );
        if let Some(rating) = entry.rating {
            row.insert("rating".into(), json!(rating));
        }
        match entry.kind {
            EntryKind::Provider => {
                row.insert("region".into(), json!(entry.region));
                row.insert(
                    "qualifications".into(),
                    json!(entry.qualifications.join(";")),
                );
            }
            kind => {
                row.insert("provider_id".into(), json!(entry.provider_id));
                row.insert("category".into(), json!(entry.category));
                row.insert("deployment".into(), json!(entry.deployment));
                row.insert("cases".into(), json!(entry.cases));
                if let Some(days) = entry.published_on {
                    row.insert("published_on".into(), json!(iso_date(days)));
                }
                if kind == EntryKind::Application {
                    row.insert("price".into(), json!(entry.price_min));
                } else {
                    row.insert("price_min".into(), json!(entry.price_min));
                    row.insert("price_max".into(), json!(entry.price_max));
                }
            }
        }
        Value::Object(row)
    }

    /// Formats days since 1970-01-01 as `YYYY-MM-DD` (Howard Hinnant's `civil_from_days`).
    fn iso_date(days: i32) -> String {
        let days = i64::from(days) + 719_468;
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

    /// The URL path and query string of a search request.
    fn path_of(request: &SearchRequest) -> String {
        let mut parameters: Vec<(&str, String)> = vec![("q", request.query.clone())];
        if let Some(kind) = request.kind {
            parameters.push(("kind", kind.as_str().to_string()));
        }
        for (name, value) in [
            ("industry", &request.industry),
            ("division", &request.division),
            ("category", &request.category),
            ("scenario", &request.scenario),
            ("deployment", &request.deployment),
            ("provider", &request.provider),
        ] {
            if let Some(value) = value {
                parameters.push((name, value.clone()));
            }
        }
        for (name, value) in [
            ("price_min", request.price_min),
            ("price_max", request.price_max),
        ] {
            if let Some(value) = value {
                parameters.push((name, value.to_string()));
            }
        }
        parameters.push(("sort", request.sort.as_str().to_string()));
        parameters.push(("limit", request.limit.to_string()));
        parameters.push(("offset", request.offset.to_string()));
        let query: Vec<String> = parameters
            .iter()
            .map(|(name, value)| format!("{name}={}", encode(value)))
            .collect();
        format!("/api/catalog/search?{}", query.join("&"))
    }

    fn encode(value: &str) -> String {
        let mut encoded = String::with_capacity(value.len() * 3);
        for byte in value.bytes() {
            if byte.is_ascii_alphanumeric() || b"-_.~".contains(&byte) {
                encoded.push(char::from(byte));
            } else {
                encoded.push_str(&format!("%{byte:02X}"));
            }
        }
        encoded
    }

    fn total_of(body: &[u8]) -> Option<u64> {
        let value: Value = serde_json::from_slice(body).ok()?;
        value.get("total")?.as_u64()
    }

    /// A minimal HTTP/1.1 client over one keep-alive connection.
    struct Client {
        reader: BufReader<TcpStream>,
        writer: TcpStream,
        host: String,
    }

    impl Client {
        fn connect(address: &str) -> Result<Client, BoxError> {
            let stream = TcpStream::connect(address)?;
            stream.set_nodelay(true)?;
            stream.set_read_timeout(Some(Duration::from_secs(60)))?;
            Ok(Client {
                reader: BufReader::new(stream.try_clone()?),
                writer: stream,
                host: address.to_string(),
            })
        }

        /// Sends a GET and returns the body of a 200 answer.
        fn get(&mut self, path: &str) -> Result<Vec<u8>, BoxError> {
            write!(
                self.writer,
                "GET {path} HTTP/1.1\r\nHost: {}\r\nAccept: application/json\r\n\r\n",
                self.host
            )?;
            self.writer.flush()?;
            let mut status = String::new();
            self.reader.read_line(&mut status)?;
            let mut length = None;
            let mut chunked = false;
            loop {
                let mut header = String::new();
                if self.reader.read_line(&mut header)? == 0 {
                    return Err("connection closed".into());
                }
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap_or((header, ""));
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse::<usize>().ok();
                } else if name.eq_ignore_ascii_case("transfer-encoding") {
                    chunked = value.trim().eq_ignore_ascii_case("chunked");
                }
            }
            let body = if chunked {
                let mut body = Vec::new();
                loop {
                    let mut size = String::new();
                    self.reader.read_line(&mut size)?;
                    let size = usize::from_str_radix(size.trim(), 16)?;
                    let mut chunk = vec![0; size + 2];
                    self.reader.read_exact(&mut chunk)?;
                    if size == 0 {
                        break body;
                    }
                    body.extend_from_slice(&chunk[..size]);
                }
            } else {
                let mut body = vec![0; length.ok_or("no content-length")?];
                self.reader.read_exact(&mut body)?;
                body
            };
            if !status.starts_with("HTTP/1.1 200") {
                return Err(format!(
                    "{path}: {} {}",
                    status.trim(),
                    String::from_utf8_lossy(&body)
                )
                .into());
            }
            Ok(body)
        }
    }

    fn report(name: &str, mut latencies: Vec<(&str, Duration)>, elapsed: Option<Duration>) {
        let mut by_family: std::collections::BTreeMap<&str, Vec<Duration>> = Default::default();
        for (family, latency) in &latencies {
            by_family.entry(family).or_default().push(*latency);
        }
        println!();
        println!(
            "{:<10} {:>6} {:>8} {:>8} {:>8} {:>8}   (ms, HTTP, {name}, facets on)",
            "queries", "count", "p50", "p90", "p99", "max"
        );
        for (family, durations) in &mut by_family {
            super::report(family, durations);
        }
        let mut all: Vec<Duration> = latencies.drain(..).map(|(_, latency)| latency).collect();
        let count = all.len();
        super::report("all", &mut all);
        let elapsed = elapsed.unwrap_or_else(|| all.iter().sum());
        println!(
            "{name}: {:.0} queries/s",
            count as f64 / elapsed.as_secs_f64()
        );
    }
}
