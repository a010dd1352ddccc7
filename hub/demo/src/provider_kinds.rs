//! The kinds of service providers in the catalog (what their names say they do and the
//! scenarios they serve) and the qualifications they hold.

/// A kind of service provider: its business words and the scenarios it does.
#[derive(Debug, PartialEq)]
pub(crate) struct ProviderKind {
    /// The business in the registered name (工业互联网科技).
    pub business_zh: &'static str,
    /// The business in the English name.
    pub business_en: &'static str,
    /// What it calls itself in its profile.
    pub descriptor: &'static str,
    /// Scenarios it does, main one first.
    pub scenarios: &'static [&'static str],
    /// Relative frequency.
    pub weight: f64,
}

/// The kinds of providers in the catalog.
pub(crate) static PROVIDER_KINDS: [ProviderKind; 16] = [
    ProviderKind {
        business_zh: "工业互联网科技",
        business_en: "Industrial Internet Technology",
        descriptor: "工业互联网平台服务商",
        scenarios: &[
            "equipment_networking",
            "predictive_maintenance",
            "digital_twin",
            "energy_management",
            "mes",
        ],
        weight: 2.0,
    },
    ProviderKind {
        business_zh: "软件",
        business_en: "Software",
        descriptor: "工业软件开发商",
        scenarios: &["mes", "aps", "erp", "warehouse", "quality_inspection"],
        weight: 2.0,
    },
    ProviderKind {
        business_zh: "信息技术",
        business_en: "Information Technology",
        descriptor: "企业信息化解决方案提供商",
        scenarios: &["erp", "mes", "supply_chain", "warehouse"],
        weight: 1.5,
    },
    ProviderKind {
        business_zh: "智能科技",
        business_en: "Intelligent Technology",
        descriptor: "人工智能与智能制造解决方案提供商",
        scenarios: &[
            "quality_inspection",
            "process_optimization",
            "predictive_maintenance",
            "aps",
        ],
        weight: 1.5,
    },
    ProviderKind {
        business_zh: "自动化",
        business_en: "Automation",
        descriptor: "自动化系统集成商",
        scenarios: &[
            "equipment_networking",
            "mes",
            "process_optimization",
            "quality_inspection",
            "warehouse",
        ],
        weight: 1.5,
    },
    ProviderKind {
        business_zh: "节能科技",
        business_en: "Energy Saving Technology",
        descriptor: "节能服务与能源管理解决方案提供商",
        scenarios: &["energy_management", "carbon", "process_optimization"],
        weight: 1.2,
    },
    ProviderKind {
        business_zh: "环保科技",
        business_en: "Environmental Technology",
        descriptor: "绿色低碳与环境管理服务商",
        scenarios: &["carbon", "energy_management", "safety"],
        weight: 0.8,
    },
    ProviderKind {
        business_zh: "视觉科技",
        business_en: "Vision Technology",
        descriptor: "机器视觉检测设备与软件提供商",
        scenarios: &["quality_inspection", "safety"],
        weight: 0.8,
    },
    ProviderKind {
        business_zh: "数字科技",
        business_en: "Digital Technology",
        descriptor: "数字化转型综合服务商",
        scenarios: &["digital_twin", "rd_design", "supply_chain", "mes", "carbon"],
        weight: 1.2,
    },
    ProviderKind {
        business_zh: "物联网科技",
        business_en: "IoT Technology",
        descriptor: "工业物联网解决方案提供商",
        scenarios: &[
            "equipment_networking",
            "safety",
            "energy_management",
            "predictive_maintenance",
        ],
        weight: 1.0,
    },
    ProviderKind {
        business_zh: "安全技术",
        business_en: "Safety Technology",
        descriptor: "安全生产信息化服务商",
        scenarios: &["safety", "equipment_networking", "digital_twin"],
        weight: 0.7,
    },
    ProviderKind {
        business_zh: "工程技术",
        business_en: "Engineering Technology",
        descriptor: "工程设计与仿真服务商",
        scenarios: &["rd_design", "process_optimization", "digital_twin"],
        weight: 0.7,
    },
    ProviderKind {
        business_zh: "供应链管理",
        business_en: "Supply Chain Management",
        descriptor: "供应链数字化服务商",
        scenarios: &["supply_chain", "warehouse", "erp"],
        weight: 0.7,
    },
    ProviderKind {
        business_zh: "机器人",
        business_en: "Robotics",
        descriptor: "工业机器人与智能物流装备提供商",
        scenarios: &["warehouse", "quality_inspection", "process_optimization"],
        weight: 0.7,
    },
    ProviderKind {
        business_zh: "管理咨询",
        business_en: "Management Consulting",
        descriptor: "智能制造诊断与转型咨询机构",
        scenarios: &["mes", "aps", "energy_management", "carbon", "supply_chain"],
        weight: 0.8,
    },
    ProviderKind {
        business_zh: "数据科技",
        business_en: "Data Technology",
        descriptor: "工业大数据服务商",
        scenarios: &[
            "process_optimization",
            "energy_management",
            "aps",
            "carbon",
            "predictive_maintenance",
        ],
        weight: 0.9,
    },
];

/// Qualifications providers hold.
pub(crate) const QUALIFICATIONS: &[&str] = &[
    "高新技术企业",
    "专精特新中小企业",
    "ISO 9001质量管理体系认证",
    "ISO 27001信息安全管理体系认证",
    "CMMI 3级",
    "CMMI 5级",
    "两化融合管理体系评定",
    "信息系统建设和服务能力等级CS3",
    "工业互联网平台解决方案供应商",
    "省级智能制造服务商",
    "星级上云服务商",
    "DCMM数据管理能力成熟度3级",
    "节能服务公司备案",
    "安全生产标准化咨询资质",
];
