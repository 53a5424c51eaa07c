//! Package URLs (purl-spec): `pkg:type/namespace/name@version?qualifiers#subpath`.
//!
//! Parsing percent-decodes every component, lower-cases the type and applies
//! the per-type normalizations of the spec that matter for matching (PyPI
//! names, GitHub/Bitbucket/Composer/Hex case, distro namespaces). A [`Purl`]
//! also knows how OSV names its ecosystem ([`Purl::osv_ecosystem`]) and its
//! package ([`Purl::package_name`]).

use std::fmt;

/// A parsed package URL. Components are stored decoded.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Purl {
    /// Lower-case type (`npm`, `pypi`, `deb`, …).
    pub ty: String,
    /// Namespace segments joined by `/` (maven group id, npm `@scope`,
    /// Go module path prefix, distro name for deb/rpm/apk).
    pub namespace: Option<String>,
    pub name: String,
    pub version: Option<String>,
    /// Keys lower-cased, sorted by key; empty values dropped.
    pub qualifiers: Vec<(String, String)>,
    /// Segments joined by `/`, without empty, `.` and `..` segments.
    pub subpath: Option<String>,
}

/// Why a string is not a package URL.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PurlError {
    #[error("package URL must start with \"pkg:\"")]
    Scheme,
    #[error("package URL has no type")]
    MissingType,
    #[error("invalid package URL type {0:?}")]
    InvalidType(String),
    #[error("package URL has no name")]
    MissingName,
    #[error("invalid qualifier {0:?}")]
    InvalidQualifier(String),
    #[error("invalid percent-encoding in {0:?}")]
    Encoding(String),
}

impl Purl {
    /// Parse a package URL (purl-spec "How to parse a purl string").
    pub fn parse(s: &str) -> Result<Purl, PurlError> {
        let s = s.trim();
        let rest = match s.split_once(':') {
            Some((scheme, rest)) if scheme.eq_ignore_ascii_case("pkg") => rest,
            _ => return Err(PurlError::Scheme),
        };
        // `pkg://type/…` is tolerated: leading slashes are not significant.
        let rest = rest.trim_start_matches('/');

        let (rest, subpath) = match rest.rsplit_once('#') {
            Some((r, sp)) => (r, parse_subpath(sp)?),
            None => (rest, None),
        };
        let (rest, qualifiers) = match rest.rsplit_once('?') {
            Some((r, q)) => (r, parse_qualifiers(q)?),
            None => (rest, Vec::new()),
        };
        let (rest, version) = match rest.rsplit_once('@') {
            // An `@` in the namespace (npm scope) is percent-encoded by the
            // spec, but be lenient with `pkg:npm/@scope/name` (no version).
            Some((r, v)) if !v.contains('/') => (r, Some(decode(v)?).filter(|v| !v.is_empty())),
            _ => (rest, None),
        };
        let rest = rest.trim_end_matches('/');

        let (ty, path) = rest.split_once('/').ok_or({
            if rest.is_empty() {
                PurlError::MissingType
            } else {
                PurlError::MissingName
            }
        })?;
        let ty = ty.to_ascii_lowercase();
        if ty.is_empty() {
            return Err(PurlError::MissingType);
        }
        let valid_ty = ty
            .bytes()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'+' | b'-'))
            && !ty.starts_with(|c: char| c.is_ascii_digit());
        if !valid_ty {
            return Err(PurlError::InvalidType(ty));
        }

        let (ns, name) = match path.rsplit_once('/') {
            Some((ns, name)) => (Some(ns), name),
            None => (None, path),
        };
        let mut name = decode(name)?;
        if name.is_empty() {
            return Err(PurlError::MissingName);
        }
        let mut namespace = match ns {
            Some(ns) => {
                let segs = ns
                    .split('/')
                    .filter(|s| !s.is_empty())
                    .map(decode)
                    .collect::<Result<Vec<_>, _>>()?;
                Some(segs.join("/")).filter(|n| !n.is_empty())
            }
            None => None,
        };

        match ty.as_str() {
            "pypi" => name = name.to_lowercase().replace('_', "-"),
            "github" | "bitbucket" | "composer" | "hex" => {
                name = name.to_lowercase();
                namespace = namespace.map(|n| n.to_lowercase());
            }
            // Distro names are case-insensitive; package names are kept.
            "deb" | "rpm" | "apk" | "alpm" => namespace = namespace.map(|n| n.to_lowercase()),
            _ => {}
        }

        Ok(Purl {
            ty,
            namespace,
            name,
            version,
            qualifiers,
            subpath,
        })
    }

    /// The value of a qualifier (key case-insensitive).
    pub fn qualifier(&self, key: &str) -> Option<&str> {
        self.qualifiers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v.as_str())
    }

    /// The OSV ecosystem this package lives in, with a `:release` suffix
    /// when the purl says which distribution release (`distro`
    /// qualifier, `{os-release ID}-{VERSION_ID}` or a codename) as OSV
    /// writes it: `pkg:deb/debian/x?distro=debian-12` → `Debian:12`,
    /// `ubuntu-22.04` → `Ubuntu:22.04:LTS`, `rocky-9.3` → `Rocky Linux:9`,
    /// `rhel-9.3` → `Red Hat:enterprise_linux:9`, `sles-15.5` →
    /// `SUSE:Linux Enterprise Server 15 SP5`. `None` for types and
    /// distributions OSV has no ecosystem for (Oracle Linux, Amazon Linux,
    /// CentOS, Fedora …).
    pub fn osv_ecosystem(&self) -> Option<String> {
        let fixed = match self.ty.as_str() {
            "npm" => "npm",
            "pypi" => "PyPI",
            "cargo" => "crates.io",
            "golang" => "Go",
            "maven" => "Maven",
            "nuget" => "NuGet",
            "composer" => "Packagist",
            "gem" => "RubyGems",
            "hex" => "Hex",
            "pub" => "Pub",
            "hackage" => "Hackage",
            "cran" => "CRAN",
            "swift" => "SwiftURL",
            "deb" | "rpm" | "apk" => return self.distro_ecosystem(),
            _ => return None,
        };
        Some(fixed.to_string())
    }

    /// The OSV ecosystem of a distribution package. The namespace is the
    /// os-release `ID` the collector and the Vuls importer write (`rhel`,
    /// `almalinux`, `sles`, `opensuse-leap` …) or the name other tools use
    /// (`redhat`, `alma`, `suse` …). Only distributions with an OSV
    /// ecosystem (osv-schema `ecosystems.json`) are mapped.
    fn distro_ecosystem(&self) -> Option<String> {
        let ns = self.namespace.as_deref()?;
        let base = match (self.ty.as_str(), ns) {
            ("deb", "debian") => "Debian",
            ("deb", "ubuntu") => "Ubuntu",
            ("rpm", "rhel" | "redhat" | "red-hat") => "Red Hat",
            ("rpm", "rocky" | "rockylinux" | "rocky-linux") => "Rocky Linux",
            ("rpm", "almalinux" | "alma") => "AlmaLinux",
            ("rpm", "opensuse" | "opensuse-leap" | "opensuse-tumbleweed") => "openSUSE",
            ("rpm", "suse" | "sles" | "sled" | "sles_sap") => "SUSE",
            ("rpm", "mageia") => "Mageia",
            ("rpm", "openeuler") => "openEuler",
            ("apk", "alpine") => "Alpine",
            _ => return None,
        };
        let release = match base {
            // Tumbleweed is rolling: its VERSION_ID is a snapshot date.
            "openSUSE" if ns == "opensuse-tumbleweed" => Some("Tumbleweed".to_string()),
            _ => self.qualifier("distro").and_then(|d| distro_release(ns, d)),
        };
        Some(match release {
            Some(r) => format!("{base}:{r}"),
            None => base.to_string(),
        })
    }

    /// The version as the distribution orders it: for rpm the `epoch`
    /// qualifier goes in front (`1:3.0.7-24.el9`) unless the version
    /// already has an epoch; otherwise the version.
    pub fn full_version(&self) -> Option<String> {
        let v = self.version.as_deref()?;
        let has_epoch = v
            .split_once(':')
            .is_some_and(|(e, _)| !e.is_empty() && e.bytes().all(|c| c.is_ascii_digit()));
        match self.qualifier("epoch").map(str::trim) {
            Some(e) if self.ty == "rpm" && !e.is_empty() && !has_epoch => Some(format!("{e}:{v}")),
            _ => Some(v.to_string()),
        }
    }

    /// The package name as OSV writes it: `group:artifact` for Maven, the
    /// full module path for Go, `@scope/name` for npm, `vendor/name` for
    /// Composer; otherwise the name.
    pub fn package_name(&self) -> String {
        let Some(ns) = self.namespace.as_deref() else {
            return self.name.clone();
        };
        match self.ty.as_str() {
            "maven" => format!("{ns}:{}", self.name),
            "golang" | "composer" | "swift" => format!("{ns}/{}", self.name),
            "npm" if ns.starts_with('@') => format!("{ns}/{}", self.name),
            "npm" => format!("@{ns}/{}", self.name),
            _ => self.name.clone(),
        }
    }
}

/// The OSV release of a `distro` qualifier for the distribution `ns` (a
/// purl namespace): `debian-12` / `bookworm` → `12`, `ubuntu-22.04` →
/// `22.04:LTS`, `ubuntu-23.10` → `23.10`, `alpine-3.18.4` → `v3.18`,
/// `rhel-9.3` → `enterprise_linux:9`, `rocky-9.3` / `almalinux-9.2` → `9`,
/// `sles-15.5` → `Linux Enterprise Server 15 SP5`, `opensuse-leap-15.5` →
/// `Leap 15.5`. `None` when the qualifier names no release.
fn distro_release(ns: &str, distro: &str) -> Option<String> {
    let original = distro.trim();
    let d = original.to_ascii_lowercase();
    // SUSE's own purls write the product name ("SUSE Linux Enterprise
    // Server 12 SP1", as os-release PRETTY_NAME), which is the OSV release
    // after the first word.
    let suse = matches!(
        ns,
        "suse" | "sles" | "sled" | "sles_sap" | "opensuse" | "opensuse-leap"
    );
    let product_name = [
        "suse linux enterprise ",
        "opensuse leap",
        "opensuse tumbleweed",
    ]
    .iter()
    .any(|p| d.starts_with(p));
    if suse && product_name {
        return original
            .split_once(' ')
            .map(|(_, r)| r.trim().to_string())
            .filter(|r| !r.is_empty());
    }
    let r = release_part(ns, &d);
    if r.is_empty() {
        return None;
    }
    match ns {
        "debian" => Some(debian_release(r)),
        "ubuntu" => Some(ubuntu_release(r)),
        "alpine" if r.starts_with(|c: char| c.is_ascii_digit()) => {
            // OSV: "Alpine:v3.18"; drop a patch level ("3.18.4").
            let mut parts = r.split('.');
            let major = parts.next().unwrap_or_default();
            Some(match parts.next() {
                Some(minor) => format!("v{major}.{minor}"),
                None => format!("v{major}"),
            })
        }
        "rhel" | "redhat" | "red-hat" => Some(format!("enterprise_linux:{}", major(r)?)),
        "rocky" | "rockylinux" | "rocky-linux" | "almalinux" | "alma" => {
            Some(major(r)?.to_string())
        }
        "suse" | "sles" | "sled" | "sles_sap" => {
            let product = if d.starts_with("sled") || ns == "sled" {
                "Desktop"
            } else if d.starts_with("sles_sap") || ns == "sles_sap" {
                "Server for SAP Applications"
            } else {
                "Server"
            };
            let (major, sp) = suse_release(r)?;
            Some(match sp {
                Some(sp) if sp != "0" => format!("Linux Enterprise {product} {major} SP{sp}"),
                _ => format!("Linux Enterprise {product} {major}"),
            })
        }
        "opensuse" | "opensuse-leap" => {
            if r.starts_with("tumbleweed") || d.contains("tumbleweed") {
                return Some("Tumbleweed".to_string());
            }
            r.starts_with(|c: char| c.is_ascii_digit())
                .then(|| format!("Leap {r}"))
        }
        _ => Some(r.to_string()),
    }
}

/// The release of a (lower-case) `distro` qualifier: without the
/// distribution's name (`ns` or any other word before the first
/// `-<digit>`, as in `rocky-linux-9` or `opensuse-leap-15.5`) and without
/// an `el` prefix (`el9`); a codename is returned as is.
fn release_part<'a>(ns: &str, d: &'a str) -> &'a str {
    let r = d
        .strip_prefix(ns)
        .map(|r| r.trim_start_matches(['-', ':', '/', '_', ' ']))
        .unwrap_or(d);
    if r.starts_with(|c: char| c.is_ascii_digit()) {
        return r;
    }
    let bytes = r.as_bytes();
    let at_digit = (1..bytes.len()).find(|&i| {
        bytes.get(i).is_some_and(u8::is_ascii_digit)
            && bytes
                .get(i - 1)
                .is_some_and(|c| matches!(c, b'-' | b':' | b'/' | b'_' | b' '))
    });
    if let Some(i) = at_digit {
        return &r[i..];
    }
    match r.strip_prefix("el") {
        Some(n) if n.starts_with(|c: char| c.is_ascii_digit()) => n,
        _ => r,
    }
}

/// The major version of a numeric release (`9.3` → `9`).
fn major(r: &str) -> Option<&str> {
    let m = r.split(['.', '-', '_']).next().unwrap_or_default();
    (!m.is_empty() && m.bytes().all(|c| c.is_ascii_digit())).then_some(m)
}

/// Debian releases as OSV (distro-info-data) numbers them: `12` for
/// bookworm or `12.4`, `6.0` for squeeze or `6`, `3.1` for sarge.
fn debian_release(r: &str) -> String {
    let by_codename = match r {
        "buzz" => "1.1",
        "rex" => "1.2",
        "bo" => "1.3",
        "hamm" => "2.0",
        "slink" => "2.1",
        "potato" => "2.2",
        "woody" => "3.0",
        "sarge" => "3.1",
        "etch" => "4.0",
        "lenny" => "5.0",
        "squeeze" => "6.0",
        "wheezy" => "7",
        "jessie" => "8",
        "stretch" => "9",
        "buster" => "10",
        "bullseye" => "11",
        "bookworm" => "12",
        "trixie" => "13",
        "forky" => "14",
        _ => r,
    };
    let Some(m) = major(by_codename) else {
        return by_codename.to_string();
    };
    match m.parse::<u32>() {
        // Since wheezy a release is its major number.
        Ok(n) if n >= 7 => m.to_string(),
        // etch, lenny, squeeze: "4.0", "5.0", "6.0" (point releases are
        // "6.0.10").
        Ok(4..=6) => format!("{m}.0"),
        // Before: "1.3", "3.0", "3.1" are releases of their own.
        _ => {
            let mut parts = by_codename.split('.');
            match (parts.next(), parts.next()) {
                (Some(a), Some(b)) => format!("{a}.{b}"),
                _ => by_codename.to_string(),
            }
        }
    }
}

/// Ubuntu releases as OSV writes them: `YY.MM`, with `:LTS` for the long
/// term support releases (6.06 and every even year's .04 since 8.04).
/// Codenames of recent releases are understood.
fn ubuntu_release(r: &str) -> String {
    let r = match r {
        "trusty" => "14.04",
        "xenial" => "16.04",
        "bionic" => "18.04",
        "cosmic" => "18.10",
        "disco" => "19.04",
        "eoan" => "19.10",
        "focal" => "20.04",
        "groovy" => "20.10",
        "hirsute" => "21.04",
        "impish" => "21.10",
        "jammy" => "22.04",
        "kinetic" => "22.10",
        "lunar" => "23.04",
        "mantic" => "23.10",
        "noble" => "24.04",
        "oracular" => "24.10",
        "plucky" => "25.04",
        "questing" => "25.10",
        _ => r,
    };
    let mut parts = r.split('.');
    let (Some(year), Some(month)) = (parts.next(), parts.next()) else {
        return r.to_string();
    };
    let Ok(y) = year.parse::<u32>() else {
        return r.to_string();
    };
    let release = format!("{year}.{month}");
    let lts = (y == 6 && month == "06") || (y >= 8 && y % 2 == 0 && month == "04");
    if lts {
        format!("{release}:LTS")
    } else {
        release
    }
}

/// A SUSE release as (major, service pack): `15.5`, `15-sp5`, `15 sp5`,
/// `15sp5` → (15, 5); `15` → (15, none).
fn suse_release(r: &str) -> Option<(&str, Option<&str>)> {
    let m = major(r).or_else(|| {
        let end = r.find(|c: char| !c.is_ascii_digit()).unwrap_or(r.len());
        r.get(..end).filter(|m| !m.is_empty())
    })?;
    let rest = r[m.len()..].trim_start_matches(['.', '-', '_', ' ']);
    let rest = rest.strip_prefix("sp").unwrap_or(rest);
    let sp = rest.split(['.', '-', '_', ' ']).next().unwrap_or_default();
    let sp = (!sp.is_empty() && sp.bytes().all(|c| c.is_ascii_digit())).then_some(sp);
    Some((m, sp))
}

fn parse_subpath(sp: &str) -> Result<Option<String>, PurlError> {
    let segs = sp
        .split('/')
        .filter(|s| !s.is_empty() && *s != "." && *s != "..")
        .map(decode)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Some(segs.join("/")).filter(|s| !s.is_empty()))
}

fn parse_qualifiers(q: &str) -> Result<Vec<(String, String)>, PurlError> {
    let mut out: Vec<(String, String)> = Vec::new();
    for pair in q.split('&').filter(|p| !p.is_empty()) {
        let (k, v) = pair
            .split_once('=')
            .ok_or_else(|| PurlError::InvalidQualifier(pair.to_string()))?;
        let k = k.to_ascii_lowercase();
        let valid = !k.is_empty()
            && k.bytes()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'.' | b'-' | b'_'));
        if !valid {
            return Err(PurlError::InvalidQualifier(pair.to_string()));
        }
        let v = decode(v)?;
        if v.is_empty() {
            continue;
        }
        if out.iter().any(|(x, _)| *x == k) {
            return Err(PurlError::InvalidQualifier(pair.to_string()));
        }
        out.push((k, v));
    }
    out.sort();
    Ok(out)
}

/// Percent-decode one component (UTF-8).
fn decode(s: &str) -> Result<String, PurlError> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok())
                .ok_or_else(|| PurlError::Encoding(s.to_string()))?;
            out.push(hex);
            i += 3;
        } else {
            out.push(b);
            i += 1;
        }
    }
    String::from_utf8(out).map_err(|_| PurlError::Encoding(s.to_string()))
}

/// Percent-encode one component: everything but unreserved characters
/// (and `:` which the spec leaves as is).
fn encode(s: &str, keep_slash: bool) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        let keep = b.is_ascii_alphanumeric()
            || matches!(b, b'-' | b'.' | b'_' | b'~' | b':')
            || (keep_slash && b == b'/');
        if keep {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl fmt::Display for Purl {
    /// The canonical form of the purl.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "pkg:{}/", self.ty)?;
        if let Some(ns) = &self.namespace {
            write!(f, "{}/", encode(ns, true))?;
        }
        write!(f, "{}", encode(&self.name, false))?;
        if let Some(v) = &self.version {
            write!(f, "@{}", encode(v, false))?;
        }
        for (i, (k, v)) in self.qualifiers.iter().enumerate() {
            let sep = if i == 0 { '?' } else { '&' };
            write!(f, "{sep}{k}={}", encode(v, true))?;
        }
        if let Some(sp) = &self.subpath {
            write!(f, "#{}", encode(sp, true))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decode_rejects_bad_escapes() {
        assert!(decode("a%2").is_err());
        assert!(decode("a%zz").is_err());
        assert!(decode("%ff").is_err());
        assert_eq!(decode("%40scope%2Fx").ok().as_deref(), Some("@scope/x"));
    }

    #[test]
    fn distro_releases() {
        assert_eq!(distro_release("debian", "debian-12").as_deref(), Some("12"));
        assert_eq!(distro_release("debian", "bookworm").as_deref(), Some("12"));
        assert_eq!(
            distro_release("ubuntu", "ubuntu-22.04").as_deref(),
            Some("22.04:LTS")
        );
        assert_eq!(
            distro_release("alpine", "alpine-3.18.4").as_deref(),
            Some("v3.18")
        );
        assert_eq!(distro_release("debian", "debian"), None);
    }

    #[test]
    fn distro_releases_as_osv_writes_them() {
        let rows = [
            ("debian", "debian-11", Some("11")),
            ("debian", "debian-11.7", Some("11")),
            ("debian", "squeeze", Some("6.0")),
            ("debian", "debian-6", Some("6.0")),
            ("debian", "debian-3.1", Some("3.1")),
            ("debian", "sid", Some("sid")),
            ("ubuntu", "ubuntu-14.04", Some("14.04:LTS")),
            ("ubuntu", "ubuntu-20.04", Some("20.04:LTS")),
            ("ubuntu", "ubuntu-24.04", Some("24.04:LTS")),
            ("ubuntu", "ubuntu-26.04", Some("26.04:LTS")),
            ("ubuntu", "ubuntu-22.04.3", Some("22.04:LTS")),
            ("ubuntu", "jammy", Some("22.04:LTS")),
            ("ubuntu", "ubuntu-23.10", Some("23.10")),
            ("ubuntu", "ubuntu-24.10", Some("24.10")),
            ("ubuntu", "ubuntu-23.04", Some("23.04")),
            ("rhel", "rhel-9.3", Some("enterprise_linux:9")),
            ("redhat", "redhat-8", Some("enterprise_linux:8")),
            ("redhat", "el9", Some("enterprise_linux:9")),
            ("rocky", "rocky-9.3", Some("9")),
            ("rocky-linux", "rocky-linux-8", Some("8")),
            ("almalinux", "almalinux-9.2", Some("9")),
            ("alma", "alma-8.10", Some("8")),
            ("sles", "sles-15.5", Some("Linux Enterprise Server 15 SP5")),
            ("sles", "sles-15", Some("Linux Enterprise Server 15")),
            ("sles", "sles-12.1", Some("Linux Enterprise Server 12 SP1")),
            (
                "sles",
                "sles-15-sp4",
                Some("Linux Enterprise Server 15 SP4"),
            ),
            ("sled", "sled-15.5", Some("Linux Enterprise Desktop 15 SP5")),
            ("suse", "sled-15.4", Some("Linux Enterprise Desktop 15 SP4")),
            (
                "sles_sap",
                "sles_sap-15.5",
                Some("Linux Enterprise Server for SAP Applications 15 SP5"),
            ),
            (
                "suse",
                "SUSE Linux Enterprise Server 12 SP1",
                Some("Linux Enterprise Server 12 SP1"),
            ),
            ("opensuse-leap", "opensuse-leap-15.5", Some("Leap 15.5")),
            ("opensuse", "opensuse-leap-15.6", Some("Leap 15.6")),
            ("opensuse", "opensuse-15.5", Some("Leap 15.5")),
            (
                "opensuse",
                "opensuse-tumbleweed-20240101",
                Some("Tumbleweed"),
            ),
            ("opensuse", "openSUSE Leap 15.5", Some("Leap 15.5")),
            ("alpine", "alpine-3.18", Some("v3.18")),
            ("rhel", "rhel", None),
        ];
        for (ns, d, want) in rows {
            assert_eq!(distro_release(ns, d).as_deref(), want, "{ns} {d}");
        }
    }

    #[test]
    fn distro_ecosystems_of_collected_namespaces() {
        let eco = |s: &str| Purl::parse(s).ok().and_then(|p| p.osv_ecosystem());
        let rows = [
            ("pkg:deb/debian/curl@1?distro=debian-11", Some("Debian:11")),
            (
                "pkg:deb/ubuntu/curl@1?distro=ubuntu-22.04",
                Some("Ubuntu:22.04:LTS"),
            ),
            (
                "pkg:deb/ubuntu/curl@1?distro=ubuntu-23.10",
                Some("Ubuntu:23.10"),
            ),
            (
                "pkg:rpm/rhel/openssl@1?distro=rhel-9.3",
                Some("Red Hat:enterprise_linux:9"),
            ),
            (
                "pkg:rpm/redhat/openssl@1?distro=redhat-9.3",
                Some("Red Hat:enterprise_linux:9"),
            ),
            ("pkg:rpm/redhat/openssl@1", Some("Red Hat")),
            (
                "pkg:rpm/rocky/openssl@1?distro=rocky-9.3",
                Some("Rocky Linux:9"),
            ),
            (
                "pkg:rpm/almalinux/openssl@1?distro=almalinux-9.2",
                Some("AlmaLinux:9"),
            ),
            (
                "pkg:rpm/alma/openssl@1?distro=alma-8.9",
                Some("AlmaLinux:8"),
            ),
            (
                "pkg:rpm/sles/openssl@1?distro=sles-15.5",
                Some("SUSE:Linux Enterprise Server 15 SP5"),
            ),
            (
                "pkg:rpm/sled/openssl@1?distro=sled-15.5",
                Some("SUSE:Linux Enterprise Desktop 15 SP5"),
            ),
            (
                "pkg:rpm/opensuse-leap/openssl@1?distro=opensuse-leap-15.5",
                Some("openSUSE:Leap 15.5"),
            ),
            (
                "pkg:rpm/opensuse-tumbleweed/openssl@1?distro=opensuse-tumbleweed-20240101",
                Some("openSUSE:Tumbleweed"),
            ),
            (
                "pkg:rpm/opensuse-tumbleweed/openssl@1",
                Some("openSUSE:Tumbleweed"),
            ),
            (
                "pkg:apk/alpine/busybox@1?distro=alpine-3.18.4",
                Some("Alpine:v3.18"),
            ),
            // No OSV ecosystem (osv-schema ecosystems.json).
            ("pkg:rpm/ol/openssl@1?distro=ol-9.3", None),
            ("pkg:rpm/oracle/openssl@1?distro=ol-9.3", None),
            ("pkg:rpm/amzn/openssl@1?distro=amzn-2023", None),
            ("pkg:rpm/centos/openssl@1?distro=centos-7", None),
            ("pkg:rpm/fedora/openssl@1?distro=fedora-39", None),
            // Right name, wrong package type.
            ("pkg:deb/rhel/openssl@1", None),
        ];
        for (s, want) in rows {
            assert_eq!(eco(s).as_deref(), want, "{s}");
        }
    }

    #[test]
    fn rpm_epoch_qualifier_in_full_version() {
        let v = |s: &str| Purl::parse(s).ok().and_then(|p| p.full_version());
        assert_eq!(
            v("pkg:rpm/rocky/openssl@3.0.7-24.el9?epoch=1").as_deref(),
            Some("1:3.0.7-24.el9")
        );
        assert_eq!(
            v("pkg:rpm/rocky/openssl@3.0.7-24.el9").as_deref(),
            Some("3.0.7-24.el9")
        );
        // An epoch already in the version is not doubled.
        assert_eq!(
            v("pkg:rpm/rocky/openssl@1:3.0.7-24.el9?epoch=1").as_deref(),
            Some("1:3.0.7-24.el9")
        );
        // dpkg versions carry their epoch themselves.
        assert_eq!(
            v("pkg:deb/debian/x@1.0-1?epoch=2").as_deref(),
            Some("1.0-1")
        );
        assert_eq!(v("pkg:rpm/rocky/openssl?epoch=1"), None);
    }
}
