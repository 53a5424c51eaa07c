//! The sonae domain: plain types and rules, reached directly by unit tests.
//!
//! Nothing here knows about HTTP or SQL. The store and web crates are thin
//! layers that translate to and from these types.

pub mod access;
pub mod assessment;
pub mod audit;
pub mod calendar;
pub mod clock;
pub mod continuity;
pub mod finding;
pub mod incident;
pub mod intake;
pub mod inventory;
pub mod notice;
pub mod notify;
pub mod priority;
pub mod risk;
pub mod statement;
pub mod value;
pub mod vuln;
pub mod workflow;

pub use access::{Actor, Role, Scope};
pub use clock::{Clock, FixedClock, SystemClock};
pub use inventory::{FieldSpec, FieldType, Kind};
pub use value::{FieldError, FieldErrorKind, Value, Values};
