#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]
//! JVN iPedia parser tests on real VULDEF / JVNRSS files (see
//! `fixtures/jvn/SOURCE.md`) and on variants derived from them in memory.

use sonae_domain::vuln::{AffectedProduct, CveId, Cvss, Feed, Reference, SourceRecord};
use sonae_feeds::jvn::{parse, ApiStatus, JvnDocument, JvnFormat};
use sonae_feeds::{Collect, FeedError, ParseStats};
use std::time::{Duration, Instant};

fn fixture(name: &str) -> String {
    let path = format!("{}/tests/fixtures/jvn/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn run(xml: &str) -> Result<(JvnDocument, Collect), FeedError> {
    let mut sink = Collect::default();
    let doc = parse(&mut xml.as_bytes(), &mut sink)?;
    Ok((doc, sink))
}

fn run_ok(xml: &str) -> (JvnDocument, Collect) {
    run(xml).unwrap()
}

fn record<'a>(c: &'a Collect, id: &str) -> &'a SourceRecord {
    c.records
        .iter()
        .find(|r| r.id == id)
        .unwrap_or_else(|| panic!("no record {id}"))
}

fn cves(r: &SourceRecord) -> Vec<&str> {
    r.cves.iter().map(CveId::as_str).collect()
}

fn cvss<'a>(r: &'a SourceRecord, version: &str) -> &'a Cvss {
    r.cvss
        .iter()
        .find(|c| c.version == version)
        .unwrap_or_else(|| panic!("{}: no CVSS {version}", r.id))
}

// ---------------------------------------------------------------- VULDEF

#[test]
fn vuldef_detail_feed_2022() {
    // `grep -c '<Vulinfo>' jvndb_detail_2022.rdf` = 2
    let (doc, c) = run_ok(&fixture("jvndb_detail_2022.rdf"));
    assert_eq!(doc.format, JvnFormat::Vuldef);
    assert_eq!(
        doc.stats,
        ParseStats {
            records: 2,
            skipped: 0
        }
    );
    assert_eq!(c.records.len(), 2);
    assert!(c.skipped.is_empty());
    let status = doc.status.as_ref().unwrap();
    assert_eq!(status.ret_cd, Some(0));
    assert!(!status.is_error());
    assert_eq!(status.total_res, Some(1406));
    assert_eq!(status.total_res_ret, Some(1406));
    assert_eq!(status.first_res, None); // firstRes=""
    assert_eq!(status.err_msg, None); // errMsg=""

    let r = record(&c, "JVNDB-2022-000001");
    assert_eq!(r.feed, Feed::Jvn);
    assert_eq!(r.lang, "ja");
    assert_eq!(
        r.title.as_deref(),
        Some("キヤノン製レーザープリンターおよびスモールオフィス向け複合機におけるクロスサイトスクリプティングの脆弱性")
    );
    assert!(r
        .description
        .as_deref()
        .unwrap()
        .starts_with("キヤノン株式会社が提供するレーザープリンターおよびスモールオフィス向け複合機には、格納型クロスサイトスクリプティング (CWE-79) の脆弱性が存在します。"));
    assert_eq!(
        cvss(r, "3.0"),
        &Cvss {
            version: "3.0".into(),
            base_score: 4.8,
            vector: Some("CVSS:3.0/AV:N/AC:L/PR:H/UI:R/S:C/C:L/I:L/A:N".into()),
            severity: Some("MEDIUM".into()),
            source: Some("JVN".into()),
            primary: true,
        }
    );
    assert_eq!(cvss(r, "2.0").base_score, 3.5);
    assert_eq!(cvss(r, "2.0").severity.as_deref(), Some("LOW"));
    assert_eq!(r.best_cvss().map(|c| c.base_score), Some(4.8));
    assert_eq!(cves(r), ["CVE-2021-20877"]);
    assert_eq!(r.aliases, ["JVN#64806328"]);
    assert_eq!(r.cwes, ["CWE-79"]);
    // `<VersionNumber/>` is empty, and there is no <Cpe>.
    assert_eq!(
        r.affected,
        [AffectedProduct {
            vendor: "キヤノン".into(),
            product: "(複数の製品)".into(),
            cpe: None,
            versions: vec![],
        }]
    );
    assert_eq!(r.references.len(), 4);
    assert!(r.references.contains(&Reference {
        url: "https://www.cve.org/CVERecord?id=CVE-2021-20877".into(),
        source: Some("Common Vulnerabilities and Exposures (CVE)".into()),
        tags: vec!["advisory".into()],
    }));
    assert!(r.references.contains(&Reference {
        url: "https://cweb.canon.jp/e-support/info/211221xss.html".into(),
        source: Some("Canon".into()),
        tags: vec!["vendor".into()],
    }));
    // 2022-01-19T12:05:15+09:00
    assert_eq!(r.published.as_deref(), Some("2022-01-19T03:05:15Z"));
    assert_eq!(r.modified.as_deref(), Some("2022-01-19T03:05:15Z"));
    assert_eq!(r.vulnerability_ids(), ["CVE-2021-20877"]);

    let r = record(&c, "JVNDB-2022-000002");
    assert_eq!(
        r.title.as_deref(),
        Some("WordPress 用プラグイン Quiz And Survey Master における複数の脆弱性")
    );
    assert_eq!(
        r.affected,
        [AffectedProduct {
            vendor: "ExpressTech".into(),
            product: "Quiz And Survey Master".into(),
            cpe: Some("cpe:/a:expresstech:quiz_and_survey_master".into()),
            versions: vec!["7.3.7 より前のバージョン".into()],
        }]
    );
    assert_eq!(cves(r), ["CVE-2022-0180", "CVE-2022-0181", "CVE-2022-0182"]);
    assert_eq!(r.cwes, ["CWE-79", "CWE-352"]);
    assert_eq!(cvss(r, "2.0").base_score, 4.0); // <Base>4</Base>
    assert_eq!(cvss(r, "3.0").base_score, 5.4);
    assert_eq!(r.published.as_deref(), Some("2022-01-12T03:08:20Z"));
}

#[test]
fn vuldef_official_data_feed_example() {
    // `grep -c '<Vulinfo>' dataFeed_jvndb_detail_hnd.xml` = 7
    let (doc, c) = run_ok(&fixture("dataFeed_jvndb_detail_hnd.xml"));
    assert_eq!(doc.format, JvnFormat::Vuldef);
    assert_eq!(doc.stats.records, 7);
    assert_eq!(doc.stats.skipped, 0);
    assert_eq!(doc.status.as_ref().unwrap().total_res, Some(2346));
    let ids: Vec<&str> = c.records.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(
        ids,
        [
            "JVNDB-2025-000001",
            "JVNDB-2025-000002",
            "JVNDB-2025-000003",
            "JVNDB-2017-009608",
            "JVNDB-2018-009328",
            "JVNDB-2021-002774",
            "JVNDB-2022-000097"
        ]
    );

    let r = record(&c, "JVNDB-2025-000001");
    assert_eq!(
        r.affected[0].vendor,
        "プラネックスコミュニケーションズ株式会社"
    );
    assert_eq!(
        r.affected[0].cpe.as_deref(),
        Some("cpe:/o:planex:mzk-dp300n")
    );
    assert_eq!(
        r.affected[0].versions,
        ["ファームウェアバージョン 1.05およびそれ以前"]
    );
    assert_eq!(r.cvss.len(), 1);
    assert_eq!(r.aliases, ["JVN#57428125"]);

    // NEC Aterm: 11 affected items, versions in prose with CVE notes.
    let r = record(&c, "JVNDB-2025-000002");
    assert_eq!(
        r.title.as_deref(),
        Some("NEC Atermシリーズにおける複数の脆弱性（NV25-003）")
    );
    assert_eq!(r.affected.len(), 11);
    assert_eq!(
        r.affected[0],
        AffectedProduct {
            vendor: "日本電気".into(),
            product: "Aterm GB1200PE ファームウェア".into(),
            cpe: Some("cpe:/o:nec:aterm_gb1200pe_firmware".into()),
            versions: vec!["Ver.1.3.0より前のバージョン（CVE-2025-0355）".into()],
        }
    );
    assert_eq!(cves(r), ["CVE-2025-0354", "CVE-2025-0355", "CVE-2025-0356"]);
    assert_eq!(r.cwes, ["CWE-78", "CWE-Other", "CWE-79"]);
    // `&lt;ul&gt;` in the overview decodes to literal markup text.
    assert!(r.description.as_deref().unwrap().contains("<ul><li>"));
    let v3 = cvss(r, "3.0");
    assert_eq!(v3.base_score, 7.5);
    assert_eq!(v3.severity.as_deref(), Some("HIGH"));

    // CVE and NVD related items name the same CVE: listed once.
    let r = record(&c, "JVNDB-2017-009608");
    assert_eq!(cves(r), ["CVE-2017-14937"]);

    assert!(record(&c, "JVNDB-2018-009328").cves.is_empty());
}

#[test]
fn vuldef_jvn_only_entry_without_cve() {
    // `grep -c 'CVE-' getVulnDetailInfo_hnd_JVNDB-2018-009328.xml` = 0
    let (doc, c) = run_ok(&fixture("getVulnDetailInfo_hnd_JVNDB-2018-009328.xml"));
    assert_eq!(doc.stats.records, 1);
    let r = &c.records[0];
    assert_eq!(r.id, "JVNDB-2018-009328");
    assert_eq!(
        r.title.as_deref(),
        Some("JP1/VERITAS 製品における複数の脆弱性")
    );
    assert_eq!(
        r.description.as_deref(),
        Some("JP1/VERITAS 製品に複数の脆弱性が存在します。")
    );
    assert!(r.cves.is_empty());
    assert!(r.aliases.is_empty());
    assert_eq!(r.vulnerability_ids(), ["JVNDB-2018-009328"]);
    assert_eq!(r.cwes, ["CWE-noinfo"]);
    assert_eq!(
        r.affected,
        [
            AffectedProduct {
                vendor: "ベリタス".into(),
                product: "Veritas NetBackup".into(),
                cpe: Some("cpe:/a:veritas:netbackup".into()),
                versions: vec!["7.7".into(), "8.0".into(), "8.1".into()],
            },
            AffectedProduct {
                vendor: "日立".into(),
                product: "JP1/VERITAS NetBackup".into(),
                cpe: Some("cpe:/a:hitachi:jp1_veritas_netbackup".into()),
                versions: vec!["7.7".into(), "8.0".into(), "8.1".into()],
            },
        ]
    );
    assert_eq!(cvss(r, "3.0").base_score, 9.8);
    assert_eq!(cvss(r, "3.0").severity.as_deref(), Some("CRITICAL"));
    assert_eq!(cvss(r, "2.0").base_score, 10.0);
    assert_eq!(r.references.len(), 5);
    // DateFirstPublished 2018-11-15T16:17:27+09:00, DateLastUpdated 2018-11-20T12:12:04+09:00
    assert_eq!(r.published.as_deref(), Some("2018-11-15T07:17:27Z"));
    assert_eq!(r.modified.as_deref(), Some("2018-11-20T03:12:04Z"));
    assert_eq!(
        doc.status,
        Some(ApiStatus {
            ret_cd: Some(0),
            err_msg: None,
            total_res: Some(1),
            total_res_ret: Some(1),
            first_res: Some(1),
            ret_max: Some(10),
            err_cd: None,
        })
    );
}

#[test]
fn vuldef_falls_back_to_date_public() {
    let xml = fixture("jvndb_detail_2022.rdf")
        .replace(
            "<DateFirstPublished>2022-01-19T12:05:15+09:00</DateFirstPublished>",
            "",
        )
        .replace(
            "<DateLastUpdated>2022-01-19T12:05:15+09:00</DateLastUpdated>",
            "",
        );
    let (_, c) = run_ok(&xml);
    let r = record(&c, "JVNDB-2022-000001");
    // DatePublic 2022-01-19T00:00:00+09:00
    assert_eq!(r.published.as_deref(), Some("2022-01-18T15:00:00Z"));
    assert_eq!(r.modified, None);
}

// ---------------------------------------------------------------- JVNRSS

#[test]
fn jvnrss_yearly_feed_2022() {
    // `grep -c '<item ' jvndb_2022.rdf` = 3; sec = http://jvn.jp/rss/mod_sec/
    let (doc, c) = run_ok(&fixture("jvndb_2022.rdf"));
    assert_eq!(doc.format, JvnFormat::Jvnrss);
    assert_eq!(
        doc.stats,
        ParseStats {
            records: 3,
            skipped: 0
        }
    );
    assert_eq!(doc.status, None);

    let r = record(&c, "JVNDB-2021-018345");
    assert_eq!(r.title.as_deref(), Some("Android における脆弱性"));
    // "…存在します。&#13;\n&#13;\n": CRs decoded, normalized and trimmed.
    assert_eq!(
        r.description.as_deref(),
        Some("Android には、不特定の脆弱性が存在します。")
    );
    // CVE and NVD references name the same CVE: listed once.
    assert_eq!(cves(r), ["CVE-2022-22292"]);
    assert_eq!(r.cwes, ["CWE-noinfo"]);
    assert_eq!(
        r.affected,
        [AffectedProduct {
            vendor: "Google".into(),
            product: "Android".into(),
            cpe: Some("cpe:/o:google:android".into()),
            versions: vec![],
        }]
    );
    assert_eq!(r.cvss.len(), 2);
    assert_eq!(
        cvss(r, "3.0"),
        &Cvss {
            version: "3.0".into(),
            base_score: 7.8,
            vector: Some("CVSS:3.0/AV:L/AC:L/PR:L/UI:N/S:U/C:H/I:H/A:H".into()),
            severity: Some("HIGH".into()),
            source: Some("JVN".into()),
            primary: true,
        }
    );
    assert_eq!(r.references.len(), 4);
    // `&amp;` in the URL decoded.
    assert!(r.references.contains(&Reference {
        url: "https://security.samsungmobile.com/securityUpdate.smsb?year=2022&month=2".into(),
        source: Some("関連文書".into()),
        tags: vec![],
    }));
    assert!(r.references.contains(&Reference {
        url: "https://www.cve.org/CVERecord?id=CVE-2022-22292".into(),
        source: Some("CVE".into()),
        tags: vec![],
    }));
    // 2023-06-01T11:12+09:00
    assert_eq!(r.published.as_deref(), Some("2023-06-01T02:12:00Z"));
    assert_eq!(r.modified.as_deref(), Some("2023-06-01T02:12:00Z"));

    let r = record(&c, "JVNDB-2022-000001");
    assert_eq!(
        r.description.as_deref(),
        Some("キヤノン株式会社が提供するレーザープリンターおよびスモールオフィス向け複合機には、格納型クロスサイトスクリプティング (CWE-79) の脆弱性が存在します。\n\nこの脆弱性情報は、情報セキュリティ早期警戒パートナーシップに基づき下記の方が IPA に報告し、JPCERT/CC が開発者との調整を行いました。\n報告者: 株式会社イエラエセキュリティ 村島 正浩 氏")
    );
    assert_eq!(r.aliases, ["JVN#64806328"]);
    assert!(r.affected.is_empty());

    let r = record(&c, "JVNDB-2023-002068");
    assert_eq!(cves(r), ["CVE-2022-25027"]);
    assert_eq!(r.cwes, ["CWE-640"]);
    assert_eq!(r.affected[0].vendor, "Rocket Software");
}

#[test]
fn jvnrss_and_vuldef_agree_on_the_same_entry() {
    let (_, rss) = run_ok(&fixture("jvndb_2022.rdf"));
    let (_, det) = run_ok(&fixture("jvndb_detail_2022.rdf"));
    let a = record(&rss, "JVNDB-2022-000001");
    let b = record(&det, "JVNDB-2022-000001");
    assert_eq!(a.title, b.title);
    assert_eq!(a.cves, b.cves);
    assert_eq!(a.aliases, b.aliases);
    assert_eq!(a.cwes, b.cwes);
    assert_eq!(a.cvss, b.cvss);
    // RSS dates have minute precision: 2022-01-19T12:05+09:00.
    assert_eq!(a.published.as_deref(), Some("2022-01-19T03:05:00Z"));
}

#[test]
fn jvnrss_2007_alias_and_http_urls() {
    let (doc, c) = run_ok(&fixture("jvndb_2007.rdf"));
    assert_eq!(doc.stats.records, 1);
    let r = &c.records[0];
    assert_eq!(r.id, "JVNDB-2007-000127");
    assert_eq!(
        r.title.as_deref(),
        Some("トレンドマイクロ ウイルス検索エンジンの UPX ファイル処理にバッファオーバーフローの脆弱性")
    );
    assert_eq!(cves(r), ["CVE-2007-0851"]);
    assert_eq!(r.aliases, ["JVNVU#276432"]);
    assert!(r.cwes.is_empty());
    assert_eq!(r.affected[0].vendor, "トレンドマイクロ");
    assert_eq!(
        r.affected[0].cpe.as_deref(),
        Some("cpe:/a:trendmicro:scan_engine")
    );
    assert_eq!(r.references.len(), 5);
    assert_eq!(r.cvss.len(), 1);
    assert_eq!(cvss(r, "2.0").base_score, 5.4);
    // 2007-04-01T00:00+09:00
    assert_eq!(r.published.as_deref(), Some("2007-03-31T15:00:00Z"));
}

#[test]
fn myjvn_overview_list_api_response() {
    // `grep -c '<item ' getVulnOverviewList_hnd.xml` = 2; sec = …/mod_sec/3.0/
    let (doc, c) = run_ok(&fixture("getVulnOverviewList_hnd.xml"));
    assert_eq!(doc.format, JvnFormat::Jvnrss);
    assert_eq!(doc.stats.records, 2);
    assert_eq!(doc.stats.skipped, 0);
    assert_eq!(
        doc.status,
        Some(ApiStatus {
            ret_cd: Some(0),
            err_msg: None,
            total_res: Some(6),
            total_res_ret: Some(2),
            first_res: Some(1),
            ret_max: Some(50),
            err_cd: None,
        })
    );

    let r = record(&c, "JVNDB-2025-002953");
    assert_eq!(
        r.title.as_deref(),
        Some("WordPress 用 Sunshine Photo Cart における信頼できないデータのデシリアライゼーションに関する脆弱性")
    );
    assert_eq!(cves(r), ["CVE-2025-31084"]);
    assert_eq!(r.cwes, ["CWE-502"]);
    let v3 = cvss(r, "3.0");
    assert_eq!(v3.base_score, 9.8);
    assert_eq!(v3.severity.as_deref(), Some("CRITICAL"));
    assert_eq!(
        v3.vector.as_deref(),
        Some("CVSS:3.0/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H")
    );
    // Element text spread over lines is trimmed.
    assert_eq!(
        r.affected[0].cpe.as_deref(),
        Some("cpe:/a:sunshinephotocart:sunshine_photo_cart")
    );
    assert!(r
        .references
        .iter()
        .any(|x| x.url == "https://cwe.mitre.org/data/definitions/502.html"));
    // 2025-04-04T14:45:58+09:00
    assert_eq!(r.published.as_deref(), Some("2025-04-04T05:45:58Z"));

    let r = record(&c, "JVNDB-2025-002884");
    assert!(r.cvss.is_empty());
    assert_eq!(cves(r), ["CVE-2025-23120"]);
    assert_eq!(r.aliases, ["JVNVU#99709964"]);
    assert_eq!(
        r.affected,
        [
            AffectedProduct {
                vendor: "Rockwell Automation".into(),
                product: "Industrial Data Center (IDC) with Veeam".into(),
                cpe: Some(
                    "cpe:/a:rockwellautomation:industrial_data_center_%28idc%29_with_veeam".into()
                ),
                versions: vec![],
            },
            AffectedProduct {
                vendor: "Rockwell Automation".into(),
                product: "VersaVirtual Appliance (VVA) with Veeam".into(),
                cpe: Some(
                    "cpe:/a:rockwellautomation:versavirtual_appliance_%28vva%29_with_veeam".into()
                ),
                versions: vec![],
            },
        ]
    );
    assert!(r.references.contains(&Reference {
        url: "https://www.cisa.gov/news-events/ics-advisories/icsa-25-091-01".into(),
        source: Some("ICS-CERT ADVISORY".into()),
        tags: vec![],
    }));
}

#[test]
fn myjvn_data_feed_with_unquoted_status_attribute() {
    // The official example's trailer has `retCd= 0` (not well-formed XML);
    // the items still load and the trailer is read leniently.
    // `grep -c '<item ' dataFeed_jvndb_rss_hnd.xml` = 4
    let (doc, c) = run_ok(&fixture("dataFeed_jvndb_rss_hnd.xml"));
    assert_eq!(doc.stats.records, 4);
    assert_eq!(doc.stats.skipped, 0);
    let status = doc.status.unwrap();
    assert_eq!(status.total_res, Some(26432));
    assert_eq!(status.total_res_ret, Some(26432));
    assert_eq!(status.ret_cd, Some(0));
    let r = record(&c, "JVNDB-2023-028576");
    assert_eq!(
        r.affected[0].cpe.as_deref(),
        Some("cpe:/a:lg:simple_editor")
    );
    assert_eq!(cvss(r, "3.0").base_score, 7.8);
    assert_eq!(
        record(&c, "JVNDB-2023-028577").cwes,
        ["CWE-749", "CWE-Other"]
    );
}

#[test]
fn api_error_status_is_reported_not_failed() {
    let xml = fixture("getVulnOverviewList_hnd.xml")
        .replace("retCd=\"0\"", "retCd=\"1\"")
        .replace("errCd=\"\"", "errCd=\"100\"")
        .replace("errMsg=\"\"", "errMsg=\"パラメータ不正\"");
    let (doc, _) = run_ok(&xml);
    let s = doc.status.unwrap();
    assert!(s.is_error());
    assert_eq!(s.ret_cd, Some(1));
    assert_eq!(s.err_cd.as_deref(), Some("100"));
    assert_eq!(s.err_msg.as_deref(), Some("パラメータ不正"));
}

// ------------------------------------------------------- namespace variants

fn https_variant(xml: &str) -> String {
    let out = xml
        .replace("\"http://jvn.jp/vuldef/\"", "\"https://jvn.jp/vuldef/\"")
        .replace(
            "\"http://jvn.jp/rss/mod_sec/3.0/\"",
            "\"https://jvn.jp/rss/mod_sec/3.0/\"",
        )
        .replace(
            "\"http://jvn.jp/rss/mod_sec/\"",
            "\"https://jvn.jp/rss/mod_sec/\"",
        )
        .replace(
            "\"http://jvndb.jvn.jp/myjvn/Status\"",
            "\"https://jvndb.jvn.jp/myjvn/Status\"",
        );
    assert_ne!(out, xml, "nothing replaced");
    out
}

#[test]
fn https_namespace_variants_parse_identically() {
    for name in [
        "jvndb_detail_2022.rdf",
        "dataFeed_jvndb_detail_hnd.xml",
        "jvndb_2022.rdf",
        "getVulnOverviewList_hnd.xml",
    ] {
        let xml = fixture(name);
        let (doc_a, a) = run_ok(&xml);
        let (doc_b, b) = run_ok(&https_variant(&xml));
        assert!(doc_a.stats.records > 0, "{name}");
        assert_eq!(doc_a, doc_b, "{name}");
        assert_eq!(a.records, b.records, "{name}");
        assert_eq!(a.skipped, b.skipped, "{name}");
    }
}

#[test]
fn other_prefixes_are_matched_by_namespace() {
    // VULDEF with a prefixed root and elements instead of the default ns,
    // JVNRSS with the RSS elements under the `rss:` prefix.
    let xml = fixture("getVulnDetailInfo_hnd_JVNDB-2018-009328.xml");
    let (_, a) = run_ok(&xml);
    let prefixed = xml
        .replace("xmlns=\"http://jvn.jp/vuldef/\"", "")
        .replace("<", "<vuldef:")
        .replace("<vuldef:/", "</vuldef:")
        .replace("<vuldef:?", "<?")
        .replace("<vuldef:status:", "<status:")
        .replace("<vuldef:sec:", "<sec:")
        .replace("</vuldef:sec:", "</sec:")
        .replace("<vuldef:marking:", "<marking:")
        .replace("</vuldef:marking:", "</marking:");
    let (_, b) = run_ok(&prefixed);
    assert_eq!(a.records, b.records);

    // An element in an unknown namespace is not taken for a VULDEF one.
    let foreign = xml.replace(
        "<Title>JP1/VERITAS 製品における複数の脆弱性</Title>",
        "<x:Title xmlns:x=\"urn:other\">偽のタイトル</x:Title>",
    );
    let (_, c) = run_ok(&foreign);
    assert_eq!(c.records[0].title, None);
}

// ----------------------------------------------------------- bad records

#[test]
fn broken_items_are_skipped_and_the_rest_loads() {
    let xml = fixture("jvndb_2022.rdf")
        .replace("score=\"7.8\"", "score=\"high\"")
        .replace("<sec:identifier>JVNDB-2023-002068</sec:identifier>", "");
    let (doc, c) = run_ok(&xml);
    assert_eq!(
        doc.stats,
        ParseStats {
            records: 1,
            skipped: 2
        }
    );
    assert_eq!(c.records[0].id, "JVNDB-2022-000001");
    assert_eq!(c.skipped[0].id, "JVNDB-2021-018345");
    assert!(c.skipped[0].reason.contains("score"), "{:?}", c.skipped[0]);
    assert_eq!(c.skipped[1].id, "#3");
    assert!(
        c.skipped[1].reason.contains("identifier"),
        "{:?}",
        c.skipped[1]
    );

    let xml = fixture("jvndb_detail_2022.rdf")
        .replace("<Base>4.8</Base>", "<Base>4.8 points</Base>")
        .replace(
            "<VulinfoID>JVNDB-2022-000002</VulinfoID>",
            "<VulinfoID>JVNDB-22-2</VulinfoID>",
        );
    let (doc, c) = run_ok(&xml);
    assert_eq!(doc.stats.records, 0);
    assert_eq!(doc.stats.skipped, 2);
    assert_eq!(c.skipped[0].id, "JVNDB-2022-000001");
    assert!(c.skipped[0].reason.contains("4.8 points"));
    assert_eq!(c.skipped[1].id, "JVNDB-22-2");
    assert!(c.skipped[1].reason.contains("JVNDB id"));

    // A bad date skips the record too; the other loads.
    let xml = fixture("jvndb_detail_2022.rdf").replace(
        "<DateLastUpdated>2022-01-12T12:08:20+09:00</DateLastUpdated>",
        "<DateLastUpdated>昨日</DateLastUpdated>",
    );
    let (doc, c) = run_ok(&xml);
    assert_eq!(doc.stats.records, 1);
    assert_eq!(c.skipped[0].id, "JVNDB-2022-000002");
    assert!(c.skipped[0].reason.contains("DateLastUpdated"));
}

#[test]
fn numeric_character_references_decode() {
    let xml = fixture("jvndb_2007.rdf").replace(
        "<title>トレンドマイクロ",
        "<title>&#x30C8;&#12524;&lt;&amp;&gt;&quot;&apos; トレンドマイクロ",
    );
    let (_, c) = run_ok(&xml);
    assert!(c.records[0]
        .title
        .as_deref()
        .unwrap()
        .starts_with("トレ<&>\"' トレンドマイクロ"));
}

// -------------------------------------------------------------- security

fn billion_laughs_doctype(root: &str) -> String {
    let mut d = format!("<!DOCTYPE {root} [\n  <!ENTITY lol \"lol\">\n");
    for i in 1..=9 {
        let prev = if i == 1 {
            "lol".to_owned()
        } else {
            format!("lol{}", i - 1)
        };
        let body: String = (0..10).map(|_| format!("&{prev};")).collect();
        d.push_str(&format!("  <!ENTITY lol{i} \"{body}\">\n"));
    }
    d.push_str("  <!ENTITY xxe SYSTEM \"file:///etc/passwd\">\n]>\n");
    d
}

#[test]
fn billion_laughs_doctype_is_not_expanded() {
    // JVNRSS: entity in an item's title, one in an attribute, one item clean.
    let xml = fixture("jvndb_2022.rdf");
    let xml = xml.replacen(
        "<rdf:RDF",
        &format!("{}<rdf:RDF", billion_laughs_doctype("rdf:RDF")),
        1,
    );
    let xml = xml
        .replace(
            "<title>Android における脆弱性</title>",
            "<title>&lol9;</title>",
        )
        .replace("vendor=\"Rocket Software\"", "vendor=\"&xxe;\"");
    let started = Instant::now();
    let (doc, c) = run_ok(&xml);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(doc.stats.records, 1);
    assert_eq!(doc.stats.skipped, 2);
    assert_eq!(c.records[0].id, "JVNDB-2022-000001");
    assert_eq!(c.skipped[0].id, "JVNDB-2021-018345");
    assert!(c.skipped[0].reason.contains("lol9"), "{:?}", c.skipped[0]);
    assert_eq!(c.skipped[1].id, "JVNDB-2023-002068");
    assert!(c.skipped[1].reason.contains("xxe"), "{:?}", c.skipped[1]);
    let dump = format!("{:?}", c.records);
    assert!(!dump.contains("lol") && !dump.contains("root:"));

    // VULDEF: same attack in the overview.
    let xml = fixture("jvndb_detail_2022.rdf");
    let xml = xml.replacen(
        "<VULDEF-Document",
        &format!(
            "{}<VULDEF-Document",
            billion_laughs_doctype("VULDEF-Document")
        ),
        1,
    );
    let xml = xml.replacen("<Overview>", "<Overview>&lol9;", 1);
    let started = Instant::now();
    let (doc, c) = run_ok(&xml);
    assert!(started.elapsed() < Duration::from_secs(5));
    assert_eq!(doc.stats.records, 1);
    assert_eq!(c.skipped[0].id, "JVNDB-2022-000001");
    assert_eq!(c.records[0].id, "JVNDB-2022-000002");
}

// ------------------------------------------------------ structure errors

fn assert_format_error(xml: &str, needle: &str) {
    match run(xml) {
        Err(FeedError::Format { expected, detail }) => {
            assert_eq!(expected, "JVN XML");
            assert!(detail.contains(needle), "{detail}");
        }
        Err(e) => panic!("unexpected error: {e}"),
        Ok((doc, _)) => panic!("parsed: {doc:?}"),
    }
}

#[test]
fn broken_structure_is_a_format_error() {
    let xml = fixture("jvndb_2022.rdf");
    // Mismatched end tag.
    assert_format_error(&xml.replacen("</title>", "</titel>", 3), "byte");
    // Truncated file: the records before the cut were delivered.
    let cut = xml
        .find("<item rdf:about=\"https://jvndb.jvn.jp/ja/contents/2023/")
        .unwrap();
    let mut sink = Collect::default();
    let err = parse(&mut &xml.as_bytes()[..cut], &mut sink).unwrap_err();
    assert!(matches!(err, FeedError::Format { .. }), "{err}");
    assert_eq!(sink.records.len(), 2);
    // Not a JVN document.
    assert_format_error(
        "<?xml version=\"1.0\"?><Result xmlns=\"http://jvndb.jvn.jp/myjvn/Results\"/>",
        "namespace http://jvndb.jvn.jp/myjvn/Results",
    );
    assert_format_error("", "no root");
    let rdf = "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>";
    assert_format_error(&format!("{rdf}{rdf}"), "after the root");
    assert_format_error("{\"not\": \"xml\"}", "root");
}

#[test]
fn empty_documents() {
    let (doc, c) = run_ok("<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\"/>");
    assert_eq!(doc.format, JvnFormat::Jvnrss);
    assert_eq!(doc.stats, ParseStats::default());
    assert!(c.records.is_empty());
    let (doc, _) = run_ok("<VULDEF-Document xmlns=\"https://jvn.jp/vuldef/\"></VULDEF-Document>");
    assert_eq!(doc.format, JvnFormat::Vuldef);
}

// ---------------------------------------------------------- placeholders

/// JVNDB-2022-000002 of the real 2022 detail feed with `marker` put before
/// its title (`in_title`) or its overview.
fn marked_detail(marker: &str, in_title: bool) -> String {
    let xml = fixture("jvndb_detail_2022.rdf");
    let (from, to) = if in_title {
        (
            "<Title>WordPress 用プラグイン Quiz And Survey Master",
            format!("<Title>{marker} WordPress 用プラグイン Quiz And Survey Master"),
        )
    } else {
        (
            "<Overview>ExpressTech が提供する",
            format!("<Overview>{marker} ExpressTech が提供する"),
        )
    };
    assert_eq!(xml.matches(from).count(), 1);
    xml.replace(from, &to)
}

#[test]
fn placeholder_entries_are_withdrawn_and_affect_nothing() {
    let (_, plain) = run_ok(&fixture("jvndb_detail_2022.rdf"));
    let before = record(&plain, "JVNDB-2022-000002");
    assert_eq!(before.status, None);
    assert_eq!(before.affected.len(), 1);
    for (marker, in_title) in [
        ("** 削除 **", true),
        ("** 未確定 **", true),
        ("** サポート外 **", false),
        ("**削除**", false),
        ("** RESERVED **", false),
        ("** REJECT **", true),
        ("** Reject **", false),
    ] {
        let (doc, c) = run_ok(&marked_detail(marker, in_title));
        assert_eq!(doc.stats.records, 2, "{marker}: the entry is still loaded");
        let r = record(&c, "JVNDB-2022-000002");
        assert_eq!(r.status.as_deref(), Some("withdrawn"), "{marker}");
        assert!(r.affected.is_empty(), "{marker}");
        // Everything else stays: the entry is known, with its ids.
        assert_eq!(r.cves, before.cves, "{marker}");
        assert_eq!(r.cvss, before.cvss, "{marker}");
        let other = record(&c, "JVNDB-2022-000001");
        assert_eq!(other.status, None);
        assert_eq!(other.affected.len(), 1);
    }
}

#[test]
fn disputed_and_prose_words_are_not_placeholders() {
    let (_, c) = run_ok(&marked_detail("** DISPUTED **", false));
    let r = record(&c, "JVNDB-2022-000002");
    assert_eq!(r.status, None);
    assert_eq!(r.affected.len(), 1);
    // The real Log4j entry (whose solution text says 「Lookup 機能が削除
    // され」) has no marker: it stays a vulnerability with its products.
    let (_, c) = run_ok(&fixture("jvndb_detail_2021.rdf"));
    let r = record(&c, "JVNDB-2021-005429");
    assert_eq!(r.status, None);
    assert_eq!(r.affected.len(), 2);
    assert_eq!(
        r.affected[0].versions,
        [
            "2.13.0 から 2.15.0 より前のバージョン",
            "core 2.0-beta9 から 2.12.1 より前のバージョン"
        ]
    );
    for text in [
        "本アップデートでは、Log4j の Lookup 機能が削除されており",
        "**重要** 未確定の情報を含みます",
        "** 削除",
        "**",
    ] {
        assert_eq!(sonae_feeds::jvn::placeholder_marker(text), None, "{text}");
    }
    assert_eq!(
        sonae_feeds::jvn::placeholder_marker("** 削除 ** Linux の Linux Kernel における脆弱性"),
        Some("削除")
    );
}

#[test]
fn placeholder_items_of_an_overview_list_are_withdrawn() {
    let xml = fixture("jvndb_2022.rdf").replace(
        "<title>Android における脆弱性</title>",
        "<title>** 未確定 ** Android における脆弱性</title>",
    );
    let (_, c) = run_ok(&xml);
    let r = record(&c, "JVNDB-2021-018345");
    assert_eq!(r.status.as_deref(), Some("withdrawn"));
    assert!(r.affected.is_empty(), "its sec:cpe is dropped");
    assert_eq!(cves(r), ["CVE-2022-22292"]);
    assert_eq!(record(&c, "JVNDB-2022-000001").status, None);
}
