//! CPE 2.3 names (NISTIR 7695), name matching (NISTIR 7696) and the
//! evaluation of NVD configurations against the CPEs of one system.
//!
//! - [`Cpe23`] parses CPE 2.3 formatted strings (`cpe:2.3:a:apache:…`) and,
//!   for JVN, CPE 2.2 URIs (`cpe:/a:vendor:product`), and binds back to the
//!   formatted string.
//! - [`compare_attr`] / [`attr_matches`] compare one attribute, source (the
//!   feed's pattern) against target (the inventory's name).
//! - [`match_cpe`] applies one NVD `cpeMatch` (criteria plus version range)
//!   to one component; [`evaluate`] applies a whole configuration to the
//!   components of one system.

mod config;
mod matching;
mod name;

pub use config::evaluate;
pub(crate) use config::{
    evaluate_compiled, evaluate_sparse, sorted_keys, CompiledConfig, Interner,
};
pub use matching::{attr_matches, compare_attr, match_cpe, MatchResult, Relation};
pub(crate) use matching::{bound_holds, VersionKind};
pub use name::{AttrText, AttrValue, Cpe23, CpeError};
