//! Key industries of the park programme and the GB/T 4754-2017 divisions that belong to them.

/// A key industry of the programme (Annex 1 of the pilot's seed list), or `other`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct KeyIndustry {
    /// The code stored in the lake (`petrochemicals`, `iron_steel`, …).
    pub code: &'static str,
    /// The Chinese name (石化化工, 钢铁, …).
    pub name_zh: &'static str,
    /// The English name.
    pub name_en: &'static str,
    /// The GB/T 4754-2017 divisions that are primarily this industry.
    pub primary_divisions: &'static [&'static str],
    /// Divisions that are often partly included.
    pub partial_divisions: &'static [&'static str],
}

/// The eight key industries and `other`, in the order of the seed list.
pub const KEY_INDUSTRIES: &[KeyIndustry] = &[
    KeyIndustry {
        code: "petrochemicals",
        name_zh: "石化化工",
        name_en: "petrochemicals",
        primary_divisions: &["C25", "C26"],
        partial_divisions: &["C28", "C29"],
    },
    KeyIndustry {
        code: "iron_steel",
        name_zh: "钢铁",
        name_en: "iron and steel",
        primary_divisions: &["C31"],
        partial_divisions: &[],
    },
    KeyIndustry {
        code: "nonferrous",
        name_zh: "有色",
        name_en: "non-ferrous metals",
        primary_divisions: &["C32"],
        partial_divisions: &[],
    },
    KeyIndustry {
        code: "building_materials",
        name_zh: "建材",
        name_en: "building materials",
        primary_divisions: &["C30"],
        partial_divisions: &[],
    },
    KeyIndustry {
        code: "machinery",
        name_zh: "机械（仪器仪表）",
        name_en: "machinery (instruments)",
        primary_divisions: &["C33", "C34", "C35", "C40"],
        partial_divisions: &["C36", "C37", "C38"],
    },
    KeyIndustry {
        code: "food",
        name_zh: "食品",
        name_en: "food",
        primary_divisions: &["C13", "C14", "C15"],
        partial_divisions: &[],
    },
    KeyIndustry {
        code: "light_industry",
        name_zh: "轻工",
        name_en: "light industry",
        primary_divisions: &["C19", "C20", "C21", "C22", "C23", "C24"],
        partial_divisions: &["C292", "C385"],
    },
    KeyIndustry {
        code: "textiles",
        name_zh: "纺织",
        name_en: "textiles",
        primary_divisions: &["C17", "C18"],
        partial_divisions: &["C28"],
    },
    KeyIndustry {
        code: "other",
        name_zh: "其他",
        name_en: "other",
        primary_divisions: &[],
        partial_divisions: &[],
    },
];

/// Names of the GB/T 4754-2017 manufacturing divisions (门类 C).
pub const MANUFACTURING_DIVISIONS: &[(&str, &str)] = &[
    ("C13", "农副食品加工业"),
    ("C14", "食品制造业"),
    ("C15", "酒、饮料和精制茶制造业"),
    ("C16", "烟草制品业"),
    ("C17", "纺织业"),
    ("C18", "纺织服装、服饰业"),
    ("C19", "皮革、毛皮、羽毛及其制品和制鞋业"),
    ("C20", "木材加工和木、竹、藤、棕、草制品业"),
    ("C21", "家具制造业"),
    ("C22", "造纸和纸制品业"),
    ("C23", "印刷和记录媒介复制业"),
    ("C24", "文教、工美、体育和娱乐用品制造业"),
    ("C25", "石油、煤炭及其他燃料加工业"),
    ("C26", "化学原料和化学制品制造业"),
    ("C27", "医药制造业"),
    ("C28", "化学纤维制造业"),
    ("C29", "橡胶和塑料制品业"),
    ("C30", "非金属矿物制品业"),
    ("C31", "黑色金属冶炼和压延加工业"),
    ("C32", "有色金属冶炼和压延加工业"),
    ("C33", "金属制品业"),
    ("C34", "通用设备制造业"),
    ("C35", "专用设备制造业"),
    ("C36", "汽车制造业"),
    ("C37", "铁路、船舶、航空航天和其他运输设备制造业"),
    ("C38", "电气机械和器材制造业"),
    ("C39", "计算机、通信和其他电子设备制造业"),
    ("C40", "仪器仪表制造业"),
    ("C41", "其他制造业"),
    ("C42", "废弃资源综合利用业"),
    ("C43", "金属制品、机械和设备修理业"),
];

/// Returns the key industry with this code.
pub fn key_industry(code: &str) -> Option<&'static KeyIndustry> {
    KEY_INDUSTRIES.iter().find(|industry| industry.code == code)
}

/// Returns the division (letter + two digits, e.g. `C34`) of a GB/T 4754 code such as `C3411`.
pub fn division_of(industry_code: &str) -> Option<&str> {
    let code = industry_code.trim();
    let bytes = code.as_bytes();
    if bytes.len() < 3
        || !bytes[0].is_ascii_uppercase()
        || !bytes[1..3].iter().all(u8::is_ascii_digit)
    {
        return None;
    }
    Some(&code[..3])
}

/// Returns the Chinese name of a manufacturing division (`C34` → 通用设备制造业).
pub fn division_name(division: &str) -> Option<&'static str> {
    MANUFACTURING_DIVISIONS
        .iter()
        .find(|(code, _)| *code == division)
        .map(|(_, name)| *name)
}

/// Checks the shape of a GB/T 4754-2017 code: a section letter A–T followed by a division
/// (2 digits), optionally a group (3rd digit) and a class (4th digit).
pub fn is_valid_code(industry_code: &str) -> bool {
    let bytes = industry_code.as_bytes();
    matches!(bytes.len(), 3..=5)
        && (b'A'..=b'T').contains(&bytes[0])
        && bytes[1..].iter().all(u8::is_ascii_digit)
}

/// Returns the key industry a GB/T 4754 code primarily belongs to (`other` when none).
pub fn key_industry_of(industry_code: &str) -> &'static KeyIndustry {
    let division = division_of(industry_code).unwrap_or("");
    KEY_INDUSTRIES
        .iter()
        .find(|industry| industry.primary_divisions.contains(&division))
        .unwrap_or(&KEY_INDUSTRIES[KEY_INDUSTRIES.len() - 1])
}

/// Returns the key industries a GB/T 4754 code may be counted in: the one its division
/// primarily belongs to (`other` when none), and those its division or group is often partly
/// included in (C28 化学纤维 petrochemicals or textiles, C292 塑料制品 light industry, C36–C38
/// machinery, …).
pub fn plausible_key_industries(industry_code: &str) -> Vec<&'static KeyIndustry> {
    let code = industry_code.trim();
    let mut plausible = vec![key_industry_of(code)];
    for industry in KEY_INDUSTRIES {
        let partly = industry
            .partial_divisions
            .iter()
            .any(|prefix| code.starts_with(prefix));
        if partly && !plausible.contains(&industry) {
            plausible.push(industry);
        }
    }
    plausible
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plausible(code: &str) -> Vec<&'static str> {
        plausible_key_industries(code)
            .iter()
            .map(|industry| industry.code)
            .collect()
    }

    #[test]
    fn partly_included_divisions_allow_more_than_one_key_industry() {
        assert_eq!(plausible("C3411"), ["machinery"]);
        assert_eq!(plausible("C2822"), ["other", "petrochemicals", "textiles"]);
        assert_eq!(plausible("C2911"), ["other", "petrochemicals"]);
        assert_eq!(
            plausible("C2922"),
            ["other", "petrochemicals", "light_industry"]
        );
        assert_eq!(plausible("C3612"), ["other", "machinery"]);
        assert_eq!(plausible("C3851"), ["other", "machinery", "light_industry"]);
        assert_eq!(plausible("C3982"), ["other"]);
        assert_eq!(plausible("F5123"), ["other"]);
    }

    #[test]
    fn divisions_map_to_their_key_industry() {
        assert_eq!(key_industry_of("C3411").code, "machinery");
        assert_eq!(key_industry_of("C261").code, "petrochemicals");
        assert_eq!(key_industry_of("C31").code, "iron_steel");
        assert_eq!(key_industry_of("C3911").code, "other");
        assert_eq!(division_of("C3411"), Some("C34"));
        assert_eq!(division_name("C34"), Some("通用设备制造业"));
    }

    #[test]
    fn code_shape_is_checked() {
        assert!(is_valid_code("C3411"));
        assert!(is_valid_code("C34"));
        assert!(!is_valid_code("C3"));
        assert!(!is_valid_code("Z3411"));
        assert!(!is_valid_code("C34a1"));
        assert!(!is_valid_code("C341123"));
    }

    #[test]
    fn every_primary_division_has_a_name() {
        for industry in KEY_INDUSTRIES {
            for division in industry.primary_divisions {
                assert!(division_name(division).is_some(), "{division}");
            }
        }
    }
}
