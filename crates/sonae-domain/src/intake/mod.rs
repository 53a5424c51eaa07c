//! Vulnerability reports from outside (第三者からの指摘, DESIGN §4, seed 003
//! §3.3): the public intake form, its anti-abuse measures, the tracked
//! report with its acknowledgement deadline, and `security.txt` (RFC 9116).

pub mod pow;
pub mod report;
pub mod security_txt;

pub use report::{ReportInput, ReportStatus};
pub use security_txt::SecurityTxt;

/// One problem with one input field, as a message key (`intake-err-…`) the
/// web layer translates, with its arguments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InputError {
    pub field: &'static str,
    pub key: &'static str,
    pub max: Option<usize>,
}

impl InputError {
    pub fn new(field: &'static str, key: &'static str) -> InputError {
        InputError {
            field,
            key,
            max: None,
        }
    }
    pub fn too_long(field: &'static str, max: usize) -> InputError {
        InputError {
            field,
            key: "intake-err-too-long",
            max: Some(max),
        }
    }
}

/// Who may work reports (reply, note, change status) and who may read them.
/// Reports can hold details of unfixed flaws, so system owners and vendors
/// see none of them; a report linked to their system reaches them as a
/// finding through the normal workflow.
pub fn may_work(role: crate::Role) -> bool {
    matches!(role, crate::Role::Admin | crate::Role::SecurityOfficer)
}

pub fn may_read(role: crate::Role) -> bool {
    may_work(role) || matches!(role, crate::Role::Auditor | crate::Role::Executive)
}

/// Limits on the public endpoints, per client address and over all clients,
/// within `RATE_WINDOW_MS`. Counted in the store so they hold across
/// restarts and across several nodes.
pub const RATE_WINDOW_MS: i64 = 60 * 60 * 1000;
pub const REPORTS_PER_ADDRESS: i64 = 10;
pub const REPORTS_OVERALL: i64 = 200;
pub const REPLIES_PER_REPORT: i64 = 20;
pub const REPLIES_PER_ADDRESS: i64 = 30;

/// Acknowledgement within this many business days unless configured
/// otherwise (issue 4).
pub const DEFAULT_ACK_BUSINESS_DAYS: u32 = 2;

pub(crate) fn is_email(s: &str) -> bool {
    s.len() <= 254
        && !s.contains(char::is_whitespace)
        && !s.contains(['<', '>', ',', ';', '"'])
        && s.split_once('@').is_some_and(|(l, d)| {
            !l.is_empty()
                && d.contains('.')
                && !d.starts_with('.')
                && !d.ends_with('.')
                && !d.contains('@')
        })
}
