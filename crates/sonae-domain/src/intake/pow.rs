//! Proof of work for the public report form, instead of a CAPTCHA.
//!
//! The server issues a challenge `v1.{issued_ms}.{salt}.{bits}.{mac}` whose
//! MAC (HMAC-SHA-256 with the app's secret key) covers everything before it,
//! so a client can neither make challenges up nor lower the difficulty. The
//! browser searches for a nonce (decimal digits) such that
//! SHA-256(challenge ‖ nonce) starts with `bits` zero bits; checking costs
//! one hash. Each challenge is accepted once (the store remembers the ones
//! used until they expire) and for `CHALLENGE_TTL_MS` after issue.

use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// Leading zero bits asked for: about 65,000 hashes, a second or so of
/// JavaScript on a phone, nothing for one honest report, costly for a flood.
pub const DEFAULT_BITS: u8 = 16;
/// A challenge older than this is refused (the form has been open too long).
pub const CHALLENGE_TTL_MS: i64 = 2 * 60 * 60 * 1000;
/// Clock skew tolerated between nodes for a challenge "from the future".
const SKEW_MS: i64 = 60 * 1000;
const MAX_NONCE_LEN: usize = 32;

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum PowError {
    #[error("malformed challenge or nonce")]
    Malformed,
    #[error("challenge not issued by this server")]
    BadSignature,
    #[error("challenge expired")]
    Expired,
    #[error("not enough work")]
    Insufficient,
}

fn mac(key: &[u8], body: &str) -> Option<Hmac<Sha256>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(b"sonae-intake-pow\0");
    m.update(body.as_bytes());
    Some(m)
}

/// A new challenge. `salt` must be fresh randomness (hex) from the caller.
pub fn issue(key: &[u8], now_ms: i64, salt: &str, bits: u8) -> String {
    let body = format!("v1.{now_ms}.{salt}.{bits}");
    let tag = mac(key, &body)
        .map(|m| hex::encode(m.finalize().into_bytes()))
        .unwrap_or_default();
    format!("{body}.{tag}")
}

/// Number of leading zero bits of a digest.
pub fn leading_zero_bits(digest: &[u8]) -> u32 {
    let mut n = 0;
    for b in digest {
        if *b == 0 {
            n += 8;
        } else {
            return n + b.leading_zeros();
        }
    }
    n
}

/// A verified challenge: when it expires (for the single-use record).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solved {
    pub expires_at_ms: i64,
}

/// Check a challenge and its nonce. Single use is the caller's part (the
/// store), done after this succeeds.
pub fn verify(
    key: &[u8],
    now_ms: i64,
    min_bits: u8,
    challenge: &str,
    nonce: &str,
) -> Result<Solved, PowError> {
    if nonce.is_empty()
        || nonce.len() > MAX_NONCE_LEN
        || !nonce.bytes().all(|b| b.is_ascii_digit())
        || challenge.len() > 200
    {
        return Err(PowError::Malformed);
    }
    let (body, tag) = challenge.rsplit_once('.').ok_or(PowError::Malformed)?;
    let parts: Vec<&str> = body.split('.').collect();
    let [version, issued, _salt, bits] = parts.as_slice() else {
        return Err(PowError::Malformed);
    };
    if *version != "v1" {
        return Err(PowError::Malformed);
    }
    let tag = hex::decode(tag).map_err(|_| PowError::Malformed)?;
    mac(key, body)
        .ok_or(PowError::BadSignature)?
        .verify_slice(&tag)
        .map_err(|_| PowError::BadSignature)?;
    let issued: i64 = issued.parse().map_err(|_| PowError::Malformed)?;
    let bits: u8 = bits.parse().map_err(|_| PowError::Malformed)?;
    if now_ms > issued.saturating_add(CHALLENGE_TTL_MS) || issued > now_ms + SKEW_MS {
        return Err(PowError::Expired);
    }
    if bits < min_bits {
        return Err(PowError::Insufficient);
    }
    let mut h = Sha256::new();
    h.update(challenge.as_bytes());
    h.update(nonce.as_bytes());
    if leading_zero_bits(&h.finalize()) < u32::from(bits) {
        return Err(PowError::Insufficient);
    }
    Ok(Solved {
        expires_at_ms: issued + CHALLENGE_TTL_MS,
    })
}

/// Find a nonce by brute force, as the browser script does (for tests and
/// tools).
pub fn solve(challenge: &str, bits: u8) -> String {
    let mut n: u64 = 0;
    loop {
        let nonce = n.to_string();
        let mut h = Sha256::new();
        h.update(challenge.as_bytes());
        h.update(nonce.as_bytes());
        if leading_zero_bits(&h.finalize()) >= u32::from(bits) {
            return nonce;
        }
        n += 1;
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    const KEY: &[u8] = b"0123456789abcdef0123456789abcdef";
    const T0: i64 = 1_750_000_000_000;

    #[test]
    fn leading_zero_bits_counts_across_bytes() {
        assert_eq!(leading_zero_bits(&[0, 0, 0x0f]), 20);
        assert_eq!(leading_zero_bits(&[0x80]), 0);
        assert_eq!(leading_zero_bits(&[0, 1]), 15);
    }

    #[test]
    fn a_solved_challenge_verifies() {
        let c = issue(KEY, T0, "abcd", 12);
        let nonce = solve(&c, 12);
        let s = verify(KEY, T0 + 1000, 12, &c, &nonce).unwrap();
        assert_eq!(s.expires_at_ms, T0 + CHALLENGE_TTL_MS);
    }

    #[test]
    fn a_wrong_nonce_is_not_enough_work() {
        let c = issue(KEY, T0, "abcd", 16);
        // Find a nonce that does NOT meet the target.
        let bad = (0..)
            .map(|n: u64| n.to_string())
            .find(|n| {
                let mut h = Sha256::new();
                h.update(c.as_bytes());
                h.update(n.as_bytes());
                leading_zero_bits(&h.finalize()) < 16
            })
            .unwrap();
        assert_eq!(verify(KEY, T0, 16, &c, &bad), Err(PowError::Insufficient));
        assert_eq!(verify(KEY, T0, 16, &c, "12ab"), Err(PowError::Malformed));
    }

    #[test]
    fn a_forged_or_weakened_challenge_is_refused() {
        let c = issue(KEY, T0, "abcd", 16);
        let weakened = c.replacen(".16.", ".1.", 1);
        let nonce = solve(&weakened, 1);
        assert_eq!(
            verify(KEY, T0, 16, &weakened, &nonce),
            Err(PowError::BadSignature)
        );
        let other_key = issue(b"another key of the right length!", T0, "abcd", 4);
        let nonce = solve(&other_key, 4);
        assert_eq!(
            verify(KEY, T0, 4, &other_key, &nonce),
            Err(PowError::BadSignature)
        );
        // A server that asks for more than the challenge carries refuses it.
        let easy = issue(KEY, T0, "abcd", 4);
        let nonce = solve(&easy, 4);
        assert_eq!(
            verify(KEY, T0, 16, &easy, &nonce),
            Err(PowError::Insufficient)
        );
    }

    #[test]
    fn a_challenge_expires_after_two_hours() {
        let c = issue(KEY, T0, "abcd", 8);
        let nonce = solve(&c, 8);
        assert!(verify(KEY, T0 + CHALLENGE_TTL_MS, 8, &c, &nonce).is_ok());
        assert_eq!(
            verify(KEY, T0 + CHALLENGE_TTL_MS + 1, 8, &c, &nonce),
            Err(PowError::Expired)
        );
        // Issued "in the future" beyond the skew: refused too.
        assert_eq!(
            verify(KEY, T0 - 10 * 60 * 1000, 8, &c, &nonce),
            Err(PowError::Expired)
        );
    }
}
