//! Decisions on findings (DESIGN §3): a person can state that a matched
//! component is not affected, with a reason in the terms of VEX, and that
//! decision survives re-matching until the match itself changes.

/// VEX (CISA "Minimum Requirements for VEX", OpenVEX) justifications for
/// "not affected".
pub const JUSTIFICATIONS: &[&str] = &[
    "component_not_present",
    "vulnerable_code_not_present",
    "vulnerable_code_not_in_execute_path",
    "vulnerable_code_cannot_be_controlled_by_adversary",
    "inline_mitigations_already_exist",
];

pub fn is_justification(s: &str) -> bool {
    JUSTIFICATIONS.contains(&s)
}

/// Whether a decision made on one match still holds for a new match: only
/// while the matcher's reason (record, range, version) is the same.
pub fn decision_holds(decided_on: Option<&str>, current: &str) -> bool {
    decided_on == Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_match_reopens_the_decision() {
        assert!(decision_holds(
            Some("versionEndExcluding 2.4.59 > 2.4.58"),
            "versionEndExcluding 2.4.59 > 2.4.58"
        ));
        assert!(!decision_holds(
            Some("versionEndExcluding 2.4.59 > 2.4.58"),
            "versionEndExcluding 2.4.60 > 2.4.58"
        ));
        assert!(is_justification("vulnerable_code_not_in_execute_path"));
        assert!(!is_justification("because"));
    }
}
