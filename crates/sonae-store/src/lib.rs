//! sonae's storage: one code path over sqlx's `Any` driver for SQLite (the
//! embedded default, one file in WAL mode) and PostgreSQL (for scale).
//!
//! SQL here is written in the dialect both share (`$n` parameters, `RETURNING`,
//! BIGINT-compatible integers, text dates, timestamps as Unix milliseconds);
//! the only per-backend pieces are the migration trees and connection setup.
//! Access rules come from `sonae_domain::access` and are applied in every
//! query, so no caller can forget them.

mod actions;
mod assessment;
mod audit;
mod continuity;
mod db;
mod error;
mod findings;
mod incidents;
mod matching;
mod notices;
mod notify;
mod records;
mod reports;
mod statement;
mod users;
mod vulns;
mod workflow;

pub use actions::{Action, ActionFilter, NewAction, ACTION_SOURCES, ACTION_STATUSES};
pub use assessment::{
    may_add_catalogs, may_read_assessments, may_write_assessments, ActionCounts, Answer,
    Assessment, Exposure, IncidentCount, NewRisk, RiskRow,
};
pub use audit::AuditPage;
pub use continuity::{
    may_manage as may_manage_continuity, may_read as may_read_continuity, Backup, Exercise,
    ExerciseDetail, ExerciseFinding, ExerciseLog, NewBackup, NewPlan, Plan, Process,
};
pub use db::{Backend, Store};
pub use error::StoreError;
pub use findings::{open_statuses, Finding, FindingFilter, MatchComponent, MatchStats, NewFinding};
pub use incidents::{
    may_manage as may_manage_incidents, Contact, Custody, Decision, Evidence, Incident, LogEntry,
    NewIncident, Route, SweepHit, Task,
};
pub use matching::{AliasRow, CpeSuggestion, MatchQueue, MatchScope};
pub use notices::{Notice, NoticeUpdate, ReviewAnswer};
pub use notify::{redact_url, DepartmentHead, LogEntry as NotifyLogEntry, RetryPolicy, Webhook};
pub use records::{CollectStats, ImportRow, ListQuery, Page, SourcedComponent};
pub use reports::{MessageKind, NewReport, Report, ReportMessage, ReportUpdate, REPORTER_ACTOR};
pub use statement::{Draft, DraftVersion, DueClock, FactInput, FactRow};
pub use users::{ApiToken, NewUser, User, UserUpdate};
pub use vulns::{ApplyStats, Coverage, FeedState, SourceEntry, VulnDetail, VulnQuery, VulnRow};
pub use workflow::FindingEvent;

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
