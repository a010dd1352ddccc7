//! Dates and the Chinese working calendar: months, Spring Festival, public holidays.

use chrono::{Datelike, Duration, Months, NaiveDate, Weekday};

/// Hours between UTC and the park's local time (China Standard Time, UTC+8).
pub(crate) const LOCAL_UTC_OFFSET_HOURS: i64 = 8;

/// Builds a date, falling back to 1970-01-01 for an impossible one (callers pass valid dates).
pub(crate) fn date(year: i32, month: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(year, month, day).unwrap_or_default()
}

/// Days since 1970-01-01, as Arrow's Date32 stores a date.
pub(crate) fn date32(day: NaiveDate) -> i32 {
    let days = day.signed_duration_since(NaiveDate::default()).num_days();
    i32::try_from(days).unwrap_or(0)
}

/// Microseconds since the epoch of `day` at 00:00 UTC.
pub(crate) fn midnight_utc_micros(day: NaiveDate) -> i64 {
    i64::from(date32(day)) * 86_400 * 1_000_000
}

/// Moves a date by whole months (negative moves back); the date is kept when out of range.
pub(crate) fn add_months(day: NaiveDate, months: i64) -> NaiveDate {
    let magnitude = Months::new(u32::try_from(months.unsigned_abs()).unwrap_or(0));
    let moved = if months >= 0 {
        day.checked_add_months(magnitude)
    } else {
        day.checked_sub_months(magnitude)
    };
    moved.unwrap_or(day)
}

/// Moves a date by days; the date is kept when out of range.
pub(crate) fn add_days(day: NaiveDate, days: i64) -> NaiveDate {
    day.checked_add_signed(Duration::days(days)).unwrap_or(day)
}

/// The first day of the month after `month_start`'s month.
pub(crate) fn next_month(month_start: NaiveDate) -> NaiveDate {
    add_months(month_start.with_day(1).unwrap_or(month_start), 1)
}

/// The `count` months ending with `last` (first days of month), oldest first.
pub(crate) fn months_ending(last: NaiveDate, count: u32) -> Vec<NaiveDate> {
    (0..i64::from(count))
        .rev()
        .map(|back| add_months(last, -back))
        .collect()
}

/// Number of days of the month starting at `month_start`.
pub(crate) fn days_in_month(month_start: NaiveDate) -> i64 {
    next_month(month_start)
        .signed_duration_since(month_start)
        .num_days()
}

/// A uniformly drawn day in `[from, to]` given the draw `fraction` in [0, 1).
pub(crate) fn day_between(from: NaiveDate, to: NaiveDate, fraction: f64) -> NaiveDate {
    let span = to.signed_duration_since(from).num_days();
    if span <= 0 {
        return from;
    }
    let offset = (fraction.clamp(0.0, 1.0) * (span + 1) as f64).floor() as i64;
    add_days(from, offset.min(span))
}

/// The date of the Spring Festival (Chinese New Year's day) of a year; early February outside
/// the table.
pub(crate) fn spring_festival(year: i32) -> NaiveDate {
    const SPRING_FESTIVALS: &[(i32, u32, u32)] = &[
        (2015, 2, 19),
        (2016, 2, 8),
        (2017, 1, 28),
        (2018, 2, 16),
        (2019, 2, 5),
        (2020, 1, 25),
        (2021, 2, 12),
        (2022, 2, 1),
        (2023, 1, 22),
        (2024, 2, 10),
        (2025, 1, 29),
        (2026, 2, 17),
        (2027, 2, 6),
        (2028, 1, 26),
        (2029, 2, 13),
        (2030, 2, 3),
        (2031, 1, 23),
        (2032, 2, 11),
        (2033, 1, 31),
        (2034, 2, 19),
        (2035, 2, 8),
    ];
    SPRING_FESTIVALS
        .iter()
        .find(|(festival_year, _, _)| *festival_year == year)
        .map(|(festival_year, month, day)| date(*festival_year, *month, *day))
        .unwrap_or_else(|| date(year, 2, 5))
}

/// Share of the days of a month that fall in the Spring Festival slowdown (from a week before
/// the festival to two weeks after it, while migrant workers travel home and back).
pub(crate) fn spring_festival_share(month_start: NaiveDate) -> f64 {
    let festival = spring_festival(month_start.year());
    let slowdown_start = add_days(festival, -7);
    let slowdown_end = add_days(festival, 14);
    let days = days_in_month(month_start);
    let in_slowdown = (0..days)
        .map(|offset| add_days(month_start, offset))
        .filter(|day| *day >= slowdown_start && *day <= slowdown_end)
        .count();
    in_slowdown as f64 / days.max(1) as f64
}

/// How much of a normal working day's activity a day has: 1 on working days, lower on
/// weekends, statutory holidays and around the Spring Festival. `continuous` plants (blast
/// furnaces, kilns, crackers, paper machines) barely notice.
pub(crate) fn day_activity(day: NaiveDate, continuous: bool) -> f64 {
    let holiday = holiday_depth(day);
    if continuous {
        return 1.0 - 0.08 * holiday;
    }
    let weekend = match day.weekday() {
        Weekday::Sat => 0.62,
        Weekday::Sun => 0.38,
        _ => 1.0,
    };
    let holiday_level = 1.0 - 0.72 * holiday;
    f64::min(weekend, holiday_level)
}

/// 0 on ordinary days, up to 1 on the core days of a statutory holiday.
fn holiday_depth(day: NaiveDate) -> f64 {
    let (month, day_of_month) = (day.month(), day.day());
    let festival = spring_festival(day.year());
    let from_festival = day.signed_duration_since(festival).num_days();
    let spring = match from_festival {
        -2..=6 => 1.0,
        -5..=-3 => 0.4,
        7..=14 => 0.6 - 0.06 * (from_festival - 7) as f64,
        _ => 0.0,
    };
    let fixed = match (month, day_of_month) {
        (1, 1) => 1.0,
        (4, 4..=6) => 0.8,
        (5, 1..=5) => 1.0,
        (10, 1..=7) => 1.0,
        _ => 0.0,
    };
    f64::max(spring, fixed)
}
