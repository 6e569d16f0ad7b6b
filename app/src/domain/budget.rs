//! Budget control of projects and work packages. Rules:
//! - Consumption is actual / planned, for hours and for money; the worse of the two counts.
//! - Progress is what the team judged done (percent); where tasks carry estimates, the
//!   share of the estimates of done tasks replaces the judgement.
//! - Forecast at completion (EAC): once progress is known, the pace so far continues
//!   (actual / progress); before that, the plan or what was spent, whichever is larger.
//! - Traffic light, thresholds in percent of the plan: red when consumption reaches `red_at`
//!   or the forecast overruns the plan by more than `forecast_tolerance`; yellow when
//!   consumption reaches `yellow_at` or the forecast exceeds the plan at all; else green.
//!   Without any plan there is no light.
//! - Earned value (fixed price): BAC the budget, PV = BAC × share of the schedule passed,
//!   EV = BAC × progress, AC = the money the time is worth; CPI = EV/AC, SPI = EV/PV.

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

const HUNDRED: Decimal = Decimal::ONE_HUNDRED;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Light {
    Green,
    Yellow,
    Red,
}

impl Light {
    pub fn as_str(self) -> &'static str {
        match self {
            Light::Green => "green",
            Light::Yellow => "yellow",
            Light::Red => "red",
        }
    }

    pub fn parse(text: &str) -> Option<Light> {
        [Light::Green, Light::Yellow, Light::Red]
            .into_iter()
            .find(|l| l.as_str() == text)
    }
}

/// Why a light is not green.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Cause {
    BudgetUsed,
    ForecastOverrun,
}

/// Thresholds in percent of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Thresholds {
    pub yellow_at: Decimal,
    pub red_at: Decimal,
    pub forecast_tolerance: Decimal,
}

impl Default for Thresholds {
    fn default() -> Self {
        Thresholds {
            yellow_at: Decimal::from(80),
            red_at: HUNDRED,
            forecast_tolerance: Decimal::TEN,
        }
    }
}

/// Hours and the money they are worth.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Effort {
    pub hours: Decimal,
    pub amount: Decimal,
}

impl std::ops::Add for Effort {
    type Output = Effort;
    fn add(self, other: Effort) -> Effort {
        Effort {
            hours: self.hours + other.hours,
            amount: self.amount + other.amount,
        }
    }
}

/// Planned against actual, the forecast and the light of a project or work package.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Budget {
    pub planned: Effort,
    pub actual: Effort,
    /// Percent complete, 0–100.
    pub progress: Decimal,
    pub forecast: Effort,
    /// The worse of hours and money consumed, in percent of the plan (one decimal).
    pub used_percent: Option<Decimal>,
    /// The forecast in percent of the plan (one decimal).
    pub forecast_percent: Option<Decimal>,
    pub light: Option<Light>,
    pub cause: Option<Cause>,
}

/// Percent of `part` in `whole`, one decimal; none without a whole.
fn percent(part: Decimal, whole: Decimal) -> Option<Decimal> {
    (whole > Decimal::ZERO).then(|| (part * HUNDRED / whole).round_dp(1))
}

/// The larger of two optional percentages.
fn worse(a: Option<Decimal>, b: Option<Decimal>) -> Option<Decimal> {
    match (a, b) {
        (Some(a), Some(b)) => Some(a.max(b)),
        (a, b) => a.or(b),
    }
}

fn forecast_of(planned: Decimal, actual: Decimal, progress: Decimal) -> Decimal {
    if progress >= HUNDRED {
        actual
    } else if progress > Decimal::ZERO {
        (actual * HUNDRED / progress).round_dp(2)
    } else {
        planned.max(actual)
    }
}

/// The budget figures and light of planned and actual effort at a progress (percent).
pub fn evaluate(planned: Effort, actual: Effort, progress: Decimal, limits: &Thresholds) -> Budget {
    let progress = progress.clamp(Decimal::ZERO, HUNDRED);
    let forecast = Effort {
        hours: forecast_of(planned.hours, actual.hours, progress),
        amount: forecast_of(planned.amount, actual.amount, progress),
    };
    let used_percent = worse(
        percent(actual.hours, planned.hours),
        percent(actual.amount, planned.amount),
    );
    let forecast_percent = worse(
        percent(forecast.hours, planned.hours),
        percent(forecast.amount, planned.amount),
    );
    let (light, cause) = match (used_percent, forecast_percent) {
        (Some(used), Some(forecast)) => {
            if used >= limits.red_at {
                (Some(Light::Red), Some(Cause::BudgetUsed))
            } else if forecast > HUNDRED + limits.forecast_tolerance {
                (Some(Light::Red), Some(Cause::ForecastOverrun))
            } else if used >= limits.yellow_at {
                (Some(Light::Yellow), Some(Cause::BudgetUsed))
            } else if forecast > HUNDRED {
                (Some(Light::Yellow), Some(Cause::ForecastOverrun))
            } else {
                (Some(Light::Green), None)
            }
        }
        _ => (None, None),
    };
    Budget {
        planned,
        actual,
        progress,
        forecast,
        used_percent,
        forecast_percent,
        light,
        cause,
    }
}

/// Percent of the estimated hours whose tasks are done; none when no task has an estimate.
pub fn progress_from_tasks(tasks: &[(Decimal, bool)]) -> Option<Decimal> {
    let total: Decimal = tasks.iter().map(|(estimate, _)| *estimate).sum();
    let done: Decimal = tasks
        .iter()
        .filter(|(_, done)| *done)
        .map(|(estimate, _)| *estimate)
        .sum();
    percent(done, total)
}

/// A project's progress from its work packages (planned hours, percent), weighted by the
/// planned hours; an unweighted mean when nothing is planned.
pub fn weighted_progress(parts: &[(Decimal, Decimal)]) -> Decimal {
    let weight: Decimal = parts.iter().map(|(hours, _)| *hours).sum();
    if weight > Decimal::ZERO {
        let earned: Decimal = parts.iter().map(|(hours, done)| *hours * *done).sum();
        (earned / weight).round_dp(1)
    } else if parts.is_empty() {
        Decimal::ZERO
    } else {
        let sum: Decimal = parts.iter().map(|(_, done)| *done).sum();
        (sum / Decimal::from(parts.len())).round_dp(1)
    }
}

/// The share (0–1) of the schedule passed on `today`, by calendar days, both ends counted.
pub fn schedule_share(starts_on: NaiveDate, ends_on: NaiveDate, today: NaiveDate) -> Decimal {
    if today < starts_on {
        return Decimal::ZERO;
    }
    if today >= ends_on {
        return Decimal::ONE;
    }
    let total = (ends_on - starts_on).num_days() + 1;
    let passed = (today - starts_on).num_days() + 1;
    (Decimal::from(passed) / Decimal::from(total)).round_dp(4)
}

/// Earned-value figures of a fixed-price project.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EarnedValue {
    /// Budget at completion.
    pub bac: Decimal,
    pub pv: Decimal,
    pub ev: Decimal,
    pub ac: Decimal,
    /// Cost performance: above 1 the work costs less than planned.
    pub cpi: Option<Decimal>,
    /// Schedule performance: above 1 the work is ahead of plan.
    pub spi: Option<Decimal>,
    /// Estimate at completion, BAC / CPI.
    pub eac: Option<Decimal>,
}

pub fn earned_value(
    budget: Decimal,
    progress: Decimal,
    actual_cost: Decimal,
    schedule_share: Decimal,
) -> EarnedValue {
    let pv = (budget * schedule_share).round_dp(2);
    let ev = (budget * progress.clamp(Decimal::ZERO, HUNDRED) / HUNDRED).round_dp(2);
    let ratio = |a: Decimal, b: Decimal| (b > Decimal::ZERO).then(|| (a / b).round_dp(2));
    let cpi = ratio(ev, actual_cost);
    EarnedValue {
        bac: budget,
        pv,
        ev,
        ac: actual_cost,
        cpi,
        spi: ratio(ev, pv),
        eac: cpi
            .filter(|c| *c > Decimal::ZERO)
            .map(|c| (budget / c).round_dp(2)),
    }
}

/// One week of a burn chart: hours spent up to the week's end and what is left of the plan.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BurnPoint {
    /// The Monday of the week.
    pub week: NaiveDate,
    pub spent: Decimal,
    pub remaining: Decimal,
}

/// Cumulative burn from hours per week (sorted by week; missing weeks are simply absent).
pub fn burn(planned_hours: Decimal, weekly: &[(NaiveDate, Decimal)]) -> Vec<BurnPoint> {
    let mut spent = Decimal::ZERO;
    weekly
        .iter()
        .map(|(week, hours)| {
            spent += *hours;
            BurnPoint {
                week: *week,
                spent,
                remaining: planned_hours - spent,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    macro_rules! dec {
        ($n:literal) => {
            Decimal::from_str(stringify!($n)).unwrap()
        };
    }

    fn effort(hours: Decimal, amount: Decimal) -> Effort {
        Effort { hours, amount }
    }

    #[test]
    fn lights_follow_consumption_and_forecast() {
        let plan = effort(dec!(100), dec!(10000));
        let limits = Thresholds::default();
        // (actual hours, actual amount, progress) → light, cause
        let table = [
            (dec!(0), dec!(0), dec!(0), Some(Light::Green), None),
            (dec!(50), dec!(5000), dec!(50), Some(Light::Green), None),
            // 80 % used, on pace
            (
                dec!(80),
                dec!(8000),
                dec!(80),
                Some(Light::Yellow),
                Some(Cause::BudgetUsed),
            ),
            // money worse than hours counts
            (
                dec!(50),
                dec!(8500),
                dec!(90),
                Some(Light::Yellow),
                Some(Cause::BudgetUsed),
            ),
            // 40 % spent for 36 % done: forecast 111.1 % > 110 %
            (
                dec!(40),
                dec!(4000),
                dec!(36),
                Some(Light::Red),
                Some(Cause::ForecastOverrun),
            ),
            // 40 % spent for 38 % done: forecast 105.3 %
            (
                dec!(40),
                dec!(4000),
                dec!(38),
                Some(Light::Yellow),
                Some(Cause::ForecastOverrun),
            ),
            (
                dec!(100),
                dec!(10000),
                dec!(100),
                Some(Light::Red),
                Some(Cause::BudgetUsed),
            ),
            // nothing judged done yet: the plan is the forecast
            (dec!(30), dec!(3000), dec!(0), Some(Light::Green), None),
        ];
        for (hours, amount, progress, light, cause) in table {
            let budget = evaluate(plan, effort(hours, amount), progress, &limits);
            assert_eq!(
                (budget.light, budget.cause),
                (light, cause),
                "{hours} h, {amount} €, {progress} %"
            );
        }
    }

    #[test]
    fn forecast_continues_the_pace() {
        let budget = evaluate(
            effort(dec!(100), dec!(0)),
            effort(dec!(30), dec!(0)),
            dec!(25),
            &Thresholds::default(),
        );
        assert_eq!(budget.forecast.hours, dec!(120));
        assert_eq!(budget.forecast_percent, Some(dec!(120.0)));
        assert_eq!(budget.used_percent, Some(dec!(30.0)));
        // the money side has no plan and does not count
        assert_eq!(budget.light, Some(Light::Red));
    }

    #[test]
    fn no_plan_no_light() {
        let budget = evaluate(
            Effort::default(),
            effort(dec!(12), dec!(1140)),
            dec!(0),
            &Thresholds::default(),
        );
        assert_eq!((budget.light, budget.used_percent), (None, None));
    }

    #[test]
    fn own_thresholds() {
        let limits = Thresholds {
            yellow_at: dec!(60),
            red_at: dec!(90),
            forecast_tolerance: dec!(0),
        };
        let plan = effort(dec!(10), dec!(0));
        let light =
            |hours, progress| evaluate(plan, effort(hours, dec!(0)), progress, &limits).light;
        assert_eq!(light(dec!(6), dec!(60)), Some(Light::Yellow));
        assert_eq!(light(dec!(9), dec!(95)), Some(Light::Red));
        assert_eq!(light(dec!(5), dec!(49)), Some(Light::Red));
    }

    #[test]
    fn progress_from_estimates_and_weights() {
        assert_eq!(
            progress_from_tasks(&[(dec!(4), true), (dec!(4), false), (dec!(2), true)]),
            Some(dec!(60.0))
        );
        assert_eq!(progress_from_tasks(&[(dec!(0), true)]), None);
        assert_eq!(
            weighted_progress(&[(dec!(30), dec!(100)), (dec!(10), dec!(0))]),
            dec!(75.0)
        );
        assert_eq!(
            weighted_progress(&[(dec!(0), dec!(50)), (dec!(0), dec!(0))]),
            dec!(25.0)
        );
        assert_eq!(weighted_progress(&[]), dec!(0));
    }

    #[test]
    fn earned_value_of_a_late_expensive_project() {
        let start = NaiveDate::from_ymd_opt(2026, 1, 1).unwrap();
        let end = NaiveDate::from_ymd_opt(2026, 1, 10).unwrap();
        let share = schedule_share(start, end, NaiveDate::from_ymd_opt(2026, 1, 5).unwrap());
        assert_eq!(share, dec!(0.5));
        let ev = earned_value(dec!(20000), dec!(40), dec!(10000), share);
        assert_eq!(
            (ev.pv, ev.ev, ev.ac),
            (dec!(10000), dec!(8000), dec!(10000))
        );
        assert_eq!((ev.cpi, ev.spi), (Some(dec!(0.8)), Some(dec!(0.8))));
        assert_eq!(ev.eac, Some(dec!(25000)));
        assert_eq!(
            schedule_share(start, end, start.pred_opt().unwrap()),
            dec!(0)
        );
        assert_eq!(schedule_share(start, end, end), dec!(1));
        assert_eq!(
            earned_value(dec!(1000), dec!(0), dec!(0), dec!(0)).cpi,
            None
        );
    }

    #[test]
    fn burn_accumulates() {
        let week = |d| NaiveDate::from_ymd_opt(2026, 3, d).unwrap();
        let points = burn(dec!(20), &[(week(2), dec!(8)), (week(9), dec!(15))]);
        assert_eq!(points[1].spent, dec!(23));
        assert_eq!(points[1].remaining, dec!(-3));
    }
}
