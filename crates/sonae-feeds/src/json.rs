//! Typed reads of fields from a JSON object, shared by the JSON feed parsers.

use serde_json::{Map, Value};

/// A string field: absent or null is `None`, another type is an error.
pub(crate) fn opt_str(obj: &Map<String, Value>, key: &str) -> Result<Option<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(_) => Err(format!("{key} is not a string")),
    }
}

/// An array of strings: absent or null is empty, another shape is an error.
pub(crate) fn str_list(obj: &Map<String, Value>, key: &str) -> Result<Vec<String>, String> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| {
                v.as_str()
                    .map(str::to_owned)
                    .ok_or_else(|| format!("{key} has a non-string element"))
            })
            .collect(),
        Some(_) => Err(format!("{key} is not an array")),
    }
}
