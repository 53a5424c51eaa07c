//! Field values of inventory records, parsed from form, CSV or JSON input.
//!
//! Input is parsed once into a `Value` of the field's type; after that the
//! store and the pages never re-check it.

use crate::inventory::{FieldSpec, FieldType};
use chrono::NaiveDate;
use serde_json::Value as Json;
use std::collections::BTreeMap;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Null,
    Text(String),
    Int(i64),
}

impl Value {
    pub fn as_int(&self) -> Option<i64> {
        match self {
            Value::Int(i) => Some(*i),
            _ => None,
        }
    }
    pub fn as_text(&self) -> Option<&str> {
        match self {
            Value::Text(s) => Some(s),
            _ => None,
        }
    }
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
    /// The value as a user would type it back into a form or CSV cell.
    pub fn to_input_string(&self) -> String {
        match self {
            Value::Null => String::new(),
            Value::Text(s) => s.clone(),
            Value::Int(i) => i.to_string(),
        }
    }
}

/// The values of one record, by field name.
pub type Values = BTreeMap<&'static str, Value>;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldErrorKind {
    Required,
    TooLong {
        max: usize,
    },
    NotInteger,
    OutOfRange {
        min: i64,
        max: i64,
    },
    NotBool,
    NotDate,
    NotInList,
    NotEmail,
    BadCpe,
    BadPurl,
    /// A reference by name or id that does not exist (or is out of the user's reach).
    UnknownReference,
    /// Another record already uses this value where it must be unique.
    Duplicate,
    /// The value would move the record outside what the user may edit.
    OutOfScope,
    /// An end date before its start date.
    EndBeforeStart,
    /// Out of order with a related value (e.g. more days for a higher priority).
    OutOfOrder,
    /// Not a probability between 0 and 1.
    NotProbability,
}

impl FieldErrorKind {
    /// Message-catalog key for this error.
    pub fn message_key(&self) -> &'static str {
        match self {
            Self::Required => "err-required",
            Self::TooLong { .. } => "err-too-long",
            Self::NotInteger => "err-not-integer",
            Self::OutOfRange { .. } => "err-out-of-range",
            Self::NotBool => "err-not-bool",
            Self::NotDate => "err-not-date",
            Self::NotInList => "err-not-in-list",
            Self::NotEmail => "err-not-email",
            Self::BadCpe => "err-bad-cpe",
            Self::BadPurl => "err-bad-purl",
            Self::UnknownReference => "err-unknown-reference",
            Self::Duplicate => "err-duplicate",
            Self::OutOfScope => "err-out-of-scope",
            Self::EndBeforeStart => "err-end-before-start",
            Self::OutOfOrder => "err-out-of-order",
            Self::NotProbability => "err-not-probability",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    pub field: &'static str,
    pub kind: FieldErrorKind,
}

/// Parse one raw input string for a field. `Ref` fields take the numeric id.
pub fn parse_field(spec: &FieldSpec, raw: &str) -> Result<Value, FieldErrorKind> {
    let s = raw.trim();
    if let FieldType::Bool = spec.ty {
        return parse_bool(s).map(|b| Value::Int(i64::from(b)));
    }
    if s.is_empty() {
        return if spec.required {
            Err(FieldErrorKind::Required)
        } else {
            Ok(Value::Null)
        };
    }
    match spec.ty {
        FieldType::Text | FieldType::LongText => {
            let max = spec.ty.max_len();
            if s.chars().count() > max {
                return Err(FieldErrorKind::TooLong { max });
            }
            if s.chars()
                .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
            {
                return Err(FieldErrorKind::NotInList);
            }
            Ok(Value::Text(s.to_owned()))
        }
        FieldType::Int { min, max } => {
            let n: i64 = s.parse().map_err(|_| FieldErrorKind::NotInteger)?;
            if n < min || n > max {
                return Err(FieldErrorKind::OutOfRange { min, max });
            }
            Ok(Value::Int(n))
        }
        FieldType::Bool => unreachable_bool(),
        FieldType::Date => parse_date(s).map(Value::Text),
        FieldType::Enum(choices) => {
            if choices.contains(&s) {
                Ok(Value::Text(s.to_owned()))
            } else {
                Err(FieldErrorKind::NotInList)
            }
        }
        FieldType::Ref(_) => {
            let n: i64 = s.parse().map_err(|_| FieldErrorKind::UnknownReference)?;
            if n <= 0 {
                return Err(FieldErrorKind::UnknownReference);
            }
            Ok(Value::Int(n))
        }
        FieldType::Email => {
            let ok = s.len() <= 254
                && !s.contains(char::is_whitespace)
                && s.split_once('@')
                    .is_some_and(|(l, d)| !l.is_empty() && d.contains('.') && !d.starts_with('.'));
            if ok {
                Ok(Value::Text(s.to_owned()))
            } else {
                Err(FieldErrorKind::NotEmail)
            }
        }
        FieldType::Cpe => {
            if is_cpe23(s) {
                Ok(Value::Text(s.to_owned()))
            } else {
                Err(FieldErrorKind::BadCpe)
            }
        }
        FieldType::Purl => {
            if is_purl(s) {
                Ok(Value::Text(s.to_owned()))
            } else {
                Err(FieldErrorKind::BadPurl)
            }
        }
    }
}

// Bool is handled before the match; this keeps the match exhaustive without a panic.
fn unreachable_bool() -> Result<Value, FieldErrorKind> {
    Err(FieldErrorKind::NotBool)
}

fn parse_bool(s: &str) -> Result<bool, FieldErrorKind> {
    match s.to_lowercase().as_str() {
        "1" | "true" | "on" | "yes" | "y" | "はい" | "有" | "あり" | "○" => Ok(true),
        "" | "0" | "false" | "off" | "no" | "n" | "いいえ" | "無" | "なし" | "×" => {
            Ok(false)
        }
        _ => Err(FieldErrorKind::NotBool),
    }
}

/// ISO dates, and the slash form that Excel in Japan writes (2025/4/1).
fn parse_date(s: &str) -> Result<String, FieldErrorKind> {
    let normalized = s.replace('/', "-");
    NaiveDate::parse_from_str(&normalized, "%Y-%m-%d")
        .map(|d| d.format("%Y-%m-%d").to_string())
        .map_err(|_| FieldErrorKind::NotDate)
}

/// CPE 2.3 formatted string: "cpe:2.3:" then part and ten more attributes,
/// colon-separated, where "\:" is an escaped colon (NISTIR 7695 §6.2).
pub fn is_cpe23(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("cpe:2.3:") else {
        return false;
    };
    let mut parts = Vec::new();
    let mut cur = String::new();
    let mut chars = rest.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                match chars.next() {
                    Some(n) => cur.push(n),
                    None => return false,
                }
            }
            ':' => parts.push(std::mem::take(&mut cur)),
            c if c.is_whitespace() => return false,
            c => cur.push(c),
        }
    }
    parts.push(cur);
    parts.len() == 11
        && matches!(parts[0].as_str(), "a" | "o" | "h" | "*" | "-")
        && parts.iter().all(|p| !p.is_empty())
}

/// Package URL: "pkg:" type "/" name... (purl-spec).
pub fn is_purl(s: &str) -> bool {
    let Some(rest) = s.strip_prefix("pkg:") else {
        return false;
    };
    let Some((ty, name)) = rest.split_once('/') else {
        return false;
    };
    !ty.is_empty()
        && ty
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '.' || c == '+' || c == '-')
        && !name.trim_matches('/').is_empty()
        && !s.contains(char::is_whitespace)
}

/// Parse a whole record from string inputs (form or CSV). Missing keys count
/// as empty. Every field error is reported, not just the first.
pub fn parse_record(
    specs: &'static [FieldSpec],
    input: &dyn Fn(&str) -> Option<String>,
) -> Result<Values, Vec<FieldError>> {
    let mut values = Values::new();
    let mut errors = Vec::new();
    for spec in specs {
        let raw = input(spec.name).unwrap_or_default();
        match parse_field(spec, &raw) {
            Ok(v) => {
                values.insert(spec.name, v);
            }
            Err(kind) => errors.push(FieldError {
                field: spec.name,
                kind,
            }),
        }
    }
    if errors.is_empty() {
        Ok(values)
    } else {
        Err(errors)
    }
}

/// JSON of one value in the API: booleans as booleans, numbers as numbers.
pub fn to_json(spec: &FieldSpec, v: &Value) -> Json {
    match (spec.ty, v) {
        (_, Value::Null) => Json::Null,
        (FieldType::Bool, Value::Int(i)) => Json::Bool(*i != 0),
        (_, Value::Int(i)) => Json::from(*i),
        (_, Value::Text(s)) => Json::String(s.clone()),
    }
}

/// The string form of a JSON input value, for `parse_field`.
pub fn json_input(v: &Json) -> Option<String> {
    match v {
        Json::Null => None,
        Json::Bool(b) => Some(b.to_string()),
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.clone()),
        _ => Some("\u{0}invalid".to_owned()),
    }
}

pub fn values_to_json(specs: &'static [FieldSpec], values: &Values) -> Json {
    let mut map = serde_json::Map::new();
    for spec in specs {
        let v = values.get(spec.name).cloned().unwrap_or(Value::Null);
        map.insert(spec.name.to_owned(), to_json(spec, &v));
    }
    Json::Object(map)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn cpe_needs_eleven_attributes_and_respects_escapes() {
        assert!(is_cpe23(
            "cpe:2.3:a:apache:http_server:2.4.58:*:*:*:*:*:*:*"
        ));
        assert!(is_cpe23(r"cpe:2.3:a:foo\:bar:prod:1.0:*:*:*:*:*:*:*"));
        assert!(!is_cpe23("cpe:2.3:a:apache:http_server:2.4.58"));
        assert!(!is_cpe23("cpe:/a:apache:http_server:2.4.58"));
        assert!(!is_cpe23(
            "cpe:2.3:x:apache:http_server:2.4.58:*:*:*:*:*:*:*"
        ));
    }

    #[test]
    fn purl_needs_type_and_name() {
        assert!(is_purl("pkg:npm/%40angular/core@16.0.0"));
        assert!(is_purl("pkg:deb/debian/openssl@3.0.11-1?arch=amd64"));
        assert!(!is_purl("pkg:npm"));
        assert!(!is_purl("npm/left-pad"));
    }

    #[test]
    fn dates_accept_excel_slashes() {
        assert_eq!(parse_date("2025/4/1").unwrap(), "2025-04-01");
        assert!(parse_date("2025-13-01").is_err());
    }

    #[test]
    fn bools_accept_japanese() {
        assert_eq!(parse_bool("はい"), Ok(true));
        assert_eq!(parse_bool("なし"), Ok(false));
        assert!(parse_bool("maybe").is_err());
    }
}
