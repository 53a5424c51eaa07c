//! Blank-line separated blocks of lines, shared by the dpkg and apk parsers.

/// Splits `text` into stanzas: runs of non-blank lines (CRLF tolerated).
pub(crate) fn stanzas(text: &str) -> Vec<Vec<&str>> {
    let mut out = Vec::new();
    let mut current: Vec<&str> = Vec::new();
    for line in text.lines() {
        let line = line.strip_suffix('\r').unwrap_or(line);
        if line.trim().is_empty() {
            if !current.is_empty() {
                out.push(std::mem::take(&mut current));
            }
        } else {
            current.push(line);
        }
    }
    if !current.is_empty() {
        out.push(current);
    }
    out
}
