//! What a user notices when uploading CSV files and SBOMs, and downloading CSV.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use encoding_rs::SHIFT_JIS;
use sonae_import::{
    decode_text, parse_sbom, read_csv, write_csv, ImportError, Sbom, SbomComponent, SbomFormat,
    SbomSyntax, SkipReason, TextEncoding, MAX_UPLOAD_BYTES,
};

fn sjis(text: &str) -> Vec<u8> {
    let (bytes, _, unmappable) = SHIFT_JIS.encode(text);
    assert!(!unmappable, "test text must be Shift_JIS-encodable");
    bytes.into_owned()
}

fn fixture(name: &str) -> Vec<u8> {
    let path = format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn sbom(name: &str) -> Sbom {
    parse_sbom(&fixture(name)).unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn component(sbom: &Sbom, name: &str) -> SbomComponent {
    sbom.components
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("no component {name}"))
        .clone()
}

fn s(v: &str) -> Option<String> {
    Some(v.to_owned())
}

// --- CSV upload ------------------------------------------------------------

#[test]
fn shift_jis_csv_from_excel_decodes() {
    let bytes = sjis("Name (名前),ベンダー,Version\r\n受注システム,株式会社サンプル,2.1\r\n①㈱テスト,髙橋商店,3\r\n");
    assert!(std::str::from_utf8(&bytes).is_err(), "really not UTF-8");

    let (_, encoding) = decode_text(&bytes).unwrap();
    assert_eq!(encoding, TextEncoding::ShiftJis);

    let table = read_csv(&bytes).unwrap();
    assert_eq!(table.headers, ["name", "ベンダー", "version"]);
    assert_eq!(table.rows.len(), 2);
    assert_eq!(
        table.rows[0].cells,
        ["受注システム", "株式会社サンプル", "2.1"]
    );
    assert_eq!(table.rows[0].line, 2);
    // Windows-31J extension characters (NEC row 13, IBM extensions).
    assert_eq!(table.rows[1].cells, ["①㈱テスト", "髙橋商店", "3"]);
    assert_eq!(table.column("version"), Some(2));
    assert_eq!(table.rows[1].get(2), Some("3"));
}

#[test]
fn utf8_bom_file_does_not_leak_bom_into_first_header() {
    let bytes = "\u{FEFF}Name,Version\r\n受注システム,2.1\r\n".as_bytes();
    let (text, encoding) = decode_text(bytes).unwrap();
    assert_eq!(encoding, TextEncoding::Utf8Bom);
    assert!(text.starts_with("Name"));

    let table = read_csv(bytes).unwrap();
    assert_eq!(table.headers, ["name", "version"]);
    assert_eq!(table.rows[0].cells, ["受注システム", "2.1"]);
}

#[test]
fn plain_utf8_is_detected() {
    let (text, encoding) = decode_text("受注システム\n".as_bytes()).unwrap();
    assert_eq!(encoding, TextEncoding::Utf8);
    assert_eq!(text, "受注システム\n");
}

#[test]
fn quoted_newlines_keep_physical_line_numbers() {
    let csv = "name,note\n\
               a,\"複数行の\n備考\n三行目\"\n\
               b,x\n\
               \n\
               , \n\
               c,\"y\"\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
    // Record "a" spans lines 2-4; a blank line (6) and an all-empty row (7)
    // are skipped without shifting later numbers.
    assert_eq!(lines, [2, 5, 8]);
    assert_eq!(table.rows[0].cells[1], "複数行の\n備考\n三行目");
    assert_eq!(table.rows[2].cells, ["c", "y"]);
}

#[test]
fn missing_field_reports_its_line() {
    let csv = "name,version,vendor\na,\"1\n.0\",x\nb,2\nc,3,z\n";
    assert_eq!(
        read_csv(csv.as_bytes()),
        Err(ImportError::FieldCount {
            line: 4,
            expected: 3,
            found: 2
        })
    );
    let too_many = "name,version\na,1,surprise\n";
    assert_eq!(
        read_csv(too_many.as_bytes()),
        Err(ImportError::FieldCount {
            line: 2,
            expected: 2,
            found: 3
        })
    );
}

#[test]
fn missing_field_line_is_right_in_shift_jis_too() {
    let bytes = sjis("名前,版\n受注システム,1\n会計システム\n");
    assert_eq!(
        read_csv(&bytes),
        Err(ImportError::FieldCount {
            line: 3,
            expected: 2,
            found: 1
        })
    );
}

#[test]
fn excel_trailing_empty_columns_are_tolerated() {
    let csv = "name,version,,\r\na,1,,\r\nb,2\r\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    assert_eq!(table.headers, ["name", "version"]);
    assert_eq!(table.rows[0].cells, ["a", "1"]);
    assert_eq!(table.rows[1].cells, ["b", "2"]);
}

#[test]
fn cells_and_headers_are_trimmed_and_headers_lowercased() {
    let csv = "  Host Name （ホスト名） , IP \n  web01 ,  10.0.0.1  \n";
    let table = read_csv(csv.as_bytes()).unwrap();
    assert_eq!(table.headers, ["host name", "ip"]);
    assert_eq!(table.rows[0].cells, ["web01", "10.0.0.1"]);
}

#[test]
fn invalid_bytes_report_their_line() {
    // Shift_JIS file, line 3 carries a byte that is a lead byte in neither
    // encoding.
    let mut bytes = sjis("名前,版\n受注システム,1\n");
    bytes.extend_from_slice(b"bad\xFF,2\n");
    bytes.extend_from_slice(&sjis("会計,3\n"));
    assert_eq!(decode_text(&bytes), Err(ImportError::Encoding { line: 3 }));
    assert_eq!(read_csv(&bytes), Err(ImportError::Encoding { line: 3 }));

    // UTF-8 file with a truncated multi-byte character on line 4.
    let mut bytes = "名前,版\n受注システム,1\n会計,2\n".as_bytes().to_vec();
    bytes.extend_from_slice(b"x\xE5\x8F,3\n");
    assert_eq!(read_csv(&bytes), Err(ImportError::Encoding { line: 4 }));
}

#[test]
fn header_problems() {
    assert_eq!(read_csv(b""), Err(ImportError::Empty));
    assert_eq!(read_csv(b"\r\n\r\n,,\r\n"), Err(ImportError::Empty));
    assert_eq!(
        read_csv("Name,name (名前)\n".as_bytes()),
        Err(ImportError::DuplicateHeader {
            column: "name".into()
        })
    );
    assert_eq!(
        read_csv(b"name,,version\n"),
        Err(ImportError::EmptyHeader { column: 2 })
    );
    let only_header = read_csv(b"name,version\n").unwrap();
    assert_eq!(only_header.headers, ["name", "version"]);
    assert!(only_header.rows.is_empty());
}

#[test]
fn unclosed_quote_reports_where_it_opens() {
    let csv = "name,note\na,ok\nb,\"never closed\nc,3\nd,4\n";
    assert_eq!(
        read_csv(csv.as_bytes()),
        Err(ImportError::UnterminatedQuote { line: 3 })
    );
}

#[test]
fn oversized_upload_is_refused() {
    let big = vec![b'a'; MAX_UPLOAD_BYTES + 1];
    assert!(matches!(read_csv(&big), Err(ImportError::TooLarge { .. })));
    assert!(matches!(
        parse_sbom(&big),
        Err(ImportError::TooLarge { .. })
    ));
}

// --- CSV download ----------------------------------------------------------

fn sample_rows() -> Vec<Vec<String>> {
    [
        ["受注システム", "株式会社サンプル", "2.1"],
        ["会計, \"経理\"", "①㈱テスト", "複数行\n備考"],
        ["=HYPERLINK(\"http://evil.example\")", "-", "-1.5"],
        ["@SUM(A1)", "'=literal", "+81-3-0000-0000"],
    ]
    .iter()
    .map(|r| r.iter().map(|c| (*c).to_owned()).collect())
    .collect()
}

#[test]
fn round_trip_in_every_encoding() {
    let headers = ["name", "vendor", "note"];
    let rows = sample_rows();
    for encoding in [
        TextEncoding::Utf8,
        TextEncoding::Utf8Bom,
        TextEncoding::ShiftJis,
    ] {
        let bytes = write_csv(&headers, &rows, encoding).unwrap();
        let (_, detected) = decode_text(&bytes).unwrap();
        assert_eq!(detected, encoding);

        let table = read_csv(&bytes).unwrap();
        assert_eq!(table.headers, headers);
        let cells: Vec<Vec<String>> = table.rows.iter().map(|r| r.cells.clone()).collect();
        assert_eq!(cells, rows, "{encoding:?}");
        // Row 2 holds a two-line cell, so row 3 starts on line 5.
        assert_eq!(table.rows[2].line, 5);
    }
}

#[test]
fn download_bytes_are_what_excel_expects() {
    let rows = vec![vec!["受注システム".to_owned()]];
    let bom = write_csv(&["name"], &rows, TextEncoding::Utf8Bom).unwrap();
    assert!(bom.starts_with(b"\xEF\xBB\xBFname\r\n"));
    let plain = write_csv(&["name"], &rows, TextEncoding::Utf8).unwrap();
    assert_eq!(plain, "name\r\n受注システム\r\n".as_bytes());
    let sj = write_csv(&["name"], &rows, TextEncoding::ShiftJis).unwrap();
    assert_eq!(sj, sjis("name\r\n受注システム\r\n"));
}

#[test]
fn formulas_are_neutralized_for_spreadsheets() {
    let rows = vec![vec!["=cmd|' /C calc'!A0".to_owned(), "-1.5".to_owned()]];
    let bytes = write_csv(&["a", "b"], &rows, TextEncoding::Utf8).unwrap();
    let text = String::from_utf8(bytes).unwrap();
    assert_eq!(text, "a,b\r\n'=cmd|' /C calc'!A0,-1.5\r\n");
}

#[test]
fn emoji_is_unencodable_in_shift_jis() {
    let rows = vec![
        vec!["受注システム".to_owned(), "ok".to_owned()],
        vec!["寿司".to_owned(), "好物🍣です".to_owned()],
    ];
    assert_eq!(
        write_csv(&["name", "note"], &rows, TextEncoding::ShiftJis),
        Err(ImportError::Unencodable {
            line: 3,
            column: 2,
            character: '🍣'
        })
    );
    // The same data is fine in UTF-8.
    assert!(write_csv(&["name", "note"], &rows, TextEncoding::Utf8Bom).is_ok());
}

#[test]
fn ragged_rows_are_refused_on_write() {
    let rows = vec![vec!["a".to_owned()]];
    assert_eq!(
        write_csv(&["name", "version"], &rows, TextEncoding::Utf8),
        Err(ImportError::FieldCount {
            line: 2,
            expected: 2,
            found: 1
        })
    );
}

// --- SBOM: CycloneDX -------------------------------------------------------

#[test]
fn cyclonedx_1_4_to_1_6_dependency_track() {
    for (file, version) in [
        ("cyclonedx-1.4-dependency-track.json", "1.4"),
        ("cyclonedx-1.5-dependency-track.json", "1.5"),
        ("cyclonedx-1.6-dependency-track.json", "1.6"),
    ] {
        let bom = sbom(file);
        assert_eq!(
            bom.format,
            SbomFormat::CycloneDx {
                spec_version: version.into()
            }
        );
        // metadata.component "Acme Application" is the product, not a part.
        assert_eq!(bom.components.len(), 2, "{file}");
        assert!(bom.components.iter().all(|c| c.name != "Acme Application"));
        assert!(bom.skipped.is_empty());
        assert_eq!(
            component(&bom, "tomcat-catalina"),
            SbomComponent {
                name: "tomcat-catalina".into(),
                version: s("9.0.14"),
                // No supplier: publisher wins over group.
                vendor: s("Acme Inc"),
                cpe: None,
                purl: s("pkg:npm/acme/component@1.0.0"),
            }
        );
        let mylib = component(&bom, "mylibrary");
        assert_eq!(mylib.version, s("1.0.0"));
        assert_eq!(mylib.vendor, s("Example, Inc."));
    }
}

#[test]
fn cyclonedx_1_7_with_cpe() {
    let bom = sbom("cyclonedx-1.7-dependency-track.json");
    assert_eq!(
        bom.format,
        SbomFormat::CycloneDx {
            spec_version: "1.7".into()
        }
    );
    assert_eq!(bom.components.len(), 3);
    assert_eq!(
        component(&bom, "mylibrary"),
        SbomComponent {
            name: "mylibrary".into(),
            version: s("1.0.0"),
            vendor: s("Example, Inc."),
            cpe: s("cpe:/a:example:myapplication:1.0.0"),
            purl: s("pkg:maven/com.example/myapplication@1.0.0?packaging=war"),
        }
    );
    // Neither supplier nor publisher: group is the vendor.
    assert_eq!(component(&bom, "myframework").vendor, s("com.example"));
    assert_eq!(
        component(&bom, "tomcat-catalina").purl,
        s("pkg:maven/com.acme/tomcat-catalina@9.0.14?packaging=jar")
    );
}

#[test]
fn cyclonedx_real_project_laravel() {
    let bom = sbom("cyclonedx-1.4-laravel.json");
    assert_eq!(bom.components.len(), 62);
    assert!(bom.skipped.is_empty());
    assert_eq!(
        component(&bom, "framework"),
        SbomComponent {
            name: "framework".into(),
            version: s("v7.30.6"),
            vendor: s("laravel"),
            cpe: None,
            purl: s("pkg:composer/laravel/framework@v7.30.6"),
        }
    );
}

#[test]
fn cyclonedx_operating_system_with_cpe() {
    let bom = sbom("cyclonedx-1.4-obom.json");
    assert_eq!(
        bom.components,
        [SbomComponent {
            name: "Red Hat Enterprise Linux".into(),
            version: s("8.0"),
            vendor: s("Red Hat"),
            cpe: s("cpe:2.3:o:redhat:enterprise_linux:8.0:*:*:*:*:*:*:*"),
            purl: None,
        }]
    );
}

#[test]
fn cyclonedx_hardware_is_skipped_with_reason() {
    let bom = sbom("cyclonedx-1.4-hbom.json");
    assert!(bom.components.is_empty());
    assert_eq!(bom.skipped.len(), 6);
    assert!(bom.skipped.iter().all(|s| s.reason
        == SkipReason::NotSoftware {
            component_type: "device".into()
        }));
    assert_eq!(bom.skipped[0].index, 0);
    assert_eq!(bom.skipped[0].name, s("PCIE-098-02-F-D-EMS2"));
}

#[test]
fn cyclonedx_product_only_bom_imports_the_product() {
    let bom = sbom("cyclonedx-1.4-saasbom.json");
    assert_eq!(
        bom.components,
        [SbomComponent {
            name: "Acme Cloud Example".into(),
            version: s("2022-1"),
            vendor: None,
            cpe: None,
            purl: None,
        }]
    );
}

#[test]
fn cyclonedx_nested_components_duplicates_and_odd_entries() {
    let json = r#"{
      "bomFormat": "CycloneDX", "specVersion": "1.5",
      "metadata": {"component": {"type": "application", "name": "受注システム", "version": "3.0"}},
      "components": [
        {"type": "library", "name": "outer", "version": "1", "bom-ref": "o",
         "components": [
           {"type": "library", "name": "inner", "version": "2", "purl": "pkg:npm/inner@2"},
           {"type": "file", "name": "README.txt", "bom-ref": "f"}
         ]},
        {"type": "device", "name": "board",
         "components": [{"type": "firmware", "name": "bios", "version": "1.2",
                         "authors": [{"name": "BIOS Co"}]}]},
        {"type": "library", "name": "  ", "bom-ref": "noname"},
        {"name": "untyped", "version": "", "supplier": {"name": " Supplier K.K. "}},
        {"type": "library", "name": "inner", "version": "2", "purl": "pkg:npm/inner@2", "bom-ref": "dup"},
        42
      ]
    }"#;
    let bom = parse_sbom(json.as_bytes()).unwrap();
    let names: Vec<&str> = bom.components.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["outer", "inner", "bios", "untyped"]);
    assert_eq!(component(&bom, "bios").vendor, s("BIOS Co"));
    let untyped = component(&bom, "untyped");
    assert_eq!(untyped.version, None);
    assert_eq!(untyped.vendor, s("Supplier K.K."));

    let skipped: Vec<(usize, Option<String>, SkipReason)> = bom
        .skipped
        .iter()
        .map(|s| (s.index, s.reference.clone(), s.reason.clone()))
        .collect();
    assert_eq!(
        skipped,
        [
            (
                2,
                s("f"),
                SkipReason::NotSoftware {
                    component_type: "file".into()
                }
            ),
            (
                3,
                None,
                SkipReason::NotSoftware {
                    component_type: "device".into()
                }
            ),
            (5, s("noname"), SkipReason::MissingName),
            (7, s("dup"), SkipReason::Duplicate),
            (8, None, SkipReason::NotAnObject),
        ]
    );
}

#[test]
fn cyclonedx_versions_outside_the_json_range() {
    let old = r#"{"bomFormat": "CycloneDX", "specVersion": "1.1", "components": []}"#;
    assert_eq!(
        parse_sbom(old.as_bytes()).map(|s| s.format),
        Err(ImportError::UnsupportedSbomVersion("CycloneDX-1.1".into()))
    );
    let none = r#"{"bomFormat": "CycloneDX"}"#;
    assert_eq!(
        parse_sbom(none.as_bytes()).map(|s| s.format),
        Err(ImportError::UnsupportedSbomVersion("CycloneDX-".into()))
    );
}

// --- SBOM: SPDX ------------------------------------------------------------

#[test]
fn spdx_2_3_acme() {
    let bom = sbom("spdx-2.3-acme.json");
    assert_eq!(
        bom.format,
        SbomFormat::Spdx {
            version: "2.3".into()
        }
    );
    assert_eq!(bom.components.len(), 4);
    // The described root package is kept, its supplier e-mail dropped.
    let root = component(&bom, "Acme Applcation");
    assert_eq!(root.version, s("2.3"));
    assert_eq!(root.vendor, s("Jane Doe"));
    assert_eq!(
        component(&bom, "elliptic"),
        SbomComponent {
            name: "elliptic".into(),
            version: s("6.5.2"),
            vendor: None,
            cpe: None,
            purl: s("pkg:npm/elliptic@6.5.2"),
        }
    );
    assert_eq!(
        component(&bom, "OpenSSL").purl,
        s("pkg:alpine/openssl@3.0.4")
    );
}

#[test]
fn spdx_2_3_describes_relationship_root_is_kept() {
    let bom = sbom("spdx-2.3-examplemaven.json");
    assert_eq!(bom.components.len(), 6);
    let root = component(&bom, "examplemaven");
    assert_eq!(root.version, s("0.0.1"));
    assert_eq!(root.vendor, s("SPDX"));
    assert_eq!(component(&bom, "JUnit").version, s("3.8.1"));
    assert_eq!(component(&bom, "Apache Log4j Core").version, None);
}

#[test]
fn spdx_2_2_appbomination() {
    let bom = sbom("spdx-2.2-appbomination.json");
    assert_eq!(
        bom.format,
        SbomFormat::Spdx {
            version: "2.2".into()
        }
    );
    assert_eq!(bom.components.len(), 7);
    assert_eq!(
        component(&bom, "slf4j-api").purl,
        s("pkg:maven/org.slf4j/slf4j-api@1.7.21")
    );
    assert_eq!(component(&bom, "App-BOM-ination").vendor, s("ACT Project"));
}

#[test]
fn spdx_cpe_and_vendor_rules() {
    let json = r#"{
      "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT",
      "packages": [
        {"SPDXID": "SPDXRef-a", "name": "openssl", "versionInfo": "3.0.4",
         "supplier": "NOASSERTION", "originator": "Organization: OpenSSL Project",
         "externalRefs": [
           {"referenceCategory": "SECURITY", "referenceType": "cpe22Type",
            "referenceLocator": "cpe:/a:openssl:openssl:3.0.4"},
           {"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
            "referenceLocator": "cpe:2.3:a:openssl:openssl:3.0.4:*:*:*:*:*:*:*"},
           {"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
            "referenceLocator": "cpe:2.3:a:second:ignored:3.0.4:*:*:*:*:*:*:*"},
           {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
            "referenceLocator": "pkg:generic/openssl@3.0.4"}
         ]},
        {"SPDXID": "SPDXRef-b", "name": "legacy", "versionInfo": "NOASSERTION",
         "supplier": "Organization: 株式会社サンプル",
         "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe22Type",
                           "referenceLocator": "cpe:/a:sample:legacy"}]},
        {"SPDXID": "SPDXRef-c", "name": "NOASSERTION"},
        {"SPDXID": "SPDXRef-d", "name": "legacy", "versionInfo": "NOASSERTION",
         "externalRefs": [{"referenceCategory": "SECURITY", "referenceType": "cpe22Type",
                           "referenceLocator": "cpe:/a:sample:legacy"}]}
      ]
    }"#;
    let bom = parse_sbom(json.as_bytes()).unwrap();
    assert_eq!(
        bom.components,
        [
            SbomComponent {
                name: "openssl".into(),
                version: s("3.0.4"),
                vendor: s("OpenSSL Project"),
                cpe: s("cpe:2.3:a:openssl:openssl:3.0.4:*:*:*:*:*:*:*"),
                purl: s("pkg:generic/openssl@3.0.4"),
            },
            SbomComponent {
                name: "legacy".into(),
                version: None,
                vendor: s("株式会社サンプル"),
                cpe: s("cpe:/a:sample:legacy"),
                purl: None,
            },
        ]
    );
    let skipped: Vec<(usize, Option<String>, SkipReason)> = bom
        .skipped
        .iter()
        .map(|s| (s.index, s.reference.clone(), s.reason.clone()))
        .collect();
    assert_eq!(
        skipped,
        [
            (2, s("SPDXRef-c"), SkipReason::MissingName),
            (3, s("SPDXRef-d"), SkipReason::Duplicate),
        ]
    );
}

#[test]
fn spdx_3_and_old_spdx_are_named_not_unknown() {
    assert_eq!(
        parse_sbom(&fixture("spdx-3.0-example11.json")).map(|s| s.format),
        Err(ImportError::UnsupportedSbomVersion("SPDX-3.0.1".into()))
    );
    assert_eq!(
        parse_sbom(br#"{"spdxVersion": "SPDX-2.1", "packages": []}"#).map(|s| s.format),
        Err(ImportError::UnsupportedSbomVersion("SPDX-2.1".into()))
    );
}

// --- SBOM: not an SBOM -----------------------------------------------------

#[test]
fn broken_json_gives_line_and_column() {
    // Missing comma after "1.5" on line 3; serde_json stops at line 4 col 3.
    let json =
        "{\n  \"bomFormat\": \"CycloneDX\",\n  \"specVersion\": \"1.5\"\n  \"components\": []\n}\n";
    assert_eq!(
        parse_sbom(json.as_bytes()).map(|s| s.format),
        Err(ImportError::Json { line: 4, column: 3 })
    );
    // A file cut off mid-upload.
    let fixture = fixture("cyclonedx-1.6-dependency-track.json");
    let cut = &fixture[..fixture.len() / 2];
    assert!(matches!(
        parse_sbom(cut),
        Err(ImportError::Json { line, .. }) if line > 1
    ));
}

#[test]
fn unrelated_json_is_unknown_format() {
    for json in [
        r#"{"vulnerabilities": [{"id": "CVE-2024-0001"}]}"#,
        r#"[{"name": "openssl"}]"#,
        r#"{"bomFormat": "NotCycloneDX", "specVersion": "1.5"}"#,
        "42",
    ] {
        assert_eq!(
            parse_sbom(json.as_bytes()).map(|s| s.format),
            Err(ImportError::UnknownSbomFormat),
            "{json}"
        );
    }
}

#[test]
fn xml_and_tag_value_sboms_are_recognized() {
    let xml = b"<?xml version=\"1.0\"?>\n<bom xmlns=\"http://cyclonedx.org/schema/bom/1.4\"/>";
    assert_eq!(
        parse_sbom(xml).map(|s| s.format),
        Err(ImportError::SbomNotJson(SbomSyntax::Xml))
    );
    let tv = b"SPDXVersion: SPDX-2.3\nDataLicense: CC0-1.0\n";
    assert_eq!(
        parse_sbom(tv).map(|s| s.format),
        Err(ImportError::SbomNotJson(SbomSyntax::SpdxTagValue))
    );
}

#[test]
fn json_with_utf8_bom_is_accepted() {
    let mut bytes = b"\xEF\xBB\xBF".to_vec();
    bytes.extend_from_slice(&fixture("cyclonedx-1.6-dependency-track.json"));
    assert_eq!(parse_sbom(&bytes).unwrap().components.len(), 2);
}

#[test]
fn line_numbers_survive_crlf_and_blank_lines() {
    let csv = "name,v\r\n\r\na,1\r\n\r\n\r\nb,\"x\r\ny\"\r\nc,3\r\n";
    let table = read_csv(csv.as_bytes()).unwrap();
    let lines: Vec<u64> = table.rows.iter().map(|r| r.line).collect();
    assert_eq!(lines, [3, 6, 8]);
    let lf = "\n\nname,v\n\na,1\n";
    assert_eq!(read_csv(lf.as_bytes()).unwrap().rows[0].line, 5);
}
