//! The words of each key industry that catalog, project and need texts are combined with:
//! typical equipment, processes, customers' trades, industrial chains, and the scenarios its
//! enterprises most often need.

/// Words about a key industry that texts are combined with.
#[derive(Debug, PartialEq)]
pub(crate) struct IndustryWords {
    /// Key industry code.
    pub code: &'static str,
    /// Short Chinese name used before 行业 (钢铁, 纺织印染).
    pub short_zh: &'static str,
    /// English name used in product names.
    pub name_en: &'static str,
    /// Typical equipment.
    pub equipment: &'static [&'static str],
    /// Typical processes.
    pub processes: &'static [&'static str],
    /// Trade words of reference customers.
    pub trades: &'static [&'static str],
    /// Industrial chains its chain leaders lead.
    pub chains: &'static [&'static str],
    /// How likely each scenario is as a need or project of the industry.
    pub scenario_weights: &'static [(&'static str, f64)],
}

/// The industries' words, in the order of the key industries.
pub(crate) static INDUSTRY_WORDS: [IndustryWords; 9] = [
    IndustryWords {
        code: "petrochemicals",
        short_zh: "石化化工",
        name_en: "Petrochemicals",
        equipment: &["反应釜", "压缩机", "机泵", "精馏塔", "换热器", "储罐区"],
        processes: &["反应", "精馏", "聚合", "干燥"],
        trades: &["化工", "精细化工", "新材料", "石化"],
        chains: &["精细化工", "化工新材料"],
        scenario_weights: &[
            ("safety", 3.0),
            ("energy_management", 2.5),
            ("predictive_maintenance", 2.0),
            ("process_optimization", 2.0),
            ("carbon", 1.5),
            ("equipment_networking", 1.0),
            ("digital_twin", 0.8),
            ("mes", 0.8),
            ("warehouse", 0.5),
            ("erp", 0.5),
        ],
    },
    IndustryWords {
        code: "iron_steel",
        short_zh: "钢铁",
        name_en: "Iron and Steel",
        equipment: &["高炉", "转炉", "轧机", "连铸机", "加热炉", "除尘风机"],
        processes: &["炼铁", "炼钢", "连铸", "轧钢"],
        trades: &["特钢", "钢铁", "钢材"],
        chains: &["特钢材料", "钢铁精深加工"],
        scenario_weights: &[
            ("predictive_maintenance", 3.0),
            ("energy_management", 3.0),
            ("carbon", 2.0),
            ("process_optimization", 2.0),
            ("quality_inspection", 1.5),
            ("safety", 1.5),
            ("digital_twin", 1.0),
            ("equipment_networking", 1.0),
        ],
    },
    IndustryWords {
        code: "nonferrous",
        short_zh: "有色金属",
        name_en: "Non-ferrous Metals",
        equipment: &["电解槽", "熔炼炉", "铸轧机", "挤压机", "冷轧机"],
        processes: &["熔炼", "电解", "铸轧", "挤压"],
        trades: &["铝业", "铜业", "有色金属"],
        chains: &["有色金属精深加工", "新能源金属材料"],
        scenario_weights: &[
            ("energy_management", 3.0),
            ("process_optimization", 2.0),
            ("predictive_maintenance", 2.0),
            ("quality_inspection", 1.5),
            ("carbon", 1.5),
            ("equipment_networking", 1.0),
            ("mes", 1.0),
            ("safety", 1.0),
        ],
    },
    IndustryWords {
        code: "building_materials",
        short_zh: "建材",
        name_en: "Building Materials",
        equipment: &["回转窑", "玻璃熔窑", "窑炉", "立磨", "水泥磨"],
        processes: &["烧成", "粉磨", "成型"],
        trades: &["水泥", "玻璃", "陶瓷", "建材"],
        chains: &["绿色建材"],
        scenario_weights: &[
            ("energy_management", 3.0),
            ("carbon", 2.5),
            ("process_optimization", 2.0),
            ("predictive_maintenance", 2.0),
            ("equipment_networking", 1.0),
            ("quality_inspection", 1.0),
            ("safety", 1.0),
            ("warehouse", 0.5),
        ],
    },
    IndustryWords {
        code: "machinery",
        short_zh: "机械装备",
        name_en: "Machinery",
        equipment: &["数控机床", "加工中心", "冲压线", "焊接机器人", "热处理炉"],
        processes: &["机加工", "冲压", "焊接", "装配"],
        trades: &["精密机械", "汽车零部件", "装备制造", "阀门"],
        chains: &["高端装备", "智能装备", "精密机械"],
        scenario_weights: &[
            ("mes", 3.0),
            ("equipment_networking", 2.5),
            ("aps", 2.0),
            ("quality_inspection", 2.0),
            ("predictive_maintenance", 1.5),
            ("rd_design", 1.5),
            ("erp", 1.5),
            ("warehouse", 1.0),
            ("supply_chain", 1.0),
            ("energy_management", 0.8),
            ("digital_twin", 0.6),
        ],
    },
    IndustryWords {
        code: "food",
        short_zh: "食品饮料",
        name_en: "Food and Beverage",
        equipment: &["灌装线", "杀菌釜", "发酵罐", "包装线", "冷库"],
        processes: &["配料", "灭菌", "灌装", "包装"],
        trades: &["食品", "饮料", "乳业", "调味品"],
        chains: &["食品饮料"],
        scenario_weights: &[
            ("mes", 2.5),
            ("quality_inspection", 2.0),
            ("energy_management", 2.0),
            ("warehouse", 2.0),
            ("erp", 1.5),
            ("supply_chain", 1.0),
            ("safety", 1.0),
            ("equipment_networking", 1.0),
        ],
    },
    IndustryWords {
        code: "light_industry",
        short_zh: "轻工",
        name_en: "Light Industry",
        equipment: &["注塑机", "造纸机", "印刷机", "开料线", "冲压线"],
        processes: &["注塑", "造纸", "印刷", "涂装"],
        trades: &["塑胶", "纸业", "家居", "电器"],
        chains: &["家居用品", "造纸包装", "家用电器"],
        scenario_weights: &[
            ("mes", 2.5),
            ("equipment_networking", 2.0),
            ("quality_inspection", 2.0),
            ("erp", 2.0),
            ("energy_management", 1.5),
            ("aps", 1.5),
            ("warehouse", 1.0),
            ("rd_design", 1.0),
        ],
    },
    IndustryWords {
        code: "textiles",
        short_zh: "纺织印染",
        name_en: "Textiles and Dyeing",
        equipment: &["细纱机", "喷气织机", "染色机", "定型机", "印染生产线"],
        processes: &["纺纱", "织造", "印染", "后整理"],
        trades: &["纺织", "印染", "丝绸", "服饰"],
        chains: &["纺织服装", "化纤纺织"],
        scenario_weights: &[
            ("energy_management", 2.5),
            ("equipment_networking", 2.0),
            ("mes", 2.0),
            ("aps", 1.5),
            ("quality_inspection", 1.5),
            ("carbon", 1.0),
            ("erp", 1.5),
            ("process_optimization", 1.0),
        ],
    },
    IndustryWords {
        code: "other",
        short_zh: "电子医药",
        name_en: "Electronics and Pharmaceuticals",
        equipment: &["SMT贴片线", "洁净车间", "冻干机", "空压站"],
        processes: &["贴片", "组装", "制剂", "检测"],
        trades: &["电子", "医药", "光电"],
        chains: &["电子信息", "生物医药"],
        scenario_weights: &[
            ("mes", 2.5),
            ("quality_inspection", 2.5),
            ("equipment_networking", 1.5),
            ("warehouse", 1.5),
            ("erp", 1.5),
            ("rd_design", 1.5),
            ("aps", 1.0),
            ("energy_management", 1.0),
        ],
    },
];

/// Returns the words of a key industry (those of `other` for an unknown code).
pub(crate) fn industry_words(code: &str) -> &'static IndustryWords {
    INDUSTRY_WORDS
        .iter()
        .find(|words| words.code == code)
        .unwrap_or(&INDUSTRY_WORDS[8])
}

/// Names the industries for a text: "钢铁行业", "钢铁、建材行业", "钢铁、建材等行业".
pub(crate) fn industry_phrase(codes: &[&str]) -> String {
    let names: Vec<&str> = codes
        .iter()
        .map(|code| industry_words(code).short_zh)
        .collect();
    match names.len() {
        0 => "制造业".to_string(),
        1 | 2 => format!("{}行业", names.join("、")),
        _ => format!("{}、{}等行业", names[0], names[1]),
    }
}
