//! The risk register's arithmetic (seed 001 step 3, リスク分析シート):
//! importance from C/I/A (see [`crate::inventory::importance`]), likelihood
//! from threat frequency and vulnerability level, risk value = importance ×
//! likelihood, treatments, residual risk and the heat map.

use serde::Deserialize;

/// 1–3 scales (threat frequency, vulnerability level, likelihood, importance).
pub const LEVELS: [i64; 3] = [1, 2, 3];

/// Likelihood (被害発生可能性) by threat frequency (rows 1–3) and
/// vulnerability level (columns 1–3). Seed 001 says only that likelihood is
/// "threat frequency × vulnerability level, read on three steps"; this is the
/// conversion table of the IPA SME guideline's risk analysis sheet as the
/// Tokyo Metropolitan Government's SME course reproduces it (令和5年度
/// seminar06 11-2-3): frequent threat × no measures = 3, frequent × partial
/// = 2, occasional × no measures = 2, everything else 1.
const LIKELIHOOD: [[i64; 3]; 3] = [
    // vulnerability 1, 2, 3
    [1, 1, 1], // frequency 1: does not happen in normal conditions
    [1, 1, 2], // frequency 2: happens in certain conditions (a few times a year)
    [1, 2, 3], // frequency 3: may happen at any time
];

fn in_range(v: i64) -> bool {
    (1..=3).contains(&v)
}

/// Likelihood 1–3, or None when either input is outside 1–3.
pub fn likelihood(frequency: i64, vulnerability: i64) -> Option<i64> {
    if !in_range(frequency) || !in_range(vulnerability) {
        return None;
    }
    Some(LIKELIHOOD[(frequency - 1) as usize][(vulnerability - 1) as usize])
}

/// リスク値 = 重要度 × 被害発生可能性 (1–9).
pub fn risk_value(importance: i64, likelihood: i64) -> Option<i64> {
    (in_range(importance) && in_range(likelihood)).then_some(importance * likelihood)
}

/// How a risk value reads: 6–9 high, 3–4 medium, 1–2 low (our cut, shown
/// with the heat map's colours).
pub fn level(value: i64) -> &'static str {
    match value {
        6.. => "high",
        3..=5 => "medium",
        _ => "low",
    }
}

/// Treatments (seed 001; DESIGN §7: reduce, avoid, transfer such as cyber
/// insurance, accept).
pub const TREATMENTS: [&str; 4] = ["reduce", "avoid", "transfer", "accept"];

pub const THREAT_GROUPS: [&str; 3] = ["physical", "technical", "human"];

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct Threat {
    pub id: String,
    pub group: String,
    pub ja: String,
    pub en: String,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ThreatCatalog {
    pub source: String,
    pub threats: Vec<Threat>,
}

pub const THREATS_TOML: &str = include_str!("../../../catalogs/risk-threats.toml");

/// The shipped threat list, checked: unique ids, known groups.
pub fn threats() -> Result<ThreatCatalog, String> {
    let c: ThreatCatalog = toml::from_str(THREATS_TOML).map_err(|e| e.to_string())?;
    let mut seen = std::collections::HashSet::new();
    for t in &c.threats {
        if !seen.insert(t.id.as_str()) {
            return Err(format!("threat {} twice", t.id));
        }
        if !THREAT_GROUPS.contains(&t.group.as_str()) {
            return Err(format!("threat {}: unknown group {}", t.id, t.group));
        }
    }
    Ok(c)
}

/// Counts per cell: `grid[importance-1][likelihood-1]`.
pub fn heat_map(cells: impl IntoIterator<Item = (i64, i64)>) -> [[usize; 3]; 3] {
    let mut g = [[0usize; 3]; 3];
    for (imp, lik) in cells {
        if in_range(imp) && in_range(lik) {
            g[(imp - 1) as usize][(lik - 1) as usize] += 1;
        }
    }
    g
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn likelihood_follows_the_sheet() {
        assert_eq!(likelihood(3, 3), Some(3));
        assert_eq!(likelihood(3, 2), Some(2));
        assert_eq!(likelihood(2, 3), Some(2));
        assert_eq!(likelihood(2, 2), Some(1));
        assert_eq!(likelihood(1, 3), Some(1));
        assert_eq!(likelihood(3, 1), Some(1));
        assert_eq!(likelihood(0, 2), None);
        assert_eq!(likelihood(2, 4), None);
    }

    #[test]
    fn risk_value_is_importance_times_likelihood() {
        // A customer list rated C3/I2/A2 has importance 3; a frequent threat
        // meeting no measures gives likelihood 3: risk 9, high.
        let imp = 3;
        let v = risk_value(imp, likelihood(3, 3).unwrap()).unwrap();
        assert_eq!(v, 9);
        assert_eq!(level(v), "high");
        // After reducing the vulnerability to "partly": likelihood 2, risk 6.
        assert_eq!(risk_value(imp, likelihood(3, 2).unwrap()), Some(6));
        assert_eq!(level(4), "medium");
        assert_eq!(level(2), "low");
        assert_eq!(risk_value(4, 1), None);
    }

    #[test]
    fn heat_map_counts_cells() {
        let g = heat_map([(3, 3), (3, 3), (1, 2), (9, 9)]);
        assert_eq!(g[2][2], 2);
        assert_eq!(g[0][1], 1);
        assert_eq!(g.iter().flatten().sum::<usize>(), 3);
    }

    #[test]
    fn the_threat_list_covers_three_groups() {
        let c = threats().unwrap();
        for g in THREAT_GROUPS {
            assert!(c.threats.iter().any(|t| t.group == g));
        }
    }
}
