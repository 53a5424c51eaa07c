//! The vulnerability handling workflow (DESIGN §4, seed 003 §3.3): from a
//! new finding through ① investigation, ② impact and direction, ③ work
//! plan and ④ implementation to verification; or out of it as not
//! affected, mitigated or risk-accepted.
//!
//! Pure rules: which step is allowed from which state, for whom, with which
//! notes. The store records the result and the history; the web shows only
//! the steps this module allows.

use crate::access::{Actor, Role};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    New,
    /// ① Is the problem present, and under which conditions.
    Investigating,
    /// ② Impact on the business and the direction: patch, workaround, stop, accept.
    Direction,
    /// ③ Work plan: schedule, downtime, test environment, cost, people.
    Planning,
    /// ④ The fix is being applied.
    Implementing,
    Verified,
    NotAffected,
    Mitigated,
    RiskAccepted,
}

impl Status {
    pub const ALL: [Status; 9] = [
        Status::New,
        Status::Investigating,
        Status::Direction,
        Status::Planning,
        Status::Implementing,
        Status::Verified,
        Status::NotAffected,
        Status::Mitigated,
        Status::RiskAccepted,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::New => "new",
            Status::Investigating => "investigating",
            Status::Direction => "direction",
            Status::Planning => "planning",
            Status::Implementing => "implementing",
            Status::Verified => "verified",
            Status::NotAffected => "not_affected",
            Status::Mitigated => "mitigated",
            Status::RiskAccepted => "risk_accepted",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still to be fixed: counts against its due date.
    pub fn is_open(self) -> bool {
        matches!(
            self,
            Status::New
                | Status::Investigating
                | Status::Direction
                | Status::Planning
                | Status::Implementing
        )
    }
}

/// ② The chosen way to deal with a present vulnerability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    Patch,
    /// A workaround: WAF/IPS signature, configuration change.
    Workaround,
    /// Stop the service or the function until it is fixed.
    StopService,
}

impl Direction {
    pub const ALL: [Direction; 3] = [
        Direction::Patch,
        Direction::Workaround,
        Direction::StopService,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Patch => "patch",
            Direction::Workaround => "workaround",
            Direction::StopService => "stop_service",
        }
    }
    pub fn parse(s: &str) -> Option<Direction> {
        Direction::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a person does to a finding, with what the step asks them to record.
#[derive(Debug, Clone, PartialEq)]
pub enum Step {
    /// new → ①.
    Start { note: String },
    /// ① → ②: the problem is present; under these conditions.
    Investigated { conditions: String },
    /// ② → ③: the direction and its impact on the business.
    Direct {
        direction: Direction,
        impact: String,
    },
    /// In ③: the work plan (may be revised).
    Plan(WorkPlan),
    /// In ③: the owner department agrees to the plan.
    Agree { note: String },
    /// ③ → ④: needs a plan and the owner's agreement.
    Implement,
    /// ④ → verified: how the fix was confirmed.
    Verify { note: String },
    /// ②③④ → mitigated: the workaround in place. `fix_known`: whether a
    /// fixed version was known then (a later fix re-opens the finding).
    Mitigate { note: String, fix_known: bool },
    /// new, ①, ② → not affected, with a VEX justification.
    NotAffected { justification: String, note: String },
    /// In ②: ask for the risk to be accepted.
    RequestAcceptance { reason: String },
    /// ② → risk accepted, until `expires_ms`.
    ApproveAcceptance { expires_ms: i64, note: String },
    /// In ②: the approver declines.
    RejectAcceptance { note: String },
    /// Any closed or advanced state → new.
    Reopen { note: String },
}

impl Step {
    pub fn name(&self) -> &'static str {
        match self {
            Step::Start { .. } => "start",
            Step::Investigated { .. } => "investigated",
            Step::Direct { .. } => "direct",
            Step::Plan(_) => "plan",
            Step::Agree { .. } => "agree",
            Step::Implement => "implement",
            Step::Verify { .. } => "verify",
            Step::Mitigate { .. } => "mitigate",
            Step::NotAffected { .. } => "not_affected",
            Step::RequestAcceptance { .. } => "request_acceptance",
            Step::ApproveAcceptance { .. } => "approve_acceptance",
            Step::RejectAcceptance { .. } => "reject_acceptance",
            Step::Reopen { .. } => "reopen",
        }
    }
}

/// All step names, for forms and message keys.
pub const STEPS: &[&str] = &[
    "start",
    "investigated",
    "direct",
    "plan",
    "agree",
    "implement",
    "verify",
    "mitigate",
    "not_affected",
    "request_acceptance",
    "approve_acceptance",
    "reject_acceptance",
    "reopen",
];

/// ③ The work plan (seed 003 §3.3): when, how long the service is down,
/// where it is tested first, what it costs, who does it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct WorkPlan {
    /// Day the work is scheduled for (ms since the epoch, start of day).
    pub scheduled_ms: i64,
    pub downtime: String,
    /// "substitute", "virtual" or "none".
    pub test_environment: String,
    pub cost: String,
    pub people: String,
}

pub const TEST_ENVIRONMENTS: &[&str] = &["substitute", "virtual", "none"];

/// The workflow facts of one finding the rules look at.
#[derive(Debug, Clone, PartialEq)]
pub struct State {
    pub status: Status,
    pub plan_recorded: bool,
    pub agreed: bool,
    /// Who asked for risk acceptance, while a request is pending.
    pub acceptance_requested_by: Option<String>,
}

/// How the actor relates to the finding's system.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Standing {
    /// May change the system's components (admin, security officer, the
    /// owning department's system owner, the assigned vendor).
    pub may_work: bool,
    /// A system owner of the owning department.
    pub is_owner: bool,
}

/// Why a step was refused; each is a message key for the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The step does not apply in the current state.
    WrongState,
    /// The actor's role may not take this step.
    NotPermitted,
    /// A required note or field is empty; names the field.
    Missing(&'static str),
    /// ④ needs a recorded work plan.
    NoPlan,
    /// ④ needs the owner department's agreement.
    NoAgreement,
    /// Approving needs a pending request.
    NoRequest,
    /// The requester may not approve their own request.
    SelfApproval,
    /// The expiry is not in the future, or too far.
    BadExpiry,
    /// Not one of the VEX justifications.
    BadJustification,
}

impl Refusal {
    pub fn key(self) -> &'static str {
        match self {
            Refusal::WrongState => "wf-err-state",
            Refusal::NotPermitted => "wf-err-permission",
            Refusal::Missing(_) => "wf-err-missing",
            Refusal::NoPlan => "wf-err-no-plan",
            Refusal::NoAgreement => "wf-err-no-agreement",
            Refusal::NoRequest => "wf-err-no-request",
            Refusal::SelfApproval => "wf-err-self-approval",
            Refusal::BadExpiry => "wf-err-expiry",
            Refusal::BadJustification => "wf-err-justification",
        }
    }
}

/// Longest a risk acceptance may run before it must be decided again.
pub const MAX_ACCEPTANCE_DAYS: i64 = 366;

/// Roles that may approve a risk acceptance.
pub fn may_approve(role: Role) -> bool {
    matches!(role, Role::Admin | Role::Executive)
}

fn need(s: &str, field: &'static str) -> Result<(), Refusal> {
    if s.trim().is_empty() {
        Err(Refusal::Missing(field))
    } else {
        Ok(())
    }
}

/// The state after `step`, or why it is refused.
pub fn apply(
    state: &State,
    step: &Step,
    actor: &Actor,
    standing: Standing,
    now_ms: i64,
) -> Result<State, Refusal> {
    use Status::*;
    let s = state.status;
    let mut next = state.clone();
    let works = standing.may_work;
    // Vendors do the work but do not decide for the organization.
    let decides = works && actor.role != Role::Vendor;
    let permit = |ok: bool| {
        if ok {
            Ok(())
        } else {
            Err(Refusal::NotPermitted)
        }
    };
    let in_state = |ok: bool| if ok { Ok(()) } else { Err(Refusal::WrongState) };
    match step {
        Step::Start { .. } => {
            in_state(s == New)?;
            permit(works)?;
            next.status = Investigating;
        }
        Step::Investigated { conditions } => {
            in_state(s == Investigating)?;
            permit(works)?;
            need(conditions, "conditions")?;
            next.status = Direction;
        }
        Step::Direct { impact, .. } => {
            in_state(s == Direction)?;
            permit(decides)?;
            need(impact, "impact")?;
            next.status = Planning;
            next.acceptance_requested_by = None;
        }
        Step::Plan(plan) => {
            in_state(s == Planning)?;
            permit(works)?;
            if plan.scheduled_ms <= 0 {
                return Err(Refusal::Missing("scheduled"));
            }
            if !TEST_ENVIRONMENTS.contains(&plan.test_environment.as_str()) {
                return Err(Refusal::Missing("test_environment"));
            }
            need(&plan.people, "people")?;
            next.plan_recorded = true;
            // A changed plan needs the owner's agreement again.
            next.agreed = false;
        }
        Step::Agree { .. } => {
            in_state(s == Planning)?;
            permit(standing.is_owner || actor.role == Role::Admin)?;
            if !state.plan_recorded {
                return Err(Refusal::NoPlan);
            }
            next.agreed = true;
        }
        Step::Implement => {
            in_state(s == Planning)?;
            permit(works)?;
            if !state.plan_recorded {
                return Err(Refusal::NoPlan);
            }
            if !state.agreed {
                return Err(Refusal::NoAgreement);
            }
            next.status = Implementing;
        }
        Step::Verify { note } => {
            in_state(s == Implementing)?;
            permit(works)?;
            need(note, "note")?;
            next.status = Verified;
        }
        Step::Mitigate { note, .. } => {
            in_state(matches!(s, Direction | Planning | Implementing))?;
            permit(works)?;
            need(note, "note")?;
            next.status = Mitigated;
        }
        Step::NotAffected {
            justification,
            note,
        } => {
            in_state(matches!(s, New | Investigating | Direction))?;
            permit(works)?;
            if !crate::finding::is_justification(justification) {
                return Err(Refusal::BadJustification);
            }
            need(note, "note")?;
            next.status = NotAffected;
        }
        Step::RequestAcceptance { reason } => {
            in_state(s == Direction)?;
            permit(decides)?;
            need(reason, "reason")?;
            next.acceptance_requested_by = Some(actor.name.clone());
        }
        Step::ApproveAcceptance { expires_ms, .. } => {
            in_state(s == Direction)?;
            permit(may_approve(actor.role))?;
            let Some(by) = &state.acceptance_requested_by else {
                return Err(Refusal::NoRequest);
            };
            if by == &actor.name {
                return Err(Refusal::SelfApproval);
            }
            if *expires_ms <= now_ms || *expires_ms > now_ms + MAX_ACCEPTANCE_DAYS * 86_400_000 {
                return Err(Refusal::BadExpiry);
            }
            next.status = RiskAccepted;
            next.acceptance_requested_by = None;
        }
        Step::RejectAcceptance { note } => {
            in_state(s == Direction)?;
            permit(may_approve(actor.role))?;
            if state.acceptance_requested_by.is_none() {
                return Err(Refusal::NoRequest);
            }
            need(note, "note")?;
            next.acceptance_requested_by = None;
        }
        Step::Reopen { note } => {
            in_state(s != New)?;
            permit(matches!(actor.role, Role::Admin | Role::SecurityOfficer))?;
            need(note, "note")?;
            next = State {
                status: New,
                plan_recorded: false,
                agreed: false,
                acceptance_requested_by: None,
            };
        }
    }
    Ok(next)
}

/// The steps worth offering to this actor now (each would pass [`apply`]
/// given suitable notes).
pub fn offered(state: &State, actor: &Actor, standing: Standing) -> Vec<&'static str> {
    let probe = |step: Step| -> Option<&'static str> {
        let name = step.name();
        match apply(state, &step, actor, standing, 0) {
            Ok(_) | Err(Refusal::Missing(_)) | Err(Refusal::BadExpiry) => Some(name),
            Err(_) => None,
        }
    };
    let x = || "x".to_owned();
    [
        Step::Start { note: x() },
        Step::Investigated { conditions: x() },
        Step::Direct {
            direction: Direction::Patch,
            impact: x(),
        },
        Step::Plan(WorkPlan {
            scheduled_ms: 1,
            test_environment: "none".into(),
            people: x(),
            ..WorkPlan::default()
        }),
        Step::Agree { note: x() },
        Step::Implement,
        Step::Verify { note: x() },
        Step::Mitigate {
            note: x(),
            fix_known: false,
        },
        Step::NotAffected {
            justification: crate::finding::JUSTIFICATIONS[0].into(),
            note: x(),
        },
        Step::RequestAcceptance { reason: x() },
        Step::ApproveAcceptance {
            expires_ms: 1,
            note: x(),
        },
        Step::RejectAcceptance { note: x() },
        Step::Reopen { note: x() },
    ]
    .into_iter()
    .filter_map(probe)
    .collect()
}

/// Whether a risk acceptance has run out and the finding re-opens.
pub fn acceptance_expired(status: Status, expires_ms: Option<i64>, now_ms: i64) -> bool {
    status == Status::RiskAccepted && expires_ms.is_some_and(|e| e <= now_ms)
}

/// Whether a mitigated finding re-opens: it was mitigated while no fix was
/// known, and the feeds now name one.
pub fn mitigation_superseded(status: Status, fix_known_then: bool, fix_known_now: bool) -> bool {
    status == Status::Mitigated && !fix_known_then && fix_known_now
}

/// Why a finding someone worked on re-opens when it is matched again, if it
/// does: a "not affected" decision whose match changed, or a workaround put
/// in while no fix was known once the feeds name one.
pub fn reopen_on_rematch(
    status: &str,
    decided_on: Option<&str>,
    fix_known_then: bool,
    reason_now: &str,
) -> Option<&'static str> {
    let st = Status::parse(status).unwrap_or(Status::New);
    if st == Status::NotAffected && !crate::finding::decision_holds(decided_on, reason_now) {
        Some("match_changed")
    } else if mitigation_superseded(st, fix_known_then, reason_names_fix(reason_now)) {
        Some("fix_available")
    } else {
        None
    }
}

/// Whether a match reason names a fixed version: an NVD range with an
/// exclusive upper end, or an OSV range with a `fixed` event.
pub fn reason_names_fix(reason: &str) -> bool {
    reason.contains("versionEndExcluding ") || reason.contains(", fixed ")
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn actor(name: &str, role: Role) -> Actor {
        Actor {
            user_id: Some(1),
            name: name.into(),
            role,
            department_id: None,
            vendor_id: None,
        }
    }
    const WORKER: Standing = Standing {
        may_work: true,
        is_owner: false,
    };
    const OWNER: Standing = Standing {
        may_work: true,
        is_owner: true,
    };
    fn state(status: Status) -> State {
        State {
            status,
            plan_recorded: false,
            agreed: false,
            acceptance_requested_by: None,
        }
    }
    fn plan() -> Step {
        Step::Plan(WorkPlan {
            scheduled_ms: 1_800_000_000_000,
            downtime: "30 min".into(),
            test_environment: "virtual".into(),
            cost: "0".into(),
            people: "vendor".into(),
        })
    }

    #[test]
    fn a_finding_walks_through_the_four_steps_to_verified() {
        let so = actor("officer", Role::SecurityOfficer);
        let owner = actor("owner", Role::SystemOwner);
        let mut s = state(Status::New);
        for (step, who, standing) in [
            (Step::Start { note: "".into() }, &so, WORKER),
            (
                Step::Investigated {
                    conditions: "mod_proxy enabled".into(),
                },
                &so,
                WORKER,
            ),
            (
                Step::Direct {
                    direction: Direction::Patch,
                    impact: "shop down 30 min".into(),
                },
                &so,
                WORKER,
            ),
            (plan(), &so, WORKER),
            (Step::Agree { note: "".into() }, &owner, OWNER),
            (Step::Implement, &so, WORKER),
            (
                Step::Verify {
                    note: "version 2.4.59 seen".into(),
                },
                &so,
                WORKER,
            ),
        ] {
            s = apply(&s, &step, who, standing, 0).unwrap();
        }
        assert_eq!(s.status, Status::Verified);
    }

    #[test]
    fn implementation_waits_for_a_plan_and_the_owners_agreement() {
        let so = actor("officer", Role::SecurityOfficer);
        let s = state(Status::Planning);
        assert_eq!(
            apply(&s, &Step::Implement, &so, WORKER, 0),
            Err(Refusal::NoPlan)
        );
        let planned = apply(&s, &plan(), &so, WORKER, 0).unwrap();
        assert_eq!(
            apply(&planned, &Step::Implement, &so, WORKER, 0),
            Err(Refusal::NoAgreement)
        );
        // The security officer cannot agree for the owner department.
        assert_eq!(
            apply(&planned, &Step::Agree { note: "".into() }, &so, WORKER, 0),
            Err(Refusal::NotPermitted)
        );
        let owner = actor("owner", Role::SystemOwner);
        let agreed = apply(&planned, &Step::Agree { note: "".into() }, &owner, OWNER, 0).unwrap();
        // Revising the plan withdraws the agreement.
        let revised = apply(&agreed, &plan(), &so, WORKER, 0).unwrap();
        assert!(!revised.agreed);
        assert_eq!(
            apply(&agreed, &Step::Implement, &so, WORKER, 0)
                .unwrap()
                .status,
            Status::Implementing
        );
    }

    #[test]
    fn risk_acceptance_needs_another_person_with_the_right_role_and_an_expiry() {
        let so = actor("officer", Role::SecurityOfficer);
        let exec = actor("ceo", Role::Executive);
        let now = 1_700_000_000_000;
        let s = state(Status::Direction);
        assert_eq!(
            apply(
                &s,
                &Step::ApproveAcceptance {
                    expires_ms: now + 86_400_000,
                    note: "".into()
                },
                &exec,
                Standing::default(),
                now
            ),
            Err(Refusal::NoRequest)
        );
        let asked = apply(
            &s,
            &Step::RequestAcceptance {
                reason: "system retires in March".into(),
            },
            &so,
            WORKER,
            now,
        )
        .unwrap();
        let approve = |e: i64, who: &Actor| {
            apply(
                &asked,
                &Step::ApproveAcceptance {
                    expires_ms: e,
                    note: "".into(),
                },
                who,
                Standing::default(),
                now,
            )
        };
        assert_eq!(approve(now + 86_400_000, &so), Err(Refusal::NotPermitted));
        assert_eq!(approve(now - 1, &exec), Err(Refusal::BadExpiry));
        assert_eq!(
            approve(now + 400 * 86_400_000, &exec),
            Err(Refusal::BadExpiry)
        );
        let admin = actor("officer", Role::Admin);
        assert_eq!(
            approve(now + 86_400_000, &admin),
            Err(Refusal::SelfApproval)
        );
        let ok = approve(now + 90 * 86_400_000, &exec).unwrap();
        assert_eq!(ok.status, Status::RiskAccepted);
        assert!(!acceptance_expired(
            ok.status,
            Some(now + 90 * 86_400_000),
            now
        ));
        assert!(acceptance_expired(
            ok.status,
            Some(now + 90 * 86_400_000),
            now + 90 * 86_400_000
        ));
    }

    #[test]
    fn vendors_work_but_do_not_decide_and_readers_do_nothing() {
        let v = actor("vendor", Role::Vendor);
        let s = state(Status::Direction);
        let offered_v = offered(&s, &v, WORKER);
        assert!(offered_v.contains(&"mitigate"));
        assert!(!offered_v.contains(&"direct"));
        assert!(!offered_v.contains(&"request_acceptance"));
        let auditor = actor("a", Role::Auditor);
        assert!(offered(&state(Status::New), &auditor, Standing::default()).is_empty());
        let exec = actor("ceo", Role::Executive);
        let mut asked = s.clone();
        asked.acceptance_requested_by = Some("officer".into());
        assert_eq!(
            offered(&asked, &exec, Standing::default()),
            vec!["approve_acceptance", "reject_acceptance"]
        );
    }

    #[test]
    fn notes_the_step_asks_for_are_required() {
        let so = actor("officer", Role::SecurityOfficer);
        assert_eq!(
            apply(
                &state(Status::Investigating),
                &Step::Investigated {
                    conditions: "  ".into()
                },
                &so,
                WORKER,
                0
            ),
            Err(Refusal::Missing("conditions"))
        );
        assert_eq!(
            apply(
                &state(Status::New),
                &Step::NotAffected {
                    justification: "because".into(),
                    note: "x".into()
                },
                &so,
                WORKER,
                0
            ),
            Err(Refusal::BadJustification)
        );
    }

    #[test]
    fn a_mitigation_without_a_fix_reopens_when_a_fix_appears() {
        assert!(mitigation_superseded(Status::Mitigated, false, true));
        assert!(!mitigation_superseded(Status::Mitigated, true, true));
        assert!(!mitigation_superseded(Status::Verified, false, true));
        assert!(reason_names_fix(
            "cpe:2.3:a:apache:http_server versionEndExcluding 2.4.59 > 2.4.58"
        ));
        assert!(!reason_names_fix(
            "cpe:2.3:a:apache:http_server versionEndIncluding 2.4.58"
        ));
        assert!(reason_names_fix(
            "PyPI jinja2: introduced 0 <= 2.10, fixed 2.11.3 > 2.10"
        ));
    }
}
