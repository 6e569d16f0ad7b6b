//! Which hourly rate prices a piece of work. The most specific agreement wins: the
//! project's rate (agreed for this job), then the customer's (agreed for all their jobs),
//! then the person's own rate, then their job role's, then the tenant's default.

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

/// Where a rate came from, to show it next to the figure.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RateSource {
    Project,
    Customer,
    Person,
    Role,
    Tenant,
}

/// The rates that could apply to one person's work on one project.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RateCandidates {
    pub project: Option<Decimal>,
    pub customer: Option<Decimal>,
    pub person: Option<Decimal>,
    pub role: Option<Decimal>,
    pub tenant: Decimal,
}

pub fn resolve(candidates: &RateCandidates) -> (Decimal, RateSource) {
    [
        (candidates.project, RateSource::Project),
        (candidates.customer, RateSource::Customer),
        (candidates.person, RateSource::Person),
        (candidates.role, RateSource::Role),
    ]
    .into_iter()
    .find_map(|(rate, source)| rate.map(|r| (r, source)))
    .unwrap_or((candidates.tenant, RateSource::Tenant))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_rate_wins() {
        let all = RateCandidates {
            project: Some(Decimal::from(120)),
            customer: Some(Decimal::from(110)),
            person: Some(Decimal::from(100)),
            role: Some(Decimal::from(90)),
            tenant: Decimal::from(80),
        };
        let table = [
            (all, (Decimal::from(120), RateSource::Project)),
            (
                RateCandidates {
                    project: None,
                    ..all
                },
                (Decimal::from(110), RateSource::Customer),
            ),
            (
                RateCandidates {
                    project: None,
                    customer: None,
                    ..all
                },
                (Decimal::from(100), RateSource::Person),
            ),
            (
                RateCandidates {
                    project: None,
                    customer: None,
                    person: None,
                    ..all
                },
                (Decimal::from(90), RateSource::Role),
            ),
            (
                RateCandidates {
                    tenant: Decimal::from(80),
                    ..RateCandidates::default()
                },
                (Decimal::from(80), RateSource::Tenant),
            ),
            // a rate of zero is an agreement too (pro bono)
            (
                RateCandidates {
                    project: Some(Decimal::ZERO),
                    ..all
                },
                (Decimal::ZERO, RateSource::Project),
            ),
        ];
        for (candidates, expected) in table {
            assert_eq!(resolve(&candidates), expected);
        }
    }
}
