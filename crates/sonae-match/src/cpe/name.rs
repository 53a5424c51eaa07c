//! CPE names: the well-formed name (WFN) of NISTIR 7695 held attribute by
//! attribute, parsed from a CPE 2.3 formatted string or a CPE 2.2 URI and
//! bound back to a formatted string.

use std::fmt;
use std::str::FromStr;

/// Why a CPE name was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CpeError {
    #[error("a CPE 2.3 name starts with \"cpe:2.3:\" (a CPE 2.2 URI with \"cpe:/\")")]
    BadPrefix,
    #[error("a CPE 2.3 name has 13 colon-separated parts, this one has {found}")]
    WrongCount { found: usize },
    #[error("a CPE 2.2 URI has at most 7 components after \"cpe:/\", this one has {found}")]
    TooManyComponents { found: usize },
    #[error("the part must be a, o, h, * or -, not \"{found}\"")]
    BadPart { found: String },
    #[error("{attr} is empty (write * for any value, - for not applicable)")]
    Empty { attr: &'static str },
    #[error("{attr}: character {ch:?} is not allowed here (escape punctuation with a backslash)")]
    BadChar { attr: &'static str, ch: char },
    #[error("{attr}: \"\\{ch}\" is not a valid escape")]
    BadEscape { attr: &'static str, ch: char },
    #[error("{attr}: ends with a lone backslash")]
    TrailingBackslash { attr: &'static str },
    #[error("{attr}: wildcards * and ? may only begin or end a value (escape them as \\* and \\? to mean the characters)")]
    BadWildcard { attr: &'static str },
    #[error("{attr}: bad percent-encoding \"{found}\"")]
    BadPercent { attr: &'static str, found: String },
    #[error("edition: a packed edition has 5 fields (~edition~sw_edition~target_sw~target_hw~other), this one has {found}")]
    BadPackedEdition { found: usize },
}

/// One character of an attribute value: a literal character (escaped or
/// not in the bound form) or an unquoted wildcard.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) enum Tok {
    Lit(char),
    /// Unquoted `?`: exactly one character.
    One,
    /// Unquoted `*`: any number of characters, none included.
    Many,
}

/// A value of an attribute other than ANY and NA: its characters with the
/// escapes removed, remembering which `*` and `?` are wildcards (unquoted)
/// and which are literal characters (written `\*`, `\?`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AttrText {
    toks: Vec<Tok>,
    /// The characters without escapes; wildcards shown as `*` and `?`.
    text: String,
}

impl AttrText {
    fn from_toks(toks: Vec<Tok>) -> AttrText {
        let text = toks
            .iter()
            .map(|t| match t {
                Tok::Lit(c) => *c,
                Tok::One => '?',
                Tok::Many => '*',
            })
            .collect();
        AttrText { toks, text }
    }

    /// A value made of literal characters only (an inventory name, not a
    /// pattern): lower-cased, spaces turned into `_` as CPE names write
    /// them. No character is a wildcard.
    pub fn literal(s: &str) -> AttrText {
        let toks = s
            .trim()
            .chars()
            .map(|c| {
                if c.is_whitespace() {
                    Tok::Lit('_')
                } else {
                    Tok::Lit(c.to_ascii_lowercase())
                }
            })
            .collect();
        AttrText::from_toks(toks)
    }

    /// The value with escapes removed (`tikiwiki_cms/groupware`). A `*` or
    /// `?` here may be a wildcard or a literal: see [`AttrText::has_wildcards`].
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// Whether the value contains an unquoted `*` or `?`.
    pub fn has_wildcards(&self) -> bool {
        self.toks.iter().any(|t| !matches!(t, Tok::Lit(_)))
    }

    pub(crate) fn toks(&self) -> &[Tok] {
        &self.toks
    }

    /// The value as a CPE 2.3 formatted string writes it.
    fn bind(&self) -> String {
        if self.toks == [Tok::Lit('-')] {
            return "\\-".to_owned();
        }
        let mut out = String::with_capacity(self.text.len() + 4);
        for t in &self.toks {
            match t {
                Tok::One => out.push('?'),
                Tok::Many => out.push('*'),
                Tok::Lit(c) if c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-') => {
                    out.push(*c)
                }
                Tok::Lit(c) => {
                    out.push('\\');
                    out.push(*c);
                }
            }
        }
        out
    }
}

/// One attribute value of a CPE name (NISTIR 7695 WFN).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub enum AttrValue {
    /// `*`: any value.
    #[default]
    Any,
    /// `-`: not applicable (the name has no such attribute).
    Na,
    /// A value, possibly with wildcards at its ends.
    Value(AttrText),
}

impl AttrValue {
    /// An inventory value (see [`AttrText::literal`]); empty means ANY.
    pub fn literal(s: &str) -> AttrValue {
        if s.trim().is_empty() {
            AttrValue::Any
        } else {
            AttrValue::Value(AttrText::literal(s))
        }
    }

    /// One attribute as a CPE 2.3 formatted string writes it: `*`, `-`,
    /// `java*`, `1.0\(2\)`. Lower-cased.
    pub fn parse(s: &str) -> Result<AttrValue, CpeError> {
        let lower = ascii_lower(s, "value")?;
        parse_fs_attr(&lower, "value")
    }

    /// The value with escapes removed, unless ANY or NA.
    pub fn as_text(&self) -> Option<&str> {
        match self {
            AttrValue::Value(t) => Some(t.as_str()),
            AttrValue::Any | AttrValue::Na => None,
        }
    }

    fn bind(&self) -> String {
        match self {
            AttrValue::Any => "*".to_owned(),
            AttrValue::Na => "-".to_owned(),
            AttrValue::Value(t) => t.bind(),
        }
    }
}

impl fmt::Display for AttrValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.bind())
    }
}

/// A CPE name, attribute by attribute. `Default` is the name that is ANY
/// in every attribute.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct Cpe23 {
    pub part: AttrValue,
    pub vendor: AttrValue,
    pub product: AttrValue,
    pub version: AttrValue,
    pub update: AttrValue,
    pub edition: AttrValue,
    pub language: AttrValue,
    pub sw_edition: AttrValue,
    pub target_sw: AttrValue,
    pub target_hw: AttrValue,
    pub other: AttrValue,
}

pub(crate) const ATTR_NAMES: [&str; 11] = [
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
];

impl Cpe23 {
    /// The attributes in formatted-string order, with their names.
    pub fn attrs(&self) -> [(&'static str, &AttrValue); 11] {
        let v = [
            &self.part,
            &self.vendor,
            &self.product,
            &self.version,
            &self.update,
            &self.edition,
            &self.language,
            &self.sw_edition,
            &self.target_sw,
            &self.target_hw,
            &self.other,
        ];
        let mut i = 0;
        v.map(|a| {
            let name = ATTR_NAMES[i];
            i += 1;
            (name, a)
        })
    }

    fn from_array(v: [AttrValue; 11]) -> Cpe23 {
        let [part, vendor, product, version, update, edition, language, sw_edition, target_sw, target_hw, other] =
            v;
        Cpe23 {
            part,
            vendor,
            product,
            version,
            update,
            edition,
            language,
            sw_edition,
            target_sw,
            target_hw,
            other,
        }
    }

    /// Parse a CPE 2.3 formatted string
    /// (`cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*`), with backslash
    /// escapes; case-insensitive (the name is lower-cased).
    pub fn parse(s: &str) -> Result<Cpe23, CpeError> {
        let lower = ascii_lower(s, "name")?;
        let rest = lower.strip_prefix("cpe:2.3:").ok_or(CpeError::BadPrefix)?;
        let fields = split_unescaped(rest);
        if fields.len() != 11 {
            return Err(CpeError::WrongCount {
                found: fields.len() + 2,
            });
        }
        let mut values: [AttrValue; 11] = Default::default();
        for (i, f) in fields.iter().enumerate() {
            values[i] = parse_fs_attr(f, ATTR_NAMES[i])?;
        }
        check_part(&values[0])?;
        Ok(Cpe23::from_array(values))
    }

    /// Parse a CPE 2.2 URI (`cpe:/a:vendor:product:version:update:edition:lang`),
    /// percent-encoded, with a packed edition (`~edition~sw_edition~target_sw~target_hw~other`),
    /// as JVN writes them. Components not given, or empty, are ANY.
    pub fn parse_uri22(s: &str) -> Result<Cpe23, CpeError> {
        let lower = ascii_lower(s, "name")?;
        let rest = lower.strip_prefix("cpe:/").ok_or(CpeError::BadPrefix)?;
        let comps: Vec<&str> = rest.split(':').collect();
        if comps.len() > 7 {
            return Err(CpeError::TooManyComponents { found: comps.len() });
        }
        let mut values: [AttrValue; 11] = Default::default();
        // part, vendor, product, version, update, edition, language.
        let slots = [0usize, 1, 2, 3, 4, 5, 6];
        for (comp, slot) in comps.iter().zip(slots) {
            if slot == 5 && comp.starts_with('~') {
                let packed: Vec<&str> = comp[1..].split('~').collect();
                if packed.len() != 5 {
                    return Err(CpeError::BadPackedEdition {
                        found: packed.len(),
                    });
                }
                for (p, slot) in packed.iter().zip([5usize, 7, 8, 9, 10]) {
                    values[slot] = parse_uri_attr(p, ATTR_NAMES[slot])?;
                }
            } else {
                values[slot] = parse_uri_attr(comp, ATTR_NAMES[slot])?;
            }
        }
        check_part(&values[0])?;
        Ok(Cpe23::from_array(values))
    }

    /// Bind to a CPE 2.3 formatted string; [`Cpe23::parse`] reads it back
    /// to an equal name.
    pub fn to_formatted_string(&self) -> String {
        let mut out = String::from("cpe:2.3");
        for (_, a) in self.attrs() {
            out.push(':');
            out.push_str(&a.bind());
        }
        out
    }
}

impl fmt::Display for Cpe23 {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_formatted_string())
    }
}

impl FromStr for Cpe23 {
    type Err = CpeError;
    fn from_str(s: &str) -> Result<Cpe23, CpeError> {
        Cpe23::parse(s)
    }
}

/// CPE names are printable ASCII; lower-case them.
fn ascii_lower(s: &str, attr: &'static str) -> Result<String, CpeError> {
    if let Some(ch) = s.chars().find(|c| !c.is_ascii() || c.is_ascii_control()) {
        return Err(CpeError::BadChar { attr, ch });
    }
    Ok(s.to_ascii_lowercase())
}

fn check_part(part: &AttrValue) -> Result<(), CpeError> {
    match part {
        AttrValue::Any | AttrValue::Na => Ok(()),
        AttrValue::Value(t) if matches!(t.toks(), [Tok::Lit('a' | 'o' | 'h')]) => Ok(()),
        AttrValue::Value(t) => Err(CpeError::BadPart { found: t.bind() }),
    }
}

/// Split on colons that are not escaped.
fn split_unescaped(s: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut escaped = false;
    for (i, b) in s.bytes().enumerate() {
        if escaped {
            escaped = false;
        } else if b == b'\\' {
            escaped = true;
        } else if b == b':' {
            out.push(&s[start..i]);
            start = i + 1;
        }
    }
    out.push(&s[start..]);
    out
}

/// Characters the formatted string writes with a backslash (NISTIR 7695
/// `punc`, plus the backslash and the wildcards).
fn escapable(c: char) -> bool {
    matches!(
        c,
        '\\' | '*'
            | '?'
            | '!'
            | '"'
            | '#'
            | '$'
            | '%'
            | '&'
            | '\''
            | '('
            | ')'
            | '+'
            | ','
            | '/'
            | ':'
            | ';'
            | '<'
            | '='
            | '>'
            | '@'
            | '['
            | ']'
            | '^'
            | '`'
            | '{'
            | '|'
            | '}'
            | '~'
            // Need no escape, but an escaped one means the same character.
            | '.'
            | '-'
            | '_'
    )
}

fn unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

fn parse_fs_attr(s: &str, attr: &'static str) -> Result<AttrValue, CpeError> {
    match s {
        "" => return Err(CpeError::Empty { attr }),
        "*" => return Ok(AttrValue::Any),
        "-" => return Ok(AttrValue::Na),
        _ => {}
    }
    let mut toks = Vec::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        let t = match c {
            '\\' => match chars.next() {
                Some(n) if escapable(n) => Tok::Lit(n),
                Some(n) => return Err(CpeError::BadEscape { attr, ch: n }),
                None => return Err(CpeError::TrailingBackslash { attr }),
            },
            '*' => Tok::Many,
            '?' => Tok::One,
            c if unreserved(c) => Tok::Lit(c),
            c => return Err(CpeError::BadChar { attr, ch: c }),
        };
        toks.push(t);
    }
    check_wildcards(&toks, attr)?;
    Ok(AttrValue::Value(AttrText::from_toks(toks)))
}

/// Wildcards only at the ends: a run of `?` or a single `*` before the
/// first literal character and after the last one.
fn check_wildcards(toks: &[Tok], attr: &'static str) -> Result<(), CpeError> {
    let is_lit = |t: &Tok| matches!(t, Tok::Lit(_));
    let (lead, mid, trail) = match (toks.iter().position(is_lit), toks.iter().rposition(is_lit)) {
        (Some(first), Some(last)) => (&toks[..first], &toks[first..=last], &toks[last + 1..]),
        _ => (toks, &toks[..0], &toks[..0]),
    };
    let run_ok = |run: &[Tok]| run == [Tok::Many] || run.iter().all(|t| *t == Tok::One);
    if mid.iter().all(is_lit) && run_ok(lead) && run_ok(trail) {
        Ok(())
    } else {
        Err(CpeError::BadWildcard { attr })
    }
}

fn hex(b: u8) -> Option<u8> {
    (b as char).to_digit(16).and_then(|d| u8::try_from(d).ok())
}

/// One component of a CPE 2.2 URI: empty is ANY, `-` is NA, `%01` and
/// `%02` are the wildcards `?` and `*`, other `%xx` their character.
fn parse_uri_attr(s: &str, attr: &'static str) -> Result<AttrValue, CpeError> {
    match s {
        "" => return Ok(AttrValue::Any),
        "-" => return Ok(AttrValue::Na),
        _ => {}
    }
    let bytes = s.as_bytes();
    let mut toks = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if b == b'%' {
            let code = bytes
                .get(i + 1)
                .copied()
                .and_then(hex)
                .zip(bytes.get(i + 2).copied().and_then(hex))
                .map(|(h, l)| h * 16 + l);
            let bad = || CpeError::BadPercent {
                attr,
                found: s[i..s.len().min(i + 3)].to_owned(),
            };
            let t = match code {
                Some(1) => Tok::One,
                Some(2) => Tok::Many,
                Some(c) if c.is_ascii_graphic() => Tok::Lit((c as char).to_ascii_lowercase()),
                _ => return Err(bad()),
            };
            toks.push(t);
            i += 3;
        } else {
            let c = b as char;
            if unreserved(c) || c == '~' {
                toks.push(Tok::Lit(c));
            } else {
                return Err(CpeError::BadChar { attr, ch: c });
            }
            i += 1;
        }
    }
    check_wildcards(&toks, attr)?;
    Ok(AttrValue::Value(AttrText::from_toks(toks)))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn wildcard_positions() {
        for ok in ["java*", "*java", "??va", "ja??", "*", "??"] {
            assert!(AttrValue::parse(ok).is_ok(), "{ok}");
        }
        for bad in ["ja*va", "ja?va", "**java", "*?java", "java**"] {
            assert_eq!(
                AttrValue::parse(bad),
                Err(CpeError::BadWildcard { attr: "value" }),
                "{bad}"
            );
        }
    }

    #[test]
    fn a_literal_hyphen_is_not_na() {
        let v = AttrValue::parse("\\-").unwrap();
        assert_eq!(v.as_text(), Some("-"));
        assert_eq!(v.to_string(), "\\-");
        assert_ne!(v, AttrValue::Na);
    }
}
