//! The parts of one offering's score for one request, each with its points (from
//! [`super::score`]) and a line that says what was compared.

use super::facts::{EnterpriseProfile, TrackRecord};
use super::request::Scenario;
use super::results::{
    BudgetPart, IndustryPart, MaturityPart, OfferingSummary, ScenarioPart, TextPart,
    TrackRecordPart,
};
use super::score::{self, BudgetFit};
use super::terms::QueryTerms;
use crate::entry::CatalogEntry;

/// Returns the facts of an offering that a match shows.
pub(super) fn summary(offering: &CatalogEntry) -> OfferingSummary {
    OfferingSummary {
        id: offering.id.clone(),
        name: offering.title.clone(),
        name_en: offering.title_en.clone(),
        category: offering.category.clone(),
        scenarios: offering.scenarios.clone(),
        key_industries: offering.key_industries.clone(),
        divisions: offering.divisions.clone(),
        price_min: offering.price_min,
        price_max: offering.price_max,
        target_maturity_level: offering.target_maturity_level.map(i64::from),
        rating: offering.rating,
    }
}

/// Returns the text part: the offering's relevance against the best candidate's, and the
/// query's words found and not found in it (nothing without a query).
pub(super) fn text_part(
    terms: Option<&QueryTerms>,
    offering: &CatalogEntry,
    relevance: f64,
    best_relevance: f64,
) -> TextPart {
    let Some(terms) = terms else {
        return TextPart {
            points: 0.0,
            relevance: 0.0,
            best_relevance: 0.0,
            matched_terms: Vec::new(),
            unmatched_terms: Vec::new(),
            note: "no text or scenario to search: offerings of the enterprise's industry listed"
                .to_string(),
        };
    };
    let found = terms.matches(offering);
    let points = score::text_points(relevance, best_relevance).value();
    let matched = if found.matched.is_empty() {
        "no query word found as such (a close spelling matched)".to_string()
    } else {
        format!("matched {}", found.matched.join(", "))
    };
    let missing = if found.unmatched.is_empty() {
        String::new()
    } else {
        format!("; not found: {}", found.unmatched.join(", "))
    };
    TextPart {
        points,
        relevance: round2(relevance),
        best_relevance: round2(best_relevance),
        note: format!("{matched}{missing} (relevance {relevance:.2} of best {best_relevance:.2})"),
        matched_terms: found.matched,
        unmatched_terms: found.unmatched,
    }
}

fn round2(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

/// Returns the scenario part: whether the offering lists the scenario asked for.
pub(super) fn scenario_part(scenario: Option<&Scenario>, offering: &CatalogEntry) -> ScenarioPart {
    let offered = if offering.scenarios.is_empty() {
        "none".to_string()
    } else {
        offering.scenarios.join(", ")
    };
    let Some(scenario) = scenario else {
        return ScenarioPart {
            points: 0.0,
            asked: None,
            fits: None,
            note: format!("no scenario asked (offers {offered})"),
        };
    };
    let fits = offering
        .scenarios
        .iter()
        .any(|code| code.trim().eq_ignore_ascii_case(&scenario.code));
    ScenarioPart {
        points: score::scenario_points(Some(fits)).value(),
        asked: Some(scenario.code.clone()),
        fits: Some(fits),
        note: if fits {
            format!("offers {}", scenario.label())
        } else {
            format!("does not list {} (offers {offered})", scenario.label())
        },
    }
}

/// Returns the industry part: whether the offering suits the enterprise's division and key
/// industry.
pub(super) fn industry_part(
    enterprise: Option<&EnterpriseProfile>,
    offering: &CatalogEntry,
) -> IndustryPart {
    let Some(enterprise) = enterprise else {
        return IndustryPart {
            points: 0.0,
            division: None,
            key_industry: None,
            same_division: None,
            same_key_industry: None,
            note: "no enterprise given".to_string(),
        };
    };
    let same_division = enterprise
        .division
        .as_ref()
        .map(|division| offering.divisions.contains(division));
    let same_key_industry = Some(offering.key_industries.contains(&enterprise.key_industry));
    let division = enterprise.division.as_deref().unwrap_or("(none)");
    let key_industry = enterprise.key_industry.as_str();
    let note = match (same_division == Some(true), same_key_industry == Some(true)) {
        (true, true) => format!("same division {division} and key industry {key_industry}"),
        (true, false) => format!(
            "same division {division}; key industry {key_industry} not listed (suits {})",
            offering.key_industries.join(", ")
        ),
        (false, true) => format!(
            "same key industry {key_industry}; division {division} not listed (suits {})",
            offering.divisions.join(", ")
        ),
        (false, false) => format!(
            "neither division {division} nor key industry {key_industry} (suits {})",
            offering.key_industries.join(", ")
        ),
    };
    IndustryPart {
        points: score::industry_points(same_division, same_key_industry).value(),
        division: enterprise.division.clone(),
        key_industry: Some(enterprise.key_industry.clone()),
        same_division,
        same_key_industry,
        note,
    }
}

fn price_range(offering: &CatalogEntry) -> String {
    match (offering.price_min, offering.price_max) {
        (Some(low), Some(high)) if low != high => format!("{low}–{high}"),
        (Some(price), _) | (None, Some(price)) => format!("{price}"),
        (None, None) => "unknown".to_string(),
    }
}

/// Returns the budget part: the offering's price range against the budget.
pub(super) fn budget_part(budget: Option<f64>, offering: &CatalogEntry) -> BudgetPart {
    let fit = score::budget_fit(budget, offering.price_min, offering.price_max);
    let prices = price_range(offering);
    let (fits, whole_range_fits, note) = match (fit, budget) {
        (BudgetFit::Whole, Some(budget)) => (
            Some(true),
            Some(true),
            format!("price {prices} within budget {budget}"),
        ),
        (BudgetFit::Part, Some(budget)) => (
            Some(true),
            Some(false),
            format!("price {prices} starts within budget {budget}"),
        ),
        (BudgetFit::Over, Some(budget)) => (
            Some(false),
            Some(false),
            format!("price {prices} over budget {budget}"),
        ),
        (_, None) => (None, None, format!("no budget given (price {prices})")),
        (_, Some(budget)) => (
            None,
            None,
            format!("no price to compare with budget {budget}"),
        ),
    };
    BudgetPart {
        points: score::budget_points(fit).value(),
        budget,
        fits,
        whole_range_fits,
        note,
    }
}

fn projects(count: u64) -> String {
    if count == 1 {
        "1 completed project".to_string()
    } else {
        format!("{count} completed projects")
    }
}

/// Returns the track-record part: the provider's completed projects in the park, in all and
/// in the enterprise's key industry.
pub(super) fn track_record_part(
    record: TrackRecord,
    key_industry: Option<&str>,
) -> TrackRecordPart {
    let completed_in_industry = key_industry.map(|_| record.completed_in_industry);
    let note = match key_industry {
        Some(industry) => format!(
            "provider has {} in the park, {} in {industry}",
            projects(record.completed),
            record.completed_in_industry
        ),
        None => format!("provider has {} in the park", projects(record.completed)),
    };
    TrackRecordPart {
        points: score::track_record_points(record.completed, completed_in_industry).value(),
        completed_projects: record.completed,
        completed_in_industry,
        industry: key_industry.map(str::to_string),
        note,
    }
}

/// Returns the maturity part: the enterprise's latest level against the offering's target.
pub(super) fn maturity_part(
    enterprise: Option<&EnterpriseProfile>,
    offering: &CatalogEntry,
) -> MaturityPart {
    let enterprise_level = enterprise.and_then(|enterprise| enterprise.maturity_level);
    let target_level = offering.target_maturity_level.map(i64::from);
    let note = match (enterprise, enterprise_level, target_level) {
        (None, _, _) => "no enterprise given".to_string(),
        (Some(_), None, _) => "the enterprise has no maturity assessment".to_string(),
        (Some(_), Some(_), None) => "the offering names no target maturity level".to_string(),
        (Some(enterprise), Some(level), Some(target)) => {
            let assessed = enterprise
                .assessed_on
                .as_deref()
                .map_or_else(String::new, |date| format!(" (assessed {date})"));
            let gap = match target - level {
                0 => "the same level".to_string(),
                1 => "one level above".to_string(),
                -1 => "one level below".to_string(),
                gap if gap > 0 => format!("{gap} levels above"),
                gap => format!("{} levels below", -gap),
            };
            format!("enterprise at level {level}{assessed}, offering targets {target}: {gap}")
        }
    };
    MaturityPart {
        points: score::maturity_points(enterprise_level, target_level).value(),
        enterprise_level,
        target_level,
        note,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::entry::EntryKind;

    #[test]
    fn parts_explain_what_they_compare() {
        let mut offering = CatalogEntry::new(EntryKind::Offering, "O1", "窑炉能耗监测");
        offering.price_min = Some(20.0);
        offering.price_max = Some(60.0);
        offering.divisions = vec!["C30".into()];
        offering.key_industries = vec!["building_materials".into()];
        offering.target_maturity_level = Some(3);
        let enterprise = EnterpriseProfile {
            uscc: "91320500887734311U".into(),
            name: "昌邦碳素".into(),
            industry_code: "C3091".into(),
            division: Some("C30".into()),
            key_industry: "building_materials".into(),
            scale: None,
            maturity_level: Some(2),
            assessed_on: Some("2026-08-23".into()),
        };

        let budget = budget_part(Some(30.0), &offering);
        assert_eq!(
            (budget.points, budget.fits, budget.whole_range_fits),
            (5.0, Some(true), Some(false))
        );
        assert_eq!(budget_part(Some(10.0), &offering).fits, Some(false));
        assert_eq!(budget_part(None, &offering).fits, None);

        let industry = industry_part(Some(&enterprise), &offering);
        assert_eq!(industry.points, 15.0);
        assert_eq!(
            industry.note,
            "same division C30 and key industry building_materials"
        );
        assert_eq!(industry_part(None, &offering).points, 0.0);

        let maturity = maturity_part(Some(&enterprise), &offering);
        assert_eq!(maturity.points, 5.0);
        assert!(
            maturity.note.contains("one level above"),
            "{}",
            maturity.note
        );

        let record = track_record_part(
            TrackRecord {
                completed: 2,
                completed_in_industry: 1,
            },
            Some("building_materials"),
        );
        assert_eq!(record.points, 4.0);
        assert_eq!(record.completed_in_industry, Some(1));
    }
}
