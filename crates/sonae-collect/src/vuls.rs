//! Vuls scan results (`results/<timestamp>/<server>.json`, written by `vuls scan`
//! or `vuls report`; <https://vuls.io>).
//!
//! Many sites already scan their servers with Vuls; importing its result files
//! gives a system's components without running `sonae collect` there.

use std::collections::BTreeMap;
use std::fmt;

use serde::de::{Deserialize, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use crate::{purl, CollectError, OsRelease, Package};

/// The largest Vuls result [`parse_vuls_result`] accepts: 64 MiB.
pub const VULS_RESULT_MAX_BYTES: usize = 64 * 1024 * 1024;

/// What a Vuls scan result says about one scanned server.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct ScannedHost {
    /// `serverName`: the server's section name in Vuls' `config.toml`. The name to
    /// find the system by when a newer result of the same server is imported.
    pub server_name: String,
    /// `container.name` (else `container.containerID`) when the result is of a
    /// container on `server_name` (Vuls shows such a server as
    /// `{container}@{serverName}`); `None` for a host scan.
    pub container: Option<String>,
    /// `family` as given: `debian`, `ubuntu`, `redhat`, `rocky`, `alma`, `centos`,
    /// `amazon`, `oracle`, `fedora`, `suse.linux.enterprise.server`,
    /// `opensuse.leap`, `opensuse`, `alpine`, `windows`, `pseudo` …
    pub family: String,
    /// `release` as given (`12`, `8.4`, `tumbleweed`,
    /// `Windows Server 2022`, empty for a pseudo server).
    pub release: String,
    /// The family and release as the os-release `ID` / `VERSION_ID` the other
    /// parsers see on such a host (see [`parse_vuls_result`]); `None` for
    /// Windows, pseudo servers and families without a package URL type here.
    pub os: Option<OsRelease>,
    /// Installed binary packages of a Linux server, sorted by name.
    pub packages: Vec<Package>,
    /// Installed applications (Windows "Programs and Features"), sorted by name.
    /// Also the packages of families [`parse_vuls_result`] has no package URL
    /// type for (e.g. FreeBSD).
    pub applications: Vec<Application>,
    /// `windowsKB.applied`, as `KB5031356`, in file order.
    pub windows_kbs_applied: Vec<String>,
    /// `windowsKB.unapplied` (updates Windows Update offered but that are not
    /// installed), as `KB5031356`, in file order.
    pub windows_kbs_unapplied: Vec<String>,
    /// Windows build (`runningKernel.version`, e.g. `10.0.19044.2364`); only for
    /// the `windows` family.
    pub windows_build: Option<String>,
    /// `config.scan.servers.<this server>.cpeNames`, as given (CPE 2.2 URIs or
    /// 2.3 formatted strings), in file order. The only content of a `pseudo`
    /// server, but any server may list some.
    pub cpes: Vec<String>,
}

/// One installed application without a package URL.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Application {
    /// Display name (`Google 日本語入力`, `7-Zip 19.00 (x64 edition)`).
    pub name: String,
    /// Version as given; some applications register none.
    pub version: Option<String>,
    /// Publisher, when recorded.
    pub vendor: Option<String>,
}

/// How a family's packages become [`Package`]s.
#[derive(Clone, Copy, PartialEq, Eq)]
enum PkgType {
    Deb,
    Rpm,
    Apk,
}

/// Parses one Vuls scan result JSON file (the per-server
/// `results/<timestamp>/<server>.json`, any `jsonVersion`; a UTF-8 byte order
/// mark is allowed). Only the inventory is read; `scannedCves` and the rest
/// are skipped without being kept in memory.
///
/// Required: a JSON object with a non-empty string `serverName` and a string
/// `family`. Everything else may be missing or `null` (Go writes empty lists
/// as `null`); a field that is present with the wrong JSON type is an error
/// naming its path (`packages.openssl.version`,
/// `packages["7-Zip 19.00 (x64 edition)"].vendor`). Input over
/// [`VULS_RESULT_MAX_BYTES`] is refused.
///
/// `family` → os-release `ID` (and package URL type): `debian`, `raspbian`,
/// `ubuntu` (deb); `redhat` → `rhel`, `centos`, `alma` → `almalinux`, `rocky`,
/// `fedora`, `amazon` → `amzn`, `oracle` → `ol`,
/// `suse.linux.enterprise.server` → `sles`, `suse.linux.enterprise.desktop` →
/// `sled`, `opensuse.leap` → `opensuse-leap`, `opensuse` with release
/// `tumbleweed` (or `opensuse.tumbleweed`) → `opensuse-tumbleweed` (rpm);
/// `alpine` (apk). `VERSION_ID` is the first word of `release`, cut to the
/// major version for Debian, Raspbian and CentOS (whose os-release does so;
/// CentOS `stream9` → `9`), none for Tumbleweed (its os-release has a
/// snapshot date Vuls does not record). Other families (`windows`, `pseudo`,
/// `freebsd`, …) have no `os`, and their `packages` become
/// [`ScannedHost::applications`].
///
/// Packages: the binary name (`name`, else the map key); version for deb and apk
/// `version` as given (a Debian epoch included), for rpm
/// `[epoch:]version-release` from Vuls' `version` (`1:1.30.0`, epoch included)
/// and `release`. Arch `(none)` or empty gives none. The source package comes
/// from `SrcPackages` (`binaryNames`); a binary listed by several takes the
/// alphabetically first. Entries without a name or version are skipped, as are
/// `gpg-pubkey` entries of rpm families (imported signing keys, not software).
/// Package URLs are built exactly as [`crate::parse_dpkg_status`],
/// [`crate::parse_rpm_qa`] and [`crate::parse_apk_installed`] build them for the
/// mapped os-release, so re-importing a host collected either way gives the same
/// components (rpm epoch as the `epoch=` qualifier, a dpkg epoch in the version).
pub fn parse_vuls_result(bytes: &[u8]) -> Result<ScannedHost, CollectError> {
    if bytes.len() > VULS_RESULT_MAX_BYTES {
        return Err(CollectError::VulsTooLarge {
            size: bytes.len(),
            limit: VULS_RESULT_MAX_BYTES,
        });
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let top = match serde_json::from_slice::<Top>(bytes) {
        Ok(Top::Object(fields)) => fields,
        Ok(Top::Other(found)) => return Err(CollectError::VulsNotObject { found }),
        Err(source) => return Err(CollectError::VulsJson { source }),
    };
    let field = |key: &str| top.get(key).filter(|v| !v.is_null());

    let server_name = match field("serverName") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(v) => return Err(wrong("serverName".into(), "a string", v)),
    }
    .filter(|s| !s.trim().is_empty())
    .ok_or(CollectError::VulsMissingField {
        field: "serverName",
    })?;
    let family = match field("family") {
        None => {
            return Err(CollectError::VulsMissingField { field: "family" });
        }
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(v) => return Err(wrong("family".into(), "a string", v)),
    };
    let release = match field("release") {
        None => String::new(),
        Some(Value::String(s)) => s.trim().to_owned(),
        Some(v) => return Err(wrong("release".into(), "a string", v)),
    };

    let container = match top_object(field("container"), "container")? {
        Some(c) => {
            let name = opt_str(c, "container", "name")?;
            let id = opt_str(c, "container", "containerID")?;
            name.or(id).map(str::to_owned)
        }
        None => None,
    };

    let (os, pkg_type) = map_family(&family, &release);
    let windows = family.eq_ignore_ascii_case("windows");

    let packages_obj = top_object(field("packages"), "packages")?;
    let sources = match (field("SrcPackages"), field("srcPackages")) {
        (Some(v), _) => source_map(v, "SrcPackages")?,
        (None, Some(v)) => source_map(v, "srcPackages")?,
        (None, None) => BTreeMap::new(),
    };
    let (mut packages, mut applications) = (Vec::new(), Vec::new());
    if let Some(pkgs) = packages_obj {
        match pkg_type {
            Some(ty) => packages = read_packages(pkgs, ty, os.as_ref(), &sources)?,
            None => applications = read_applications(pkgs)?,
        }
    }

    let (mut windows_kbs_applied, mut windows_kbs_unapplied) = (Vec::new(), Vec::new());
    if let Some(kb) = top_object(field("windowsKB"), "windowsKB")? {
        windows_kbs_applied = kb_list(kb, "applied")?;
        windows_kbs_unapplied = kb_list(kb, "unapplied")?;
    }

    let mut windows_build = None;
    if let Some(kernel) = top_object(field("runningKernel"), "runningKernel")? {
        let version = opt_str(kernel, "runningKernel", "version")?;
        let release = opt_str(kernel, "runningKernel", "release")?;
        if windows {
            windows_build = version.or(release).map(str::to_owned);
        }
    }

    let cpes = match top_object(field("config"), "config")? {
        Some(config) => server_cpes(config, &server_name)?,
        None => Vec::new(),
    };

    packages.sort_by(|a, b| a.name.cmp(&b.name));
    applications.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(ScannedHost {
        server_name,
        container,
        family,
        release,
        os,
        packages,
        applications,
        windows_kbs_applied,
        windows_kbs_unapplied,
        windows_build,
        cpes,
    })
}

/// Vuls `family` and `release` → os-release and package URL type.
fn map_family(family: &str, release: &str) -> (Option<OsRelease>, Option<PkgType>) {
    let family = family.to_ascii_lowercase();
    let word = release.split_whitespace().next().unwrap_or("");
    let major = |r: &str| r.split('.').next().unwrap_or("").to_owned();
    let (id, version_id, ty) = match family.as_str() {
        "debian" => ("debian", major(word), PkgType::Deb),
        "raspbian" => ("raspbian", major(word), PkgType::Deb),
        "ubuntu" => ("ubuntu", word.to_owned(), PkgType::Deb),
        "redhat" => ("rhel", word.to_owned(), PkgType::Rpm),
        "centos" => {
            let r = word.strip_prefix("stream").unwrap_or(word);
            ("centos", major(r), PkgType::Rpm)
        }
        "alma" => ("almalinux", word.to_owned(), PkgType::Rpm),
        "rocky" => ("rocky", word.to_owned(), PkgType::Rpm),
        "fedora" => ("fedora", word.to_owned(), PkgType::Rpm),
        "amazon" => ("amzn", word.to_owned(), PkgType::Rpm),
        "oracle" => ("ol", word.to_owned(), PkgType::Rpm),
        "suse.linux.enterprise.server" => ("sles", word.to_owned(), PkgType::Rpm),
        "suse.linux.enterprise.desktop" => ("sled", word.to_owned(), PkgType::Rpm),
        "opensuse.leap" => ("opensuse-leap", word.to_owned(), PkgType::Rpm),
        "opensuse.tumbleweed" => ("opensuse-tumbleweed", String::new(), PkgType::Rpm),
        "opensuse" if word.eq_ignore_ascii_case("tumbleweed") => {
            ("opensuse-tumbleweed", String::new(), PkgType::Rpm)
        }
        "opensuse" => ("opensuse", word.to_owned(), PkgType::Rpm),
        "alpine" => ("alpine", word.to_owned(), PkgType::Apk),
        _ => return (None, None),
    };
    let os = OsRelease {
        id: id.to_owned(),
        version_id: (!version_id.is_empty()).then_some(version_id),
        pretty_name: None,
        id_like: Vec::new(),
    };
    (Some(os), Some(ty))
}

/// `SrcPackages`: binary name → source name.
fn source_map<'a>(
    value: &'a Value,
    path: &str,
) -> Result<BTreeMap<&'a str, &'a str>, CollectError> {
    let Value::Object(srcs) = value else {
        return Err(wrong(path.to_owned(), "an object", value));
    };
    let mut out: BTreeMap<&str, &str> = BTreeMap::new();
    for (key, entry) in srcs {
        let entry_path = join(path, key);
        let Value::Object(entry) = entry else {
            return Err(wrong(entry_path, "an object", entry));
        };
        let name = opt_str(entry, &entry_path, "name")?.unwrap_or(key.trim());
        if name.is_empty() {
            continue;
        }
        for binary in str_list(entry, &entry_path, "binaryNames")? {
            out.entry(binary)
                .and_modify(|s| {
                    if name < *s {
                        *s = name;
                    }
                })
                .or_insert(name);
        }
    }
    Ok(out)
}

fn read_packages(
    pkgs: &Map<String, Value>,
    ty: PkgType,
    os: Option<&OsRelease>,
    sources: &BTreeMap<&str, &str>,
) -> Result<Vec<Package>, CollectError> {
    let namespace = purl::namespace(
        os,
        match ty {
            PkgType::Deb => "debian",
            PkgType::Rpm => "fedora",
            PkgType::Apk => "alpine",
        },
    );
    let distro = purl::distro(os);
    let mut out = Vec::with_capacity(pkgs.len());
    for (key, entry) in pkgs {
        let path = join("packages", key);
        let Value::Object(entry) = entry else {
            return Err(wrong(path, "an object", entry));
        };
        let name = opt_str(entry, &path, "name")?.unwrap_or(key.trim());
        let version = opt_str(entry, &path, "version")?.unwrap_or("");
        let release = opt_str(entry, &path, "release")?.unwrap_or("");
        let arch = opt_str(entry, &path, "arch")?.filter(|a| *a != "(none)");
        if name.is_empty() || version.is_empty() {
            continue;
        }
        let (version, purl) = match ty {
            PkgType::Rpm => {
                if name == "gpg-pubkey" {
                    continue;
                }
                let (epoch, upstream) = match version.split_once(':') {
                    Some((e, v)) if !e.is_empty() && e.bytes().all(|b| b.is_ascii_digit()) => {
                        (Some(e), v)
                    }
                    _ => (None, version),
                };
                let vr = if release.is_empty() || release == "(none)" {
                    upstream.to_owned()
                } else {
                    format!("{upstream}-{release}")
                };
                let purl = purl::build(
                    "rpm",
                    &namespace,
                    name,
                    &vr,
                    &[
                        ("arch", arch),
                        ("distro", distro.as_deref()),
                        ("epoch", epoch),
                    ],
                );
                let full = match epoch {
                    Some(e) => format!("{e}:{vr}"),
                    None => vr,
                };
                (full, purl)
            }
            PkgType::Deb | PkgType::Apk => {
                let purl = purl::build(
                    if ty == PkgType::Deb { "deb" } else { "apk" },
                    &namespace,
                    &name.to_ascii_lowercase(),
                    version,
                    &[
                        ("arch", arch),
                        ("distro", distro.as_deref()),
                        // OSV's Debian, Ubuntu and Alpine advisories name source packages.
                        (
                            "upstream",
                            sources.get(name).copied().filter(|s| *s != name),
                        ),
                    ],
                );
                (version.to_owned(), purl)
            }
        };
        out.push(Package {
            name: name.to_owned(),
            version,
            arch: arch.map(str::to_owned),
            source: sources.get(name).map(|s| (*s).to_owned()),
            purl,
        });
    }
    Ok(out)
}

fn read_applications(pkgs: &Map<String, Value>) -> Result<Vec<Application>, CollectError> {
    let mut out = Vec::with_capacity(pkgs.len());
    for (key, entry) in pkgs {
        let path = join("packages", key);
        let Value::Object(entry) = entry else {
            return Err(wrong(path, "an object", entry));
        };
        let name = opt_str(entry, &path, "name")?.unwrap_or(key.trim());
        let version = opt_str(entry, &path, "version")?;
        let vendor = opt_str(entry, &path, "vendor")?;
        if name.is_empty() {
            continue;
        }
        out.push(Application {
            name: name.to_owned(),
            version: version.map(str::to_owned),
            vendor: vendor.map(str::to_owned),
        });
    }
    Ok(out)
}

/// `windowsKB.{key}`: `"5031356"` (or `"KB5031356"`) → `KB5031356`.
fn kb_list(kb: &Map<String, Value>, key: &str) -> Result<Vec<String>, CollectError> {
    Ok(str_list(kb, "windowsKB", key)?
        .into_iter()
        .map(|s| {
            let digits = match s.get(..2) {
                Some(p) if p.eq_ignore_ascii_case("kb") => s.get(2..).unwrap_or(""),
                _ => s,
            };
            format!("KB{}", digits.trim())
        })
        .filter(|s| s.len() > 2)
        .collect())
}

/// `config.scan.servers`: the entry keyed by the server name, else the one whose
/// `serverName` is it, else the only one.
fn server_cpes(config: &Map<String, Value>, server: &str) -> Result<Vec<String>, CollectError> {
    let Some(scan) = opt_object(config, "config", "scan")? else {
        return Ok(Vec::new());
    };
    let Some(servers) = opt_object(scan, "config.scan", "servers")? else {
        return Ok(Vec::new());
    };
    let by_inner_name = || {
        servers
            .iter()
            .find(|(_, v)| v.get("serverName").and_then(Value::as_str) == Some(server))
    };
    let only = || {
        let mut it = servers.iter();
        match (it.next(), it.next()) {
            (Some(one), None) => Some(one),
            _ => None,
        }
    };
    let chosen = servers
        .get_key_value(server)
        .or_else(by_inner_name)
        .or_else(only);
    let Some((key, entry)) = chosen else {
        return Ok(Vec::new());
    };
    let path = join("config.scan.servers", key);
    let Value::Object(entry) = entry else {
        if entry.is_null() {
            return Ok(Vec::new());
        }
        return Err(wrong(path, "an object", entry));
    };
    Ok(str_list(entry, &path, "cpeNames")?
        .into_iter()
        .map(str::to_owned)
        .collect())
}

// ---------------------------------------------------------------- JSON helpers

/// The top-level object with only the fields read here; the rest (notably the
/// possibly huge `scannedCves`) is skipped while parsing.
enum Top {
    Object(BTreeMap<&'static str, Value>),
    /// Not an object: what it is instead.
    Other(&'static str),
}

const TOP_FIELDS: [&str; 10] = [
    "serverName",
    "family",
    "release",
    "container",
    "runningKernel",
    "packages",
    "SrcPackages",
    "srcPackages",
    "windowsKB",
    "config",
];

impl<'de> Deserialize<'de> for Top {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(TopVisitor)
    }
}

struct TopVisitor;

impl<'de> Visitor<'de> for TopVisitor {
    type Value = Top;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Top, A::Error> {
        let mut fields = BTreeMap::new();
        while let Some(key) = map.next_key::<std::borrow::Cow<'de, str>>()? {
            match TOP_FIELDS.iter().find(|f| **f == key) {
                Some(f) => {
                    fields.insert(*f, map.next_value::<Value>()?);
                }
                None => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(Top::Object(fields))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Top, A::Error> {
        while seq.next_element::<IgnoredAny>()?.is_some() {}
        Ok(Top::Other("an array"))
    }

    fn visit_bool<E>(self, _: bool) -> Result<Top, E> {
        Ok(Top::Other("a boolean"))
    }

    fn visit_i64<E>(self, _: i64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_u64<E>(self, _: u64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_f64<E>(self, _: f64) -> Result<Top, E> {
        Ok(Top::Other("a number"))
    }

    fn visit_str<E>(self, _: &str) -> Result<Top, E> {
        Ok(Top::Other("a string"))
    }

    fn visit_unit<E>(self) -> Result<Top, E> {
        Ok(Top::Other("null"))
    }
}

fn kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn wrong(path: String, expected: &'static str, found: &Value) -> CollectError {
    CollectError::VulsFieldType {
        path,
        expected,
        found: kind(found),
    }
}

/// `parent.key`, or `parent["key"]` when the key is not a plain word (package
/// display names, names with dots); very long keys are shortened.
fn join(parent: &str, key: &str) -> String {
    const MAX: usize = 80;
    let plain = !key.is_empty()
        && key
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'+'));
    let mut out = String::from(parent);
    if plain && key.len() <= MAX {
        if !out.is_empty() {
            out.push('.');
        }
        out.push_str(key);
    } else {
        let shown: String = key.chars().take(MAX).collect();
        out.push_str("[\"");
        out.extend(shown.chars().flat_map(char::escape_debug));
        if shown.len() < key.len() {
            out.push('…');
        }
        out.push_str("\"]");
    }
    out
}

/// A top-level field that must be an object when present.
fn top_object<'a>(
    v: Option<&'a Value>,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, CollectError> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(v) => Err(wrong(key.to_owned(), "an object", v)),
    }
}

fn opt_object<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<Option<&'a Map<String, Value>>, CollectError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Object(m)) => Ok(Some(m)),
        Some(v) => Err(wrong(join(parent, key), "an object", v)),
    }
}

/// A string field, trimmed; absent, `null` or empty gives `None`.
fn opt_str<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<Option<&'a str>, CollectError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim()).filter(|s| !s.is_empty())),
        Some(v) => Err(wrong(join(parent, key), "a string", v)),
    }
}

/// An array of strings, trimmed, empty ones dropped; absent or `null` is empty.
fn str_list<'a>(
    obj: &'a Map<String, Value>,
    parent: &str,
    key: &str,
) -> Result<Vec<&'a str>, CollectError> {
    let items = match obj.get(key) {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(items)) => items,
        Some(v) => return Err(wrong(join(parent, key), "an array of strings", v)),
    };
    let mut out = Vec::with_capacity(items.len());
    for (i, item) in items.iter().enumerate() {
        match item {
            Value::String(s) if s.trim().is_empty() => {}
            Value::String(s) => out.push(s.trim()),
            v => return Err(wrong(format!("{}[{i}]", join(parent, key)), "a string", v)),
        }
    }
    Ok(out)
}
