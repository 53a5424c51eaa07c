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
    /// when the purl says which distro release (`distro` qualifier):
    /// `pkg:deb/debian/x?distro=debian-12` → `Debian:12`. `None` for types
    /// OSV has no ecosystem for.
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

    fn distro_ecosystem(&self) -> Option<String> {
        let ns = self.namespace.as_deref()?;
        let base = match (self.ty.as_str(), ns) {
            ("deb", "debian") => "Debian",
            ("deb", "ubuntu") => "Ubuntu",
            ("rpm", "redhat") => "Red Hat",
            ("rpm", "rocky" | "rockylinux" | "rocky-linux") => "Rocky Linux",
            ("rpm", "almalinux" | "alma") => "AlmaLinux",
            ("rpm", "opensuse") => "openSUSE",
            ("rpm", "suse" | "sles") => "SUSE",
            ("rpm", "mageia") => "Mageia",
            ("rpm", "openeuler") => "openEuler",
            ("apk", "alpine") => "Alpine",
            _ => return None,
        };
        let release = self.qualifier("distro").and_then(|d| distro_release(ns, d));
        // Red Hat's OSV ecosystems are CPE-like ("Red Hat:enterprise_linux:9
        // ::appstream"), not derivable from a distro qualifier.
        match release {
            Some(r) if base != "Red Hat" => Some(format!("{base}:{r}")),
            _ => Some(base.to_string()),
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

/// The release part of a `distro` qualifier: `debian-12` → `12`,
/// `bookworm` → `12`, `ubuntu-22.04` → `22.04`, `alpine-3.18` → `v3.18`.
fn distro_release(ns: &str, distro: &str) -> Option<String> {
    let d = distro.trim().to_ascii_lowercase();
    let r = d
        .strip_prefix(ns)
        .map(|r| r.trim_start_matches(['-', ':', '/']))
        .unwrap_or(&d);
    if r.is_empty() {
        return None;
    }
    if ns == "debian" {
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
            "squeeze" => "6",
            "wheezy" => "7",
            "jessie" => "8",
            "stretch" => "9",
            "buster" => "10",
            "bullseye" => "11",
            "bookworm" => "12",
            "trixie" => "13",
            _ => r,
        };
        return Some(by_codename.to_string());
    }
    if ns == "alpine" && r.starts_with(|c: char| c.is_ascii_digit()) {
        // OSV: "Alpine:v3.18"; drop a patch level ("3.18.4").
        let mut parts = r.split('.');
        let major = parts.next().unwrap_or_default();
        return Some(match parts.next() {
            Some(minor) => format!("v{major}.{minor}"),
            None => format!("v{major}"),
        });
    }
    Some(r.to_string())
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
            Some("22.04")
        );
        assert_eq!(
            distro_release("alpine", "alpine-3.18.4").as_deref(),
            Some("v3.18")
        );
        assert_eq!(distro_release("debian", "debian"), None);
    }
}
