//! Equipment registers (`equipment`): the machines of each enterprise by industry, with key
//! process, CNC and networking flags that follow the enterprise's digital maturity.

use chrono::NaiveDate;
use parkhub_connectors::arrow::record_batch::RecordBatch;

use super::arrow_columns::{boolean, optional_dates, optional_text, table_batches, text};
use super::calendar::{add_days, add_months, date, day_between};
use super::enterprises::Enterprise;
use super::random::{chance, integer, stream, uniform, weighted_pick};
use super::{DemoError, DemoParams};

/// One piece of equipment.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct EquipmentRow {
    pub uscc: String,
    pub equipment_id: String,
    pub equipment_type: &'static str,
    pub is_key_process: bool,
    pub is_cnc: bool,
    pub is_networked: bool,
    pub commissioned: NaiveDate,
    pub status: &'static str,
}

/// Whether a kind of equipment is numerically / automatically controlled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Automation {
    /// By nature (machining centres, robots, AGVs).
    Always,
    /// Never counted (cranes, tanks, heat exchangers).
    Never,
    /// Depends on the model and the retrofit (a lathe may be manual or CNC).
    Depends,
}

/// A kind of equipment.
#[derive(Debug, Clone, Copy)]
struct EquipmentKind {
    /// Name of the manual / conventional model.
    plain: &'static str,
    /// Name of the numerically controlled or automated model.
    automated: &'static str,
    weight: f64,
    key_probability: f64,
    automation: Automation,
    /// Divisions (or classes) it belongs to; empty for any.
    divisions: &'static [&'static str],
}

const fn kind(
    plain: &'static str,
    automated: &'static str,
    weight: f64,
    key_probability: f64,
    automation: Automation,
) -> EquipmentKind {
    EquipmentKind {
        plain,
        automated,
        weight,
        key_probability,
        automation,
        divisions: &[],
    }
}

const fn only(
    mut equipment_kind: EquipmentKind,
    divisions: &'static [&'static str],
) -> EquipmentKind {
    equipment_kind.divisions = divisions;
    equipment_kind
}

use Automation::{Always, Depends, Never};

const MACHINERY: &[EquipmentKind] = &[
    kind("普通车床", "数控车床", 10.0, 0.7, Depends),
    kind("普通铣床", "数控铣床", 6.0, 0.7, Depends),
    kind("立式加工中心", "立式加工中心", 6.0, 0.9, Always),
    kind("卧式加工中心", "卧式加工中心", 2.0, 0.9, Always),
    kind("普通磨床", "数控磨床", 4.0, 0.7, Depends),
    kind("摇臂钻床", "数控钻床", 3.0, 0.3, Depends),
    kind("机械冲床", "数控冲床", 4.0, 0.7, Depends),
    kind("液压折弯机", "数控折弯机", 3.0, 0.6, Depends),
    kind("激光切割机", "激光切割机", 2.0, 0.8, Always),
    kind("手工焊机", "焊接机器人", 5.0, 0.7, Depends),
    kind("三坐标测量机", "三坐标测量机", 1.0, 0.6, Always),
    kind("热处理炉", "可控气氛热处理炉", 2.0, 0.8, Depends),
    kind("喷涂线", "自动喷涂线", 1.0, 0.5, Depends),
    kind("装配线", "自动化装配线", 2.0, 0.8, Depends),
    kind("桥式起重机", "桥式起重机", 2.0, 0.0, Never),
    only(
        kind("中频感应电炉", "中频感应电炉", 3.0, 0.9, Depends),
        &["C339"],
    ),
    only(kind("造型线", "自动造型线", 2.0, 0.9, Depends), &["C339"]),
    only(kind("绕线机", "全自动绕线机", 4.0, 0.8, Depends), &["C38"]),
    only(
        kind("拉丝挤塑机组", "拉丝挤塑机组", 3.0, 0.9, Depends),
        &["C383"],
    ),
];

const PETROCHEMICALS: &[EquipmentKind] = &[
    kind("反应釜", "反应釜（DCS控制）", 10.0, 0.9, Depends),
    kind("精馏塔", "精馏塔（DCS控制）", 4.0, 0.9, Depends),
    kind("换热器", "换热器", 6.0, 0.3, Never),
    kind("离心机", "自动卸料离心机", 4.0, 0.5, Depends),
    kind("离心泵", "变频离心泵", 8.0, 0.2, Depends),
    kind("往复式压缩机", "往复式压缩机", 3.0, 0.8, Depends),
    kind("储罐", "储罐", 6.0, 0.0, Never),
    kind("干燥机", "干燥机", 3.0, 0.6, Depends),
    kind("包装机", "自动包装线", 2.0, 0.3, Depends),
    kind("工业锅炉", "工业锅炉", 1.0, 0.5, Depends),
    only(kind("纺丝机", "纺丝机", 6.0, 1.0, Depends), &["C28"]),
    only(kind("卷绕机", "全自动卷绕机", 6.0, 0.9, Depends), &["C28"]),
    only(kind("密炼机", "密炼机", 4.0, 0.9, Depends), &["C29"]),
    only(kind("硫化机", "硫化机", 6.0, 0.9, Depends), &["C29"]),
    only(kind("挤出机", "挤出机", 6.0, 0.9, Depends), &["C29"]),
];

const IRON_STEEL: &[EquipmentKind] = &[
    kind("高炉", "高炉", 0.6, 1.0, Depends),
    kind("转炉", "转炉", 1.0, 1.0, Depends),
    kind("电弧炉", "电弧炉", 0.6, 1.0, Depends),
    kind("连铸机", "连铸机", 1.2, 1.0, Depends),
    kind("加热炉", "加热炉", 1.5, 0.9, Depends),
    kind("热连轧机组", "热连轧机组", 1.0, 1.0, Depends),
    kind("冷轧机", "冷轧机", 1.5, 1.0, Depends),
    kind("烧结机", "烧结机", 0.6, 1.0, Depends),
    kind("桥式起重机", "桥式起重机", 8.0, 0.2, Never),
    kind("除尘风机", "变频除尘风机", 4.0, 0.1, Depends),
    kind("循环水泵", "变频循环水泵", 6.0, 0.1, Depends),
    kind("精整线", "精整线", 2.0, 0.5, Depends),
    kind("在线测厚仪", "在线测厚仪", 2.0, 0.4, Always),
];

const NONFERROUS: &[EquipmentKind] = &[
    kind("熔炼炉", "熔炼炉", 3.0, 1.0, Depends),
    kind("电解槽", "电解槽", 12.0, 1.0, Depends),
    kind("铸轧机", "铸轧机", 2.0, 1.0, Depends),
    kind("冷轧机", "冷轧机", 2.0, 1.0, Depends),
    kind("挤压机", "挤压机", 4.0, 0.9, Depends),
    kind("拉丝机", "拉丝机", 4.0, 0.6, Depends),
    kind("退火炉", "退火炉", 3.0, 0.7, Depends),
    kind("时效炉", "时效炉", 2.0, 0.6, Depends),
    kind("桥式起重机", "桥式起重机", 4.0, 0.1, Never),
];

const BUILDING_MATERIALS: &[EquipmentKind] = &[
    only(kind("回转窑", "回转窑", 1.0, 1.0, Depends), &["C3011"]),
    only(kind("生料立磨", "生料立磨", 1.0, 1.0, Depends), &["C3011"]),
    only(kind("水泥磨", "水泥磨", 2.0, 1.0, Depends), &["C3011"]),
    only(kind("篦冷机", "篦冷机", 1.0, 1.0, Depends), &["C3011"]),
    only(
        kind("玻璃熔窑", "玻璃熔窑", 1.0, 1.0, Depends),
        &["C304", "C306"],
    ),
    only(kind("锡槽", "锡槽", 1.0, 1.0, Depends), &["C304"]),
    only(
        kind("辊道窑", "辊道窑", 2.0, 1.0, Depends),
        &["C307", "C308", "C309"],
    ),
    only(kind("压砖机", "全自动压砖机", 4.0, 0.9, Depends), &["C307"]),
    only(kind("搅拌站", "自动化搅拌站", 2.0, 0.9, Depends), &["C302"]),
    only(
        kind("离心成型机", "离心成型机", 3.0, 0.8, Depends),
        &["C302"],
    ),
    only(kind("蒸压釜", "蒸压釜", 2.0, 0.8, Depends), &["C302"]),
    kind("破碎机", "破碎机", 3.0, 0.5, Depends),
    kind("皮带输送机", "皮带输送机", 8.0, 0.1, Never),
    kind("袋式除尘器", "袋式除尘器", 5.0, 0.2, Never),
    kind("包装机", "自动包装机", 3.0, 0.4, Depends),
];

const FOOD: &[EquipmentKind] = &[
    kind("灌装线", "全自动灌装线", 3.0, 0.9, Depends),
    kind("杀菌釜", "杀菌釜", 4.0, 0.9, Depends),
    kind("蒸煮锅", "蒸煮锅", 4.0, 0.6, Depends),
    kind("发酵罐", "发酵罐", 6.0, 0.8, Depends),
    kind("配料罐", "自动配料系统", 3.0, 0.8, Depends),
    kind("包装机", "全自动包装机", 6.0, 0.5, Depends),
    kind("冷库机组", "冷库机组", 2.0, 0.3, Depends),
    kind("CIP清洗系统", "CIP清洗系统", 2.0, 0.6, Depends),
    kind("金属检测机", "金属检测机", 2.0, 0.5, Always),
    kind("燃气锅炉", "燃气锅炉", 1.0, 0.4, Depends),
    only(kind("隧道烤炉", "隧道烤炉", 2.0, 0.9, Depends), &["C141"]),
    only(kind("速冻隧道", "速冻隧道", 2.0, 0.9, Depends), &["C143"]),
];

const LIGHT_INDUSTRY: &[EquipmentKind] = &[
    only(
        kind("注塑机", "注塑机（机械手取件）", 10.0, 0.8, Depends),
        &["C29", "C24", "C38"],
    ),
    only(kind("造纸机", "造纸机", 1.0, 1.0, Depends), &["C222"]),
    only(kind("复卷机", "复卷机", 2.0, 0.6, Depends), &["C222"]),
    only(
        kind("瓦楞纸板生产线", "瓦楞纸板生产线", 2.0, 0.9, Depends),
        &["C223"],
    ),
    only(
        kind("印刷机", "印刷机", 4.0, 0.8, Depends),
        &["C23", "C223"],
    ),
    only(
        kind("模切机", "全自动模切机", 4.0, 0.6, Depends),
        &["C22", "C23"],
    ),
    only(
        kind("开料锯", "数控开料机", 3.0, 0.7, Depends),
        &["C21", "C20"],
    ),
    only(kind("封边机", "全自动封边机", 3.0, 0.6, Depends), &["C21"]),
    only(kind("热压机", "热压机", 3.0, 0.8, Depends), &["C20"]),
    only(kind("平缝机", "电脑平缝机", 10.0, 0.6, Depends), &["C19"]),
    only(
        kind("鞋底成型机", "鞋底成型机", 3.0, 0.8, Depends),
        &["C19"],
    ),
    only(
        kind("机械冲床", "数控冲床", 4.0, 0.7, Depends),
        &["C38", "C2443", "C2130"],
    ),
    kind("装配线", "自动化装配线", 2.0, 0.7, Depends),
    kind("包装机", "自动包装机", 2.0, 0.3, Depends),
];

const TEXTILES: &[EquipmentKind] = &[
    only(kind("梳棉机", "梳棉机", 2.0, 0.8, Depends), &["C171"]),
    only(
        kind("细纱机", "细纱机（集体落纱）", 8.0, 0.9, Depends),
        &["C171"],
    ),
    only(kind("络筒机", "自动络筒机", 4.0, 0.7, Depends), &["C171"]),
    only(
        kind("剑杆织机", "剑杆织机", 6.0, 0.9, Depends),
        &["C1751", "C1742"],
    ),
    only(kind("喷气织机", "喷气织机", 10.0, 0.9, Depends), &["C1751"]),
    only(
        kind("针织大圆机", "电脑针织大圆机", 6.0, 0.8, Depends),
        &["C176"],
    ),
    only(
        kind("溢流染色机", "溢流染色机", 5.0, 0.9, Depends),
        &["C1713", "C1752"],
    ),
    only(
        kind("热定型机", "热定型机", 2.0, 0.9, Depends),
        &["C1713", "C1752"],
    ),
    only(
        kind("印花机", "数码印花机", 2.0, 0.8, Depends),
        &["C1713", "C1752"],
    ),
    only(kind("缫丝机", "自动缫丝机", 4.0, 0.9, Depends), &["C174"]),
    only(
        kind("梳理成网机", "梳理成网机", 3.0, 0.9, Depends),
        &["C178"],
    ),
    only(kind("平缝机", "电脑平缝机", 12.0, 0.6, Depends), &["C18"]),
    only(kind("裁床", "自动裁床", 1.0, 0.8, Depends), &["C18"]),
    only(kind("整烫设备", "整烫设备", 2.0, 0.3, Depends), &["C18"]),
    only(kind("纺丝机", "纺丝机", 6.0, 1.0, Depends), &["C28"]),
    only(kind("卷绕机", "全自动卷绕机", 6.0, 0.9, Depends), &["C28"]),
    kind("空调除尘机组", "空调除尘机组", 2.0, 0.2, Never),
];

const OTHER: &[EquipmentKind] = &[
    only(kind("贴片机", "贴片机", 8.0, 0.9, Always), &["C39"]),
    only(kind("回流焊炉", "回流焊炉", 3.0, 0.8, Depends), &["C39"]),
    only(
        kind("AOI检测设备", "AOI检测设备", 3.0, 0.6, Always),
        &["C39"],
    ),
    only(kind("波峰焊", "波峰焊", 2.0, 0.6, Depends), &["C39"]),
    only(kind("测试台", "自动测试台", 4.0, 0.4, Depends), &["C39"]),
    only(
        kind("反应釜", "反应釜（DCS控制）", 4.0, 0.9, Depends),
        &["C27"],
    ),
    only(kind("冻干机", "冻干机", 2.0, 0.9, Depends), &["C27"]),
    only(kind("压片机", "高速压片机", 3.0, 0.8, Depends), &["C27"]),
    only(
        kind("胶囊填充机", "全自动胶囊填充机", 2.0, 0.8, Depends),
        &["C27"],
    ),
    only(
        kind("洁净空调机组", "洁净空调机组", 3.0, 0.2, Never),
        &["C27", "C39"],
    ),
    only(
        kind("机械冲床", "数控冲床", 4.0, 0.7, Depends),
        &["C41", "C42"],
    ),
    only(
        kind("破碎分选线", "自动破碎分选线", 3.0, 0.9, Depends),
        &["C42"],
    ),
    kind("装配线", "自动化装配线", 2.0, 0.6, Depends),
    kind("包装机", "自动包装机", 2.0, 0.3, Depends),
];

/// Equipment every industry has; robots and AGVs are weighted by maturity separately.
const COMMON: &[EquipmentKind] = &[
    kind("空压机", "空压机", 3.0, 0.05, Never),
    kind("工业机器人", "工业机器人", 0.0, 0.8, Always),
    kind("AGV", "AGV", 0.0, 0.0, Always),
    kind("叉车", "叉车", 2.0, 0.0, Never),
];

fn industry_kinds(industry: &str) -> &'static [EquipmentKind] {
    match industry {
        "petrochemicals" => PETROCHEMICALS,
        "iron_steel" => IRON_STEEL,
        "nonferrous" => NONFERROUS,
        "building_materials" => BUILDING_MATERIALS,
        "machinery" => MACHINERY,
        "food" => FOOD,
        "light_industry" => LIGHT_INDUSTRY,
        "textiles" => TEXTILES,
        _ => OTHER,
    }
}

/// The kinds an enterprise of this class has, with their weights.
fn kinds_for(enterprise: &Enterprise) -> Vec<(EquipmentKind, f64)> {
    let class_code = enterprise.class.code;
    let level = f64::from(enterprise.profile.maturity_level);
    let fits = |equipment_kind: &EquipmentKind| {
        equipment_kind.divisions.is_empty()
            || equipment_kind
                .divisions
                .iter()
                .any(|prefix| class_code.starts_with(prefix))
    };
    let mut kinds: Vec<(EquipmentKind, f64)> = industry_kinds(enterprise.industry_code())
        .iter()
        .filter(|equipment_kind| fits(equipment_kind))
        .map(|equipment_kind| (*equipment_kind, equipment_kind.weight))
        .collect();
    for equipment_kind in COMMON {
        let weight = match equipment_kind.plain {
            "工业机器人" => 0.4 + 0.9 * (level - 1.0),
            "AGV" => 0.5 * (level - 1.0),
            _ => equipment_kind.weight,
        };
        kinds.push((*equipment_kind, weight));
    }
    kinds
}

/// Generates every enterprise's equipment register.
pub(crate) fn generate_equipment(
    params: &DemoParams,
    enterprises: &[Enterprise],
) -> Vec<EquipmentRow> {
    let mut rng = stream(params.seed, "equipment");
    let last_day = add_days(add_months(params.until_month(), 1), -1);
    let mut rows = Vec::new();
    for enterprise in enterprises {
        let kinds = kinds_for(enterprise);
        let profile = &enterprise.profile;
        let (low, high) = enterprise.scale.equipment_range();
        let count = integer(&mut rng, low, high);
        let first_day = enterprise.founded.max(date(2003, 1, 1)).min(last_day);
        for number in 1..=count {
            let Some((equipment_kind, _)) = weighted_pick(&mut rng, &kinds, |(_, weight)| *weight)
            else {
                break;
            };
            let is_key_process = chance(&mut rng, equipment_kind.key_probability);
            let is_cnc = match equipment_kind.automation {
                Always => true,
                Never => false,
                // Machining centres and robots are automated by nature; the other key-process
                // machines make up the rest of the enterprise's key-process CNC rate.
                Depends if is_key_process => chance(&mut rng, profile.cnc_rate * 0.85),
                Depends => chance(&mut rng, profile.cnc_rate * 0.6),
            };
            let networked_probability = match (is_cnc, equipment_kind.automation) {
                (true, _) => (profile.networking_rate * 1.3).min(0.98),
                (false, Never) => profile.networking_rate * 0.3,
                (false, _) => profile.networking_rate * 0.4,
            };
            let is_networked = chance(&mut rng, networked_probability);
            // Numerically controlled machines are on average newer.
            let age_draw = uniform(&mut rng, 0.0, 1.0);
            let position = if is_cnc { age_draw.sqrt() } else { age_draw };
            let commissioned = day_between(first_day, last_day, position);
            let years_in_service =
                last_day.signed_duration_since(commissioned).num_days() as f64 / 365.0;
            let status_draw = uniform(&mut rng, 0.0, 1.0);
            let status = if years_in_service > 10.0 && status_draw > 0.94 {
                "retired"
            } else if status_draw < 0.07 {
                "idle"
            } else if status_draw < 0.11 {
                "maintenance"
            } else {
                "running"
            };
            rows.push(EquipmentRow {
                uscc: enterprise.uscc.clone(),
                equipment_id: format!("EQ-{number:04}"),
                equipment_type: if is_cnc {
                    equipment_kind.automated
                } else {
                    equipment_kind.plain
                },
                is_key_process,
                is_cnc,
                is_networked,
                commissioned,
                status,
            });
        }
    }
    rows
}

/// The `equipment` batches.
pub(crate) fn equipment_batches(rows: &[EquipmentRow]) -> Result<Vec<RecordBatch>, DemoError> {
    table_batches(
        "equipment",
        vec![
            text(rows.iter().map(|row| row.uscc.as_str())),
            text(rows.iter().map(|row| row.equipment_id.as_str())),
            text(rows.iter().map(|row| row.equipment_type)),
            boolean(rows.iter().map(|row| row.is_key_process)),
            boolean(rows.iter().map(|row| row.is_cnc)),
            boolean(rows.iter().map(|row| row.is_networked)),
            optional_dates(rows.iter().map(|row| Some(row.commissioned))),
            optional_text(rows.iter().map(|row| Some(row.status))),
        ],
    )
}
