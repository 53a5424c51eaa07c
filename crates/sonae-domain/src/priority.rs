//! Priority of a finding from facts, each shown beside it (DESIGN §3), and
//! the due date a policy gives each priority.
//!
//! The default policy: CVSS sets the base, known exploitation (KEV) and a
//! high EPSS raise it, internet exposure, an important system (CIA 3) and
//! personal data raise it, an isolated or unimportant system lowers it. A
//! known-exploited vulnerability on an internet-facing system is always
//! urgent, with days (not weeks) to fix it.

use serde::{Deserialize, Serialize};

/// What is known about one finding.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub cvss: Option<f64>,
    pub kev: bool,
    /// CISA's SSVC says exploitation is active (CVE 5 ADP data): weighed
    /// like KEV.
    pub exploited: bool,
    pub epss: Option<f64>,
    /// "internet", "intranet" or "isolated".
    pub exposure: String,
    /// Highest of the system's C, I, A ratings (1–3).
    pub importance: Option<i64>,
    pub personal_data: bool,
    /// The system's recovery time objective, inherited from the business
    /// processes that depend on it (the strictest), when any is set.
    pub rto_hours: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Level {
    P1,
    P2,
    P3,
    P4,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::P1 => "p1",
            Level::P2 => "p2",
            Level::P3 => "p3",
            Level::P4 => "p4",
        }
    }
}

/// Days to fix by level, and the tighter deadline for KEV on the internet.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Policy {
    pub p1_days: i64,
    pub p2_days: i64,
    pub p3_days: i64,
    pub p4_days: i64,
    pub kev_internet_days: i64,
    /// EPSS probability from which exploitation counts as likely.
    pub epss_likely: f64,
    pub epss_very_likely: f64,
    /// A system that must be back within this many hours (RTO) raises the priority.
    pub rto_urgent_hours: i64,
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            p1_days: 7,
            p2_days: 30,
            p3_days: 90,
            p4_days: 180,
            kev_internet_days: 3,
            epss_likely: 0.1,
            epss_very_likely: 0.5,
            rto_urgent_hours: 24,
        }
    }
}

/// One fact that moved the priority, for the "why" shown beside it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Factor {
    /// Message key naming the fact.
    pub key: &'static str,
    /// Points it added (negative: removed).
    pub points: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assessment {
    pub level: Level,
    pub due_days: i64,
    pub score: i64,
    pub factors: Vec<Factor>,
}

impl Policy {
    /// The fields of an unusable policy: days must be 1–3650 and in order
    /// (a higher priority never gets more time), EPSS thresholds in 0–1.
    pub fn validate(&self) -> Vec<crate::FieldError> {
        use crate::{FieldError, FieldErrorKind};
        let mut errors = Vec::new();
        let days = [
            ("kev_internet_days", self.kev_internet_days),
            ("p1_days", self.p1_days),
            ("p2_days", self.p2_days),
            ("p3_days", self.p3_days),
            ("p4_days", self.p4_days),
        ];
        for (i, (field, d)) in days.iter().enumerate() {
            if !(1..=3650).contains(d) {
                errors.push(FieldError {
                    field,
                    kind: FieldErrorKind::OutOfRange { min: 1, max: 3650 },
                });
            } else if i > 0 && *d < days[i - 1].1 {
                errors.push(FieldError {
                    field,
                    kind: FieldErrorKind::OutOfOrder,
                });
            }
        }
        if !(1..=8760).contains(&self.rto_urgent_hours) {
            errors.push(FieldError {
                field: "rto_urgent_hours",
                kind: FieldErrorKind::OutOfRange { min: 1, max: 8760 },
            });
        }
        for (field, e) in [
            ("epss_likely", self.epss_likely),
            ("epss_very_likely", self.epss_very_likely),
        ] {
            if !(0.0..=1.0).contains(&e) {
                errors.push(FieldError {
                    field,
                    kind: FieldErrorKind::NotProbability,
                });
            }
        }
        if errors.is_empty() && self.epss_very_likely < self.epss_likely {
            errors.push(FieldError {
                field: "epss_very_likely",
                kind: FieldErrorKind::OutOfOrder,
            });
        }
        errors
    }

    pub fn assess(&self, f: &Facts) -> Assessment {
        let mut factors = Vec::new();
        let base = match f.cvss {
            Some(s) if s >= 9.0 => ("prio-cvss-critical", 4),
            Some(s) if s >= 7.0 => ("prio-cvss-high", 3),
            Some(s) if s >= 4.0 => ("prio-cvss-medium", 2),
            Some(_) => ("prio-cvss-low", 1),
            None => ("prio-cvss-unknown", 2),
        };
        factors.push(Factor {
            key: base.0,
            points: base.1,
        });
        if f.kev {
            factors.push(Factor {
                key: "prio-kev",
                points: 2,
            });
        } else if f.exploited {
            factors.push(Factor {
                key: "prio-ssvc-active",
                points: 2,
            });
        }
        match f.epss {
            Some(e) if e >= self.epss_very_likely => factors.push(Factor {
                key: "prio-epss-very-likely",
                points: 2,
            }),
            Some(e) if e >= self.epss_likely => factors.push(Factor {
                key: "prio-epss-likely",
                points: 1,
            }),
            _ => {}
        }
        match f.exposure.as_str() {
            "internet" => factors.push(Factor {
                key: "prio-internet",
                points: 1,
            }),
            "isolated" => factors.push(Factor {
                key: "prio-isolated",
                points: -1,
            }),
            _ => {}
        }
        match f.importance {
            Some(3) => factors.push(Factor {
                key: "prio-important",
                points: 1,
            }),
            Some(1) => factors.push(Factor {
                key: "prio-unimportant",
                points: -1,
            }),
            _ => {}
        }
        if f.personal_data {
            factors.push(Factor {
                key: "prio-personal-data",
                points: 1,
            });
        }
        if f.rto_hours.is_some_and(|h| h <= self.rto_urgent_hours) {
            factors.push(Factor {
                key: "prio-short-rto",
                points: 1,
            });
        }
        let score: i64 = factors.iter().map(|x| x.points).sum();
        let mut level = match score {
            s if s >= 7 => Level::P1,
            s if s >= 4 => Level::P2,
            s if s >= 3 => Level::P3,
            _ => Level::P4,
        };
        let kev_internet = (f.kev || f.exploited) && f.exposure == "internet";
        if kev_internet {
            level = Level::P1;
        }
        let due_days = match level {
            Level::P1 if kev_internet => self.kev_internet_days,
            Level::P1 => self.p1_days,
            Level::P2 => self.p2_days,
            Level::P3 => self.p3_days,
            Level::P4 => self.p4_days,
        };
        Assessment {
            level,
            due_days,
            score,
            factors,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts(cvss: f64, exposure: &str) -> Facts {
        Facts {
            cvss: Some(cvss),
            exposure: exposure.into(),
            importance: Some(2),
            ..Facts::default()
        }
    }

    #[test]
    fn known_exploited_on_the_internet_is_urgent_within_days() {
        let p = Policy::default();
        let a = p.assess(&Facts {
            kev: true,
            ..facts(5.0, "internet")
        });
        assert_eq!((a.level, a.due_days), (Level::P1, 3));
        assert!(a.factors.iter().any(|f| f.key == "prio-kev"));
    }

    #[test]
    fn ssvc_active_exploitation_weighs_like_kev() {
        let p = Policy::default();
        let a = p.assess(&Facts {
            exploited: true,
            ..facts(5.0, "internet")
        });
        assert_eq!((a.level, a.due_days), (Level::P1, 3));
        assert!(a.factors.iter().any(|f| f.key == "prio-ssvc-active"));
        // Both facts count once.
        let both = p.assess(&Facts {
            kev: true,
            exploited: true,
            ..facts(5.0, "intranet")
        });
        assert_eq!(both.factors.iter().filter(|f| f.points == 2).count(), 2);
        assert!(!both.factors.iter().any(|f| f.key == "prio-ssvc-active"));
    }

    #[test]
    fn exposure_importance_and_personal_data_move_the_level() {
        let p = Policy::default();
        assert_eq!(p.assess(&facts(9.8, "intranet")).level, Level::P2);
        assert_eq!(p.assess(&facts(9.8, "internet")).level, Level::P2);
        let exposed = Facts {
            personal_data: true,
            importance: Some(3),
            ..facts(9.8, "internet")
        };
        assert_eq!(p.assess(&exposed).level, Level::P1);
        assert_eq!(p.assess(&exposed).due_days, 7);
        assert_eq!(p.assess(&facts(5.0, "isolated")).level, Level::P4);
        let likely = Facts {
            epss: Some(0.6),
            ..facts(7.5, "intranet")
        };
        assert_eq!(p.assess(&likely).level, Level::P2);
    }

    #[test]
    fn a_policy_that_gives_urgent_work_more_time_is_refused() {
        assert!(Policy::default().validate().is_empty());
        let p = Policy {
            p1_days: 60,
            ..Policy::default()
        };
        assert_eq!(p.validate()[0].field, "p2_days");
        let p = Policy {
            p4_days: 0,
            epss_likely: 1.5,
            ..Policy::default()
        };
        let fields: Vec<_> = p.validate().iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["p4_days", "epss_likely"]);
    }

    #[test]
    fn a_system_that_must_be_back_quickly_raises_the_priority() {
        let p = Policy::default();
        let base = facts(7.5, "intranet");
        let quick = Facts {
            rto_hours: Some(4),
            ..base.clone()
        };
        let slow = Facts {
            rto_hours: Some(72),
            ..base.clone()
        };
        assert_eq!(p.assess(&base).level, Level::P3);
        assert_eq!(p.assess(&quick).level, Level::P2);
        assert!(p
            .assess(&quick)
            .factors
            .iter()
            .any(|f| f.key == "prio-short-rto"));
        assert_eq!(p.assess(&slow).level, Level::P3);
    }

    #[test]
    fn an_unscored_vulnerability_is_not_ignored() {
        let a = Policy::default().assess(&Facts {
            exposure: "internet".into(),
            ..Facts::default()
        });
        assert_eq!(a.level, Level::P3);
        assert_eq!(a.factors[0].key, "prio-cvss-unknown");
    }
}
