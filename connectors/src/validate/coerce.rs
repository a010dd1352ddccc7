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
    // Meter exports write millions of `2025-01-01 00:00:00`: read those without chrono's
    // format interpreter, which is most of the cost of a validated ingest otherwise.
    if let Some((naive, offset)) = parse_iso_timestamp(text) {
        let offset = offset.unwrap_or(local_offset);
        return offset
            .from_local_datetime(&naive)
            .single()
            .map(|instant| instant.to_utc());
    }
    if let Ok(instant) = DateTime::parse_from_rfc3339(text) {
        return Some(instant.to_utc());
    }
    if let Ok(instant) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z") {
        return Some(instant.to_utc());
    }
    // PostgreSQL writes a timestamptz's offset in hours alone (`2026-01-01 08:00:00+08`).
    if let Ok(instant) = DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%#z") {
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

/// Reads `YYYY-MM-DD[T| ]HH:MM[:SS[.fraction]][Z|±HH:MM]` with fixed-width fields, the common
/// shape, as `parse_timestamp`'s general formats would; anything else is `None` and left to
/// them. The offset is `None` when the text has none.
fn parse_iso_timestamp(text: &str) -> Option<(NaiveDateTime, Option<FixedOffset>)> {
    let bytes = text.as_bytes();
    let digits = |from: usize, to: usize| -> Option<u32> {
        let slice = bytes.get(from..to)?;
        slice.iter().try_fold(0u32, |value, &byte| {
            byte.is_ascii_digit()
                .then(|| value * 10 + u32::from(byte - b'0'))
        })
    };
    if bytes.len() < 16
        || bytes[4] != b'-'
        || bytes[7] != b'-'
        || !matches!(bytes[10], b' ' | b'T')
        || bytes[13] != b':'
    {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(
        i32::try_from(digits(0, 4)?).ok()?,
        digits(5, 7)?,
        digits(8, 10)?,
    )?;
    let (hour, minute) = (digits(11, 13)?, digits(14, 16)?);
    let mut at = 16;
    let mut second = 0;
    let mut nanos = 0;
    if bytes.get(at) == Some(&b':') {
        second = digits(17, 19)?;
        at = 19;
        if bytes.get(at) == Some(&b'.') {
            let start = at + 1;
            let end = start
                + bytes[start..]
                    .iter()
                    .take_while(|byte| byte.is_ascii_digit())
                    .count();
            if end == start || end - start > 9 {
                return None;
            }
            nanos = digits(start, end)? * 10u32.pow(9 - (end - start) as u32);
            at = end;
        }
    }
    // Leap seconds and other rarities: the general path.
    if second > 59 {
        return None;
    }
    let time = NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)?;
    let offset = match &bytes[at..] {
        [] => None,
        [b'Z' | b'z'] if at > 16 => FixedOffset::east_opt(0),
        [sign @ (b'+' | b'-'), _, _, b':', _, _] if at > 16 => {
            let seconds =
                i32::try_from(digits(at + 1, at + 3)? * 3600 + digits(at + 4, at + 6)? * 60)
                    .ok()?;
            Some(FixedOffset::east_opt(if *sign == b'-' {
                -seconds
            } else {
                seconds
            })?)
        }
        _ => return None,
    };
    Some((date.and_time(time), offset))
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
    fn the_fast_timestamp_path_agrees_with_the_general_formats() {
        let samples = [
            "2025-01-01 00:00:00",
            "2025-12-31T23:59:59",
            "2025-06-30 12:30",
            "2025-06-30T12:30",
            "2025-03-01 08:00:00.5",
            "2025-03-01 08:00:00.123456789",
            "2025-03-01T08:00:00Z",
            "2025-03-01T08:00:00+08:00",
            "2025-03-01 08:00:00-05:30",
            "2025-03-01T08:00:00.25+01:00",
            "2024-02-29 10:00:00",
        ];
        for text in samples {
            let fast = parse_iso_timestamp(text)
                .and_then(|(naive, offset)| {
                    offset
                        .unwrap_or(CHINA_STANDARD_TIME)
                        .from_local_datetime(&naive)
                        .single()
                })
                .map(|instant| instant.to_utc());
            let general = DateTime::parse_from_rfc3339(text)
                .or_else(|_| DateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S%.f%:z"))
                .map(|instant| instant.to_utc())
                .ok()
                .or_else(|| {
                    [
                        "%Y-%m-%d %H:%M:%S%.f",
                        "%Y-%m-%dT%H:%M:%S%.f",
                        "%Y-%m-%d %H:%M",
                        "%Y-%m-%dT%H:%M",
                    ]
                    .iter()
                    .find_map(|format| NaiveDateTime::parse_from_str(text, format).ok())
                    .and_then(|naive| CHINA_STANDARD_TIME.from_local_datetime(&naive).single())
                    .map(|instant| instant.to_utc())
                });
            assert!(fast.is_some(), "{text} takes the fast path");
            assert_eq!(fast, general, "{text}");
        }
        // Not the common shape, or not a time: left to the general path, which decides.
        for text in [
            "2025-02-30 00:00:00",
            "2025-1-5 08:00:00",
            "2025-01-01 24:00:00",
            "2025-01-01 08:00:60",
            "2025-01-01 08:00+08:00",
            "2025-01-01 08:00:00 junk",
            "2025-01-01 08:00:00.",
        ] {
            assert_eq!(parse_iso_timestamp(text), None, "{text}");
        }
        assert!(parse_timestamp("2025-1-5 08:00:00", CHINA_STANDARD_TIME).is_some());
        assert_eq!(
            parse_timestamp("2025-01-01 00:00:00", CHINA_STANDARD_TIME)
                .map(|instant| instant.to_rfc3339()),
            Some("2024-12-31T16:00:00+00:00".to_string())
        );
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
    fn postgres_offsets_in_hours_alone_are_read() {
        let expected = DateTime::parse_from_rfc3339("2026-01-01T00:00:00Z")
            .map(|instant| instant.to_utc())
            .ok();
        let park = FixedOffset::east_opt(8 * 3600).expect("offset");
        assert_eq!(parse_timestamp("2026-01-01 08:00:00+08", park), expected);
        assert_eq!(
            parse_timestamp("2026-01-01 00:00:00.000000+00", park),
            expected
        );
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
