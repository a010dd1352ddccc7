//! What a typical enterprise of each key industry looks like: share of the park, sizes, zones,
//! productivity, added-value ratio, energy intensity and carriers, water, land, R&D and margins,
//! and the GB/T 4754-2017 classes it is made of.

/// Size classes, as the `enterprises.scale` column spells them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Scale {
    /// 大型: ≥ 1000 employees and ≥ 400 million yuan revenue.
    Large,
    /// 中型.
    Medium,
    /// 小型.
    Small,
    /// 微型.
    Micro,
}

impl Scale {
    /// All scales, largest first (the order of the weight arrays).
    pub(crate) const ALL: [Scale; 4] = [Scale::Large, Scale::Medium, Scale::Small, Scale::Micro];

    /// The code stored in the lake.
    pub(crate) fn code(self) -> &'static str {
        match self {
            Scale::Large => "large",
            Scale::Medium => "medium",
            Scale::Small => "small",
            Scale::Micro => "micro",
        }
    }

    /// Range of employees of an enterprise of this size.
    pub(crate) fn employee_range(self) -> (f64, f64) {
        match self {
            Scale::Large => (1000.0, 5200.0),
            Scale::Medium => (300.0, 999.0),
            Scale::Small => (20.0, 299.0),
            Scale::Micro => (4.0, 19.0),
        }
    }

    /// Output per employee relative to the industry's typical productivity.
    pub(crate) fn productivity_factor(self) -> f64 {
        match self {
            Scale::Large => 1.2,
            Scale::Medium => 1.0,
            Scale::Small => 0.85,
            Scale::Micro => 0.6,
        }
    }

    /// Weights of maturity levels 1 to 5 (GB/T 39116) at this size.
    pub(crate) fn maturity_weights(self) -> [f64; 5] {
        match self {
            Scale::Large => [0.10, 0.30, 0.35, 0.17, 0.08],
            Scale::Medium => [0.25, 0.42, 0.23, 0.08, 0.02],
            Scale::Small => [0.50, 0.35, 0.12, 0.03, 0.0],
            Scale::Micro => [0.75, 0.22, 0.03, 0.0, 0.0],
        }
    }

    /// Range of the number of registered pieces of equipment.
    pub(crate) fn equipment_range(self) -> (i64, i64) {
        match self {
            Scale::Large => (120, 200),
            Scale::Medium => (50, 120),
            Scale::Small => (15, 50),
            Scale::Micro => (10, 15),
        }
    }

    /// Range of the investment of a point project (10k yuan).
    pub(crate) fn point_investment_range(self) -> (f64, f64) {
        match self {
            Scale::Large => (600.0, 5000.0),
            Scale::Medium => (200.0, 1500.0),
            Scale::Small => (60.0, 500.0),
            Scale::Micro => (20.0, 120.0),
        }
    }
}

/// The zones of the park.
pub(crate) const ZONES: [&str; 5] = ["东区", "西区", "高新片区", "化工园区", "临江重工片区"];

/// The zone where the chemical enterprises are concentrated.
pub(crate) const CHEMICAL_ZONE: &str = "化工园区";

/// A GB/T 4754-2017 class an enterprise of a key industry can be registered under.
#[derive(Debug, PartialEq)]
pub(crate) struct IndustryClass {
    /// The four-digit class code, e.g. `C3484`.
    pub code: &'static str,
    /// Relative frequency within the key industry.
    pub weight: f64,
    /// Words that name the trade in company names (精密机械, 印染, 特钢…).
    pub trade_words: &'static [&'static str],
    /// Runs around the clock (blast furnaces, kilns, crackers, paper machines, spinning).
    pub continuous: bool,
    /// Probability that an enterprise burns natural gas.
    pub gas_probability: f64,
    /// Probability that an enterprise uses steam.
    pub steam_probability: f64,
    /// Energy intensity relative to the key industry's typical range.
    pub intensity_factor: f64,
}

const fn class(
    code: &'static str,
    weight: f64,
    trade_words: &'static [&'static str],
    continuous: bool,
    carriers: (f64, f64),
) -> IndustryClass {
    IndustryClass {
        code,
        weight,
        trade_words,
        continuous,
        gas_probability: carriers.0,
        steam_probability: carriers.1,
        intensity_factor: 1.0,
    }
}

const fn intensive(mut industry_class: IndustryClass, intensity_factor: f64) -> IndustryClass {
    industry_class.intensity_factor = intensity_factor;
    industry_class
}

/// The profile of a key industry.
#[derive(Debug, PartialEq)]
pub(crate) struct IndustryProfile {
    /// The key industry code (as in `parkhub_connectors::industry::KEY_INDUSTRIES`).
    pub code: &'static str,
    /// Short Chinese name used in texts (钢铁, 石化化工…).
    pub name_zh: &'static str,
    /// Share of the park's enterprises.
    pub share: f64,
    /// Weights of large, medium, small, micro.
    pub scale_weights: [f64; 4],
    /// Weights of the zones, in the order of [`ZONES`].
    pub zone_weights: [f64; 5],
    /// Yearly output per employee (10k yuan).
    pub productivity: (f64, f64),
    /// Added value as a share of output.
    pub added_value_ratio: (f64, f64),
    /// Yearly energy use per 10k yuan of added value (tce).
    pub energy_intensity: (f64, f64),
    /// Shares of tce by carrier when present: electricity, natural gas, steam.
    pub carrier_weights: (f64, f64, f64),
    /// Yearly water use per 10k yuan of added value (m3).
    pub water_intensity: (f64, f64),
    /// Land per employee (mu).
    pub land_per_employee: (f64, f64),
    /// R&D expense as a share of revenue.
    pub rd_ratio: (f64, f64),
    /// Profit margin on revenue.
    pub margin: (f64, f64),
    /// Bonus on the key-process CNC rate (process industries run under DCS control).
    pub cnc_bonus: f64,
    /// The classes enterprises of the industry are registered under.
    pub classes: &'static [IndustryClass],
}

/// The eight key industries and `other`, in the order of the seed list.
pub(crate) static INDUSTRY_PROFILES: [IndustryProfile; 9] = [
    IndustryProfile {
        code: "petrochemicals",
        name_zh: "石化化工",
        share: 0.10,
        scale_weights: [0.08, 0.30, 0.50, 0.12],
        zone_weights: [0.05, 0.05, 0.02, 0.88, 0.0],
        productivity: (200.0, 500.0),
        added_value_ratio: (0.18, 0.26),
        energy_intensity: (0.8, 1.8),
        carrier_weights: (0.35, 0.35, 0.30),
        water_intensity: (30.0, 60.0),
        land_per_employee: (0.30, 0.60),
        rd_ratio: (0.012, 0.030),
        margin: (0.03, 0.10),
        cnc_bonus: 0.10,
        classes: &[
            class("C2511", 0.5, &["石油化工", "石化"], true, (0.9, 0.9)),
            class("C2521", 0.3, &["焦化", "煤化工"], true, (0.8, 0.8)),
            class(
                "C2614",
                2.0,
                &["化工", "化学", "精细化工"],
                true,
                (0.9, 0.95),
            ),
            class("C2619", 1.0, &["化工", "化学品"], true, (0.9, 0.9)),
            class("C2641", 1.2, &["涂料", "化工"], false, (0.6, 0.6)),
            class(
                "C2651",
                1.2,
                &["新材料", "树脂", "高分子材料"],
                true,
                (0.9, 0.9),
            ),
            class(
                "C2661",
                1.2,
                &["化学助剂", "精细化工", "化学试剂"],
                false,
                (0.7, 0.8),
            ),
            class("C2662", 0.8, &["电子化学品", "新材料"], false, (0.7, 0.7)),
            class("C2681", 0.4, &["日化", "洗涤用品"], false, (0.6, 0.7)),
            class("C2822", 0.5, &["化纤", "化学纤维"], true, (0.7, 0.8)),
            class("C2911", 0.3, &["轮胎", "橡胶"], false, (0.6, 0.9)),
            class("C2922", 0.5, &["塑胶", "塑业", "管业"], false, (0.3, 0.1)),
        ],
    },
    IndustryProfile {
        code: "iron_steel",
        name_zh: "钢铁",
        share: 0.03,
        scale_weights: [0.30, 0.40, 0.30, 0.0],
        zone_weights: [0.0, 0.0, 0.0, 0.0, 1.0],
        productivity: (200.0, 450.0),
        added_value_ratio: (0.16, 0.24),
        energy_intensity: (1.2, 2.0),
        carrier_weights: (0.55, 0.45, 0.0),
        water_intensity: (20.0, 40.0),
        land_per_employee: (0.50, 0.90),
        rd_ratio: (0.010, 0.025),
        margin: (0.0, 0.06),
        cnc_bonus: 0.12,
        classes: &[
            class("C3110", 0.5, &["钢铁", "冶金"], true, (1.0, 0.0)),
            class("C3120", 1.0, &["特钢", "钢铁", "钢业"], true, (1.0, 0.0)),
            class(
                "C3130",
                2.0,
                &["钢材", "金属材料", "钢板", "钢管"],
                true,
                (1.0, 0.0),
            ),
            class("C3140", 0.3, &["铁合金", "合金材料"], true, (1.0, 0.0)),
        ],
    },
    IndustryProfile {
        code: "nonferrous",
        name_zh: "有色金属",
        share: 0.06,
        scale_weights: [0.06, 0.30, 0.50, 0.14],
        zone_weights: [0.1, 0.1, 0.0, 0.0, 0.8],
        productivity: (150.0, 450.0),
        added_value_ratio: (0.14, 0.22),
        energy_intensity: (0.8, 1.6),
        carrier_weights: (0.70, 0.30, 0.10),
        water_intensity: (15.0, 35.0),
        land_per_employee: (0.25, 0.50),
        rd_ratio: (0.010, 0.030),
        margin: (0.02, 0.07),
        cnc_bonus: 0.06,
        classes: &[
            class("C3211", 0.5, &["铜业", "有色金属"], true, (0.85, 0.05)),
            class("C3216", 0.4, &["铝业", "有色金属"], true, (0.85, 0.05)),
            class("C3240", 0.6, &["合金材料", "新材料"], false, (0.85, 0.05)),
            class("C3251", 1.0, &["铜材", "铜业"], false, (0.85, 0.05)),
            class(
                "C3252",
                1.5,
                &["铝材", "铝业", "铝型材"],
                false,
                (0.85, 0.05),
            ),
        ],
    },
    IndustryProfile {
        code: "building_materials",
        name_zh: "建材",
        share: 0.07,
        scale_weights: [0.06, 0.25, 0.50, 0.19],
        zone_weights: [0.1, 0.15, 0.0, 0.0, 0.75],
        productivity: (80.0, 220.0),
        added_value_ratio: (0.25, 0.32),
        energy_intensity: (1.0, 2.0),
        carrier_weights: (0.35, 0.65, 0.10),
        water_intensity: (8.0, 20.0),
        land_per_employee: (0.30, 0.70),
        rd_ratio: (0.010, 0.030),
        margin: (0.03, 0.10),
        cnc_bonus: 0.08,
        classes: &[
            intensive(
                class("C3011", 0.4, &["水泥", "建材"], true, (0.95, 0.0)),
                1.3,
            ),
            intensive(
                class(
                    "C3021",
                    1.2,
                    &["建材", "混凝土制品", "管桩"],
                    false,
                    (0.4, 0.5),
                ),
                0.4,
            ),
            class("C3041", 0.3, &["玻璃", "新型建材"], true, (0.95, 0.0)),
            class("C3042", 0.4, &["特种玻璃", "光电玻璃"], true, (0.95, 0.0)),
            class("C3061", 0.4, &["玻纤", "复合材料"], true, (0.95, 0.0)),
            class("C3071", 0.5, &["陶瓷", "建陶"], true, (0.95, 0.0)),
            class("C3089", 0.4, &["耐火材料"], true, (0.95, 0.0)),
            class("C3091", 0.3, &["碳素", "石墨"], true, (0.95, 0.0)),
        ],
    },
    IndustryProfile {
        code: "machinery",
        name_zh: "机械装备",
        share: 0.30,
        scale_weights: [0.04, 0.18, 0.55, 0.23],
        zone_weights: [0.45, 0.2, 0.3, 0.0, 0.05],
        productivity: (50.0, 130.0),
        added_value_ratio: (0.24, 0.32),
        energy_intensity: (0.05, 0.15),
        carrier_weights: (0.90, 0.10, 0.0),
        water_intensity: (3.0, 8.0),
        land_per_employee: (0.08, 0.18),
        rd_ratio: (0.030, 0.050),
        margin: (0.04, 0.12),
        cnc_bonus: 0.0,
        classes: &[
            class("C3311", 1.0, &["钢结构", "金属结构"], false, (0.3, 0.0)),
            class("C3360", 0.5, &["表面处理", "热处理"], false, (0.6, 0.0)),
            class("C3391", 0.6, &["铸造", "铸业"], false, (0.5, 0.0)),
            class(
                "C3393",
                0.5,
                &["锻造", "精锻", "粉末冶金"],
                false,
                (0.6, 0.0),
            ),
            class("C3421", 1.0, &["数控机床", "机床"], false, (0.3, 0.0)),
            class("C3422", 0.4, &["锻压机床", "成形装备"], false, (0.3, 0.0)),
            class("C3441", 0.8, &["泵业", "流体设备"], false, (0.3, 0.0)),
            class("C3442", 0.4, &["压缩机", "空压机"], false, (0.3, 0.0)),
            class("C3443", 0.8, &["阀门", "流体控制"], false, (0.3, 0.0)),
            class("C3451", 0.6, &["轴承", "精密轴承"], false, (0.3, 0.0)),
            class("C3453", 0.6, &["传动", "齿轮", "减速机"], false, (0.3, 0.0)),
            class(
                "C3484",
                2.5,
                &["精密机械", "机械", "机械制造", "精工"],
                false,
                (0.2, 0.0),
            ),
            class("C3491", 0.5, &["机器人", "智能装备"], false, (0.1, 0.0)),
            class("C3521", 0.5, &["化工装备", "压力容器"], false, (0.3, 0.0)),
            class("C3523", 0.4, &["塑机", "注塑装备"], false, (0.2, 0.0)),
            class("C3551", 0.5, &["纺机", "纺织机械"], false, (0.2, 0.0)),
            class(
                "C3599",
                1.2,
                &["智能装备", "自动化设备", "专用设备"],
                false,
                (0.2, 0.0),
            ),
            class("C4011", 0.6, &["自动化", "自控", "仪表"], false, (0.1, 0.0)),
            class("C4014", 0.4, &["仪器", "分析仪器"], false, (0.1, 0.0)),
            class("C4021", 0.3, &["环境监测", "仪器仪表"], false, (0.1, 0.0)),
            class(
                "C3670",
                1.6,
                &["汽车零部件", "汽配", "汽车部件"],
                false,
                (0.4, 0.0),
            ),
            class(
                "C3715",
                0.3,
                &["轨道交通装备", "轨道交通"],
                false,
                (0.3, 0.0),
            ),
            class("C3812", 0.5, &["电机", "电气"], false, (0.2, 0.0)),
            class("C3821", 0.4, &["电气", "变压器"], false, (0.2, 0.0)),
            class("C3831", 0.4, &["电缆", "线缆"], false, (0.3, 0.0)),
        ],
    },
    IndustryProfile {
        code: "food",
        name_zh: "食品",
        share: 0.08,
        scale_weights: [0.04, 0.20, 0.55, 0.21],
        zone_weights: [0.25, 0.65, 0.1, 0.0, 0.0],
        productivity: (60.0, 180.0),
        added_value_ratio: (0.22, 0.30),
        energy_intensity: (0.15, 0.35),
        carrier_weights: (0.35, 0.25, 0.40),
        water_intensity: (30.0, 60.0),
        land_per_employee: (0.10, 0.20),
        rd_ratio: (0.010, 0.025),
        margin: (0.05, 0.12),
        cnc_bonus: 0.0,
        classes: &[
            class("C1331", 0.5, &["粮油", "油脂"], false, (0.8, 0.9)),
            class("C1353", 0.5, &["食品", "肉制品"], false, (0.75, 0.8)),
            class("C1371", 0.3, &["农产品", "食品"], false, (0.6, 0.6)),
            class("C1391", 0.3, &["淀粉", "生物科技"], false, (0.75, 0.9)),
            class("C1411", 0.8, &["食品", "烘焙"], false, (0.9, 0.2)),
            class("C1432", 0.6, &["速冻食品", "食品"], false, (0.7, 0.7)),
            class("C1441", 0.4, &["乳业"], false, (0.75, 0.95)),
            class("C1462", 0.5, &["酿造", "调味品"], false, (0.75, 0.95)),
            class("C1491", 0.4, &["营养食品", "生物科技"], false, (0.6, 0.8)),
            class("C1513", 0.3, &["啤酒"], false, (0.8, 0.95)),
            class("C1514", 0.3, &["酒业", "黄酒"], false, (0.75, 0.95)),
            class("C1523", 0.5, &["饮料", "饮品"], false, (0.7, 0.85)),
            class("C1530", 0.2, &["茶业"], false, (0.6, 0.3)),
        ],
    },
    IndustryProfile {
        code: "light_industry",
        name_zh: "轻工",
        share: 0.12,
        scale_weights: [0.03, 0.15, 0.57, 0.25],
        zone_weights: [0.4, 0.5, 0.1, 0.0, 0.0],
        productivity: (40.0, 110.0),
        added_value_ratio: (0.23, 0.30),
        energy_intensity: (0.12, 0.35),
        carrier_weights: (0.50, 0.15, 0.35),
        water_intensity: (10.0, 30.0),
        land_per_employee: (0.08, 0.18),
        rd_ratio: (0.010, 0.030),
        margin: (0.03, 0.10),
        cnc_bonus: 0.0,
        classes: &[
            class("C1952", 0.5, &["鞋业", "皮具"], false, (0.1, 0.0)),
            class("C2021", 0.5, &["木业", "板材"], false, (0.2, 0.6)),
            class("C2110", 1.2, &["家具", "家居"], false, (0.2, 0.1)),
            class("C2130", 0.5, &["办公家具", "家具"], false, (0.3, 0.0)),
            intensive(
                class("C2221", 0.6, &["纸业", "造纸"], true, (0.5, 1.0)),
                3.0,
            ),
            class("C2231", 1.0, &["包装", "纸品包装"], false, (0.2, 0.4)),
            class(
                "C2319",
                0.8,
                &["印务", "彩印", "包装印刷"],
                false,
                (0.2, 0.1),
            ),
            class("C2411", 0.4, &["文具", "文化用品"], false, (0.1, 0.0)),
            class("C2443", 0.3, &["健身器材", "体育用品"], false, (0.2, 0.0)),
            class("C2927", 0.6, &["塑料制品", "日用品"], false, (0.1, 0.0)),
            class("C2929", 0.8, &["精密塑胶", "塑胶制品"], false, (0.1, 0.0)),
            class("C3854", 0.5, &["厨房电器", "电器"], false, (0.2, 0.0)),
            class("C3855", 0.4, &["清洁电器", "电器"], false, (0.1, 0.0)),
        ],
    },
    IndustryProfile {
        code: "textiles",
        name_zh: "纺织",
        share: 0.12,
        scale_weights: [0.03, 0.17, 0.55, 0.25],
        zone_weights: [0.3, 0.7, 0.0, 0.0, 0.0],
        productivity: (35.0, 90.0),
        added_value_ratio: (0.20, 0.26),
        energy_intensity: (0.2, 0.5),
        carrier_weights: (0.55, 0.10, 0.35),
        water_intensity: (40.0, 90.0),
        land_per_employee: (0.06, 0.14),
        rd_ratio: (0.010, 0.025),
        margin: (0.02, 0.08),
        cnc_bonus: 0.0,
        classes: &[
            class("C1711", 1.0, &["纺织", "棉纺"], true, (0.2, 0.3)),
            intensive(
                class("C1713", 0.8, &["印染", "染整"], true, (0.5, 1.0)),
                1.5,
            ),
            class("C1742", 0.4, &["丝绸", "真丝"], false, (0.2, 0.6)),
            class("C1751", 1.5, &["纺织", "织造"], true, (0.2, 0.3)),
            intensive(
                class("C1752", 0.8, &["印染", "染整"], true, (0.5, 1.0)),
                1.5,
            ),
            class("C1761", 0.6, &["针织", "纺织"], false, (0.2, 0.5)),
            class("C1781", 0.4, &["无纺布", "非织造材料"], false, (0.3, 0.3)),
            class("C1819", 1.0, &["服饰", "服装"], false, (0.1, 0.5)),
            class("C1829", 0.6, &["针织服饰", "服饰"], false, (0.1, 0.5)),
            class("C2822", 0.6, &["化纤", "纤维"], true, (0.5, 0.8)),
        ],
    },
    IndustryProfile {
        code: "other",
        name_zh: "电子医药等",
        share: 0.12,
        scale_weights: [0.04, 0.18, 0.55, 0.23],
        zone_weights: [0.2, 0.1, 0.7, 0.0, 0.0],
        productivity: (70.0, 200.0),
        added_value_ratio: (0.28, 0.38),
        energy_intensity: (0.05, 0.20),
        carrier_weights: (0.85, 0.10, 0.10),
        water_intensity: (5.0, 15.0),
        land_per_employee: (0.05, 0.12),
        rd_ratio: (0.030, 0.080),
        margin: (0.05, 0.15),
        cnc_bonus: 0.0,
        classes: &[
            class("C2720", 1.0, &["医药", "药业", "制药"], false, (0.5, 0.9)),
            class("C2761", 0.6, &["生物医药", "生物制药"], false, (0.4, 0.9)),
            class("C3982", 1.0, &["电子", "电路科技"], false, (0.1, 0.0)),
            class("C3976", 0.6, &["光电", "光电科技"], false, (0.1, 0.0)),
            class("C3981", 0.6, &["电子元件", "电子"], false, (0.1, 0.0)),
            class("C3912", 0.5, &["电子科技", "精密电子"], false, (0.1, 0.0)),
            class("C4190", 0.5, &["制品", "实业"], false, (0.2, 0.1)),
            class("C4210", 0.3, &["再生资源", "资源再生"], false, (0.3, 0.0)),
        ],
    },
];

/// True for the industries whose enterprises report pollutant emissions online.
pub(crate) fn reports_emissions(code: &str) -> bool {
    matches!(
        code,
        "petrochemicals" | "iron_steel" | "building_materials" | "nonferrous"
    )
}
