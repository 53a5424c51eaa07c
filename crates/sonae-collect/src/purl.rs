//! Package URL construction (<https://github.com/package-url/purl-spec>).

/// Percent-encodes everything except ASCII letters, digits and `.-_~`
/// (so `:` becomes `%3A` and `+` becomes `%2B`).
pub(crate) fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push('%');
            out.push(hex_digit(b >> 4));
            out.push(hex_digit(b & 0x0f));
        }
    }
    out
}

fn hex_digit(n: u8) -> char {
    char::from(if n < 10 { b'0' + n } else { b'A' + n - 10 })
}

/// `pkg:{ty}/{namespace}/{name}@{version}?{qualifiers}`; qualifiers with a value
/// are sorted by key, as the spec's canonical form requires.
pub(crate) fn build(
    ty: &str,
    namespace: &str,
    name: &str,
    version: &str,
    qualifiers: &[(&str, Option<&str>)],
) -> String {
    let mut purl = format!(
        "pkg:{ty}/{}/{}@{}",
        encode(namespace),
        encode(name),
        encode(version)
    );
    let mut qs: Vec<(&str, &str)> = qualifiers
        .iter()
        .filter_map(|(k, v)| v.filter(|v| !v.is_empty()).map(|v| (*k, v)))
        .collect();
    qs.sort_by(|a, b| a.0.cmp(b.0));
    for (i, (k, v)) in qs.iter().enumerate() {
        purl.push(if i == 0 { '?' } else { '&' });
        purl.push_str(k);
        purl.push('=');
        purl.push_str(&encode(v));
    }
    purl
}

/// The `distro` qualifier: `{id}-{version_id}`, or nothing without a `VERSION_ID`.
pub(crate) fn distro(os: Option<&crate::OsRelease>) -> Option<String> {
    let os = os?;
    let v = os.version_id.as_deref()?;
    Some(format!("{}-{}", os.id, v))
}

/// The purl namespace: the os-release `ID` (lowercased), else `default`.
pub(crate) fn namespace(os: Option<&crate::OsRelease>, default: &str) -> String {
    match os {
        Some(os) if !os.id.is_empty() => os.id.to_ascii_lowercase(),
        _ => default.to_owned(),
    }
}
