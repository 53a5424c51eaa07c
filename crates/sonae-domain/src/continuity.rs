//! Business continuity (DESIGN §6; seed 000 BCP/BCM and BIA, seed 001 §5,
//! seed 002's recovery phase): business processes with their impact over
//! time, recovery objectives (RTO/RPO) and how a system inherits them from
//! the processes that depend on it, the checks that tell whether backups and
//! recovery plans can meet them, and tabletop exercises from scenario files.

use crate::value::{FieldError, FieldErrorKind};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// The fixed horizons of the impact analysis, in hours: 4 hours, 1 day,
/// 3 days, 1 week (seed 000 sets RTOs such as "4 hours or 1 day").
pub const HORIZONS: [(&str, i64); 4] = [("4h", 4), ("1d", 24), ("3d", 72), ("1w", 168)];

/// What an interruption hurts (DESIGN §6).
pub const DIMENSIONS: [&str; 4] = ["money", "customers", "legal", "reputation"];

/// Ratings run from 0 (none) to 3 (intolerable).
pub const MAX_RATING: u8 = 3;

/// Kinds of alternative a recovery plan names (DESIGN §6).
pub const ALTERNATIVES: [&str; 3] = ["manual", "backup_system", "degraded"];

/// Default interval between restore tests, in days.
pub const DEFAULT_RESTORE_TEST_DAYS: i64 = 180;

const HOUR_MS: i64 = 3_600_000;
const DAY_MS: i64 = 24 * HOUR_MS;

/// The impact of an interruption: a rating per horizon and dimension.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Impact(pub [[u8; 4]; 4]);

impl Impact {
    pub fn get(&self, horizon: usize, dimension: usize) -> u8 {
        self.0
            .get(horizon)
            .and_then(|r| r.get(dimension))
            .copied()
            .unwrap_or(0)
    }

    /// The worst rating at a horizon.
    pub fn worst_at(&self, horizon: usize) -> u8 {
        self.0
            .get(horizon)
            .map(|r| r.iter().copied().max().unwrap_or(0))
            .unwrap_or(0)
    }

    /// The RTO the analysis suggests: the last horizon before any rating
    /// becomes intolerable (3); a process intolerable already at 4 hours
    /// suggests 4 hours. None when nothing becomes intolerable within a week.
    pub fn suggested_rto_hours(&self) -> Option<i64> {
        let first = (0..HORIZONS.len()).find(|h| self.worst_at(*h) >= MAX_RATING)?;
        Some(HORIZONS[first.saturating_sub(1)].1)
    }

    /// The impact as 16 digits, horizon by horizon (how the store keeps it).
    pub fn encode(&self) -> String {
        self.0
            .iter()
            .flat_map(|r| r.iter())
            .map(|d| char::from(b'0' + (*d).min(MAX_RATING)))
            .collect()
    }

    pub fn decode(s: &str) -> Impact {
        let mut out = [[0u8; 4]; 4];
        for (i, c) in s.chars().take(16).enumerate() {
            let v = c.to_digit(10).unwrap_or(0).min(u32::from(MAX_RATING)) as u8;
            out[i / 4][i % 4] = v;
        }
        Impact(out)
    }
}

/// The form field name of one rating.
pub fn impact_field(horizon: usize, dimension: usize) -> String {
    format!(
        "impact_{}_{}",
        HORIZONS.get(horizon).map_or("", |h| h.0),
        DIMENSIONS.get(dimension).copied().unwrap_or("")
    )
}

/// A business process as entered, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessInput {
    pub name: String,
    pub owner_department_id: i64,
    pub description: String,
    pub rto_hours: Option<i64>,
    pub rpo_hours: Option<i64>,
    pub impact: Impact,
    pub system_ids: Vec<i64>,
}

/// The raw text of a process form.
#[derive(Debug, Clone, Default)]
pub struct ProcessForm<'a> {
    pub name: &'a str,
    pub owner_department_id: &'a str,
    pub description: &'a str,
    pub rto_hours: &'a str,
    pub rpo_hours: &'a str,
    /// Ratings by `impact_field` name.
    pub ratings: BTreeMap<String, String>,
    pub system_ids: Vec<&'a str>,
}

fn err(field: &'static str, kind: FieldErrorKind) -> FieldError {
    FieldError { field, kind }
}

/// Hours as a whole number from 0 to ten years; empty means not set.
pub fn parse_hours(field: &'static str, s: &str) -> Result<Option<i64>, FieldError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let v: i64 = s
        .parse()
        .map_err(|_| err(field, FieldErrorKind::NotInteger))?;
    if !(0..=87_600).contains(&v) {
        return Err(err(
            field,
            FieldErrorKind::OutOfRange {
                min: 0,
                max: 87_600,
            },
        ));
    }
    Ok(Some(v))
}

impl ProcessInput {
    /// Parse a process form; every bad field is named.
    pub fn parse(f: &ProcessForm<'_>) -> Result<ProcessInput, Vec<FieldError>> {
        let mut e = Vec::new();
        let name = f.name.trim();
        if name.is_empty() {
            e.push(err("name", FieldErrorKind::Required));
        } else if name.chars().count() > 200 {
            e.push(err("name", FieldErrorKind::TooLong { max: 200 }));
        }
        if f.description.chars().count() > 4000 {
            e.push(err("description", FieldErrorKind::TooLong { max: 4000 }));
        }
        let dept = f.owner_department_id.trim();
        let owner_department_id = if dept.is_empty() {
            e.push(err("owner_department_id", FieldErrorKind::Required));
            0
        } else {
            dept.parse().unwrap_or_else(|_| {
                e.push(err("owner_department_id", FieldErrorKind::UnknownReference));
                0
            })
        };
        let rto_hours = parse_hours("rto_hours", f.rto_hours).unwrap_or_else(|x| {
            e.push(x);
            None
        });
        let rpo_hours = parse_hours("rpo_hours", f.rpo_hours).unwrap_or_else(|x| {
            e.push(x);
            None
        });
        let mut impact = [[0u8; 4]; 4];
        let mut bad_rating = false;
        for (h, row) in impact.iter_mut().enumerate() {
            for (d, cell) in row.iter_mut().enumerate() {
                let raw = f
                    .ratings
                    .get(&impact_field(h, d))
                    .map(|s| s.trim())
                    .unwrap_or("");
                match raw.parse::<u8>() {
                    Ok(v) if v <= MAX_RATING => *cell = v,
                    _ if raw.is_empty() => {}
                    _ => bad_rating = true,
                }
            }
        }
        if bad_rating {
            e.push(err("impact", FieldErrorKind::OutOfRange { min: 0, max: 3 }));
        }
        let mut system_ids = Vec::new();
        for s in &f.system_ids {
            match s.trim().parse::<i64>() {
                Ok(id) if !system_ids.contains(&id) => system_ids.push(id),
                Ok(_) => {}
                Err(_) => e.push(err("system_ids", FieldErrorKind::UnknownReference)),
            }
        }
        if !e.is_empty() {
            return Err(e);
        }
        Ok(ProcessInput {
            name: name.to_owned(),
            owner_department_id,
            description: f.description.trim().to_owned(),
            rto_hours,
            rpo_hours,
            impact: Impact(impact),
            system_ids,
        })
    }
}

/// What derivation needs of a process.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcessObjectives {
    pub id: i64,
    pub name: String,
    pub rto_hours: Option<i64>,
    pub rpo_hours: Option<i64>,
    pub system_ids: Vec<i64>,
}

/// An objective and the process it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Objective {
    pub hours: i64,
    pub process_id: i64,
    pub process_name: String,
}

/// A system's inherited objectives.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SystemObjectives {
    pub rto: Option<Objective>,
    pub rpo: Option<Objective>,
    /// Every process that depends on the system.
    pub processes: Vec<(i64, String)>,
}

fn stricter(current: &Option<Objective>, hours: i64, p: &ProcessObjectives) -> bool {
    match current {
        None => true,
        // Ties go to the lower process id so the origin shown is stable.
        Some(o) => hours < o.hours || (hours == o.hours && p.id < o.process_id),
    }
}

/// Each system's RTO and RPO from the processes that depend on it: the
/// strictest (shortest) wins, and it keeps the name of its process.
pub fn derive_system_objectives(
    processes: &[ProcessObjectives],
) -> BTreeMap<i64, SystemObjectives> {
    let mut out: BTreeMap<i64, SystemObjectives> = BTreeMap::new();
    for p in processes {
        for sys in &p.system_ids {
            let o = out.entry(*sys).or_default();
            if !o.processes.iter().any(|(id, _)| *id == p.id) {
                o.processes.push((p.id, p.name.clone()));
            }
            if let Some(h) = p.rto_hours {
                if stricter(&o.rto, h, p) {
                    o.rto = Some(Objective {
                        hours: h,
                        process_id: p.id,
                        process_name: p.name.clone(),
                    });
                }
            }
            if let Some(h) = p.rpo_hours {
                if stricter(&o.rpo, h, p) {
                    o.rpo = Some(Objective {
                        hours: h,
                        process_id: p.id,
                        process_name: p.name.clone(),
                    });
                }
            }
        }
    }
    out
}

/// A backup as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupFacts {
    pub id: i64,
    pub system_id: i64,
    pub interval_hours: i64,
    pub test_interval_days: i64,
    pub registered_at_ms: i64,
    pub last_restore_ms: Option<i64>,
}

impl BackupFacts {
    /// When the next restore test is due: the interval after the last
    /// proven restore; a backup never restored is due from the day it was
    /// registered (a backup is only as good as its last restore).
    pub fn restore_due_ms(&self) -> i64 {
        match self.last_restore_ms {
            Some(t) => t + self.test_interval_days.max(1) * DAY_MS,
            None => self.registered_at_ms,
        }
    }

    pub fn restore_overdue(&self, now_ms: i64) -> bool {
        self.restore_due_ms() <= now_ms
    }
}

/// A recovery plan as the checks see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlanFacts {
    pub id: i64,
    pub estimated_hours: Option<i64>,
}

/// Why a system may not meet the objectives it inherits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Warning {
    /// An RPO is set but no backup is registered.
    NoBackup { rpo_hours: i64 },
    /// Backups are taken less often than the RPO allows.
    IntervalOverRpo {
        backup_id: i64,
        interval_hours: i64,
        rpo_hours: i64,
    },
    /// The backup was never restored in a test.
    NeverRestored { backup_id: i64 },
    /// The restore test is overdue.
    RestoreOverdue { backup_id: i64, due_ms: i64 },
    /// An RTO is set but no recovery plan covers the system.
    NoPlan { rto_hours: i64 },
    /// The plan has no estimate of how long recovery takes.
    PlanUnestimated { plan_id: i64 },
    /// The plan's estimated recovery time exceeds the RTO.
    PlanOverRto {
        plan_id: i64,
        estimated_hours: i64,
        rto_hours: i64,
    },
}

impl Warning {
    /// Message-catalog key (its arguments are the variant's fields).
    pub fn key(&self) -> &'static str {
        match self {
            Warning::NoBackup { .. } => "bc-warn-no-backup",
            Warning::IntervalOverRpo { .. } => "bc-warn-interval-over-rpo",
            Warning::NeverRestored { .. } => "bc-warn-never-restored",
            Warning::RestoreOverdue { .. } => "bc-warn-restore-overdue",
            Warning::NoPlan { .. } => "bc-warn-no-plan",
            Warning::PlanUnestimated { .. } => "bc-warn-plan-unestimated",
            Warning::PlanOverRto { .. } => "bc-warn-plan-over-rto",
        }
    }
}

/// Whether a system's backups and recovery plans can meet what it
/// inherits. `plans` are those for the system itself or for a process that
/// depends on it.
pub fn system_warnings(
    obj: &SystemObjectives,
    backups: &[BackupFacts],
    plans: &[PlanFacts],
    now_ms: i64,
) -> Vec<Warning> {
    let mut out = Vec::new();
    if let Some(rpo) = &obj.rpo {
        if backups.is_empty() {
            out.push(Warning::NoBackup {
                rpo_hours: rpo.hours,
            });
        }
        for b in backups {
            if b.interval_hours > rpo.hours {
                out.push(Warning::IntervalOverRpo {
                    backup_id: b.id,
                    interval_hours: b.interval_hours,
                    rpo_hours: rpo.hours,
                });
            }
        }
    }
    if obj.rto.is_some() || obj.rpo.is_some() {
        for b in backups {
            if b.last_restore_ms.is_none() {
                out.push(Warning::NeverRestored { backup_id: b.id });
            } else if b.restore_overdue(now_ms) {
                out.push(Warning::RestoreOverdue {
                    backup_id: b.id,
                    due_ms: b.restore_due_ms(),
                });
            }
        }
    }
    if let Some(rto) = &obj.rto {
        if plans.is_empty() {
            out.push(Warning::NoPlan {
                rto_hours: rto.hours,
            });
        }
        for p in plans {
            match p.estimated_hours {
                None => out.push(Warning::PlanUnestimated { plan_id: p.id }),
                Some(e) if e > rto.hours => out.push(Warning::PlanOverRto {
                    plan_id: p.id,
                    estimated_hours: e,
                    rto_hours: rto.hours,
                }),
                Some(_) => {}
            }
        }
    }
    out
}

/// Procedure steps: one per non-empty line, in order.
pub fn steps(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.trim())
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

// ---------------------------------------------------------------------
// Exercises (演習・訓練): tabletop scenarios with timed injects.

/// One inject: what the participants learn at a minute of exercise time.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Inject {
    pub minute: i64,
    pub ja: String,
    pub en: String,
    /// The attack stage or seed section it stands for.
    #[serde(default)]
    pub stage: String,
}

/// A milestone the facilitator marks when the team reaches it.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct MilestoneDef {
    pub id: String,
    pub ja: String,
    pub en: String,
    /// Expected within this many minutes of exercise time, if any.
    #[serde(default)]
    pub target_minutes: Option<i64>,
}

/// The milestone whose time is compared with the RTO.
pub const RESTORED: &str = "restored";

#[derive(Debug, Clone, Deserialize, Serialize, PartialEq)]
pub struct Scenario {
    pub id: String,
    pub source: String,
    pub title_ja: String,
    pub title_en: String,
    pub summary_ja: String,
    pub summary_en: String,
    /// Names of the demo processes it exercises (suggested at start).
    #[serde(default)]
    pub processes: Vec<String>,
    pub injects: Vec<Inject>,
    pub milestones: Vec<MilestoneDef>,
}

impl Scenario {
    pub fn title(&self, ja: bool) -> &str {
        if ja {
            &self.title_ja
        } else {
            &self.title_en
        }
    }

    /// The injects released by this exercise time (minutes).
    pub fn released(&self, clock_min: i64) -> impl Iterator<Item = &Inject> {
        self.injects.iter().filter(move |i| i.minute <= clock_min)
    }

    /// The minute of the next inject after this exercise time.
    pub fn next_inject_minute(&self, clock_min: i64) -> Option<i64> {
        self.injects
            .iter()
            .map(|i| i.minute)
            .filter(|m| *m > clock_min)
            .min()
    }

    pub fn milestone(&self, id: &str) -> Option<&MilestoneDef> {
        self.milestones.iter().find(|m| m.id == id)
    }
}

/// The scenario files shipped in `catalogs/exercises/`.
pub const SCENARIO_FILES: &[(&str, &str)] = &[
    (
        "targeted-attack",
        include_str!("../../../catalogs/exercises/targeted-attack.toml"),
    ),
    (
        "ransomware-shop",
        include_str!("../../../catalogs/exercises/ransomware-shop.toml"),
    ),
];

/// Parse and check one scenario file.
pub fn parse_scenario(text: &str) -> Result<Scenario, String> {
    let s: Scenario = toml::from_str(text).map_err(|e| e.to_string())?;
    if s.injects.is_empty() {
        return Err(format!("{}: no injects", s.id));
    }
    if s.injects.windows(2).any(|w| w[0].minute > w[1].minute) {
        return Err(format!("{}: injects must be in time order", s.id));
    }
    if s.injects.iter().any(|i| i.minute < 0) {
        return Err(format!("{}: negative inject minute", s.id));
    }
    if s.milestone(RESTORED).is_none() {
        return Err(format!("{}: needs a milestone \"{RESTORED}\"", s.id));
    }
    let mut ids: Vec<&str> = s.milestones.iter().map(|m| m.id.as_str()).collect();
    ids.sort_unstable();
    if ids.windows(2).any(|w| w[0] == w[1]) {
        return Err(format!("{}: duplicate milestone id", s.id));
    }
    Ok(s)
}

/// Every shipped scenario.
pub fn scenarios() -> Result<Vec<Scenario>, String> {
    SCENARIO_FILES
        .iter()
        .map(|(_, t)| parse_scenario(t))
        .collect()
}

pub fn scenario(id: &str) -> Option<Scenario> {
    SCENARIO_FILES
        .iter()
        .find(|(i, _)| *i == id)
        .and_then(|(_, t)| parse_scenario(t).ok())
}

/// Exercise time in whole minutes: real time since the start plus the
/// minutes the facilitator skipped ahead (a tabletop compresses days).
pub fn exercise_minute(started_ms: i64, skipped_min: i64, now_ms: i64) -> i64 {
    (now_ms - started_ms).max(0) / 60_000 + skipped_min.max(0)
}

/// How a milestone went against its target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Outcome {
    Reached { minute: i64 },
    Late { minute: i64, target: i64 },
    Missed,
}

pub fn milestone_outcome(def: &MilestoneDef, reached_minute: Option<i64>) -> Outcome {
    match (reached_minute, def.target_minutes) {
        (None, _) => Outcome::Missed,
        (Some(m), Some(t)) if m > t => Outcome::Late {
            minute: m,
            target: t,
        },
        (Some(m), _) => Outcome::Reached { minute: m },
    }
}

/// The restore time against the RTO of the processes involved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RtoVerdict {
    /// No process with an RTO was involved.
    NoRto,
    NotRestored {
        rto_hours: i64,
    },
    Met {
        minutes: i64,
        rto_hours: i64,
    },
    Missed {
        minutes: i64,
        rto_hours: i64,
    },
}

pub fn rto_verdict(restored_minute: Option<i64>, rto_hours: Option<i64>) -> RtoVerdict {
    match (restored_minute, rto_hours) {
        (_, None) => RtoVerdict::NoRto,
        (None, Some(r)) => RtoVerdict::NotRestored { rto_hours: r },
        (Some(m), Some(r)) if m <= r * 60 => RtoVerdict::Met {
            minutes: m,
            rto_hours: r,
        },
        (Some(m), Some(r)) => RtoVerdict::Missed {
            minutes: m,
            rto_hours: r,
        },
    }
}

/// "2 d 03:15" style text of exercise minutes (language-neutral).
pub fn minutes_text(m: i64) -> String {
    let d = m / 1440;
    let h = (m % 1440) / 60;
    let mm = m % 60;
    if d > 0 {
        format!("{d}d {h:02}:{mm:02}")
    } else {
        format!("{h:02}:{mm:02}")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn p(
        id: i64,
        name: &str,
        rto: Option<i64>,
        rpo: Option<i64>,
        sys: &[i64],
    ) -> ProcessObjectives {
        ProcessObjectives {
            id,
            name: name.into(),
            rto_hours: rto,
            rpo_hours: rpo,
            system_ids: sys.to_vec(),
        }
    }

    #[test]
    fn the_strictest_objective_wins_and_names_its_process() {
        let d = derive_system_objectives(&[
            p(1, "出荷", Some(24), Some(24), &[10, 11]),
            p(2, "受注", Some(4), Some(1), &[10]),
            p(3, "問い合わせ", None, Some(72), &[11]),
        ]);
        let shop = &d[&10];
        assert_eq!(shop.rto.as_ref().unwrap().hours, 4);
        assert_eq!(shop.rto.as_ref().unwrap().process_name, "受注");
        assert_eq!(shop.rpo.as_ref().unwrap().hours, 1);
        assert_eq!(shop.processes.len(), 2);
        let wms = &d[&11];
        assert_eq!(wms.rto.as_ref().unwrap().process_name, "出荷");
        assert_eq!(wms.rpo.as_ref().unwrap().hours, 24);
        assert!(!d.contains_key(&12));
    }

    #[test]
    fn a_tie_keeps_the_first_process_as_origin() {
        let d = derive_system_objectives(&[
            p(7, "後", Some(8), None, &[1]),
            p(5, "先", Some(8), None, &[1]),
        ]);
        assert_eq!(d[&1].rto.as_ref().unwrap().process_id, 5);
        assert!(d[&1].rpo.is_none());
    }

    #[test]
    fn warnings_name_what_cannot_meet_the_objectives() {
        let obj = derive_system_objectives(&[p(1, "受注", Some(4), Some(2), &[1])])
            .remove(&1)
            .unwrap();
        let now = 1_000 * DAY_MS;
        // No backup, no plan.
        let w = system_warnings(&obj, &[], &[], now);
        assert_eq!(
            w,
            vec![
                Warning::NoBackup { rpo_hours: 2 },
                Warning::NoPlan { rto_hours: 4 }
            ]
        );
        // Nightly backup never restored; a plan taking 8 hours.
        let b = BackupFacts {
            id: 9,
            system_id: 1,
            interval_hours: 24,
            test_interval_days: 180,
            registered_at_ms: now - DAY_MS,
            last_restore_ms: None,
        };
        let w = system_warnings(
            &obj,
            std::slice::from_ref(&b),
            &[PlanFacts {
                id: 3,
                estimated_hours: Some(8),
            }],
            now,
        );
        assert!(w.contains(&Warning::IntervalOverRpo {
            backup_id: 9,
            interval_hours: 24,
            rpo_hours: 2
        }));
        assert!(w.contains(&Warning::NeverRestored { backup_id: 9 }));
        assert!(w.contains(&Warning::PlanOverRto {
            plan_id: 3,
            estimated_hours: 8,
            rto_hours: 4
        }));
        // Hourly backup restored last month, a 3-hour plan: nothing to say.
        let ok = BackupFacts {
            interval_hours: 1,
            last_restore_ms: Some(now - 30 * DAY_MS),
            ..b.clone()
        };
        let w = system_warnings(
            &obj,
            std::slice::from_ref(&ok),
            &[PlanFacts {
                id: 3,
                estimated_hours: Some(3),
            }],
            now,
        );
        assert!(w.is_empty(), "{w:?}");
        // The same restore 181 days ago is overdue.
        let old = BackupFacts {
            last_restore_ms: Some(now - 181 * DAY_MS),
            ..ok
        };
        assert_eq!(old.restore_due_ms(), now - DAY_MS);
        let w = system_warnings(
            &obj,
            &[old],
            &[PlanFacts {
                id: 3,
                estimated_hours: Some(3),
            }],
            now,
        );
        assert_eq!(
            w,
            vec![Warning::RestoreOverdue {
                backup_id: 9,
                due_ms: now - DAY_MS
            }]
        );
        // A system no process depends on inherits nothing and is not warned.
        assert!(system_warnings(&SystemObjectives::default(), &[], &[], now).is_empty());
    }

    #[test]
    fn a_process_form_is_parsed_and_bad_fields_named() {
        let mut ratings = BTreeMap::new();
        ratings.insert(impact_field(0, 0), "2".to_owned());
        ratings.insert(impact_field(1, 1), "3".to_owned());
        let ok = ProcessInput::parse(&ProcessForm {
            name: " 受注 ",
            owner_department_id: "4",
            description: "",
            rto_hours: "4",
            rpo_hours: "",
            ratings: ratings.clone(),
            system_ids: vec!["1", "2", "1"],
        })
        .unwrap();
        assert_eq!(ok.name, "受注");
        assert_eq!(ok.impact.get(0, 0), 2);
        assert_eq!(ok.impact.get(1, 1), 3);
        assert_eq!(ok.system_ids, vec![1, 2]);
        assert_eq!(ok.rpo_hours, None);
        // Intolerable at one day: the analysis suggests 4 hours.
        assert_eq!(ok.impact.suggested_rto_hours(), Some(4));
        assert_eq!(Impact::decode(&ok.impact.encode()), ok.impact);
        ratings.insert(impact_field(3, 3), "7".to_owned());
        let bad = ProcessInput::parse(&ProcessForm {
            name: "",
            owner_department_id: "",
            description: "",
            rto_hours: "four",
            rpo_hours: "-1",
            ratings,
            system_ids: vec!["x"],
        })
        .unwrap_err();
        let fields: Vec<_> = bad.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            vec![
                "name",
                "owner_department_id",
                "rto_hours",
                "rpo_hours",
                "impact",
                "system_ids"
            ]
        );
    }

    #[test]
    fn shipped_scenarios_parse_with_injects_in_order_and_a_restore_milestone() {
        let all = scenarios().unwrap();
        assert!(all.len() >= 2);
        for s in &all {
            assert!(s.milestone(RESTORED).is_some());
            assert!(!s.source.is_empty());
        }
        let bad = "id = \"x\"\nsource = \"s\"\ntitle_ja = \"a\"\ntitle_en = \"a\"\nsummary_ja = \"a\"\nsummary_en = \"a\"\n[[injects]]\nminute = 10\nja = \"a\"\nen = \"a\"\n[[injects]]\nminute = 5\nja = \"b\"\nen = \"b\"\n[[milestones]]\nid = \"restored\"\nja = \"r\"\nen = \"r\"\n";
        assert!(parse_scenario(bad).unwrap_err().contains("time order"));
    }

    #[test]
    fn the_exercise_clock_releases_injects_and_measures_against_the_rto() {
        let s = scenario("ransomware-shop").unwrap();
        let start = 1_000_000;
        // 5 real minutes, nothing skipped.
        let m = exercise_minute(start, 0, start + 5 * 60_000 + 59_000);
        assert_eq!(m, 5);
        let first = s.released(m).count();
        assert!(first >= 1);
        let next = s.next_inject_minute(m).unwrap();
        assert!(next > m);
        // The facilitator skips ahead to the next inject: it is released.
        let skipped = next - m;
        assert!(
            s.released(exercise_minute(start, skipped, start + 5 * 60_000))
                .count()
                > first
        );
        assert_eq!(
            rto_verdict(Some(200), Some(4)),
            RtoVerdict::Met {
                minutes: 200,
                rto_hours: 4
            }
        );
        assert_eq!(
            rto_verdict(Some(241), Some(4)),
            RtoVerdict::Missed {
                minutes: 241,
                rto_hours: 4
            }
        );
        assert_eq!(
            rto_verdict(None, Some(4)),
            RtoVerdict::NotRestored { rto_hours: 4 }
        );
        assert_eq!(rto_verdict(Some(1), None), RtoVerdict::NoRto);
        let def = MilestoneDef {
            id: "detected".into(),
            ja: String::new(),
            en: String::new(),
            target_minutes: Some(30),
        };
        assert_eq!(
            milestone_outcome(&def, Some(45)),
            Outcome::Late {
                minute: 45,
                target: 30
            }
        );
        assert_eq!(
            milestone_outcome(&def, Some(30)),
            Outcome::Reached { minute: 30 }
        );
        assert_eq!(milestone_outcome(&def, None), Outcome::Missed);
        assert_eq!(minutes_text(1440 + 195), "1d 03:15");
        assert_eq!(minutes_text(59), "00:59");
    }
}
