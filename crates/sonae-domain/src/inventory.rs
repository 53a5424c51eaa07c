//! The inventory (DESIGN §1): what each kind of record holds.
//!
//! Each kind declares its fields once; forms, list columns, CSV columns, the
//! JSON API and its OpenAPI schema, and the store's columns all follow from
//! this declaration, so they cannot drift apart.

use crate::value::{FieldError, FieldErrorKind, Value, Values};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Kind {
    Department,
    Person,
    Vendor,
    System,
    Component,
    Asset,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FieldType {
    Text,
    LongText,
    Int {
        min: i64,
        max: i64,
    },
    Bool,
    /// ISO date, YYYY-MM-DD.
    Date,
    Enum(&'static [&'static str]),
    /// The id of a record of another kind.
    Ref(Kind),
    Email,
    Cpe,
    Purl,
}

impl FieldType {
    pub fn max_len(&self) -> usize {
        match self {
            FieldType::LongText => 5000,
            FieldType::Cpe | FieldType::Purl => 1000,
            _ => 200,
        }
    }
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            FieldType::Int { .. } | FieldType::Bool | FieldType::Ref(_)
        )
    }
}

#[derive(Debug, Clone, Copy)]
pub struct FieldSpec {
    /// Field name: also the column name, the form field, the CSV header, the JSON key.
    pub name: &'static str,
    pub ty: FieldType,
    pub required: bool,
    /// Shown as a column on the list page.
    pub listed: bool,
    /// Unique across the kind (store enforces with an index).
    pub unique: bool,
}

const fn f(name: &'static str, ty: FieldType) -> FieldSpec {
    FieldSpec {
        name,
        ty,
        required: false,
        listed: false,
        unique: false,
    }
}
const fn req(mut s: FieldSpec) -> FieldSpec {
    s.required = true;
    s
}
const fn list(mut s: FieldSpec) -> FieldSpec {
    s.listed = true;
    s
}
const fn uniq(mut s: FieldSpec) -> FieldSpec {
    s.unique = true;
    s
}

const CIA: FieldType = FieldType::Int { min: 1, max: 3 };

pub const LOCATIONS: &[&str] = &["on_premises", "cloud", "data_center"];
pub const EXPOSURES: &[&str] = &["internet", "intranet", "isolated"];
pub const AFFILIATIONS: &[&str] = &["internal", "external"];
/// Who a contact is for the response (DESIGN §1: internal and external contacts).
pub const CONTACT_ROLES: &[&str] = &[
    "ciso",
    "incident_lead",
    "first_responder",
    "pr",
    "legal",
    "general_affairs",
    "it_admin",
    "executive",
    "ipa",
    "jpcert",
    "police",
    "ppc",
    "vendor",
    "insurer",
    "lawyer",
    "other",
];
pub const COMPONENT_SOURCES: &[&str] = &["manual", "csv", "sbom", "collector"];
/// State of one contract point (seed 003 §3.4).
pub const CHECK_STATES: &[&str] = &["unset", "agreed", "not_agreed", "not_applicable"];

/// The contract points to agree with an outsourcing vendor, seed 003 §3.4:
/// who pays for vulnerabilities published after delivery; known critical
/// vulnerabilities left by the vendor's own neglect; whether vulnerability
/// testing is part of the work; cost sharing in an emergency.
pub const CONTRACT_CHECKS: &[&str] = &[
    "contract_new_vulns",
    "contract_known_vulns",
    "contract_vuln_testing",
    "contract_emergency_costs",
];

static DEPARTMENT: [FieldSpec; 3] = [
    list(req(uniq(f("name", FieldType::Text)))),
    list(f("code", FieldType::Text)),
    f("notes", FieldType::LongText),
];

static PERSON: [FieldSpec; 12] = [
    list(req(f("name", FieldType::Text))),
    list(req(f("affiliation", FieldType::Enum(AFFILIATIONS)))),
    list(f("contact_role", FieldType::Enum(CONTACT_ROLES))),
    list(f("department_id", FieldType::Ref(Kind::Department))),
    list(f("organization", FieldType::Text)),
    f("title", FieldType::Text),
    list(f("email", FieldType::Email)),
    list(f("phone", FieldType::Text)),
    f("reachable_hours", FieldType::Text),
    f("after_hours_phone", FieldType::Text),
    list(f("last_verified", FieldType::Date)),
    f("notes", FieldType::LongText),
];

static VENDOR: [FieldSpec; 11] = [
    list(req(uniq(f("name", FieldType::Text)))),
    list(f("contact_name", FieldType::Text)),
    list(f("email", FieldType::Email)),
    list(f("phone", FieldType::Text)),
    f("contract_start", FieldType::Date),
    list(f("contract_end", FieldType::Date)),
    f("contract_new_vulns", FieldType::Enum(CHECK_STATES)),
    f("contract_known_vulns", FieldType::Enum(CHECK_STATES)),
    f("contract_vuln_testing", FieldType::Enum(CHECK_STATES)),
    f("contract_emergency_costs", FieldType::Enum(CHECK_STATES)),
    f("notes", FieldType::LongText),
];

static SYSTEM: [FieldSpec; 15] = [
    list(req(uniq(f("name", FieldType::Text)))),
    f("purpose", FieldType::LongText),
    list(req(f(
        "owner_department_id",
        FieldType::Ref(Kind::Department),
    ))),
    f("administrator_id", FieldType::Ref(Kind::Person)),
    list(f("vendor_id", FieldType::Ref(Kind::Vendor))),
    list(f("location", FieldType::Enum(LOCATIONS))),
    list(req(f("exposure", FieldType::Enum(EXPOSURES)))),
    f("personal_data", FieldType::Bool),
    f("customer_data", FieldType::Bool),
    f("critical_data", FieldType::Bool),
    list(req(f("confidentiality", CIA))),
    list(req(f("integrity", CIA))),
    list(req(f("availability", CIA))),
    f("end_of_support", FieldType::Date),
    f("notes", FieldType::LongText),
];

static COMPONENT: [FieldSpec; 8] = [
    list(req(f("system_id", FieldType::Ref(Kind::System)))),
    list(f("vendor", FieldType::Text)),
    list(req(f("product", FieldType::Text))),
    list(f("version", FieldType::Text)),
    list(f("cpe", FieldType::Cpe)),
    f("purl", FieldType::Purl),
    list(f("source", FieldType::Enum(COMPONENT_SOURCES))),
    f("notes", FieldType::LongText),
];

static ASSET: [FieldSpec; 9] = [
    list(req(f("name", FieldType::Text))),
    f("description", FieldType::LongText),
    list(req(f(
        "owner_department_id",
        FieldType::Ref(Kind::Department),
    ))),
    list(f("storage_place", FieldType::Text)),
    list(req(f("confidentiality", CIA))),
    list(req(f("integrity", CIA))),
    list(req(f("availability", CIA))),
    list(f("personal_data", FieldType::Bool)),
    f("notes", FieldType::LongText),
];

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::System,
        Kind::Component,
        Kind::Asset,
        Kind::Department,
        Kind::Person,
        Kind::Vendor,
    ];

    /// Path segment and table name.
    pub fn slug(self) -> &'static str {
        match self {
            Kind::Department => "departments",
            Kind::Person => "people",
            Kind::Vendor => "vendors",
            Kind::System => "systems",
            Kind::Component => "components",
            Kind::Asset => "assets",
        }
    }

    pub fn from_slug(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.slug() == s)
    }

    pub fn fields(self) -> &'static [FieldSpec] {
        match self {
            Kind::Department => &DEPARTMENT,
            Kind::Person => &PERSON,
            Kind::Vendor => &VENDOR,
            Kind::System => &SYSTEM,
            Kind::Component => &COMPONENT,
            Kind::Asset => &ASSET,
        }
    }

    pub fn field(self, name: &str) -> Option<&'static FieldSpec> {
        self.fields().iter().find(|f| f.name == name)
    }

    /// The field that names a record to people (for links and selects).
    pub fn title_field(self) -> &'static str {
        match self {
            Kind::Component => "product",
            _ => "name",
        }
    }

    /// Field used to order lists.
    pub fn order_field(self) -> &'static str {
        self.title_field()
    }

    /// Fields searched by the free-text filter.
    pub fn text_fields(self) -> impl Iterator<Item = &'static FieldSpec> {
        self.fields().iter().filter(|f| {
            matches!(
                f.ty,
                FieldType::Text | FieldType::Email | FieldType::Cpe | FieldType::Purl
            )
        })
    }
}

/// A stored record: its id, its version (bumped by every save) and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub kind: Kind,
    pub id: i64,
    pub version: i64,
    pub values: Values,
    pub created_at_ms: i64,
    pub updated_at_ms: i64,
}

impl Record {
    pub fn get(&self, field: &str) -> &Value {
        self.values.get(field).unwrap_or(&Value::Null)
    }
    pub fn title(&self) -> String {
        let t = self.get(self.kind.title_field()).to_input_string();
        match (self.kind, self.get("version")) {
            (Kind::Component, Value::Text(v)) => format!("{t} {v}"),
            _ => t,
        }
    }
}

/// A field whose value differs between two versions of a record; what the
/// stale-save message shows.
#[derive(Debug, Clone, PartialEq)]
pub struct Change {
    pub field: &'static str,
    pub before: Value,
    pub after: Value,
}

pub fn diff(kind: Kind, before: &Values, after: &Values) -> Vec<Change> {
    kind.fields()
        .iter()
        .filter_map(|spec| {
            let b = before.get(spec.name).cloned().unwrap_or(Value::Null);
            let a = after.get(spec.name).cloned().unwrap_or(Value::Null);
            (a != b).then_some(Change {
                field: spec.name,
                before: b,
                after: a,
            })
        })
        .collect()
}

/// Rules across fields, after each field parsed on its own.
pub fn check_record(kind: Kind, values: &Values) -> Result<(), Vec<FieldError>> {
    let mut errors = Vec::new();
    if kind == Kind::Vendor {
        if let (Value::Text(start), Value::Text(end)) = (
            values.get("contract_start").unwrap_or(&Value::Null),
            values.get("contract_end").unwrap_or(&Value::Null),
        ) {
            // ISO dates compare correctly as strings.
            if end < start {
                errors.push(FieldError {
                    field: "contract_end",
                    kind: FieldErrorKind::EndBeforeStart,
                });
            }
        }
    }
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

/// Importance of a system or asset from its CIA ratings (seed 001 risk
/// analysis sheet: the highest of the three ratings).
pub fn importance(values: &Values) -> Option<i64> {
    ["confidentiality", "integrity", "availability"]
        .iter()
        .filter_map(|f| values.get(f).and_then(Value::as_int))
        .max()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::value::parse_record;

    #[test]
    fn every_kind_round_trips_its_slug() {
        for k in Kind::ALL {
            assert_eq!(Kind::from_slug(k.slug()), Some(k));
        }
    }

    #[test]
    fn system_requires_department_and_rejects_bad_cia() {
        let input = |f: &str| match f {
            "name" => Some("受注システム".into()),
            "exposure" => Some("internet".into()),
            "confidentiality" => Some("4".into()),
            "integrity" => Some("2".into()),
            "availability" => Some("3".into()),
            _ => None,
        };
        let errs = parse_record(Kind::System.fields(), &input).unwrap_err();
        let fields: Vec<_> = errs.iter().map(|e| e.field).collect();
        assert_eq!(fields, vec!["owner_department_id", "confidentiality"]);
        assert_eq!(errs[1].kind, FieldErrorKind::OutOfRange { min: 1, max: 3 });
    }

    #[test]
    fn diff_names_changed_fields() {
        let mut a = Values::new();
        a.insert("name", Value::Text("A".into()));
        a.insert("code", Value::Null);
        let mut b = a.clone();
        b.insert("code", Value::Text("X1".into()));
        let d = diff(Kind::Department, &a, &b);
        assert_eq!(d.len(), 1);
        assert_eq!(d[0].field, "code");
    }

    #[test]
    fn importance_is_the_highest_rating() {
        let mut v = Values::new();
        v.insert("confidentiality", Value::Int(3));
        v.insert("integrity", Value::Int(1));
        v.insert("availability", Value::Int(2));
        assert_eq!(importance(&v), Some(3));
    }

    #[test]
    fn contract_end_before_start_is_refused() {
        let mut v = Values::new();
        v.insert("contract_start", Value::Text("2025-04-01".into()));
        v.insert("contract_end", Value::Text("2024-03-31".into()));
        let e = check_record(Kind::Vendor, &v).unwrap_err();
        assert_eq!(e[0].field, "contract_end");
    }
}
