//! Company names and Unified Social Credit Codes.
//!
//! Names follow the registered pattern 行政区划 + 字号 + 行业 + 组织形式 ("苏州恒瑞精密机械有限公司",
//! "恒瑞精密机械（苏州）有限公司", "江苏恒瑞特钢股份有限公司"); the trade names (字号) are
//! composed from two characters, so they are invented, not taken from real companies.
//! USCCs are `9` `1` + a GB/T 2260 division code + a GB 11714 organisation code (the old
//! numeric form with its own check character, or the post-2015 `MA…` form) + the GB 32100 check
//! character.

use chrono::{Datelike, NaiveDate};
use parkhub_connectors::uscc;
use rand_chacha::ChaCha8Rng;

use crate::random::{chance, index, pick};
use crate::tables::Tsv;
use crate::{Error, Result};

/// The characters invented trade names are made of (`data/trade_names.tsv`).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TradeNames {
    /// First characters of manufacturers' trade names.
    pub maker_first: Vec<&'static str>,
    /// Second characters of manufacturers' trade names.
    pub maker_second: Vec<&'static str>,
    /// First characters of technology companies' trade names, with their pinyin.
    pub tech_first: Vec<(&'static str, &'static str)>,
    /// Second characters of technology companies' trade names, with their pinyin.
    pub tech_second: Vec<(&'static str, &'static str)>,
}

/// A city service providers and customers come from.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct City {
    /// Chinese short name, as used in company names.
    pub name_zh: &'static str,
    /// English name.
    pub name_en: &'static str,
    /// Province and city, as stored in `service_providers.region`.
    pub region: &'static str,
    /// The GB/T 2260 division code companies there are registered under.
    pub division_code: &'static str,
    /// Relative frequency.
    pub weight: f64,
}

/// Reads `data/trade_names.tsv`; each of the four lists must have characters.
pub(crate) fn read_trade_names(tsv: &Tsv) -> Result<TradeNames> {
    tsv.require(&["kind", "position", "zh", "pinyin"])?;
    let mut names = TradeNames {
        maker_first: Vec::new(),
        maker_second: Vec::new(),
        tech_first: Vec::new(),
        tech_second: Vec::new(),
    };
    for row in tsv.rows() {
        let kind = row.choice("kind", &["maker", "tech"])?;
        let position = row.choice("position", &["first", "second"])?;
        let zh = row.required("zh")?;
        match (kind, position) {
            ("maker", "first") => names.maker_first.push(zh),
            ("maker", _) => names.maker_second.push(zh),
            (_, "first") => names.tech_first.push((zh, row.required("pinyin")?)),
            _ => names.tech_second.push((zh, row.required("pinyin")?)),
        }
    }
    let lists = [
        ("maker first", names.maker_first.len()),
        ("maker second", names.maker_second.len()),
        ("tech first", names.tech_first.len()),
        ("tech second", names.tech_second.len()),
    ];
    if let Some((key, _)) = lists.iter().find(|(_, count)| *count == 0) {
        return Err(Error::MissingDataRow {
            file: "trade_names.tsv",
            key,
        });
    }
    Ok(names)
}

/// Reads `data/park_divisions.tsv`: the GB/T 2260 division codes the park's enterprises are
/// registered under, with their weights.
pub(crate) fn read_park_divisions(tsv: &Tsv) -> Result<Vec<(&'static str, f64)>> {
    tsv.require(&["division_code", "weight"])?;
    tsv.rows()
        .map(|row| Ok((row.required("division_code")?, row.number("weight")?)))
        .collect()
}

/// Reads `data/cities.tsv`: the cities of service providers and reference customers.
pub(crate) fn read_cities(tsv: &Tsv) -> Result<Vec<City>> {
    tsv.require(&["name_zh", "name_en", "region", "division_code", "weight"])?;
    tsv.rows()
        .map(|row| {
            Ok(City {
                name_zh: row.required("name_zh")?,
                name_en: row.required("name_en")?,
                region: row.required("region")?,
                division_code: row.required("division_code")?,
                weight: row.number("weight")?,
            })
        })
        .collect()
}

/// Returns the USCC character of a value in 0..31.
fn uscc_character(value: usize) -> char {
    uscc::CHARSET
        .get(value % uscc::CHARSET.len())
        .map_or('0', |byte| char::from(*byte))
}

/// The GB 11714 check character of an 8-digit organisation code body.
fn organisation_code_check(body: &[u8; 8]) -> char {
    const WEIGHTS: [u32; 8] = [3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = body
        .iter()
        .zip(WEIGHTS)
        .map(|(digit, weight)| u32::from(*digit) * weight)
        .sum();
    match 11 - sum % 11 {
        10 => 'X',
        11 => '0',
        check => char::from_digit(check, 10).unwrap_or('0'),
    }
}

/// Draws a 9-character organisation code: the numeric GB 11714 form for companies founded
/// before the 2015 reform, the `MA…` form after it.
fn organisation_code(rng: &mut ChaCha8Rng, founded: NaiveDate) -> String {
    if founded.year() >= 2016 {
        let mut code = String::from("MA");
        code.push(uscc_character(1 + index(rng, 3)));
        code.push(uscc_character(10 + index(rng, 21)));
        for _ in 0..5 {
            code.push(uscc_character(index(rng, 31)));
        }
        code
    } else {
        let mut body = [0u8; 8];
        for digit in &mut body {
            *digit = u8::try_from(index(rng, 10)).unwrap_or(0);
        }
        // Early organisation codes rarely start with 0.
        body[0] = body[0].max(1);
        let mut code: String = body.iter().map(|digit| char::from(b'0' + digit)).collect();
        code.push(organisation_code_check(&body));
        code
    }
}

/// Draws a USCC for an enterprise registered under `division_code`, founded on `founded`,
/// distinct from the codes in `taken` (which it is added to).
pub(crate) fn draw_uscc(
    rng: &mut ChaCha8Rng,
    division_code: &str,
    founded: NaiveDate,
    taken: &mut std::collections::BTreeSet<String>,
) -> String {
    loop {
        let first17 = format!("91{division_code}{}", organisation_code(rng, founded));
        if let Some(code) = uscc::with_check_character(&first17)
            && taken.insert(code.clone())
        {
            return code;
        }
    }
}

/// Draws the division code an enterprise of the park is registered under.
pub(crate) fn park_division_code(
    rng: &mut ChaCha8Rng,
    park_divisions: &[(&'static str, f64)],
) -> &'static str {
    crate::random::weighted_pick(rng, park_divisions, |(_, weight)| *weight)
        .map_or("320500", |(code, _)| *code)
}

/// A manufacturer's name and its short form.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MakerName {
    /// The registered name.
    pub full: String,
    /// 字号 + 行业, as people say it ("恒瑞精密机械").
    pub short: String,
}

/// Draws a manufacturer's name for a company of the trade described by `trade_words`,
/// registered in the park (`large` ones are more often 股份 or 集团 companies named after
/// the province).
pub(crate) fn draw_maker_name(
    rng: &mut ChaCha8Rng,
    names: &TradeNames,
    trade_words: &[&str],
    large: bool,
    taken: &mut std::collections::BTreeSet<String>,
) -> MakerName {
    let mut attempt = 0;
    loop {
        attempt += 1;
        let first = pick(rng, &names.maker_first).copied().unwrap_or("恒");
        let second = pick(rng, &names.maker_second).copied().unwrap_or("瑞");
        let mut trade_name = format!("{first}{second}");
        if attempt > 40 {
            // A crowded park: a third character keeps names unique.
            trade_name.push_str(pick(rng, &names.maker_second).copied().unwrap_or("达"));
        }
        let trade = pick(rng, trade_words).copied().unwrap_or("实业");
        let short = format!("{trade_name}{trade}");
        let joint_stock = chance(rng, if large { 0.45 } else { 0.08 });
        let form = if joint_stock {
            "股份有限公司"
        } else {
            "有限公司"
        };
        let style = index(rng, 100);
        let full = if large && style < 20 {
            format!("江苏{short}集团有限公司")
        } else if large && style < 35 {
            format!("江苏{short}{form}")
        } else if style < 85 {
            format!("苏州{short}{form}")
        } else {
            format!("{short}（苏州）有限公司")
        };
        if taken.insert(full.clone()) {
            return MakerName { full, short };
        }
    }
}

/// A technology company's name in Chinese and English.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TechName {
    /// The registered Chinese name.
    pub full_zh: String,
    /// The English name.
    pub full_en: String,
    /// The trade name (字号), used as a brand ("智联").
    pub brand_zh: String,
    /// The trade name in pinyin ("Zhilian").
    pub brand_en: String,
}

/// Draws the name of a technology company in `city` whose business is `business_zh` /
/// `business_en` (工业互联网科技 / Industrial Internet Technology).
pub(crate) fn draw_tech_name(
    rng: &mut ChaCha8Rng,
    names: &TradeNames,
    city: &City,
    business: (&str, &str),
    taken: &mut std::collections::BTreeSet<String>,
) -> TechName {
    loop {
        let (first_zh, first_en) = pick(rng, &names.tech_first)
            .copied()
            .unwrap_or(("智", "Zhi"));
        let (second_zh, second_en) = pick(rng, &names.tech_second)
            .copied()
            .unwrap_or(("联", "lian"));
        if first_zh == second_zh {
            continue;
        }
        let brand_zh = format!("{first_zh}{second_zh}");
        let brand_en = format!("{first_en}{second_en}");
        let joint_stock = chance(rng, 0.15);
        let form_zh = if joint_stock {
            "股份有限公司"
        } else {
            "有限公司"
        };
        let form_en = if joint_stock {
            "Co., Ltd. (joint-stock)"
        } else {
            "Co., Ltd."
        };
        let full_zh = format!("{}{brand_zh}{}{form_zh}", city.name_zh, business.0);
        if taken.insert(full_zh.clone()) {
            let full_en = format!("{} {brand_en} {} {form_en}", city.name_en, business.1);
            return TechName {
                full_zh,
                full_en,
                brand_zh,
                brand_en,
            };
        }
    }
}

/// Draws the name of a (fictional) reference customer of a trade, for case descriptions.
pub(crate) fn draw_customer_name(
    rng: &mut ChaCha8Rng,
    names: &TradeNames,
    cities: &[City],
    trade: &str,
) -> String {
    let city = pick(rng, cities).map_or("苏州", |city| city.name_zh);
    let first = pick(rng, &names.maker_first).copied().unwrap_or("华");
    let second = pick(rng, &names.maker_second).copied().unwrap_or("达");
    let form = if chance(rng, 0.3) {
        "股份有限公司"
    } else {
        "有限公司"
    };
    format!("{city}{first}{second}{trade}{form}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn organisation_code_check_character_follows_gb_11714() {
        // 60003734-1 is the organisation code inside 91110000600037341L.
        assert_eq!(organisation_code_check(&[6, 0, 0, 0, 3, 7, 3, 4]), '1');
        // 71526726-X is inside 9144030071526726XG.
        assert_eq!(organisation_code_check(&[7, 1, 5, 2, 6, 7, 2, 6]), 'X');
    }
}
