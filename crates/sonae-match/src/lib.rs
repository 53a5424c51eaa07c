//! Matching (DESIGN §3): version ordering that is right for each ecosystem,
//! CPE 2.3 names and name matching, and evaluation of NVD configurations
//! against a component. Pure functions over domain types; no I/O.

pub mod cpe;
pub mod cve5;
pub mod engine;
pub mod index;
pub mod jvn;
pub mod osv;
pub mod purl;
pub mod version;
