//! The vocabulary of the catalog, projects and needs: transformation scenarios with their
//! Chinese product names, description sentences, benefits, need titles and project names.
//!
//! Placeholders in templates: `{industry}` (钢铁行业), `{equipment}` (高炉、转炉等),
//! `{process}` (炼铁、炼钢), and numbers `{a}` 10–40, `{b}` 5–30, `{c}` 90–99, `{d}` 20–60,
//! `{n}` 50–3000, `{h}` 4–16, `{m}` 6–36, `{s}` 1–5, `{x}` 20–45, `{y}` 75–95.

use rand_chacha::ChaCha8Rng;

use super::random::integer;

/// A transformation scenario and the words that describe it.
#[derive(Debug, PartialEq)]
pub(crate) struct Scenario {
    /// Code used in `scenarios`, `category` and `scenario` columns.
    pub code: &'static str,
    /// Chinese name.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Category of shared applications of the scenario.
    pub app_category: &'static str,
    /// Categories of service offerings of the scenario.
    pub offering_categories: &'static [&'static str],
    /// Deployments offerings of the scenario use, most typical first.
    pub deployments: &'static [&'static str],
    /// Product nouns of offerings (Chinese, English).
    pub offering_nouns: &'static [(&'static str, &'static str)],
    /// Product nouns of shared applications (Chinese, English).
    pub app_nouns: &'static [(&'static str, &'static str)],
    /// Opening sentences (with `{industry}`, `{equipment}`, `{process}`).
    pub intros: &'static [&'static str],
    /// Feature sentences.
    pub features: &'static [&'static str],
    /// Benefit sentences (with numbers).
    pub benefits: &'static [&'static str],
    /// Titles of enterprises' needs (with `{equipment}`).
    pub need_titles: &'static [&'static str],
    /// What an enterprise with the need wants.
    pub need_goals: &'static [&'static str],
    /// Names of point projects (after the enterprise's short name).
    pub project_nouns: &'static [&'static str],
    /// Price range of an offering (10k yuan).
    pub offering_price: (f64, f64),
    /// Yearly price range of a shared application (10k yuan).
    pub app_price: (f64, f64),
    /// Maturity levels the scenario suits.
    pub maturity: (i64, i64),
}

/// The scenarios of the catalog.
pub(crate) static SCENARIOS: [Scenario; 14] = [
    Scenario {
        code: "predictive_maintenance",
        name_zh: "预测性维护",
        name_en: "Predictive maintenance",
        app_category: "maintenance",
        offering_categories: &[
            "platform",
            "industrial_software",
            "integration",
            "equipment_upgrade",
        ],
        deployments: &["edge", "hybrid", "saas", "on_premise"],
        offering_nouns: &[
            ("设备预测性维护解决方案", "Predictive Maintenance Solution"),
            ("设备健康管理平台", "Equipment Health Management Platform"),
            (
                "振动监测与故障诊断系统",
                "Vibration Monitoring and Fault Diagnosis System",
            ),
            (
                "关键设备预测性维护服务",
                "Critical Equipment Predictive Maintenance Service",
            ),
            (
                "智能运维与预测性维护平台",
                "Smart O&M and Predictive Maintenance Platform",
            ),
            (
                "旋转机械在线监测系统",
                "Rotating Machinery Online Monitoring System",
            ),
        ],
        app_nouns: &[
            ("设备健康管理SaaS", "Equipment Health SaaS"),
            ("预测性维护云", "Predictive Maintenance Cloud"),
            ("振动监测App", "Vibration Monitoring App"),
            (
                "点检巡检与预测性维护助手",
                "Inspection and Predictive Maintenance Assistant",
            ),
            ("故障诊断专家系统", "Fault Diagnosis Expert System"),
        ],
        intros: &[
            "针对{industry}{equipment}等关键设备故障停机损失大、依赖人工点检的问题，提供基于振动、温度、电流等多源数据的预测性维护服务。",
            "面向{industry}的{equipment}等设备，通过加装无线振动与温度传感器实现设备状态在线监测，将事后维修、定期检修转变为预测性维护。",
            "本方案聚焦{industry}关键设备健康管理，覆盖{equipment}等旋转与往复设备，帮助企业建立预测性维护体系。",
        ],
        features: &[
            "平台内置轴承、齿轮、电机等典型故障机理模型，结合机器学习算法实现故障诊断和剩余寿命预测。",
            "支持设备健康度评分、异常预警、维修工单闭环和备件库存联动，减少非计划停机。",
            "边缘采集网关支持振动高频采样与特征提取、断网续传，可与MES、EAM系统集成。",
            "提供设备点检巡检移动端、故障知识库与专家远程诊断服务。",
        ],
        benefits: &[
            "典型项目实施后设备非计划停机时间降低{a}%，维修成本下降{b}%。",
            "已累计接入设备{n}余台，故障预警准确率超过{c}%。",
        ],
        need_titles: &[
            "{equipment}预测性维护",
            "关键设备振动监测与故障预警",
            "设备健康管理与预测性维护平台建设",
        ],
        need_goals: &[
            "希望通过加装传感器实现{equipment}等关键设备状态在线监测和故障预警，降低非计划停机，推进预测性维护。",
            "设备故障多靠事后抢修，备件库存高，希望建立设备健康管理和预测性维护体系。",
        ],
        project_nouns: &["关键设备预测性维护改造项目", "设备健康管理平台建设项目"],
        offering_price: (20.0, 300.0),
        app_price: (1.0, 20.0),
        maturity: (2, 4),
    },
    Scenario {
        code: "energy_management",
        name_zh: "能源管理",
        name_en: "Energy management",
        app_category: "energy",
        offering_categories: &[
            "platform",
            "industrial_software",
            "equipment_upgrade",
            "integration",
        ],
        deployments: &["saas", "hybrid", "on_premise", "edge"],
        offering_nouns: &[
            ("能源管理系统", "Energy Management System"),
            (
                "能耗在线监测平台",
                "Online Energy Consumption Monitoring Platform",
            ),
            (
                "综合能效提升解决方案",
                "Energy Efficiency Improvement Solution",
            ),
            (
                "空压站节能改造服务",
                "Compressed Air Station Energy Saving Retrofit",
            ),
            ("能源管控中心建设方案", "Energy Control Centre Solution"),
            (
                "余热余压利用节能服务",
                "Waste Heat Recovery Energy Saving Service",
            ),
        ],
        app_nouns: &[
            ("能耗监测SaaS", "Energy Monitoring SaaS"),
            ("能源管理云", "Energy Management Cloud"),
            ("智慧能源看板", "Smart Energy Dashboard"),
            ("用能诊断助手", "Energy Audit Assistant"),
            ("峰谷用电优化工具", "Peak-Valley Power Optimisation Tool"),
        ],
        intros: &[
            "针对{industry}{equipment}等重点用能设备能耗高、计量不全的问题，提供覆盖电、气、水、蒸汽的能耗在线监测与能源管理服务。",
            "面向{industry}，以能源计量数据采集为基础建设能源管理系统，实现能耗实时监测、能效对标和节能诊断。",
            "本方案帮助{industry}企业摸清{equipment}等设备的用能底数，降低单位产品能耗和万元产值能耗。",
        ],
        features: &[
            "系统按车间、产线、设备三级建立能耗台账，自动折算标准煤，生成能源平衡表和能耗报表。",
            "内置峰谷平电价策略与负荷预测模型，支持需量管理和错峰生产建议。",
            "提供能效对标、异常用能告警和节能潜力分析，满足重点用能单位能耗在线监测系统对接要求。",
            "可与空压站、锅炉房、制冷站群控系统联动，实现公辅设施节能优化运行。",
        ],
        benefits: &[
            "项目实施后综合能耗降低{b}%，年节约标准煤约{n}吨。",
            "用能企业平均电费下降{b}%，投资回收期约{m}个月。",
        ],
        need_titles: &[
            "能耗在线监测系统建设",
            "{equipment}能耗监测与节能改造",
            "空压站与公辅系统节能优化",
        ],
        need_goals: &[
            "希望建立覆盖全厂的能耗监测体系，分车间、分设备计量电、气、蒸汽消耗，找出节能潜力，降低单位产品能耗。",
            "{equipment}等设备用能偏高、电费支出大，希望开展能效诊断和节能改造，建设能源管理系统。",
        ],
        project_nouns: &["能源管理系统建设项目", "能耗在线监测与节能改造项目"],
        offering_price: (10.0, 200.0),
        app_price: (0.5, 10.0),
        maturity: (1, 3),
    },
    Scenario {
        code: "mes",
        name_zh: "MES制造执行系统",
        name_en: "Manufacturing execution system",
        app_category: "mes",
        offering_categories: &["industrial_software", "integration", "platform"],
        deployments: &["on_premise", "hybrid", "saas"],
        offering_nouns: &[
            ("MES制造执行系统", "Manufacturing Execution System"),
            ("数字化车间MES解决方案", "Digital Workshop MES Solution"),
            (
                "轻量化MES实施服务",
                "Lightweight MES Implementation Service",
            ),
            ("生产过程管理系统", "Production Process Management System"),
            ("智能工厂MES平台", "Smart Factory MES Platform"),
        ],
        app_nouns: &[
            ("云MES", "Cloud MES"),
            ("轻量化MES", "Lightweight MES"),
            ("生产报工App", "Production Reporting App"),
            ("车间看板", "Shop-floor Dashboard"),
            ("质量追溯系统", "Quality Traceability System"),
        ],
        intros: &[
            "面向{industry}{process}等生产环节，提供MES制造执行系统，打通计划、生产、质量、设备和仓储数据。",
            "针对{industry}生产过程纸质记录多、在制品不透明、质量难追溯的问题，建设制造执行系统（MES），实现生产过程数字化管控。",
            "本方案面向{equipment}等产线，实现工单下发、生产报工、物料追溯和车间可视化，是{industry}数字化车间建设的核心系统。",
        ],
        features: &[
            "支持工单管理、排产下达、扫码报工、首检巡检、批次追溯与在制品管理。",
            "通过设备数据采集自动统计OEE、产量和停机原因，车间大屏实时展示生产进度。",
            "可与ERP、WMS、PLM系统集成，支持多工厂部署和移动端操作。",
            "提供行业模板，标准功能两至三个月即可上线。",
        ],
        benefits: &[
            "项目实施后生产效率提升{a}%，在制品库存下降{b}%，质量问题可在分钟级追溯到批次。",
            "客户平均订单准时交付率提升至{c}%以上。",
        ],
        need_titles: &[
            "车间MES制造执行系统建设",
            "生产过程数字化与质量追溯",
            "{equipment}产线数字化车间改造",
        ],
        need_goals: &[
            "目前生产计划靠Excel、报工靠纸质单据，希望上线MES系统，实现工单、报工、质量追溯和车间看板。",
            "希望以{equipment}产线为试点建设数字化车间，实时掌握生产进度、设备状态和质量数据。",
        ],
        project_nouns: &["数字化车间MES建设项目", "制造执行系统升级项目"],
        offering_price: (30.0, 400.0),
        app_price: (2.0, 30.0),
        maturity: (2, 4),
    },
    Scenario {
        code: "aps",
        name_zh: "APS高级计划排程",
        name_en: "Advanced planning and scheduling",
        app_category: "scheduling",
        offering_categories: &["industrial_software", "consulting", "platform"],
        deployments: &["on_premise", "saas", "hybrid"],
        offering_nouns: &[
            (
                "APS高级计划排程系统",
                "Advanced Planning and Scheduling System",
            ),
            (
                "智能排产解决方案",
                "Intelligent Production Scheduling Solution",
            ),
            (
                "多工厂协同计划平台",
                "Multi-plant Collaborative Planning Platform",
            ),
            (
                "订单交期预测与排程优化服务",
                "Delivery Prediction and Scheduling Optimisation Service",
            ),
        ],
        app_nouns: &[
            ("智能排产SaaS", "Smart Scheduling SaaS"),
            ("APS排程云", "APS Cloud"),
            ("产能负荷分析工具", "Capacity Load Analyser"),
            ("插单评估助手", "Rush Order Evaluation Assistant"),
        ],
        intros: &[
            "针对{industry}多品种小批量、插单频繁、人工排产效率低的问题，提供APS高级计划排程系统。",
            "面向{industry}{equipment}等瓶颈资源，基于约束理论和优化算法实现智能排产与产能平衡。",
        ],
        features: &[
            "综合考虑设备产能、模具、物料齐套、人员班次和换型时间，分钟级生成可执行的排产计划。",
            "支持插单模拟、交期承诺和产能负荷分析，排产结果可直接下发MES执行。",
            "提供甘特图拖拽调整和多方案对比，计划员可快速响应订单变化。",
        ],
        benefits: &[
            "客户排产时间由{h}小时缩短到{m}分钟，订单准时交付率提升{a}%。",
            "设备综合利用率提升{b}%，换型次数减少{d}%。",
        ],
        need_titles: &[
            "智能排产系统建设",
            "{equipment}产线APS排程优化",
            "订单交期管理与排产优化",
        ],
        need_goals: &[
            "订单品种多、插单多，计划员人工排产耗时长、交期难以承诺，希望引入APS高级计划排程，实现智能排产。",
        ],
        project_nouns: &["APS智能排产系统建设项目", "计划排程优化项目"],
        offering_price: (20.0, 250.0),
        app_price: (2.0, 20.0),
        maturity: (2, 5),
    },
    Scenario {
        code: "quality_inspection",
        name_zh: "机器视觉质量检测",
        name_en: "Machine-vision quality inspection",
        app_category: "quality",
        offering_categories: &["equipment_upgrade", "integration", "industrial_software"],
        deployments: &["edge", "on_premise", "hybrid"],
        offering_nouns: &[
            (
                "机器视觉缺陷检测系统",
                "Machine Vision Defect Detection System",
            ),
            (
                "AI视觉质检解决方案",
                "AI Visual Quality Inspection Solution",
            ),
            ("在线视觉检测设备", "Inline Visual Inspection Equipment"),
            ("表面缺陷检测服务", "Surface Defect Detection Service"),
            (
                "智能质检与质量分析平台",
                "Smart Quality Inspection and Analytics Platform",
            ),
        ],
        app_nouns: &[
            ("视觉质检云", "Visual Inspection Cloud"),
            ("缺陷检测模型训练平台", "Defect Model Training Platform"),
            ("SPC质量分析", "SPC Quality Analytics"),
            ("质检App", "Quality Inspection App"),
        ],
        intros: &[
            "针对{industry}产品外观缺陷依赖人工目检、漏检率高的问题，提供基于深度学习的机器视觉质量检测方案。",
            "面向{industry}{equipment}等工位，部署工业相机与边缘AI盒子，实现在线视觉检测和缺陷自动分类。",
            "本方案将视觉检测、缺陷检测与质量追溯结合，帮助{industry}企业实现质检数字化。",
        ],
        features: &[
            "支持划痕、裂纹、污渍、尺寸偏差等缺陷检测，小样本即可训练模型，检测节拍满足产线要求。",
            "检测结果自动写入质量追溯系统，结合SPC统计过程控制分析缺陷成因。",
            "提供光源、相机选型与安装调试服务，可与PLC联动自动剔除不良品。",
        ],
        benefits: &[
            "上线后漏检率降至千分之{s}以下，质检人员减少{a}%。",
            "质检效率提升{s}倍，客户投诉率下降{d}%。",
        ],
        need_titles: &[
            "产品外观缺陷视觉检测",
            "{equipment}工位机器视觉质检",
            "质检数字化与质量追溯",
        ],
        need_goals: &[
            "目前产品外观检测依赖人工目检，效率低且漏检多，希望引入机器视觉检测，实现缺陷自动识别与分类统计。",
        ],
        project_nouns: &["机器视觉质检改造项目", "AI视觉缺陷检测项目"],
        offering_price: (15.0, 200.0),
        app_price: (1.0, 15.0),
        maturity: (2, 4),
    },
    Scenario {
        code: "supply_chain",
        name_zh: "供应链协同",
        name_en: "Supply-chain collaboration",
        app_category: "supply_chain",
        offering_categories: &["platform", "industrial_software", "integration"],
        deployments: &["saas", "hybrid", "on_premise"],
        offering_nouns: &[
            ("供应链协同平台", "Supply Chain Collaboration Platform"),
            (
                "产业链上下游协同解决方案",
                "Industrial Chain Collaboration Solution",
            ),
            (
                "SRM供应商关系管理系统",
                "Supplier Relationship Management System",
            ),
            (
                "订单协同与库存共享服务",
                "Order Collaboration and Inventory Sharing Service",
            ),
            (
                "链主企业供应链数字化方案",
                "Chain Leader Supply Chain Digitalisation Solution",
            ),
        ],
        app_nouns: &[
            ("供应商协同门户", "Supplier Collaboration Portal"),
            ("采购协同SaaS", "Procurement Collaboration SaaS"),
            ("订单协同App", "Order Collaboration App"),
            ("供应链金融服务平台", "Supply Chain Finance Platform"),
        ],
        intros: &[
            "面向{industry}链主企业及其上下游配套企业，提供供应链协同平台，打通订单、预测、库存和物流信息。",
            "针对{industry}产业链配套企业多、信息传递靠电话和邮件的问题，建设供应链协同与供应商管理系统。",
        ],
        features: &[
            "支持需求预测共享、采购订单协同、交货计划确认、送货单与质检结果在线流转。",
            "供应商可通过门户或小程序接单，链主企业实时掌握配套企业产能和库存。",
            "提供供应商绩效评价、质量协同和对账结算功能，可对接供应链金融服务。",
        ],
        benefits: &[
            "链上企业平均库存周转天数减少{a}%，采购协同效率提升{d}%。",
            "已服务产业链配套企业{n}余家。",
        ],
        need_titles: &[
            "供应链协同平台建设",
            "供应商订单与交付协同",
            "产业链上下游数据共享",
        ],
        need_goals: &[
            "希望与主要客户和供应商实现订单、交期、库存信息在线协同，减少电话沟通和缺料停线。",
        ],
        project_nouns: &["供应链协同平台项目", "供应链数字化协同项目"],
        offering_price: (20.0, 300.0),
        app_price: (1.0, 20.0),
        maturity: (2, 5),
    },
    Scenario {
        code: "digital_twin",
        name_zh: "数字孪生",
        name_en: "Digital twin",
        app_category: "twin",
        offering_categories: &["platform", "industrial_software", "integration"],
        deployments: &["on_premise", "hybrid"],
        offering_nouns: &[
            ("数字孪生工厂解决方案", "Digital Twin Factory Solution"),
            (
                "产线数字孪生与虚拟调试平台",
                "Production Line Digital Twin and Virtual Commissioning Platform",
            ),
            ("三维可视化工厂", "3D Visual Factory"),
            ("数字孪生园区平台", "Digital Twin Park Platform"),
        ],
        app_nouns: &[
            ("三维数字孪生看板", "3D Digital Twin Dashboard"),
            ("虚拟调试工具", "Virtual Commissioning Tool"),
            ("工厂仿真云", "Factory Simulation Cloud"),
        ],
        intros: &[
            "面向{industry}，构建工厂、产线和{equipment}等设备的数字孪生模型，实现物理工厂与虚拟工厂的实时映射。",
            "针对{industry}新建产线调试周期长、工艺调整风险高的问题，提供基于数字孪生的仿真与虚拟调试服务。",
        ],
        features: &[
            "融合三维建模、实时数据采集和机理模型，在三维场景中监控生产状态、能耗与设备健康。",
            "支持产线布局仿真、物流仿真和工艺参数寻优，降低试错成本。",
            "可与MES、SCADA和能源管理系统对接，为管理层提供全局可视化驾驶舱。",
        ],
        benefits: &["产线调试周期缩短{a}%，新品导入时间缩短{b}%。"],
        need_titles: &["工厂数字孪生与三维可视化", "{equipment}产线数字孪生建设"],
        need_goals: &[
            "希望建设工厂三维可视化和数字孪生平台，集中展示设备状态、生产进度和能耗，为新产线规划提供仿真支持。",
        ],
        project_nouns: &["数字孪生工厂建设项目", "产线数字孪生项目"],
        offering_price: (50.0, 500.0),
        app_price: (3.0, 30.0),
        maturity: (3, 5),
    },
    Scenario {
        code: "safety",
        name_zh: "安全生产与应急管理",
        name_en: "Safety production and emergency management",
        app_category: "safety",
        offering_categories: &["platform", "integration", "industrial_software"],
        deployments: &["hybrid", "on_premise", "saas"],
        offering_nouns: &[
            (
                "安全生产信息化管理平台",
                "Safety Production Management Platform",
            ),
            (
                "危化品安全风险监测预警系统",
                "Hazardous Chemicals Risk Monitoring and Early Warning System",
            ),
            (
                "双重预防机制数字化系统",
                "Dual Prevention Mechanism Digital System",
            ),
            (
                "智能视频安全监控解决方案",
                "Intelligent Video Safety Surveillance Solution",
            ),
            ("应急管理指挥平台", "Emergency Management Command Platform"),
        ],
        app_nouns: &[
            ("安全巡检App", "Safety Inspection App"),
            ("隐患排查治理SaaS", "Hazard Investigation SaaS"),
            ("特殊作业票管理", "Special Work Permit Management"),
            ("AI视频安全识别", "AI Video Safety Recognition"),
        ],
        intros: &[
            "针对{industry}{equipment}等重大危险源和高风险作业，提供安全生产风险监测预警与应急管理解决方案。",
            "面向{industry}，落实安全风险分级管控和隐患排查治理双重预防机制，实现安全生产管理数字化。",
        ],
        features: &[
            "接入可燃有毒气体、温度压力、液位等监测数据与视频，实现重大危险源实时监测和分级预警。",
            "支持特殊作业票电子化审批、人员定位、AI识别未戴安全帽和违规作业。",
            "提供应急预案管理、应急物资台账和应急演练，事故发生时一键启动应急响应。",
        ],
        benefits: &["客户隐患整改闭环率达到{c}%，安全事故起数下降{d}%。"],
        need_titles: &[
            "安全生产风险监测预警",
            "特殊作业与隐患排查数字化",
            "{equipment}区域安全监控与应急管理",
        ],
        need_goals: &[
            "希望建设安全生产管理平台，实现隐患排查、特殊作业审批和重大危险源监测的数字化，提升应急管理能力。",
        ],
        project_nouns: &["安全生产数字化管理项目", "安全风险监测预警系统建设项目"],
        offering_price: (20.0, 300.0),
        app_price: (0.5, 10.0),
        maturity: (1, 3),
    },
    Scenario {
        code: "equipment_networking",
        name_zh: "设备联网与数据采集",
        name_en: "Equipment networking and data acquisition",
        app_category: "iot",
        offering_categories: &["platform", "integration", "equipment_upgrade"],
        deployments: &["edge", "hybrid", "saas"],
        offering_nouns: &[
            (
                "设备联网与数据采集解决方案",
                "Equipment Networking and Data Acquisition Solution",
            ),
            ("工业互联网平台", "Industrial Internet Platform"),
            (
                "边缘计算网关与数采服务",
                "Edge Gateway and Data Acquisition Service",
            ),
            (
                "5G+工业互联网改造服务",
                "5G Industrial Internet Retrofit Service",
            ),
            (
                "SCADA数据采集与监控系统",
                "SCADA Data Acquisition and Monitoring System",
            ),
            (
                "工业互联网标识解析应用",
                "Industrial Internet Identifier Resolution Application",
            ),
        ],
        app_nouns: &[
            ("设备物联云", "Equipment IoT Cloud"),
            ("数采网关管理平台", "Data Gateway Management Platform"),
            ("设备OEE看板", "Equipment OEE Dashboard"),
            ("工业APP开发平台", "Industrial App Development Platform"),
        ],
        intros: &[
            "针对{industry}{equipment}等设备品牌多、协议杂、数据孤岛的问题，提供设备联网与数据采集服务。",
            "面向{industry}，基于工业互联网平台实现设备联网、数据采集和边缘计算，为MES、能源管理和预测性维护提供数据底座。",
        ],
        features: &[
            "支持主流PLC与数控系统通信，以及Modbus、OPC UA、MQTT等工业协议。",
            "边缘网关实现数据清洗、断点续传和本地计算，平台提供设备台账、OEE分析和报警管理。",
            "可提供5G专网、工业网络改造和网络安全防护服务，助力提升设备联网率。",
        ],
        benefits: &["项目实施后设备联网率由{x}%提升到{y}%，数据采集延迟低于{s}秒。"],
        need_titles: &[
            "车间设备联网与数据采集",
            "{equipment}数据采集与OEE分析",
            "工业互联网平台接入",
        ],
        need_goals: &[
            "车间设备品牌多、数据无法采集，希望实现设备联网和数据采集，实时掌握设备状态和OEE，提升设备联网率。",
        ],
        project_nouns: &["设备联网与数据采集改造项目", "工业互联网平台应用项目"],
        offering_price: (10.0, 250.0),
        app_price: (0.5, 12.0),
        maturity: (1, 3),
    },
    Scenario {
        code: "carbon",
        name_zh: "碳排放核算与碳管理",
        name_en: "Carbon accounting and management",
        app_category: "carbon",
        offering_categories: &["platform", "consulting", "industrial_software"],
        deployments: &["saas", "hybrid"],
        offering_nouns: &[
            (
                "碳排放核算与碳管理平台",
                "Carbon Accounting and Management Platform",
            ),
            ("产品碳足迹核算服务", "Product Carbon Footprint Service"),
            ("企业碳资产管理解决方案", "Carbon Asset Management Solution"),
            (
                "绿色工厂与碳达峰咨询服务",
                "Green Factory and Carbon Peak Consulting",
            ),
        ],
        app_nouns: &[
            ("碳管理SaaS", "Carbon Management SaaS"),
            ("碳足迹计算器", "Carbon Footprint Calculator"),
            ("碳排放监测看板", "Carbon Emission Dashboard"),
            (
                "绿电与碳配额管理",
                "Green Power and Carbon Quota Management",
            ),
        ],
        intros: &[
            "面向{industry}，依据温室气体排放核算指南，提供碳排放核算、碳管理和产品碳足迹服务。",
            "针对{industry}应对碳排放权交易和出口产品碳足迹要求的需要，基于能耗数据自动完成碳排放核算。",
        ],
        features: &[
            "自动采集电、天然气、蒸汽等能源消耗数据，按排放因子计算范围一、范围二排放，生成碳排放报告。",
            "支持产品碳足迹核算、碳配额与CCER管理、减排项目跟踪和碳达峰路径模拟。",
            "与能源管理系统联动，识别{equipment}等高排放环节并给出节能降碳建议。",
        ],
        benefits: &["帮助客户碳排放核算效率提升{d}%，单位产品碳排放下降{b}%。"],
        need_titles: &[
            "企业碳排放核算与碳管理",
            "产品碳足迹核算",
            "节能降碳与碳管理平台",
        ],
        need_goals: &[
            "下游客户要求提供产品碳足迹，希望建立碳排放核算体系，掌握企业碳排放并制定降碳措施。",
        ],
        project_nouns: &["碳管理平台建设项目", "碳排放监测与核算项目"],
        offering_price: (10.0, 150.0),
        app_price: (0.5, 8.0),
        maturity: (1, 4),
    },
    Scenario {
        code: "erp",
        name_zh: "ERP企业资源计划",
        name_en: "Enterprise resource planning",
        app_category: "erp",
        offering_categories: &["industrial_software", "integration"],
        deployments: &["saas", "on_premise", "hybrid"],
        offering_nouns: &[
            ("ERP企业资源计划系统", "Enterprise Resource Planning System"),
            (
                "制造业ERP实施服务",
                "Manufacturing ERP Implementation Service",
            ),
            (
                "业财一体化解决方案",
                "Business-Finance Integration Solution",
            ),
            ("中小企业云ERP", "SME Cloud ERP"),
        ],
        app_nouns: &[
            ("云ERP", "Cloud ERP"),
            ("进销存SaaS", "Purchase-Sales-Inventory SaaS"),
            ("财务共享平台", "Financial Shared Services Platform"),
            ("移动审批", "Mobile Approval"),
        ],
        intros: &[
            "面向{industry}中小企业，提供覆盖采购、销售、库存、生产和财务的ERP企业资源计划系统。",
            "针对{industry}业务数据分散、财务核算滞后的问题，提供业财一体化的ERP解决方案。",
        ],
        features: &[
            "支持多组织、多工厂、多币种管理，成本核算精确到工单和批次。",
            "与MES、WMS、OA系统集成，实现订单到收款、采购到付款全流程在线。",
            "SaaS订阅模式开箱即用，也可私有化部署并按行业定制。",
        ],
        benefits: &["客户月结时间由{h}天缩短到{s}天，库存准确率达到{c}%。"],
        need_titles: &["ERP系统升级与业财一体化", "进销存与财务管理数字化"],
        need_goals: &[
            "现有财务软件与业务系统割裂，希望上线ERP，实现采购、销售、库存、生产与财务一体化管理。",
        ],
        project_nouns: &["ERP系统建设项目", "业财一体化升级项目"],
        offering_price: (10.0, 300.0),
        app_price: (0.5, 15.0),
        maturity: (1, 3),
    },
    Scenario {
        code: "warehouse",
        name_zh: "WMS仓储物流",
        name_en: "Warehouse and logistics",
        app_category: "wms",
        offering_categories: &["industrial_software", "integration", "equipment_upgrade"],
        deployments: &["on_premise", "saas", "hybrid"],
        offering_nouns: &[
            ("WMS仓储管理系统", "Warehouse Management System"),
            (
                "智能仓储物流解决方案",
                "Smart Warehousing and Logistics Solution",
            ),
            ("AGV厂内物流改造服务", "AGV Intralogistics Retrofit Service"),
            (
                "立体仓库集成服务",
                "Automated Storage and Retrieval System Integration",
            ),
        ],
        app_nouns: &[
            ("云WMS", "Cloud WMS"),
            ("扫码出入库App", "Barcode Stock In-Out App"),
            ("厂内物流调度", "Intralogistics Dispatching"),
            ("TMS运输管理", "Transport Management System"),
        ],
        intros: &[
            "面向{industry}原材料、半成品和成品仓库，提供WMS仓储管理与智能物流解决方案。",
            "针对{industry}库存账实不符、找料慢、厂内转运依赖人工的问题，建设智能仓储物流系统。",
        ],
        features: &[
            "支持条码/RFID出入库、库位管理、先进先出、盘点和批次追溯。",
            "可集成立体仓库、AGV和输送线，实现产线物料自动配送。",
            "与ERP、MES无缝对接，库存数据实时同步。",
        ],
        benefits: &["库存准确率提升至{c}%，仓储人员减少{a}%，出入库效率提升{d}%。"],
        need_titles: &[
            "仓储管理WMS系统建设",
            "厂内物流AGV配送改造",
            "原材料与成品库数字化管理",
        ],
        need_goals: &[
            "仓库账实不符、找料耗时，希望上线WMS实现条码化出入库，并评估AGV厂内物流配送。",
        ],
        project_nouns: &["智能仓储物流改造项目", "WMS仓储管理系统建设项目"],
        offering_price: (15.0, 400.0),
        app_price: (0.5, 10.0),
        maturity: (2, 4),
    },
    Scenario {
        code: "rd_design",
        name_zh: "研发设计",
        name_en: "R&D and design",
        app_category: "plm",
        offering_categories: &["industrial_software", "consulting"],
        deployments: &["on_premise", "saas", "hybrid"],
        offering_nouns: &[
            (
                "CAD/CAE研发设计软件",
                "CAD/CAE Design and Simulation Software",
            ),
            (
                "PLM产品生命周期管理系统",
                "Product Lifecycle Management System",
            ),
            ("研发设计协同平台", "Collaborative R&D Design Platform"),
            ("CAE仿真分析服务", "CAE Simulation Analysis Service"),
            ("CAPP工艺设计系统", "Computer-Aided Process Planning System"),
        ],
        app_nouns: &[
            ("云CAD", "Cloud CAD"),
            ("PDM图文档管理", "PDM Document Management"),
            ("仿真云", "Simulation Cloud"),
            ("BOM管理工具", "BOM Management Tool"),
        ],
        intros: &[
            "面向{industry}研发设计环节，提供CAD/CAE/PLM等数字化研发设计工具与实施服务。",
            "针对{industry}图纸版本混乱、设计与工艺脱节的问题，建设PLM产品生命周期管理与研发设计协同平台。",
        ],
        features: &[
            "支持三维建模、有限元仿真分析和参数化设计，缩短产品开发周期。",
            "PLM统一管理图纸、BOM和变更流程，设计BOM自动转换为工艺BOM和制造BOM。",
            "提供国产研发设计软件替代和工程师培训服务，提升数字化研发设计工具普及率。",
        ],
        benefits: &["产品研发周期缩短{a}%，设计变更差错减少{d}%。"],
        need_titles: &[
            "研发设计数字化工具应用",
            "PLM与图文档管理",
            "三维设计与仿真分析能力建设",
        ],
        need_goals: &[
            "研发仍以二维图纸为主、图纸版本管理混乱，希望引入三维CAD、仿真和PLM，提升数字化研发设计能力。",
        ],
        project_nouns: &["研发设计数字化项目", "PLM系统建设项目"],
        offering_price: (10.0, 300.0),
        app_price: (0.5, 20.0),
        maturity: (1, 4),
    },
    Scenario {
        code: "process_optimization",
        name_zh: "工艺优化",
        name_en: "Process optimisation",
        app_category: "process",
        offering_categories: &["industrial_software", "consulting", "platform"],
        deployments: &["on_premise", "hybrid", "edge"],
        offering_nouns: &[
            (
                "工艺参数优化解决方案",
                "Process Parameter Optimisation Solution",
            ),
            ("APC先进过程控制系统", "Advanced Process Control System"),
            (
                "工业大数据工艺分析平台",
                "Industrial Big Data Process Analytics Platform",
            ),
            (
                "工艺知识库与配方管理系统",
                "Process Knowledge and Recipe Management System",
            ),
        ],
        app_nouns: &[
            ("工艺参数分析", "Process Parameter Analytics"),
            ("配方管理", "Recipe Management"),
            ("良率分析工具", "Yield Analysis Tool"),
        ],
        intros: &[
            "针对{industry}{process}等工序工艺参数依赖老师傅经验、质量波动大的问题，提供基于工业大数据的工艺优化服务。",
            "面向{industry}{equipment}，通过APC先进控制和工艺机理模型实现关键工艺参数闭环优化。",
        ],
        features: &[
            "采集温度、压力、速度、配比等工艺数据，利用机器学习挖掘最优工艺窗口。",
            "支持配方管理、工艺卡电子化和参数防错，工艺变更全程留痕。",
            "结合质量数据进行良率分析，持续降低单位产品能耗和物耗。",
        ],
        benefits: &["产品一次合格率提升{s}个百分点，单位产品能耗下降{b}%。"],
        need_titles: &["关键工序工艺参数优化", "{equipment}工艺数据分析与质量提升"],
        need_goals: &[
            "关键工序质量波动大，希望采集工艺参数并进行数据分析，找到最优工艺窗口，提升良率并降低能耗。",
        ],
        project_nouns: &["工艺优化与先进控制项目", "工艺大数据分析项目"],
        offering_price: (20.0, 300.0),
        app_price: (1.0, 15.0),
        maturity: (2, 5),
    },
];

/// Returns the scenario with this code.
pub(crate) fn scenario(code: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|scenario| scenario.code == code)
}
/// Fills the placeholders of a template.
pub(crate) fn fill(
    template: &str,
    rng: &mut ChaCha8Rng,
    industry: &str,
    equipment: &str,
    process: &str,
) -> String {
    let mut text = template
        .replace("{industry}", industry)
        .replace("{equipment}", equipment)
        .replace("{process}", process);
    for (placeholder, low, high, step) in [
        ("{a}", 10, 40, 1),
        ("{b}", 5, 30, 1),
        ("{c}", 90, 99, 1),
        ("{d}", 20, 60, 1),
        ("{n}", 5, 300, 10),
        ("{h}", 4, 16, 1),
        ("{m}", 6, 36, 1),
        ("{s}", 1, 5, 1),
        ("{x}", 20, 45, 1),
        ("{y}", 75, 95, 1),
    ] {
        while text.contains(placeholder) {
            let number = integer(rng, low, high) * step;
            text = text.replacen(placeholder, &number.to_string(), 1);
        }
    }
    text
}

/// Chinese words of the offering categories.
pub(crate) fn category_zh(category: &str) -> &'static str {
    match category {
        "platform" => "平台服务",
        "industrial_software" => "工业软件",
        "integration" => "系统集成服务",
        "equipment_upgrade" => "智能化改造服务",
        "consulting" => "咨询诊断服务",
        _ => "服务",
    }
}

/// Chinese words of the deployments.
pub(crate) fn deployment_zh(deployment: &str) -> &'static str {
    match deployment {
        "saas" => "SaaS订阅",
        "on_premise" => "本地化部署",
        "hybrid" => "云边混合部署",
        "edge" => "边缘侧部署",
        _ => "多种部署方式",
    }
}
/// Editions that keep product names unique.
pub(crate) const EDITIONS: &[&str] = &[
    "（标准版）",
    "（专业版）",
    "（企业版）",
    "（旗舰版）",
    "V2.0",
    "V3.0",
    "（私有化版）",
    "（云版）",
];
