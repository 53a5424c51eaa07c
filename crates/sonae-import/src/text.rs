//! Character-set detection for uploaded text.

use encoding_rs::{DecoderResult, SHIFT_JIS};

use crate::ImportError;

const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";

/// How an uploaded text file was (or a download will be) encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark.
    Utf8,
    /// UTF-8 with a byte-order mark, which Excel ("CSV UTF-8") writes and
    /// which Excel in Japan needs to open UTF-8 instead of guessing Shift_JIS.
    Utf8Bom,
    /// Shift_JIS as Windows writes it, i.e. Windows-31J / CP932
    /// (`encoding_rs::SHIFT_JIS` is that superset, with NEC/IBM extensions
    /// such as ① and ㈱).
    ShiftJis,
}

/// Decode uploaded text.
///
/// A UTF-8 BOM gives [`TextEncoding::Utf8Bom`] (the BOM is stripped);
/// otherwise valid UTF-8 gives [`TextEncoding::Utf8`]; otherwise the bytes are
/// tried as Shift_JIS (Windows-31J / CP932, what Excel writes in Japan).
///
/// There is no other guessing: pure ASCII is reported as UTF-8, which is
/// harmless since both encodings agree on it.
///
/// # Errors
///
/// [`ImportError::Encoding`] with the 1-based line of the first byte that is
/// invalid in both encodings, [`ImportError::Utf16`] for a UTF-16 BOM.
pub fn decode_text(bytes: &[u8]) -> Result<(String, TextEncoding), ImportError> {
    if let Some(rest) = bytes.strip_prefix(UTF8_BOM) {
        // A BOM is an explicit statement; falling back to Shift_JIS here
        // would only turn a corrupt byte into mojibake.
        return match std::str::from_utf8(rest) {
            Ok(s) => Ok((s.to_owned(), TextEncoding::Utf8Bom)),
            Err(e) => Err(ImportError::Encoding {
                line: line_of(rest, e.valid_up_to()),
            }),
        };
    }
    if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
        return Err(ImportError::Utf16);
    }
    let utf8_bad_at = match std::str::from_utf8(bytes) {
        Ok(s) => return Ok((s.to_owned(), TextEncoding::Utf8)),
        Err(e) => e.valid_up_to(),
    };
    match decode_shift_jis(bytes) {
        Ok(s) => Ok((s, TextEncoding::ShiftJis)),
        Err(sjis_bad_at) => {
            // A UTF-8 file with one corrupt byte near the end usually fails as
            // Shift_JIS on its first Japanese character, and vice versa. The
            // encoding that decoded further is the one the user meant, so its
            // failure point is the line worth showing.
            let pos = utf8_bad_at.max(sjis_bad_at);
            Err(ImportError::Encoding {
                line: line_of(bytes, pos),
            })
        }
    }
}

/// Strict Shift_JIS decode; on failure, the byte offset of the first
/// malformed sequence.
fn decode_shift_jis(bytes: &[u8]) -> Result<String, usize> {
    let mut decoder = SHIFT_JIS.new_decoder_without_bom_handling();
    // Shift_JIS never needs more than 3 UTF-8 bytes per input byte; the
    // capacity is only a hint, OutputFull below handles any shortfall.
    let mut out = String::with_capacity(
        decoder
            .max_utf8_buffer_length_without_replacement(bytes.len())
            .unwrap_or(bytes.len()),
    );
    let mut read = 0;
    loop {
        let (result, n) =
            decoder.decode_to_string_without_replacement(&bytes[read..], &mut out, true);
        read += n;
        match result {
            DecoderResult::InputEmpty => return Ok(out),
            DecoderResult::OutputFull => out.reserve(bytes.len() - read + 16),
            DecoderResult::Malformed(bad, consumed_after) => {
                let start = read - usize::from(consumed_after) - usize::from(bad);
                return Err(start);
            }
        }
    }
}

/// 1-based line of byte offset `pos`. Counting raw `\n` bytes is valid for
/// both encodings: 0x0A never occurs inside a UTF-8 or Shift_JIS multi-byte
/// sequence.
fn line_of(bytes: &[u8], pos: usize) -> u64 {
    let upto = &bytes[..pos.min(bytes.len())];
    1 + upto.iter().filter(|&&b| b == b'\n').count() as u64
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
    use super::*;

    #[test]
    fn ascii_is_utf8() {
        assert_eq!(
            decode_text(b"a,b\n").unwrap(),
            ("a,b\n".to_owned(), TextEncoding::Utf8)
        );
    }

    #[test]
    fn cp932_extensions_decode() {
        // ① and ㈱ exist only in the Windows-31J extensions; users type them.
        let (bytes, _, bad) = SHIFT_JIS.encode("①㈱髙");
        assert!(!bad);
        let (s, enc) = decode_text(&bytes).unwrap();
        assert_eq!(s, "①㈱髙");
        assert_eq!(enc, TextEncoding::ShiftJis);
    }

    #[test]
    fn later_failure_wins() {
        // UTF-8 Japanese on lines 1-2, a stray 0xFF on line 3: Shift_JIS
        // fails on line 1, UTF-8 on line 3, so line 3 is reported.
        let mut bytes = "受注\n発注\n".as_bytes().to_vec();
        bytes.extend_from_slice(b"x\xFF\n");
        assert_eq!(decode_text(&bytes), Err(ImportError::Encoding { line: 3 }));
    }

    #[test]
    fn bom_with_bad_utf8_does_not_fall_back() {
        let bytes = b"\xEF\xBB\xBFa\nb\x82\xa0\n";
        assert_eq!(decode_text(bytes), Err(ImportError::Encoding { line: 2 }));
    }

    #[test]
    fn utf16_is_named() {
        assert_eq!(decode_text(b"\xFF\xFEa\0"), Err(ImportError::Utf16));
    }
}
