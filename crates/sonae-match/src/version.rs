//! Version ordering. Placeholder being replaced: see the full implementation.

use std::cmp::Ordering;

/// Which ordering rules apply to a version string.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scheme {
    /// Dotted numeric with letters and suffixes (most CPE versions).
    Generic,
    /// Debian dpkg: epoch:upstream-revision, `~` sorts before anything.
    Dpkg,
    /// RPM rpmvercmp (with epoch and release).
    Rpm,
    /// Semantic Versioning 2.0.0.
    Semver,
}

/// Compare two versions under a scheme.
pub fn compare(scheme: Scheme, a: &str, b: &str) -> Ordering {
    let _ = scheme;
    a.cmp(b)
}
