//! The audit log: every change, chained by SHA-256 so that editing or
//! deleting a past entry is detected.
//!
//! Each entry's hash covers its own fields (as stored, byte for byte) and the
//! previous entry's hash. The store keeps the last sequence number and hash
//! in a separate head row, so removing the newest entries is detected too.

use serde::Serialize;
use sha2::{Digest, Sha256};

/// The hash the first entry points back to.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AuditEntry {
    pub seq: i64,
    pub at_ms: i64,
    pub actor: String,
    pub action: String,
    pub object_kind: String,
    pub object_id: Option<i64>,
    /// JSON text of the record before the change (None for a creation).
    pub before: Option<String>,
    /// JSON text of the record after the change (None for a deletion).
    pub after: Option<String>,
    pub prev_hash: String,
    pub hash: String,
}

/// Hash of an entry's content and its predecessor's hash. Every field is
/// length-prefixed so that no two different entries hash the same input.
pub fn entry_hash(e: &AuditEntry) -> String {
    let mut h = Sha256::new();
    let mut field = |bytes: &[u8]| {
        h.update((bytes.len() as u64).to_be_bytes());
        h.update(bytes);
    };
    field(e.prev_hash.as_bytes());
    field(&e.seq.to_be_bytes());
    field(&e.at_ms.to_be_bytes());
    field(e.actor.as_bytes());
    field(e.action.as_bytes());
    field(e.object_kind.as_bytes());
    field(
        e.object_id
            .map(|i| i.to_string())
            .unwrap_or_default()
            .as_bytes(),
    );
    field(e.before.as_deref().unwrap_or("\u{0}").as_bytes());
    field(e.after.as_deref().unwrap_or("\u{0}").as_bytes());
    hex::encode(h.finalize())
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChainBreak {
    /// The entry's content does not match its hash: edited.
    Altered { seq: i64 },
    /// The entry does not point at its predecessor's hash.
    BadLink { seq: i64 },
    /// A sequence number is missing: deleted.
    Missing { after_seq: i64, next_seq: i64 },
    /// The head row does not match the last entry: the newest entries were removed or the head was edited.
    HeadMismatch { head_seq: i64, last_seq: i64 },
}

/// Walks the chain in sequence order. Feed entries ordered by `seq`.
#[derive(Debug)]
pub struct Verifier {
    last_seq: i64,
    last_hash: String,
    pub checked: u64,
    pub breaks: Vec<ChainBreak>,
}

impl Default for Verifier {
    fn default() -> Self {
        Self {
            last_seq: 0,
            last_hash: GENESIS.to_owned(),
            checked: 0,
            breaks: Vec::new(),
        }
    }
}

impl Verifier {
    pub fn push(&mut self, e: &AuditEntry) {
        self.checked += 1;
        if e.seq != self.last_seq + 1 {
            self.breaks.push(ChainBreak::Missing {
                after_seq: self.last_seq,
                next_seq: e.seq,
            });
        }
        if e.prev_hash != self.last_hash {
            self.breaks.push(ChainBreak::BadLink { seq: e.seq });
        }
        if entry_hash(e) != e.hash {
            self.breaks.push(ChainBreak::Altered { seq: e.seq });
        }
        self.last_seq = e.seq;
        self.last_hash = e.hash.clone();
    }

    /// Compare with the head row kept beside the log.
    pub fn finish(mut self, head_seq: i64, head_hash: &str) -> Vec<ChainBreak> {
        if head_seq != self.last_seq || head_hash != self.last_hash {
            self.breaks.push(ChainBreak::HeadMismatch {
                head_seq,
                last_seq: self.last_seq,
            });
        }
        self.breaks
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = GENESIS.to_owned();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    seq,
                    at_ms: 1_700_000_000_000 + seq,
                    actor: "admin".into(),
                    action: "update".into(),
                    object_kind: "systems".into(),
                    object_id: Some(seq),
                    before: Some(format!("{{\"v\":{seq}}}")),
                    after: Some(format!("{{\"v\":{}}}", seq + 1)),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    fn verify(entries: &[AuditEntry], head: (i64, &str)) -> Vec<ChainBreak> {
        let mut v = Verifier::default();
        entries.iter().for_each(|e| v.push(e));
        v.finish(head.0, head.1)
    }

    #[test]
    fn intact_chain_verifies() {
        let c = chain(5);
        assert!(verify(&c, (5, &c[4].hash)).is_empty());
    }

    #[test]
    fn edited_entry_is_found() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c[2].after = Some("{\"v\":999}".into());
        assert_eq!(verify(&c, (5, &head)), vec![ChainBreak::Altered { seq: 3 }]);
    }

    #[test]
    fn deleted_entry_is_found() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.remove(1);
        let breaks = verify(&c, (5, &head));
        assert!(breaks.contains(&ChainBreak::Missing {
            after_seq: 1,
            next_seq: 3
        }));
    }

    #[test]
    fn truncated_tail_is_found() {
        let mut c = chain(5);
        let head = c[4].hash.clone();
        c.pop();
        assert_eq!(
            verify(&c, (5, &head)),
            vec![ChainBreak::HeadMismatch {
                head_seq: 5,
                last_seq: 4
            }]
        );
    }
}
