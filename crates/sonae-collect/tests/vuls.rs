#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

use serde_json::json;
use sonae_collect::{
    parse_rpm_qa, parse_vuls_result, Application, CollectError, OsRelease, Package, ScannedHost,
    VULS_RESULT_MAX_BYTES,
};

fn fixture_bytes(rel: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(rel);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn host(name: &str) -> ScannedHost {
    parse_vuls_result(&fixture_bytes(&format!("vuls/{name}.json")))
        .unwrap_or_else(|e| panic!("{name}: {e}"))
}

fn parse(v: serde_json::Value) -> Result<ScannedHost, CollectError> {
    parse_vuls_result(v.to_string().as_bytes())
}

fn find<'a>(pkgs: &'a [Package], name: &str) -> &'a Package {
    pkgs.iter()
        .find(|p| p.name == name)
        .unwrap_or_else(|| panic!("package {name} not found"))
}

fn os(id: &str, version_id: Option<&str>) -> Option<OsRelease> {
    Some(OsRelease {
        id: id.to_owned(),
        version_id: version_id.map(str::to_owned),
        pretty_name: None,
        id_like: Vec::new(),
    })
}

fn names(pkgs: &[Package]) -> Vec<&str> {
    pkgs.iter().map(|p| p.name.as_str()).collect()
}

// ---------------------------------------------------------------- fixtures

#[test]
fn vuls_debian_12() {
    let h = host("debian_12");
    assert_eq!(h.server_name, "debian_12");
    assert_eq!(h.container, None);
    assert_eq!(h.family, "debian");
    assert_eq!(h.release, "12");
    assert_eq!(h.os, os("debian", Some("12")));
    assert_eq!(
        names(&h.packages),
        [
            "adduser",
            "bash",
            "bsdutils",
            "libc6",
            "libssl3",
            "libstdc++6",
            "login",
            "openssh-client",
            "openssh-server",
            "openssl",
            "tzdata",
            "vim-tiny"
        ]
    );
    // Every binary is listed by a SrcPackages entry.
    assert!(h.packages.iter().all(|p| p.source.is_some()));
    let bsdutils = find(&h.packages, "bsdutils");
    assert_eq!(bsdutils.version, "1:2.38.1-5+deb12u3");
    assert_eq!(bsdutils.arch, None); // Vuls records no arch for deb packages
    assert_eq!(bsdutils.source.as_deref(), Some("util-linux"));
    assert_eq!(
        bsdutils.purl,
        "pkg:deb/debian/bsdutils@1%3A2.38.1-5%2Bdeb12u3?distro=debian-12&upstream=util-linux"
    );
    assert_eq!(find(&h.packages, "vim-tiny").version, "2:9.0.1378-2");
    assert_eq!(
        find(&h.packages, "libstdc++6").source.as_deref(),
        Some("gcc-12")
    );
    assert_eq!(
        find(&h.packages, "libstdc++6").purl,
        "pkg:deb/debian/libstdc%2B%2B6@12.2.0-14%2Bdeb12u1?distro=debian-12&upstream=gcc-12"
    );
    assert_eq!(find(&h.packages, "login").source.as_deref(), Some("shadow"));
    assert_eq!(
        find(&h.packages, "adduser").source.as_deref(),
        Some("adduser")
    );
    assert!(h.applications.is_empty());
    assert!(h.windows_kbs_applied.is_empty() && h.windows_kbs_unapplied.is_empty());
    // runningKernel.version is the Linux kernel here, not a Windows build.
    assert_eq!(h.windows_build, None);
    assert!(h.cpes.is_empty());
}

#[test]
fn vuls_rocky_8_epochs_and_sources() {
    let h = host("rocky_8");
    assert_eq!(h.family, "rocky");
    assert_eq!(h.release, "8.4");
    assert_eq!(h.os, os("rocky", Some("8.4")));
    // 12 in the fixture; the gpg-pubkey entry is skipped.
    assert_eq!(h.packages.len(), 11);
    assert!(h.packages.iter().all(|p| p.name != "gpg-pubkey"));
    let ssl = find(&h.packages, "openssl-libs");
    assert_eq!(ssl.version, "1:1.1.1g-15.el8_3");
    assert_eq!(ssl.arch.as_deref(), Some("x86_64"));
    assert_eq!(ssl.source.as_deref(), Some("openssl"));
    assert_eq!(
        ssl.purl,
        "pkg:rpm/rocky/openssl-libs@1.1.1g-15.el8_3?arch=x86_64&distro=rocky-8.4&epoch=1"
    );
    let nm = find(&h.packages, "NetworkManager-libnm");
    assert_eq!(nm.version, "1:1.30.0-7.el8");
    assert_eq!(nm.source.as_deref(), Some("NetworkManager"));
    let kernel = find(&h.packages, "kernel-core");
    assert_eq!(kernel.version, "4.18.0-305.3.1.el8_4");
    assert_eq!(kernel.source.as_deref(), Some("kernel"));
    assert_eq!(
        find(&h.packages, "python3-pyyaml").source.as_deref(),
        Some("PyYAML")
    );
    let tz = find(&h.packages, "tzdata");
    assert_eq!(tz.arch.as_deref(), Some("noarch"));
    assert_eq!(
        tz.purl,
        "pkg:rpm/rocky/tzdata@2021a-1.el8?arch=noarch&distro=rocky-8.4"
    );
    assert_eq!(
        h.packages
            .iter()
            .filter(|p| p.version.contains(':'))
            .count(),
        5
    );
}

/// The same Rocky host read through `rpm -qa` (fixture derived from the same
/// Vuls result) gives identical packages, apart from the source Vuls adds.
#[test]
fn vuls_rocky_8_matches_rpm_qa() {
    let h = host("rocky_8");
    let text = String::from_utf8(fixture_bytes("rocky-8.4_rpm-qa.txt")).unwrap();
    let qa = parse_rpm_qa(&text, h.os.as_ref());
    for p in &h.packages {
        let q = find(&qa, &p.name);
        assert_eq!(
            (&q.version, &q.arch, &q.purl),
            (&p.version, &p.arch, &p.purl)
        );
    }
}

#[test]
fn vuls_sles_12() {
    let h = host("sles12");
    assert_eq!(h.family, "suse.linux.enterprise.server");
    assert_eq!(h.os, os("sles", Some("12.5")));
    assert_eq!(h.packages.len(), 11); // gpg-pubkey skipped
                                      // This result has no SrcPackages.
    assert!(h.packages.iter().all(|p| p.source.is_none()));
    let k = find(&h.packages, "kernel-default");
    assert_eq!(k.version, "4.12.14-122.103.1");
    assert_eq!(
        k.purl,
        "pkg:rpm/sles/kernel-default@4.12.14-122.103.1?arch=x86_64&distro=sles-12.5"
    );
    assert_eq!(
        find(&h.packages, "aaa_base").purl,
        "pkg:rpm/sles/aaa_base@13.2%2Bgit20140911.61c1681-38.22.1?arch=x86_64&distro=sles-12.5"
    );
    // SUSEConnect sorts before aaa_base (byte order).
    assert_eq!(h.packages[0].name, "SUSEConnect");
    // config lists two servers (sles12, sles15), neither with CPE names.
    assert!(h.cpes.is_empty());
}

#[test]
fn vuls_windows_10_1803() {
    let h = host("windows_10_1803");
    assert_eq!(h.family, "windows");
    assert_eq!(h.release, "Windows 10 Version 1803 for x64-based Systems");
    assert_eq!(h.os, None);
    assert!(h.packages.is_empty());
    assert_eq!(h.applications.len(), 5);
    assert_eq!(
        h.applications[0],
        Application {
            name: "Microsoft OneDrive".into(),
            version: Some("26.040.0301.0001".into()),
            vendor: Some("Microsoft Corporation".into()),
        }
    );
    assert!(h
        .applications
        .iter()
        .any(|a| a.name == "Oracle VM VirtualBox Guest Additions 5.2.16"
            && a.vendor.as_deref() == Some("Oracle Corporation")));
    assert_eq!(h.windows_kbs_applied.len(), 24);
    assert_eq!(h.windows_kbs_applied[..2], ["KB4100403", "KB4456655"]);
    assert_eq!(h.windows_kbs_unapplied.len(), 62);
    assert_eq!(h.windows_kbs_unapplied[0], "KB4520008");
    assert_eq!(h.windows_kbs_unapplied.last().unwrap(), "KB4499167");
    assert_eq!(h.windows_build.as_deref(), Some("10.0.17134.285"));
    assert!(h.cpes.is_empty());
}

#[test]
fn vuls_windows_10_21h2_japanese_names_and_missing_versions() {
    let h = host("windows_10_21h2_old");
    assert_eq!(h.applications.len(), 12);
    let ime = h
        .applications
        .iter()
        .find(|a| a.name == "Google 日本語入力")
        .unwrap();
    assert_eq!(ime.version.as_deref(), Some("2.28.4650.0"));
    assert_eq!(ime.vendor, None);
    let lanscope = h
        .applications
        .iter()
        .find(|a| a.name == "LanScope Cat MR")
        .unwrap();
    assert_eq!(lanscope.version, None); // recorded as ""
    assert!(h
        .applications
        .iter()
        .any(|a| a.name == "Zoom" && a.version.as_deref() == Some("5.10.4 (5035)")));
    assert_eq!(h.windows_kbs_applied.len(), 47);
    assert_eq!(
        h.windows_kbs_unapplied,
        [
            "KB5022282",
            "KB5019275",
            "KB5022906",
            "KB5023696",
            "KB5022834"
        ]
    );
    assert_eq!(h.windows_build.as_deref(), Some("10.0.19044.2364"));
}

#[test]
fn vuls_windows_server_2008_r2_null_packages() {
    let h = host("windows_server_2008_r2");
    assert_eq!(
        h.release,
        "Windows Server 2008 R2 for x64-based Systems Service Pack 1"
    );
    assert!(h.packages.is_empty() && h.applications.is_empty()); // "packages": null
    assert_eq!(h.windows_kbs_applied.len(), 75);
    assert_eq!(h.windows_kbs_applied[0], "KB2698365");
    assert!(h.windows_kbs_unapplied.is_empty());
    assert_eq!(h.windows_build.as_deref(), Some("6.1.7601"));
    assert!(h.cpes.is_empty()); // config.scan has no servers
}

#[test]
fn vuls_cpe_only_pseudo_host() {
    let h = host("cpe_jvn");
    assert_eq!(h.server_name, "cpe_jvn");
    assert_eq!(h.family, "pseudo");
    assert_eq!(h.release, "");
    assert_eq!(h.os, None);
    assert!(h.packages.is_empty() && h.applications.is_empty());
    assert_eq!(h.windows_build, None);
    assert_eq!(h.cpes.len(), 10);
    assert_eq!(h.cpes[0], "cpe:/a:hitachi_abb_power_grids:afs660:1.0.0");
    assert_eq!(h.cpes[1], "cpe:/o:nec:aterm_wg2600hp2_firmware");
    assert!(h.cpes.iter().any(|c| c == "cpe:/a:cybozu:garoon"));
    assert_eq!(h.cpes.last().unwrap(), "cpe:/a:ec-cube:ec-cube");
}

// ---------------------------------------------------------------- family mapping

#[test]
fn vuls_family_mapping() {
    let cases: &[(&str, &str, &str, Option<&str>, &str)] = &[
        (
            "debian",
            "9.0",
            "debian",
            Some("9"),
            "pkg:deb/debian/x@1.0?arch=amd64&distro=debian-9",
        ),
        (
            "raspbian",
            "11.5",
            "raspbian",
            Some("11"),
            "pkg:deb/raspbian/x@1.0?arch=amd64&distro=raspbian-11",
        ),
        (
            "ubuntu",
            "22.04",
            "ubuntu",
            Some("22.04"),
            "pkg:deb/ubuntu/x@1.0?arch=amd64&distro=ubuntu-22.04",
        ),
        (
            "redhat",
            "9.0",
            "rhel",
            Some("9.0"),
            "pkg:rpm/rhel/x@1.0-1?arch=amd64&distro=rhel-9.0",
        ),
        (
            "centos",
            "7.9.2009",
            "centos",
            Some("7"),
            "pkg:rpm/centos/x@1.0-1?arch=amd64&distro=centos-7",
        ),
        (
            "centos",
            "stream9",
            "centos",
            Some("9"),
            "pkg:rpm/centos/x@1.0-1?arch=amd64&distro=centos-9",
        ),
        (
            "alma",
            "9.0",
            "almalinux",
            Some("9.0"),
            "pkg:rpm/almalinux/x@1.0-1?arch=amd64&distro=almalinux-9.0",
        ),
        (
            "rocky",
            "8.4",
            "rocky",
            Some("8.4"),
            "pkg:rpm/rocky/x@1.0-1?arch=amd64&distro=rocky-8.4",
        ),
        (
            "fedora",
            "42",
            "fedora",
            Some("42"),
            "pkg:rpm/fedora/x@1.0-1?arch=amd64&distro=fedora-42",
        ),
        (
            "amazon",
            "2",
            "amzn",
            Some("2"),
            "pkg:rpm/amzn/x@1.0-1?arch=amd64&distro=amzn-2",
        ),
        (
            "amazon",
            "2023",
            "amzn",
            Some("2023"),
            "pkg:rpm/amzn/x@1.0-1?arch=amd64&distro=amzn-2023",
        ),
        (
            "oracle",
            "8.10",
            "ol",
            Some("8.10"),
            "pkg:rpm/ol/x@1.0-1?arch=amd64&distro=ol-8.10",
        ),
        (
            "suse.linux.enterprise.server",
            "15.5",
            "sles",
            Some("15.5"),
            "pkg:rpm/sles/x@1.0-1?arch=amd64&distro=sles-15.5",
        ),
        (
            "suse.linux.enterprise.desktop",
            "15.5",
            "sled",
            Some("15.5"),
            "pkg:rpm/sled/x@1.0-1?arch=amd64&distro=sled-15.5",
        ),
        (
            "opensuse.leap",
            "15.6",
            "opensuse-leap",
            Some("15.6"),
            "pkg:rpm/opensuse-leap/x@1.0-1?arch=amd64&distro=opensuse-leap-15.6",
        ),
        (
            "opensuse",
            "tumbleweed",
            "opensuse-tumbleweed",
            None,
            "pkg:rpm/opensuse-tumbleweed/x@1.0-1?arch=amd64",
        ),
        (
            "opensuse.tumbleweed",
            "",
            "opensuse-tumbleweed",
            None,
            "pkg:rpm/opensuse-tumbleweed/x@1.0-1?arch=amd64",
        ),
        (
            "alpine",
            "3.19.1",
            "alpine",
            Some("3.19.1"),
            "pkg:apk/alpine/x@1.0?arch=amd64&distro=alpine-3.19.1",
        ),
    ];
    for (family, release, id, vid, want_purl) in cases {
        let h = parse(json!({
            "serverName": "s",
            "family": family,
            "release": release,
            "packages": {"x": {"name": "x", "version": "1.0", "release": "1", "arch": "amd64"}},
        }))
        .unwrap();
        assert_eq!(h.os, os(id, *vid), "{family} {release}");
        // deb/apk versions are complete in `version`; the rpm ones add `release`.
        let want_version = if want_purl.starts_with("pkg:rpm/") {
            "1.0-1"
        } else {
            "1.0"
        };
        let p = &h.packages[0];
        assert_eq!(p.version, want_version, "{family}");
        assert_eq!(p.purl, *want_purl, "{family} {release}");
    }
}

#[test]
fn vuls_unknown_family_packages_become_applications() {
    let h = parse(json!({
        "serverName": "bsd", "family": "freebsd", "release": "14.1",
        "packages": {"openssl": {"name": "openssl", "version": "3.0.13,1"}},
    }))
    .unwrap();
    assert_eq!(h.os, None);
    assert!(h.packages.is_empty());
    assert_eq!(
        h.applications,
        [Application {
            name: "openssl".into(),
            version: Some("3.0.13,1".into()),
            vendor: None
        }]
    );
    assert_eq!(h.windows_build, None);
}

#[test]
fn vuls_rpm_version_edge_cases() {
    let h = parse(json!({
        "serverName": "s", "family": "redhat", "release": "9.4",
        "packages": {
            "no-release": {"name": "no-release", "version": "2:3.0", "release": "", "arch": "(none)"},
            "no-name-field": {"version": "1.0", "release": "1.el9", "arch": "noarch"},
            "no-version": {"name": "no-version", "version": "", "release": "1"},
            "gpg-pubkey": {"name": "gpg-pubkey", "version": "fd431d51", "release": "4ae0493b"},
            "odd-colon": {"name": "odd-colon", "version": "x:1", "release": "1"},
        },
        "SrcPackages": null,
    }))
    .unwrap();
    assert_eq!(
        names(&h.packages),
        ["no-name-field", "no-release", "odd-colon"]
    );
    let nr = find(&h.packages, "no-release");
    assert_eq!(nr.version, "2:3.0");
    assert_eq!(nr.arch, None);
    assert_eq!(
        nr.purl,
        "pkg:rpm/rhel/no-release@3.0?distro=rhel-9.4&epoch=2"
    );
    // A non-numeric "epoch" is part of the version.
    assert_eq!(
        find(&h.packages, "odd-colon").purl,
        "pkg:rpm/rhel/odd-colon@x%3A1-1?distro=rhel-9.4"
    );
}

#[test]
fn vuls_sources_lower_case_key_and_duplicates() {
    let h = parse(json!({
        "serverName": "s", "family": "ubuntu", "release": "24.04",
        "packages": {
            "libssl3t64": {"name": "libssl3t64", "version": "3.0.13-0ubuntu3.1"},
            "shared": {"name": "shared", "version": "1"},
            "orphan": {"name": "orphan", "version": "1"},
        },
        "srcPackages": {
            "openssl": {"name": "openssl", "version": "3.0.13-0ubuntu3.1", "binaryNames": ["libssl3t64", "openssl"]},
            "zz": {"name": "zz", "binaryNames": ["shared"]},
            "aa": {"name": "aa", "binaryNames": ["shared"]},
            "empty": {"name": "empty", "binaryNames": null},
        },
    }))
    .unwrap();
    assert_eq!(
        find(&h.packages, "libssl3t64").source.as_deref(),
        Some("openssl")
    );
    assert_eq!(find(&h.packages, "shared").source.as_deref(), Some("aa"));
    assert_eq!(find(&h.packages, "orphan").source, None);
}

#[test]
fn vuls_cpes_of_this_server_and_kb_forms() {
    let doc = |servers: serde_json::Value| {
        json!({
            "serverName": "router", "family": "pseudo", "release": "",
            "windowsKB": {"applied": ["5031356", "KB5031357", "kb5031358", " 5031359 ", ""], "unapplied": null},
            "config": {"scan": {"servers": servers}},
        })
    };
    // By key, among several servers; 2.3 strings kept as given.
    let h = parse(doc(json!({
        "other": {"cpeNames": ["cpe:/a:x:y:1"]},
        "router": {"type": "pseudo", "cpeNames": ["cpe:2.3:o:yamaha:rtx1200:10.01.65:*:*:*:*:*:*:*", " cpe:/h:yamaha:rtx1200 "]},
    })))
    .unwrap();
    assert_eq!(
        h.cpes,
        [
            "cpe:2.3:o:yamaha:rtx1200:10.01.65:*:*:*:*:*:*:*",
            "cpe:/h:yamaha:rtx1200"
        ]
    );
    assert_eq!(
        h.windows_kbs_applied,
        ["KB5031356", "KB5031357", "KB5031358", "KB5031359"]
    );
    assert!(h.windows_kbs_unapplied.is_empty());
    // By the inner serverName.
    let h = parse(doc(json!({
        "a": {"serverName": "else", "cpeNames": ["cpe:/a:x:else"]},
        "b": {"serverName": "router", "cpeNames": ["cpe:/a:x:router"]},
    })))
    .unwrap();
    assert_eq!(h.cpes, ["cpe:/a:x:router"]);
    // The only server, whatever it is called.
    let h = parse(doc(json!({"vagrant": {"cpeNames": ["cpe:/a:x:only"]}}))).unwrap();
    assert_eq!(h.cpes, ["cpe:/a:x:only"]);
    // Several servers, none of them this one.
    let h = parse(doc(json!({"a": {"cpeNames": ["cpe:/a:x:a"]}, "b": {}}))).unwrap();
    assert!(h.cpes.is_empty());
}

#[test]
fn vuls_container_and_bom_and_nulls() {
    let doc = json!({
        "serverName": "dockerhost", "family": "alpine", "release": "3.20.3",
        "container": {"containerID": "0123456789ab", "name": "web", "image": "nginx:alpine"},
        "packages": null, "SrcPackages": null, "windowsKB": null, "runningKernel": null,
        "config": null, "scannedCves": {"CVE-2024-0001": {"cveID": "CVE-2024-0001"}},
    });
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend(doc.to_string().as_bytes());
    let h = parse_vuls_result(&bytes).unwrap();
    assert_eq!(h.server_name, "dockerhost");
    assert_eq!(h.container.as_deref(), Some("web"));
    assert_eq!(h.os, os("alpine", Some("3.20.3")));
    assert!(h.packages.is_empty() && h.cpes.is_empty());
}

// ---------------------------------------------------------------- errors

fn field_type_error(v: serde_json::Value) -> (String, &'static str, &'static str) {
    match parse(v) {
        Err(CollectError::VulsFieldType {
            path,
            expected,
            found,
        }) => (path, expected, found),
        other => panic!("expected VulsFieldType, got {other:?}"),
    }
}

#[test]
fn vuls_errors_not_json_or_not_an_object() {
    for bad in [
        &b""[..],
        b"{",
        b"{\"serverName\": \"x\",}",
        b"not json",
        b"\xff\xfe{}",
    ] {
        let err = parse_vuls_result(bad).unwrap_err();
        assert!(
            matches!(err, CollectError::VulsJson { .. }),
            "{bad:?}: {err:?}"
        );
        assert!(err.to_string().contains("not valid JSON"), "{err}");
    }
    for (bad, found) in [
        ("[1, 2]", "an array"),
        ("\"x\"", "a string"),
        ("42", "a number"),
        ("true", "a boolean"),
        ("null", "null"),
    ] {
        let err = parse_vuls_result(bad.as_bytes()).unwrap_err();
        match &err {
            CollectError::VulsNotObject { found: f } => assert_eq!(*f, found),
            other => panic!("{bad}: {other:?}"),
        }
        assert!(err.to_string().contains("not a JSON object"), "{err}");
    }
}

#[test]
fn vuls_errors_missing_required_fields() {
    for doc in [
        json!({"family": "debian"}),
        json!({"serverName": null, "family": "debian"}),
        json!({"serverName": "  ", "family": "debian"}),
    ] {
        let err = parse(doc).unwrap_err();
        assert!(
            matches!(
                err,
                CollectError::VulsMissingField {
                    field: "serverName"
                }
            ),
            "{err:?}"
        );
        assert!(err.to_string().contains("`serverName`"), "{err}");
    }
    let err = parse(json!({"serverName": "x"})).unwrap_err();
    assert!(
        matches!(err, CollectError::VulsMissingField { field: "family" }),
        "{err:?}"
    );
}

#[test]
fn vuls_errors_name_the_field_path() {
    let base = |extra: serde_json::Value| {
        let mut doc = json!({"serverName": "s", "family": "debian", "release": "12"});
        for (k, v) in extra.as_object().unwrap() {
            doc[k] = v.clone();
        }
        doc
    };
    assert_eq!(
        field_type_error(json!({"serverName": 7, "family": "debian"})),
        ("serverName".into(), "a string", "a number")
    );
    assert_eq!(
        field_type_error(json!({"serverName": "s", "family": ["debian"]})),
        ("family".into(), "a string", "an array")
    );
    assert_eq!(
        field_type_error(base(
            json!({"packages": {"openssl": {"name": "openssl", "version": 3}}})
        )),
        ("packages.openssl.version".into(), "a string", "a number")
    );
    assert_eq!(
        field_type_error(base(json!({"packages": [1]}))),
        ("packages".into(), "an object", "an array")
    );
    assert_eq!(
        field_type_error(base(json!({"packages": {"bash": "5.2"}}))),
        ("packages.bash".into(), "an object", "a string")
    );
    assert_eq!(
        field_type_error(base(
            json!({"packages": {"python3.11": {"arch": false, "version": "1"}}})
        )),
        (
            "packages[\"python3.11\"].arch".into(),
            "a string",
            "a boolean"
        )
    );
    assert_eq!(
        field_type_error(base(
            json!({"SrcPackages": {"openssl": {"binaryNames": [null]}}})
        )),
        (
            "SrcPackages.openssl.binaryNames[0]".into(),
            "a string",
            "null"
        )
    );
    assert_eq!(
        field_type_error(base(
            json!({"SrcPackages": {"openssl": {"binaryNames": "libssl3"}}})
        )),
        (
            "SrcPackages.openssl.binaryNames".into(),
            "an array of strings",
            "a string"
        )
    );
    assert_eq!(
        field_type_error(base(
            json!({"windowsKB": {"applied": ["5031356", 5031357]}})
        )),
        ("windowsKB.applied[1]".into(), "a string", "a number")
    );
    assert_eq!(
        field_type_error(base(json!({"runningKernel": "6.1"}))),
        ("runningKernel".into(), "an object", "a string")
    );
    assert_eq!(
        field_type_error(base(
            json!({"config": {"scan": {"servers": {"s": {"cpeNames": "cpe:/a:x:y"}}}}})
        )),
        (
            "config.scan.servers.s.cpeNames".into(),
            "an array of strings",
            "a string"
        )
    );
    let windows = json!({
        "serverName": "w", "family": "windows",
        "packages": {"7-Zip 19.00 (x64 edition)": {"version": "19.0.0.0", "vendor": {}}},
    });
    let (path, _, found) = field_type_error(windows);
    assert_eq!(path, "packages[\"7-Zip 19.00 (x64 edition)\"].vendor");
    assert_eq!(found, "an object");
    // The message names the path.
    let err = parse(base(json!({"packages": {"openssl": {"version": 3}}}))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "Vuls scan result: `packages.openssl.version` should be a string, but is a number"
    );
    // A very long key is shortened in the path.
    let long = "k".repeat(10_000);
    let (path, _, _) = field_type_error(base(json!({"packages": {long: 1}})));
    assert!(path.len() < 200, "{}", path.len());
}

#[test]
fn vuls_refuses_input_over_64_mib() {
    let mut big = vec![b' '; VULS_RESULT_MAX_BYTES + 1];
    big[0] = b'{';
    let err = parse_vuls_result(&big).unwrap_err();
    match &err {
        CollectError::VulsTooLarge { size, limit } => {
            assert_eq!(*size, VULS_RESULT_MAX_BYTES + 1);
            assert_eq!(*limit, 64 * 1024 * 1024);
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("64 MiB"), "{err}");
    // Exactly at the limit is parsed (whitespace around a valid document).
    let doc = json!({"serverName": "s", "family": "pseudo"}).to_string();
    let mut at_limit = vec![b' '; VULS_RESULT_MAX_BYTES];
    at_limit[..doc.len()].copy_from_slice(doc.as_bytes());
    assert_eq!(parse_vuls_result(&at_limit).unwrap().server_name, "s");
}

#[test]
fn vuls_hostile_nesting_does_not_crash() {
    let deep = |n: usize| format!("{}{}", "[".repeat(n), "]".repeat(n));
    // Skipped parts (here `scannedCves`) are walked without recursion: accepted.
    let doc = format!(
        "{{\"serverName\":\"s\",\"family\":\"pseudo\",\"scannedCves\":{}}}",
        deep(200_000)
    );
    assert_eq!(parse_vuls_result(doc.as_bytes()).unwrap().server_name, "s");
    let err = parse_vuls_result(deep(200_000).as_bytes()).unwrap_err();
    assert!(
        matches!(err, CollectError::VulsNotObject { found: "an array" }),
        "{err:?}"
    );
    // Parts that are read hit serde_json's nesting limit.
    let doc = format!(
        "{{\"serverName\":\"s\",\"family\":\"debian\",\"packages\":{{\"a\":{}}}}}",
        deep(200_000)
    );
    let err = parse_vuls_result(doc.as_bytes()).unwrap_err();
    assert!(matches!(err, CollectError::VulsJson { .. }), "{err:?}");
    assert!(err.to_string().contains("recursion limit"), "{err}");
    // Unterminated nesting.
    for prefix in ["", "{\"scannedCves\":", "{\"packages\":{\"a\":"] {
        let doc = format!("{prefix}{}", "[".repeat(200_000));
        let err = parse_vuls_result(doc.as_bytes()).unwrap_err();
        assert!(matches!(err, CollectError::VulsJson { .. }), "{err:?}");
    }
}
