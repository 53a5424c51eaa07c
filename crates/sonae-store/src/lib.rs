//! sonae's storage: one code path over sqlx's `Any` driver for SQLite (the
//! embedded default, one file in WAL mode) and PostgreSQL (for scale).
//!
//! SQL here is written in the dialect both share (`$n` parameters, `RETURNING`,
//! BIGINT-compatible integers, text dates, timestamps as Unix milliseconds);
//! the only per-backend pieces are the migration trees and connection setup.
//! Access rules come from `sonae_domain::access` and are applied in every
//! query, so no caller can forget them.

mod audit;
mod db;
mod error;
mod findings;
mod matching;
mod records;
mod users;
mod vulns;

pub use audit::AuditPage;
pub use db::{Backend, Store};
pub use error::StoreError;
pub use findings::{Finding, MatchComponent, MatchStats, NewFinding};
pub use matching::{AliasRow, CpeSuggestion, MatchQueue, MatchScope};
pub use records::{CollectStats, CollectedPackage, ImportRow, ListQuery, Page};
pub use users::{ApiToken, NewUser, User, UserUpdate};
pub use vulns::{ApplyStats, FeedState, SourceEntry, VulnDetail, VulnQuery, VulnRow};

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
