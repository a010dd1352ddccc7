//! Reading typed values from the text enterprises write: thousands separators, percentages,
//! Chinese dates (2025年1月), yes/no in Chinese, local times.

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

/// Parses an integer: blanks and thousands separators are ignored, `12.0` is 12.
pub fn parse_int(text: &str) -> Option<i64> {
    let cleaned = strip_separators(text);
    if let Ok(value) = cleaned.parse::<i64>() {
        return Some(value);
    }
    let value = cleaned.parse::<f64>().ok()?;
    (value.fract() == 0.0 && value.abs() < 9.0e15).then_some(value as i64)
}

/// Parses a number: blanks and thousands separators are ignored; `68%` is 0.68 when
/// `percent_allowed`.
pub fn parse_float(text: &str, percent_allowed: bool) -> Option<f64> {
    let cleaned = strip_separators(text);
    let (number, divisor) = match cleaned.strip_suffix(['%', '％']) {
        Some(number) if percent_allowed => (number.to_string(), 100.0),
        Some(_) => return None,
        None => (cleaned, 1.0),
    };
    let value = number.parse::<f64>().ok()?;
    value.is_finite().then_some(value / divisor)
}

fn strip_separators(text: &str) -> String {
    text.trim()
        .chars()
        .filter(|c| !matches!(c, ',' | '，' | ' ' | '\u{a0}' | '_'))
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            '．' => '.',
            '－' => '-',
            other => other,
        })
        .collect()
}

/// Parses a yes/no value: true/false, 1/0, yes/no, y/n, 是/否, 有/无, √/×.
pub fn parse_bool(text: &str) -> Option<bool> {
    match text.trim().to_lowercase().as_str() {
        "true" | "t" | "1" | "yes" | "y" | "是" | "有" | "√" | "✓" => Some(true),
        "false" | "f" | "0" | "no" | "n" | "否" | "无" | "×" | "✗" => Some(false),
        _ => None,
    }
}

/// Parses a date: 2025-01-15, 2025/1/15, 2025.1.15, 20250115, 2025年1月15日, and months
/// (2025-01, 202501, 2025年1月) as their first day. A time after the date is ignored.
pub fn parse_date(text: &str) -> Option<NaiveDate> {
    let text = text.trim();
    let date_part = text.split([' ', 'T']).next().unwrap_or(text);
    let normalised: String = date_part
        .replace(['年', '月'], "-")
        .replace(['日', '号'], "")
        .replace(['/', '.'], "-");
    let normalised = normalised.trim_end_matches('-');
    let parts: Vec<&str> = normalised.split('-').collect();
    let number = |part: &str| part.parse::<u32>().ok();
    match parts.as_slice() {
        [year, month, day] if year.len() == 4 => NaiveDate::from_ymd_opt(
            i32::try_from(number(year)?).ok()?,
            number(month)?,
            number(day)?,
        ),
        [year, month] if year.len() == 4 => {
            NaiveDate::from_ymd_opt(i32::try_from(number(year)?).ok()?, number(month)?, 1)
        }
        [digits] if digits.len() == 8 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            NaiveDate::from_ymd_opt(
                digits[..4].parse().ok()?,
                digits[4..6].parse().ok()?,
                digits[6..].parse().ok()?,
            )
        }
        [digits] if digits.len() == 6 && digits.bytes().all(|b| b.is_ascii_digit()) => {
            NaiveDate::from_ymd_opt(digits[..4].parse().ok()?, digits[4..].parse().ok()?, 1)
        }
        _ => None,
    }
}

/// Parses an instant: RFC 3339 with its offset; a date and time without one is local time at
/// `local_offset` (the park's, +08:00 by default); a date alone is local midnight; an integer
/// is Unix seconds (or milliseconds when above 10¹²).
pub fn parse_timestamp(text: &str, local_offset: FixedOffset) -> Option<DateTime<chrono::Utc>> {
    let text = text.trim();
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.to_utc());
    }
    if let Ok(instant) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(instant.to_utc());
    }
    if text.bytes().all(|b| b.is_ascii_digit()) && text.len() >= 9 {
        let number: i64 = text.parse().ok()?;
        return if number > 1_000_000_000_000 {
            DateTime::from_timestamp_millis(number)
        } else {
            DateTime::from_timestamp(number, 0)
        };
    }
    let naive = [
        "%Y-%m-%d %H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%d %H:%M",
        "%Y-%m-%dT%H:%M",
        "%Y/%m/%d %H:%M:%S",
        "%Y/%m/%d %H:%M",
    ]
    .iter()
    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
    .or_else(|| parse_date(text).map(|date| date.and_time(NaiveTime::MIN)))?;
    local_offset
        .from_local_datetime(&naive)
        .single()
        .map(|instant| instant.to_utc())
}

/// The park's default local offset, China Standard Time (UTC+8).
pub const CHINA_STANDARD_TIME: FixedOffset = match FixedOffset::east_opt(8 * 3600) {
    Some(offset) => offset,
    None => panic!("UTC+8 is a valid offset"),
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_clerks_write_them() {
        assert_eq!(parse_int(" 1,234 "), Some(1234));
        assert_eq!(parse_int("12.0"), Some(12));
        assert_eq!(parse_int("12.5"), None);
        assert_eq!(parse_int("１２"), Some(12));
        assert_eq!(parse_float("1,234.5", false), Some(1234.5));
        assert_eq!(parse_float("68%", true), Some(0.68));
        assert_eq!(parse_float("68%", false), None);
        assert_eq!(parse_float("abc", false), None);
        assert_eq!(parse_float("NaN", false), None);
    }

    #[test]
    fn booleans_in_both_languages() {
        assert_eq!(parse_bool("是"), Some(true));
        assert_eq!(parse_bool("否"), Some(false));
        assert_eq!(parse_bool("TRUE"), Some(true));
        assert_eq!(parse_bool("0"), Some(false));
        assert_eq!(parse_bool("maybe"), None);
    }

    #[test]
    fn dates_and_months() {
        let date = |y, m, d| NaiveDate::from_ymd_opt(y, m, d);
        assert_eq!(parse_date("2025-01-15"), date(2025, 1, 15));
        assert_eq!(parse_date("2025/1/5"), date(2025, 1, 5));
        assert_eq!(parse_date("2025.01.05"), date(2025, 1, 5));
        assert_eq!(parse_date("20250115"), date(2025, 1, 15));
        assert_eq!(parse_date("2025年1月15日"), date(2025, 1, 15));
        assert_eq!(parse_date("2025年1月"), date(2025, 1, 1));
        assert_eq!(parse_date("2025-01"), date(2025, 1, 1));
        assert_eq!(parse_date("202501"), date(2025, 1, 1));
        assert_eq!(parse_date("2025-01-15 08:00:00"), date(2025, 1, 15));
        assert_eq!(parse_date("2025-02-30"), None);
        assert_eq!(parse_date("last tuesday"), None);
    }

    #[test]
    fn timestamps_without_zone_are_park_local_time() {
        let cst = CHINA_STANDARD_TIME;
        let expected = DateTime::parse_from_rfc3339("2025-01-15T00:00:00Z")
            .expect("rfc")
            .to_utc();
        assert_eq!(parse_timestamp("2025-01-15 08:00:00", cst), Some(expected));
        assert_eq!(parse_timestamp("2025-01-15T08:00", cst), Some(expected));
        assert_eq!(parse_timestamp("2025-01-15T00:00:00Z", cst), Some(expected));
        assert_eq!(
            parse_timestamp("2025-01-15T08:00:00+08:00", cst),
            Some(expected)
        );
        assert_eq!(parse_timestamp("1736899200", cst), Some(expected));
        assert_eq!(parse_timestamp("1736899200000", cst), Some(expected));
        assert_eq!(parse_timestamp("yesterday", cst), None);
    }
}
