//! The scenario vocabulary of the catalog: codes the lake may hold in `scenarios` columns and
//! the Chinese and English names the index adds beside them, so that a search for
//! `预测性维护` finds an entry whose scenario is recorded as `predictive_maintenance` and the
//! other way round. Values that are not codes of this list (free Chinese text, for instance)
//! are indexed as they are.

/// A transformation scenario of the catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Scenario {
    /// The code stored in the lake (`predictive_maintenance`, …).
    pub code: &'static str,
    /// The Chinese name.
    pub name_zh: &'static str,
    /// The English name.
    pub name_en: &'static str,
}

/// The scenarios the catalog knows by code.
pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        code: "rd_design",
        name_zh: "研发设计",
        name_en: "R&D and design",
    },
    Scenario {
        code: "production_execution",
        name_zh: "生产执行",
        name_en: "production execution (MES)",
    },
    Scenario {
        code: "production_scheduling",
        name_zh: "智能排产",
        name_en: "production scheduling",
    },
    Scenario {
        code: "process_optimization",
        name_zh: "工艺优化",
        name_en: "process optimization",
    },
    Scenario {
        code: "quality_inspection",
        name_zh: "质量检测",
        name_en: "quality inspection",
    },
    Scenario {
        code: "visual_inspection",
        name_zh: "机器视觉缺陷检测",
        name_en: "machine vision defect inspection",
    },
    Scenario {
        code: "quality_traceability",
        name_zh: "质量追溯",
        name_en: "quality traceability",
    },
    Scenario {
        code: "equipment_management",
        name_zh: "设备管理",
        name_en: "equipment management",
    },
    Scenario {
        code: "equipment_networking",
        name_zh: "设备联网",
        name_en: "equipment networking",
    },
    Scenario {
        code: "predictive_maintenance",
        name_zh: "预测性维护",
        name_en: "predictive maintenance",
    },
    Scenario {
        code: "energy_management",
        name_zh: "能源管理",
        name_en: "energy management",
    },
    Scenario {
        code: "energy_monitoring",
        name_zh: "能耗监测",
        name_en: "energy monitoring",
    },
    Scenario {
        code: "carbon_management",
        name_zh: "碳排放管理",
        name_en: "carbon management",
    },
    Scenario {
        code: "safety_management",
        name_zh: "安全生产",
        name_en: "production safety",
    },
    Scenario {
        code: "warehouse_logistics",
        name_zh: "仓储物流",
        name_en: "warehousing and logistics",
    },
    Scenario {
        code: "supply_chain",
        name_zh: "供应链协同",
        name_en: "supply chain collaboration",
    },
    Scenario {
        code: "digital_twin",
        name_zh: "数字孪生",
        name_en: "digital twin",
    },
    Scenario {
        code: "enterprise_management",
        name_zh: "经营管理",
        name_en: "enterprise management",
    },
    Scenario {
        code: "cloud_adoption",
        name_zh: "企业上云",
        name_en: "cloud adoption",
    },
    Scenario {
        code: "data_collection",
        name_zh: "数据采集",
        name_en: "data collection",
    },
    Scenario {
        code: "mes",
        name_zh: "制造执行系统",
        name_en: "manufacturing execution system (MES)",
    },
    Scenario {
        code: "aps",
        name_zh: "高级计划排程",
        name_en: "advanced planning and scheduling (APS)",
    },
    Scenario {
        code: "safety",
        name_zh: "安全生产与应急管理",
        name_en: "safety production and emergency management",
    },
    Scenario {
        code: "carbon",
        name_zh: "碳排放核算与碳管理",
        name_en: "carbon accounting and management",
    },
    Scenario {
        code: "erp",
        name_zh: "企业资源计划",
        name_en: "enterprise resource planning (ERP)",
    },
    Scenario {
        code: "warehouse",
        name_zh: "仓储物流",
        name_en: "warehouse and logistics (WMS)",
    },
];

/// Returns the scenario with this code (ignoring case and surrounding blanks).
pub fn scenario(code: &str) -> Option<&'static Scenario> {
    let code = code.trim();
    SCENARIOS
        .iter()
        .find(|scenario| scenario.code.eq_ignore_ascii_case(code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_unique_identifiers() {
        for (index, scenario) in SCENARIOS.iter().enumerate() {
            assert!(
                scenario
                    .code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '_'),
                "{}",
                scenario.code
            );
            assert!(
                SCENARIOS[index + 1..]
                    .iter()
                    .all(|other| other.code != scenario.code)
            );
        }
        assert_eq!(
            scenario(" Predictive_Maintenance ").map(|s| s.name_zh),
            Some("预测性维护")
        );
        assert_eq!(scenario("预测性维护"), None);
    }
}
