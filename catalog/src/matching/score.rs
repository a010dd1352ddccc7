//! The score of one offering for one request: six parts, each worth a fixed number of points,
//! computed from facts only (no randomness, no clock), so the same lake and index always give
//! the same ranking.
//!
//! | part | points | how |
//! | --- | --- | --- |
//! | text | up to [`TEXT_POINTS`] | the offering's catalog relevance (BM25) divided by the best relevance among the candidates |
//! | scenario | [`SCENARIO_POINTS`] | the offering lists the scenario asked for |
//! | industry | [`SAME_DIVISION_POINTS`] + [`SAME_KEY_INDUSTRY_POINTS`] | the offering suits the enterprise's GB/T 4754 division; its key industry |
//! | budget | [`BUDGET_POINTS`], half of it for part of the range | the offering's whole price range is within the budget; only its lowest price is |
//! | track record | [`PROJECT_IN_INDUSTRY_POINTS`] each (up to [`MAX_PROJECTS_IN_INDUSTRY`]) + [`PROJECT_POINTS`] each (up to [`MAX_PROJECTS`]) | the provider's completed transformation projects in the park in the enterprise's key industry; in all |
//! | maturity | [`MATURITY_POINTS`], half of it one level apart | the offering's target maturity level equals the enterprise's latest assessed level |
//!
//! The score is the sum of the parts, at most 100. Points are kept in hundredths so that the
//! parts, rounded to two decimals, add up exactly to the score.

/// Most points of the text part.
pub const TEXT_POINTS: f64 = 40.0;
/// Points when the offering lists the scenario asked for.
pub const SCENARIO_POINTS: f64 = 15.0;
/// Points when the offering suits the enterprise's GB/T 4754 division.
pub const SAME_DIVISION_POINTS: f64 = 10.0;
/// Points when the offering suits the enterprise's key industry.
pub const SAME_KEY_INDUSTRY_POINTS: f64 = 5.0;
/// Points when the offering's whole price range is within the budget (half when only its
/// lowest price is).
pub const BUDGET_POINTS: f64 = 10.0;
/// Points per completed project of the provider in the enterprise's key industry.
pub const PROJECT_IN_INDUSTRY_POINTS: f64 = 2.0;
/// Completed projects in the enterprise's key industry that count.
pub const MAX_PROJECTS_IN_INDUSTRY: u64 = 3;
/// Points per completed project of the provider in the park.
pub const PROJECT_POINTS: f64 = 1.0;
/// Completed projects in the park that count.
pub const MAX_PROJECTS: u64 = 4;
/// Points when the offering targets the enterprise's maturity level (half when one level
/// apart).
pub const MATURITY_POINTS: f64 = 10.0;

/// The scoring rule in one line, as answered with every match list.
pub const SCORING: &str = "score = text (40 × relevance ÷ best relevance among the candidates) \
    + scenario (15 when the offering lists the scenario asked for) \
    + industry (10 same GB/T 4754 division + 5 same key industry) \
    + budget (10 when the whole price range is within budget, 5 when only the lowest price is) \
    + track record (2 per completed park project of the provider in the enterprise's key \
    industry, up to 3, + 1 per completed park project, up to 4) \
    + maturity (10 when the offering targets the enterprise's latest maturity level, 5 when \
    one level apart); at most 100";

/// Points in hundredths, so that sums of rounded parts are exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Points(i64);

impl Points {
    /// No points.
    pub const ZERO: Points = Points(0);

    /// Returns `points` rounded to hundredths (negative and non-finite values count as 0).
    pub fn new(points: f64) -> Points {
        if points.is_finite() && points > 0.0 {
            Points((points * 100.0).round() as i64)
        } else {
            Points::ZERO
        }
    }

    /// Returns the points as a number with at most two decimals.
    pub fn value(self) -> f64 {
        self.0 as f64 / 100.0
    }
}

impl std::ops::Add for Points {
    type Output = Points;

    fn add(self, other: Points) -> Points {
        Points(self.0 + other.0)
    }
}

impl std::iter::Sum for Points {
    fn sum<I: Iterator<Item = Points>>(parts: I) -> Points {
        parts.fold(Points::ZERO, |total, part| total + part)
    }
}

/// Returns the text part: [`TEXT_POINTS`] times the offering's relevance relative to the best
/// candidate's.
pub fn text_points(relevance: f64, best_relevance: f64) -> Points {
    let usable = |value: f64| value.is_finite() && value > 0.0;
    if !usable(relevance) || !usable(best_relevance) {
        return Points::ZERO;
    }
    Points::new(TEXT_POINTS * (relevance / best_relevance).min(1.0))
}

/// Returns the scenario part.
pub fn scenario_points(fits: Option<bool>) -> Points {
    if fits == Some(true) {
        Points::new(SCENARIO_POINTS)
    } else {
        Points::ZERO
    }
}

/// Returns the industry part.
pub fn industry_points(same_division: Option<bool>, same_key_industry: Option<bool>) -> Points {
    let mut points = Points::ZERO;
    if same_division == Some(true) {
        points = points + Points::new(SAME_DIVISION_POINTS);
    }
    if same_key_industry == Some(true) {
        points = points + Points::new(SAME_KEY_INDUSTRY_POINTS);
    }
    points
}

/// How an offering's price range compares with a budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetFit {
    /// No budget, or the offering has no price.
    Unknown,
    /// Its whole price range is within the budget.
    Whole,
    /// Its lowest price is within the budget, its highest is not.
    Part,
    /// Even its lowest price is above the budget.
    Over,
}

/// Compares an offering's price range with a budget (all in 10k yuan). A price known at one
/// end only is the price at both ends.
pub fn budget_fit(
    budget: Option<f64>,
    price_min: Option<f64>,
    price_max: Option<f64>,
) -> BudgetFit {
    let Some(budget) = budget.filter(|budget| budget.is_finite()) else {
        return BudgetFit::Unknown;
    };
    let lowest = price_min.or(price_max).filter(|price| price.is_finite());
    let highest = price_max.or(price_min).filter(|price| price.is_finite());
    match (lowest, highest) {
        (Some(lowest), Some(highest)) if highest <= budget && lowest <= budget => BudgetFit::Whole,
        (Some(lowest), Some(_)) if lowest <= budget => BudgetFit::Part,
        (Some(_), Some(_)) => BudgetFit::Over,
        _ => BudgetFit::Unknown,
    }
}

/// Returns the budget part.
pub fn budget_points(fit: BudgetFit) -> Points {
    match fit {
        BudgetFit::Whole => Points::new(BUDGET_POINTS),
        BudgetFit::Part => Points::new(BUDGET_POINTS / 2.0),
        BudgetFit::Over | BudgetFit::Unknown => Points::ZERO,
    }
}

/// Returns the track-record part from the provider's completed projects in the park and,
/// when an enterprise is known, in its key industry.
pub fn track_record_points(completed: u64, completed_in_industry: Option<u64>) -> Points {
    let in_industry = completed_in_industry
        .unwrap_or(0)
        .min(MAX_PROJECTS_IN_INDUSTRY) as f64;
    let overall = completed.min(MAX_PROJECTS) as f64;
    Points::new(in_industry * PROJECT_IN_INDUSTRY_POINTS + overall * PROJECT_POINTS)
}

/// Returns the maturity part from the enterprise's level and the offering's target level.
pub fn maturity_points(enterprise_level: Option<i64>, target_level: Option<i64>) -> Points {
    match (enterprise_level, target_level) {
        (Some(level), Some(target)) if level == target => Points::new(MATURITY_POINTS),
        (Some(level), Some(target)) if (level - target).abs() == 1 => {
            Points::new(MATURITY_POINTS / 2.0)
        }
        _ => Points::ZERO,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_parts_add_up_to_at_most_100() {
        let best = [
            text_points(3.0, 3.0),
            scenario_points(Some(true)),
            industry_points(Some(true), Some(true)),
            budget_points(BudgetFit::Whole),
            track_record_points(10, Some(10)),
            maturity_points(Some(3), Some(3)),
        ];
        let total: Points = best.into_iter().sum();
        assert_eq!(total.value(), 100.0);
        assert_eq!(
            best.map(Points::value),
            [40.0, 15.0, 15.0, 10.0, 10.0, 10.0]
        );
    }

    #[test]
    fn text_points_are_relative_to_the_best_candidate() {
        assert_eq!(text_points(1.0, 4.0).value(), 10.0);
        assert_eq!(text_points(1.0, 3.0).value(), 13.33);
        assert_eq!(text_points(0.0, 3.0), Points::ZERO);
        assert_eq!(text_points(1.0, 0.0), Points::ZERO);
        assert_eq!(text_points(f64::NAN, 1.0), Points::ZERO);
        // Hundredths add up exactly.
        let parts = [
            text_points(1.0, 3.0),
            text_points(2.0, 3.0),
            Points::new(5.0),
        ];
        assert_eq!(parts.into_iter().sum::<Points>().value(), 45.0);
    }

    #[test]
    fn the_budget_fits_only_prices_within_it() {
        assert_eq!(
            budget_fit(Some(100.0), Some(20.0), Some(80.0)),
            BudgetFit::Whole
        );
        assert_eq!(
            budget_fit(Some(80.0), Some(20.0), Some(80.0)),
            BudgetFit::Whole
        );
        assert_eq!(
            budget_fit(Some(50.0), Some(20.0), Some(80.0)),
            BudgetFit::Part
        );
        assert_eq!(
            budget_fit(Some(10.0), Some(20.0), Some(80.0)),
            BudgetFit::Over
        );
        assert_eq!(budget_fit(None, Some(20.0), Some(80.0)), BudgetFit::Unknown);
        assert_eq!(budget_fit(Some(50.0), None, None), BudgetFit::Unknown);
        assert_eq!(budget_fit(Some(50.0), None, Some(40.0)), BudgetFit::Whole);
        assert_eq!(budget_points(BudgetFit::Part).value(), 5.0);
        assert_eq!(budget_points(BudgetFit::Over), Points::ZERO);
    }

    #[test]
    fn track_records_and_maturity_are_capped_and_graded() {
        assert_eq!(track_record_points(0, Some(0)), Points::ZERO);
        assert_eq!(track_record_points(2, Some(1)).value(), 4.0);
        assert_eq!(track_record_points(9, None).value(), 4.0);
        assert_eq!(track_record_points(9, Some(9)).value(), 10.0);
        assert_eq!(maturity_points(Some(2), Some(2)).value(), 10.0);
        assert_eq!(maturity_points(Some(2), Some(3)).value(), 5.0);
        assert_eq!(maturity_points(Some(4), Some(3)).value(), 5.0);
        assert_eq!(maturity_points(Some(1), Some(3)), Points::ZERO);
        assert_eq!(maturity_points(None, Some(3)), Points::ZERO);
        assert_eq!(industry_points(Some(false), Some(true)).value(), 5.0);
        assert_eq!(industry_points(None, None), Points::ZERO);
    }
}
