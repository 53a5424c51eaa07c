//! One suite, run against every backend: SQLite always, PostgreSQL when
//! SONAE_TEST_POSTGRES_URL names a server (the test script starts one; with
//! SONAE_TEST_REQUIRE_POSTGRES=1 its absence fails the run).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::access::Access;
use sonae_domain::inventory::Kind;
use sonae_domain::{Actor, FieldErrorKind, FixedClock, Role, Value, Values};
use sonae_store::{ImportRow, ListQuery, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

struct TestDb {
    store: Store,
    url: String,
    _dir: Option<tempfile::TempDir>,
}

static COUNTER: AtomicU32 = AtomicU32::new(0);

async fn backends() -> Vec<TestDb> {
    backends_at(Arc::new(FixedClock::at_ms(1_764_000_000_000))).await
}

/// The backends, on a clock the test moves.
async fn backends_at(clock: Arc<FixedClock>) -> Vec<TestDb> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    out.push(TestDb {
        store: Store::open(&url, clock.clone()).await.unwrap(),
        url,
        _dir: Some(dir),
    });
    match std::env::var("SONAE_TEST_POSTGRES_URL") {
        Ok(admin) => {
            let name = format!(
                "sonae_store_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let admin_store = Store::connect(&admin, clock.clone()).await.unwrap();
            admin_store
                .execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            admin_store.close().await;
            let mut u = url::Url::parse(&admin).unwrap();
            u.set_path(&name);
            let url = u.to_string();
            out.push(TestDb {
                store: Store::open(&url, clock).await.unwrap(),
                url,
                _dir: None,
            });
        }
        Err(_) => {
            if std::env::var("SONAE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("SONAE_TEST_REQUIRE_POSTGRES=1 but SONAE_TEST_POSTGRES_URL is not set");
            }
        }
    }
    out
}

fn vals(pairs: &[(&'static str, Value)]) -> Values {
    let mut v = Values::new();
    for (k, x) in pairs {
        v.insert(k, x.clone());
    }
    v
}
fn t(s: &str) -> Value {
    Value::Text(s.to_owned())
}

async fn dept(s: &Store, name: &str) -> i64 {
    s.create(
        &Actor::system(),
        Kind::Department,
        vals(&[("name", t(name))]),
    )
    .await
    .unwrap()
    .id
}

fn system_values(name: &str, dept: i64, vendor: Option<i64>) -> Values {
    vals(&[
        ("name", t(name)),
        ("owner_department_id", Value::Int(dept)),
        ("vendor_id", vendor.map_or(Value::Null, Value::Int)),
        ("exposure", t("internet")),
        ("confidentiality", Value::Int(3)),
        ("integrity", Value::Int(2)),
        ("availability", Value::Int(2)),
        ("personal_data", Value::Int(1)),
        ("customer_data", Value::Int(0)),
        ("critical_data", Value::Int(0)),
    ])
}

fn actor(role: Role, dept: Option<i64>, vendor: Option<i64>) -> Actor {
    Actor {
        user_id: None,
        name: format!("{}-user", role.as_str()),
        role,
        department_id: dept,
        vendor_id: vendor,
    }
}

#[tokio::test]
async fn migration_trees_stay_in_step_and_match_the_domain() {
    let sqlite: Vec<_> = sonae_store::Backend::Sqlite
        .migrator()
        .iter()
        .map(|m| (m.version, m.description.to_string()))
        .collect();
    let pg: Vec<_> = sonae_store::Backend::Postgres
        .migrator()
        .iter()
        .map(|m| (m.version, m.description.to_string()))
        .collect();
    assert_eq!(
        sqlite, pg,
        "SQLite and PostgreSQL migrations must have the same versions"
    );
    for db in backends().await {
        for kind in Kind::ALL {
            let cols = db.store.table_columns(kind.slug()).await.unwrap();
            for f in kind.fields() {
                assert!(
                    cols.iter().any(|c| c == f.name),
                    "{}: {} lacks column {}",
                    db.url,
                    kind.slug(),
                    f.name
                );
            }
        }
        assert_eq!(db.store.pending_migrations().await.unwrap(), 0);
    }
}

#[tokio::test]
async fn create_update_and_stale_save_shows_what_changed() {
    for db in backends().await {
        let s = &db.store;
        let d = dept(s, "通販事業部").await;
        let sys = s
            .create(
                &Actor::system(),
                Kind::System,
                system_values("Webショップ", d, None),
            )
            .await
            .unwrap();
        assert_eq!(sys.version, 1);
        let mut v1 = sys.values.clone();
        v1.insert("exposure", t("intranet"));
        let saved = s
            .update(&Actor::system(), Kind::System, sys.id, 1, v1)
            .await
            .unwrap();
        assert_eq!(saved.version, 2);
        assert_eq!(saved.get("exposure"), &t("intranet"));
        // A second editor still holding version 1 is refused, and told what changed.
        let mut v2 = sys.values.clone();
        v2.insert("notes", t("上書きしてはいけない"));
        match s
            .update(&Actor::system(), Kind::System, sys.id, 1, v2)
            .await
        {
            Err(StoreError::Stale { current, changes }) => {
                assert_eq!(current.version, 2);
                assert_eq!(changes.len(), 1, "{changes:?}");
                assert_eq!(changes[0].field, "exposure");
                assert_eq!(changes[0].before, t("internet"));
                assert_eq!(changes[0].after, t("intranet"));
            }
            other => panic!("{}: expected Stale, got {other:?}", db.url),
        }
        let now = s.get(&Actor::system(), Kind::System, sys.id).await.unwrap();
        assert_eq!(
            now.get("notes"),
            &Value::Null,
            "the stale save must not have written"
        );
        // Duplicate names are refused on the field.
        match s
            .create(
                &Actor::system(),
                Kind::System,
                system_values("Webショップ", d, None),
            )
            .await
        {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].kind, FieldErrorKind::Duplicate),
            other => panic!("expected Invalid, got {other:?}"),
        }
        // A department in use cannot be deleted; deleting the system takes its components.
        let dep = s.get(&Actor::system(), Kind::Department, d).await.unwrap();
        assert!(matches!(
            s.delete(&Actor::system(), Kind::Department, d, dep.version)
                .await,
            Err(StoreError::InUse)
        ));
        s.create(
            &Actor::system(),
            Kind::Component,
            vals(&[
                ("system_id", Value::Int(sys.id)),
                ("product", t("EC-CUBE")),
                ("version", t("4.2.1")),
            ]),
        )
        .await
        .unwrap();
        s.delete(&Actor::system(), Kind::System, sys.id, 2)
            .await
            .unwrap();
        assert_eq!(s.count(Kind::Component).await.unwrap(), 0);
        s.delete(&Actor::system(), Kind::Department, d, dep.version)
            .await
            .unwrap();
        let (n, breaks) = s.audit_verify().await.unwrap();
        assert!(n >= 6, "every change is audited ({n})");
        assert!(breaks.is_empty(), "{breaks:?}");
    }
}

#[tokio::test]
async fn roles_are_enforced_by_the_store() {
    for db in backends().await {
        let s = &db.store;
        let sales = dept(s, "営業部").await;
        let logistics = dept(s, "物流部").await;
        let vendor = s
            .create(
                &Actor::system(),
                Kind::Vendor,
                vals(&[("name", t("株式会社ウェブ運用"))]),
            )
            .await
            .unwrap()
            .id;
        let shop = s
            .create(
                &Actor::system(),
                Kind::System,
                system_values("Webショップ", sales, Some(vendor)),
            )
            .await
            .unwrap();
        let wms = s
            .create(
                &Actor::system(),
                Kind::System,
                system_values("倉庫管理", logistics, None),
            )
            .await
            .unwrap();
        let owner = actor(Role::SystemOwner, Some(sales), None);
        let page = s
            .list(
                &owner,
                Kind::System,
                &ListQuery {
                    limit: 50,
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(
            page.items.iter().map(|r| r.id).collect::<Vec<_>>(),
            vec![shop.id]
        );
        assert!(matches!(
            s.get(&owner, Kind::System, wms.id).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.update(&owner, Kind::System, wms.id, 1, wms.values.clone())
                .await,
            Err(StoreError::Forbidden)
        ));
        // Handing one's own system to another department is refused.
        let mut moved = shop.values.clone();
        moved.insert("owner_department_id", Value::Int(logistics));
        match s.update(&owner, Kind::System, shop.id, 1, moved).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].kind, FieldErrorKind::OutOfScope),
            other => panic!("expected OutOfScope, got {other:?}"),
        }
        // The vendor sees the system it runs, may add components to it, but not to others.
        let v = actor(Role::Vendor, None, Some(vendor));
        let vs = s.titles(&v, Kind::System, Access::Read).await.unwrap();
        assert_eq!(vs, vec![(shop.id, "Webショップ".to_owned())]);
        assert!(s
            .titles(&v, Kind::Person, Access::Read)
            .await
            .unwrap()
            .is_empty());
        s.create(
            &v,
            Kind::Component,
            vals(&[("system_id", Value::Int(shop.id)), ("product", t("nginx"))]),
        )
        .await
        .unwrap();
        assert!(s
            .create(
                &v,
                Kind::Component,
                vals(&[("system_id", Value::Int(wms.id)), ("product", t("nginx"))])
            )
            .await
            .is_err());
        assert!(matches!(
            s.update(&v, Kind::System, shop.id, 1, shop.values.clone())
                .await,
            Err(StoreError::Forbidden)
        ));
        // The auditor reads everything and changes nothing.
        let a = actor(Role::Auditor, None, None);
        assert_eq!(
            s.list(
                &a,
                Kind::System,
                &ListQuery {
                    limit: 50,
                    ..Default::default()
                }
            )
            .await
            .unwrap()
            .total,
            2
        );
        assert!(matches!(
            s.create(&a, Kind::Department, vals(&[("name", t("x"))]))
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.delete(&a, Kind::System, wms.id, 1).await,
            Err(StoreError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn import_is_all_or_nothing_and_names_the_line() {
    for db in backends().await {
        let s = &db.store;
        let d = dept(s, "情報システム部").await;
        let rows = vec![
            ImportRow {
                line: 2,
                values: system_values("ファイルサーバ", d, None),
            },
            ImportRow {
                line: 3,
                values: system_values("勤怠", d + 999, None),
            },
        ];
        match s.create_many(&Actor::system(), Kind::System, &rows).await {
            Err(StoreError::InvalidRow { line, errors }) => {
                assert_eq!(line, 3);
                assert_eq!(errors[0].field, "owner_department_id");
            }
            other => panic!("expected InvalidRow, got {other:?}"),
        }
        assert_eq!(
            s.count(Kind::System).await.unwrap(),
            0,
            "nothing of a failed import is kept"
        );
        let ok = vec![ImportRow {
            line: 2,
            values: system_values("ファイルサーバ", d, None),
        }];
        assert_eq!(
            s.create_many(&Actor::system(), Kind::System, &ok)
                .await
                .unwrap(),
            1
        );
    }
}

#[tokio::test]
async fn list_filters_by_text_and_field() {
    for db in backends().await {
        let s = &db.store;
        let d = dept(s, "総務部").await;
        s.create(
            &Actor::system(),
            Kind::System,
            system_values("Webショップ", d, None),
        )
        .await
        .unwrap();
        let mut intranet = system_values("社内ファイルサーバ", d, None);
        intranet.insert("exposure", t("intranet"));
        s.create(&Actor::system(), Kind::System, intranet)
            .await
            .unwrap();
        let q = |q: Option<&str>, eq: Vec<(&'static str, Value)>| ListQuery {
            q: q.map(str::to_owned),
            eq,
            offset: 0,
            limit: 10,
        };
        let a = Actor::system();
        assert_eq!(
            s.list(&a, Kind::System, &q(Some("ファイル"), vec![]))
                .await
                .unwrap()
                .total,
            1
        );
        assert_eq!(
            s.list(&a, Kind::System, &q(Some("webショ"), vec![]))
                .await
                .unwrap()
                .total,
            1,
            "case-insensitive"
        );
        assert_eq!(
            s.list(&a, Kind::System, &q(Some("%"), vec![]))
                .await
                .unwrap()
                .total,
            0,
            "wildcards are literal"
        );
        assert_eq!(
            s.list(
                &a,
                Kind::System,
                &q(None, vec![("exposure", t("intranet"))])
            )
            .await
            .unwrap()
            .total,
            1
        );
    }
}

#[tokio::test]
async fn tampering_with_the_audit_log_is_detected() {
    for db in backends().await {
        let s = &db.store;
        for n in ["A", "B", "C"] {
            dept(s, n).await;
        }
        assert!(s.audit_verify().await.unwrap().1.is_empty());
        s.execute_admin("UPDATE audit_log SET actor = 'mallory' WHERE seq = 2")
            .await
            .unwrap();
        let breaks = s.audit_verify().await.unwrap().1;
        assert!(
            breaks.contains(&sonae_domain::audit::ChainBreak::Altered { seq: 2 }),
            "{}: {breaks:?}",
            db.url
        );
    }
    for db in backends().await {
        let s = &db.store;
        for n in ["A", "B", "C"] {
            dept(s, n).await;
        }
        s.execute_admin("DELETE FROM audit_log WHERE seq = 3")
            .await
            .unwrap();
        assert!(
            !s.audit_verify().await.unwrap().1.is_empty(),
            "deleting the newest entry is detected"
        );
    }
}

#[tokio::test]
async fn sessions_tokens_and_throttling() {
    for db in backends().await {
        let s = &db.store;
        let u = s
            .create_user(
                &Actor::system(),
                sonae_store::NewUser {
                    username: "sato".into(),
                    display_name: "佐藤".into(),
                    email: None,
                    role: Role::SecurityOfficer,
                    department_id: None,
                    vendor_id: None,
                    password_hash: "x".into(),
                },
            )
            .await
            .unwrap();
        s.create_session("h1", u.id, 60_000).await.unwrap();
        assert_eq!(
            s.session_user("h1").await.unwrap().unwrap().username,
            "sato"
        );
        assert!(s.session_user("nope").await.unwrap().is_none());
        let tid = s.create_token(&u.actor(), u.id, "ci", "th").await.unwrap();
        assert_eq!(s.token_user("th").await.unwrap().unwrap().id, u.id);
        s.revoke_token(&u.actor(), u.id, tid).await.unwrap();
        assert!(
            s.token_user("th").await.unwrap().is_none(),
            "a revoked token no longer works"
        );
        s.set_password(&Actor::system(), u.id, "y".into())
            .await
            .unwrap();
        assert!(
            s.session_user("h1").await.unwrap().is_none(),
            "a new password ends sessions"
        );
        for _ in 0..3 {
            s.record_login_failure("user:sato").await.unwrap();
        }
        assert_eq!(s.login_failures("user:sato", 60_000).await.unwrap(), 3);
        s.clear_login_failures("user:sato").await.unwrap();
        assert_eq!(s.login_failures("user:sato", 60_000).await.unwrap(), 0);
        assert!(s.audit_verify().await.unwrap().1.is_empty());
    }
}

#[tokio::test]
async fn sqlite_backup_restores_the_same_data() {
    let dbs = backends().await;
    let db = &dbs[0];
    dept(&db.store, "経理部").await;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("backup.db");
    db.store.backup_to(file.to_str().unwrap()).await.unwrap();
    let copy = Store::open(
        &format!("sqlite://{}", file.display()),
        Arc::new(FixedClock::at_ms(0)),
    )
    .await
    .unwrap();
    copy.integrity_check().await.unwrap();
    assert_eq!(copy.count(Kind::Department).await.unwrap(), 1);
    assert!(copy.audit_verify().await.unwrap().1.is_empty());
}

mod vulns {
    use super::*;
    use sonae_domain::vuln::{CveId, Cvss, EpssScore, Feed, KevEntry, SourceRecord};
    use sonae_store::VulnQuery;

    fn nvd(id: &str, score: f64, published: &str) -> SourceRecord {
        let mut r = SourceRecord::new(Feed::Nvd, id, "en");
        r.cves = vec![CveId::parse(id).unwrap()];
        r.description = Some(format!("{id} in Example Server"));
        r.published = Some(published.into());
        r.modified = Some(published.into());
        r.cvss.push(Cvss {
            version: "3.1".into(),
            base_score: score,
            vector: None,
            severity: None,
            source: None,
            primary: true,
        });
        r
    }

    #[tokio::test]
    async fn sources_merge_by_cve_and_reimport_is_idempotent() {
        for db in backends().await {
            let s = &db.store;
            let recs = vec![
                nvd("CVE-2024-0001", 9.8, "2024-01-02T00:00:00Z"),
                nvd("CVE-2024-0002", 5.0, "2024-01-03T00:00:00Z"),
            ];
            let st = s.apply_records(&recs).await.unwrap();
            assert_eq!(st.inserted, 2);
            let again = s.apply_records(&recs).await.unwrap();
            assert_eq!(
                (again.inserted, again.updated, again.unchanged),
                (0, 0, 2),
                "{}",
                db.url
            );
            // JVN names the CVE: it joins the same vulnerability, reachable by its JVNDB id too.
            let mut jvn = SourceRecord::new(Feed::Jvn, "JVNDB-2024-000001", "ja");
            jvn.cves = vec![CveId::parse("CVE-2024-0001").unwrap()];
            jvn.title = Some("Example Server におけるバッファオーバーフローの脆弱性".into());
            // A JVN-only record keeps its own id.
            let mut only = SourceRecord::new(Feed::Jvn, "JVNDB-2024-000002", "ja");
            only.title = Some("国産ルーターにおける認証回避".into());
            only.published = Some("2024-02-01T00:00:00Z".into());
            let mut kev = SourceRecord::new(Feed::Kev, "CVE-2024-0001", "en");
            kev.cves = vec![CveId::parse("CVE-2024-0001").unwrap()];
            kev.kev = Some(KevEntry {
                vendor_project: "Example".into(),
                product: "Server".into(),
                name: "x".into(),
                date_added: "2024-01-05".into(),
                due_date: Some("2024-01-26".into()),
                required_action: None,
                short_description: None,
                known_ransomware: false,
                notes: None,
                cwes: vec![],
            });
            s.apply_records(&[jvn, only, kev]).await.unwrap();
            s.apply_epss(&[EpssScore {
                cve: CveId::parse("CVE-2024-0001").unwrap(),
                epss: 0.97,
                percentile: Some(0.999),
                date: Some("2024-04-01".into()),
            }])
            .await
            .unwrap();
            let d = s.vuln_get("JVNDB-2024-000001").await.unwrap();
            assert_eq!(d.row.summary.id, "CVE-2024-0001");
            assert_eq!(d.row.summary.feeds, "nvd,jvn,kev");
            assert!(d.row.summary.kev);
            assert_eq!(d.row.epss, Some(0.97));
            assert_eq!(d.sources.len(), 3);
            assert_eq!(
                s.vuln_get("JVNDB-2024-000002")
                    .await
                    .unwrap()
                    .row
                    .summary
                    .title_ja
                    .as_deref(),
                Some("国産ルーターにおける認証回避")
            );
            assert_eq!(s.vuln_count().await.unwrap(), 3);
            let q = |f: fn(&mut VulnQuery)| {
                let mut q = VulnQuery {
                    limit: 50,
                    ..Default::default()
                };
                f(&mut q);
                q
            };
            let ids = |p: sonae_store::Page<sonae_store::VulnRow>| {
                p.items
                    .into_iter()
                    .map(|r| r.summary.id)
                    .collect::<Vec<_>>()
            };
            assert_eq!(
                ids(s.vuln_list(&q(|q| q.kev = true)).await.unwrap()),
                vec!["CVE-2024-0001"]
            );
            assert_eq!(
                ids(s
                    .vuln_list(&q(|q| q.q = Some("ルーター".into())))
                    .await
                    .unwrap()),
                vec!["JVNDB-2024-000002"]
            );
            assert_eq!(
                ids(s.vuln_list(&q(|q| q.cvss_min = Some(9.0))).await.unwrap()),
                vec!["CVE-2024-0001"]
            );
            assert_eq!(
                ids(s.vuln_list(&q(|q| q.epss_min = Some(0.5))).await.unwrap()),
                vec!["CVE-2024-0001"]
            );
            assert_eq!(
                ids(s.vuln_list(&q(|q| q.feed = Some(Feed::Jvn))).await.unwrap()).len(),
                2
            );
            // Keyset paging walks everything once, newest first.
            let first = s
                .vuln_list(&VulnQuery {
                    limit: 2,
                    ..Default::default()
                })
                .await
                .unwrap();
            assert_eq!(first.total, -1, "more pages");
            let last = first.items.last().unwrap().summary.clone();
            let second = s
                .vuln_list(&VulnQuery {
                    limit: 2,
                    after: Some((last.published, last.id)),
                    ..Default::default()
                })
                .await
                .unwrap();
            let all: Vec<String> = first
                .items
                .iter()
                .chain(second.items.iter())
                .map(|r| r.summary.id.clone())
                .collect();
            assert_eq!(
                all,
                vec!["JVNDB-2024-000002", "CVE-2024-0002", "CVE-2024-0001"]
            );
            s.record_feed_run(
                Feed::Nvd,
                Ok((2, 0, Some("2024-04-07T00:00:00Z".into()))),
                None,
            )
            .await
            .unwrap();
            s.record_feed_run(Feed::Nvd, Err("HTTP 503".into()), None)
                .await
                .unwrap();
            let st = s.feed_states().await.unwrap();
            let nvd_state = st.iter().find(|f| f.feed == "nvd").unwrap();
            assert_eq!(nvd_state.records, 2);
            assert_eq!(
                nvd_state.data_time.as_deref(),
                Some("2024-04-07T00:00:00Z"),
                "a failure keeps the last good data time"
            );
            assert_eq!(nvd_state.last_error.as_deref(), Some("HTTP 503"));
        }
    }
}

#[tokio::test]
async fn findings_are_replaced_by_a_full_match_and_scoped_like_systems() {
    use sonae_store::NewFinding;
    for db in backends().await {
        let s = &db.store;
        let ec = dept(s, "通販事業部").await;
        let log = dept(s, "物流部").await;
        let shop = s
            .create(
                &Actor::system(),
                Kind::System,
                system_values("Webショップ", ec, None),
            )
            .await
            .unwrap()
            .id;
        let wms = s
            .create(
                &Actor::system(),
                Kind::System,
                system_values("倉庫管理", log, None),
            )
            .await
            .unwrap()
            .id;
        let comp = |sys: i64, p: &str| {
            vals(&[
                ("system_id", Value::Int(sys)),
                ("product", t(p)),
                ("version", t("2.4.58")),
            ])
        };
        let c1 = s
            .create(&Actor::system(), Kind::Component, comp(shop, "http_server"))
            .await
            .unwrap()
            .id;
        let c2 = s
            .create(&Actor::system(), Kind::Component, comp(wms, "http_server"))
            .await
            .unwrap()
            .id;
        assert_eq!(s.match_components().await.unwrap().len(), 2);
        let f = |c: i64, sys: i64, v: &str| NewFinding {
            component_id: c,
            system_id: sys,
            vuln_id: v.into(),
            certainty: "confirmed".into(),
            reason: "versionEndExcluding 2.4.59 > 2.4.58".into(),
        };
        let st = s
            .replace_findings(&[
                f(c1, shop, "CVE-2024-1"),
                f(c2, wms, "CVE-2024-1"),
                f(c1, shop, "CVE-2024-2"),
            ])
            .await
            .unwrap();
        assert_eq!((st.added, st.kept, st.removed), (3, 0, 0));
        let st = s
            .replace_findings(&[f(c1, shop, "CVE-2024-1"), f(c2, wms, "CVE-2024-1")])
            .await
            .unwrap();
        assert_eq!(
            (st.added, st.kept, st.removed),
            (0, 2, 1),
            "{}: a match that went away is removed",
            db.url
        );
        let owner = actor(Role::SystemOwner, Some(ec), None);
        let mine = s.findings(&owner, None, 100).await.unwrap();
        assert_eq!(
            mine.len(),
            1,
            "{}: the owner sees only their department's findings",
            db.url
        );
        assert_eq!(mine[0].system_id, shop);
        assert!(mine[0].reason.contains("2.4.59"));
        assert_eq!(
            s.findings(&Actor::system(), Some(wms), 100)
                .await
                .unwrap()
                .len(),
            1
        );
        // "Not affected", with a VEX justification, survives a re-match...
        let f1 = mine[0].clone();
        assert!(matches!(
            s.decide_finding(
                &actor(Role::Auditor, None, None),
                f1.id,
                f1.version,
                Some(("component_not_present", "x"))
            )
            .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.decide_finding(&owner, f1.id, f1.version, Some(("because", "x")))
                .await,
            Err(StoreError::Invalid(_))
        ));
        s.decide_finding(
            &owner,
            f1.id,
            f1.version,
            Some(("vulnerable_code_not_in_execute_path", "mod_http2 は無効")),
        )
        .await
        .unwrap();
        let st = s
            .replace_findings(&[f(c1, shop, "CVE-2024-1"), f(c2, wms, "CVE-2024-1")])
            .await
            .unwrap();
        assert_eq!(st.reopened, 0);
        let now = s.finding(&owner, f1.id).await.unwrap();
        assert_eq!(now.status, "not_affected");
        assert_eq!(
            now.justification.as_deref(),
            Some("vulnerable_code_not_in_execute_path")
        );
        // ...until the match itself changes (a new range in the feed).
        let mut changed = f(c1, shop, "CVE-2024-1");
        changed.reason = "versionEndExcluding 2.4.60 > 2.4.58".into();
        let st = s
            .replace_findings(&[changed, f(c2, wms, "CVE-2024-1")])
            .await
            .unwrap();
        assert_eq!(st.reopened, 1, "{}", db.url);
        assert_eq!(s.finding(&owner, f1.id).await.unwrap().status, "new");
        assert!(s.audit_verify().await.unwrap().1.is_empty());
    }
}

/// The workflow's clock-driven rules in the store: a risk acceptance runs
/// out and re-opens; a workaround put in while no fix was known re-opens
/// once the feeds name a fix; each leaves a history entry.
#[tokio::test]
async fn acceptances_expire_and_mitigations_reopen_when_a_fix_appears() {
    use sonae_domain::workflow::{Direction, Step, WorkPlan};
    use sonae_store::NewFinding;
    let clock = Arc::new(FixedClock::at_ms(1_764_000_000_000));
    for db in backends_at(clock.clone()).await {
        let s = &db.store;
        let ec = dept(s, "通販事業部").await;
        let shop = s
            .create(
                &Actor::system(),
                Kind::System,
                system_values("Webショップ", ec, None),
            )
            .await
            .unwrap()
            .id;
        let comp = s
            .create(
                &Actor::system(),
                Kind::Component,
                vals(&[
                    ("system_id", Value::Int(shop)),
                    ("product", t("openssl")),
                    ("version", t("3.0.1")),
                ]),
            )
            .await
            .unwrap()
            .id;
        let nf = |v: &str, reason: &str| NewFinding {
            component_id: comp,
            system_id: shop,
            vuln_id: v.into(),
            certainty: "confirmed".into(),
            reason: reason.into(),
        };
        let no_fix = "cpe:2.3:a:openssl:openssl:* versionEndIncluding 3.0.1";
        s.replace_findings(&[nf("CVE-A", no_fix), nf("CVE-B", no_fix)])
            .await
            .unwrap();
        let officer = actor(Role::SecurityOfficer, None, None);
        let exec = actor(Role::Executive, None, None);
        let exec = Actor {
            name: "ceo".into(),
            ..exec
        };
        let all = s.findings(&Actor::system(), None, 10).await.unwrap();
        let id = |v: &str| all.iter().find(|f| f.vuln_id == v).unwrap().id;
        let go = |fid: i64, who: Actor, step: Step| async move {
            let v = s.finding(&Actor::system(), fid).await.unwrap().version;
            s.finding_step(&who, fid, v, step).await
        };
        for step in [
            Step::Start {
                note: String::new(),
            },
            Step::Investigated {
                conditions: "x".into(),
            },
        ] {
            go(id("CVE-A"), officer.clone(), step.clone())
                .await
                .unwrap();
            go(id("CVE-B"), officer.clone(), step).await.unwrap();
        }
        // A: accepted for 30 days.
        go(
            id("CVE-A"),
            officer.clone(),
            Step::RequestAcceptance {
                reason: "retiring".into(),
            },
        )
        .await
        .unwrap();
        let now = sonae_domain::Clock::now_ms(clock.as_ref());
        go(
            id("CVE-A"),
            exec.clone(),
            Step::ApproveAcceptance {
                expires_ms: now + 30 * 86_400_000,
                note: String::new(),
            },
        )
        .await
        .unwrap();
        // B: a workaround, no fix known yet.
        go(
            id("CVE-B"),
            officer.clone(),
            Step::Direct {
                direction: Direction::Workaround,
                impact: "none".into(),
            },
        )
        .await
        .unwrap();
        let plan = WorkPlan {
            scheduled_ms: now,
            test_environment: "none".into(),
            people: "ops".into(),
            ..WorkPlan::default()
        };
        go(id("CVE-B"), officer.clone(), Step::Plan(plan))
            .await
            .unwrap();
        go(
            id("CVE-B"),
            officer.clone(),
            Step::Mitigate {
                note: "WAF rule".into(),
                fix_known: false,
            },
        )
        .await
        .unwrap();
        assert_eq!(
            s.finding(&Actor::system(), id("CVE-B"))
                .await
                .unwrap()
                .status,
            "mitigated"
        );

        assert_eq!(s.expire_acceptances().await.unwrap(), 0, "{}", db.url);
        clock.advance_ms(31 * 86_400_000);
        assert_eq!(s.expire_acceptances().await.unwrap(), 1, "{}", db.url);
        let a = s.finding(&Actor::system(), id("CVE-A")).await.unwrap();
        assert_eq!((a.status.as_str(), a.accepted_by.as_deref()), ("new", None));
        let ev = s
            .finding_events(&Actor::system(), id("CVE-A"))
            .await
            .unwrap();
        assert_eq!(ev.last().unwrap().step, "expired");
        assert_eq!(ev.last().unwrap().actor, "sonae");

        // The same match again leaves the mitigation; a fixed version re-opens it.
        let st = s
            .replace_findings(&[nf("CVE-A", no_fix), nf("CVE-B", no_fix)])
            .await
            .unwrap();
        assert_eq!(st.reopened, 0);
        let fixed = "cpe:2.3:a:openssl:openssl:* versionEndExcluding 3.0.2 > 3.0.1";
        let st = s
            .replace_findings(&[nf("CVE-A", no_fix), nf("CVE-B", fixed)])
            .await
            .unwrap();
        assert_eq!(st.reopened, 1, "{}", db.url);
        assert_eq!(
            s.finding(&Actor::system(), id("CVE-B"))
                .await
                .unwrap()
                .status,
            "new"
        );
        let ev = s
            .finding_events(&Actor::system(), id("CVE-B"))
            .await
            .unwrap();
        assert_eq!(ev.last().unwrap().step, "fix_available");
        assert!(s.audit_verify().await.unwrap().1.is_empty());
    }
}

/// Incidents in the store: playbook checklists by category, the work log
/// in the audit chain with corrections as new entries, a decision by
/// someone the route does not name flagged, evidence hashed with its
/// custody, vendors limited to their own items, the similar-system sweep.
#[tokio::test]
async fn incidents_keep_an_append_only_log_and_check_authority() {
    use sonae_domain::incident::Phase;
    use sonae_store::{NewIncident, Route};
    for db in backends().await {
        let s = &db.store;
        let sys = Actor::system();
        let ec = dept(s, "通販事業部").await;
        let vendor = s
            .create(
                &sys,
                Kind::Vendor,
                vals(&[("name", t("ウェブ運用株式会社"))]),
            )
            .await
            .unwrap()
            .id;
        let shop = s
            .create(
                &sys,
                Kind::System,
                system_values("Webショップ", ec, Some(vendor)),
            )
            .await
            .unwrap()
            .id;
        let other = s
            .create(&sys, Kind::System, system_values("会員サイト", ec, None))
            .await
            .unwrap()
            .id;
        for (system, version) in [(shop, "2.4.58"), (other, "2.4.58")] {
            s.create(
                &sys,
                Kind::Component,
                vals(&[
                    ("system_id", Value::Int(system)),
                    ("product", t("http_server")),
                    ("version", t(version)),
                ]),
            )
            .await
            .unwrap();
        }
        let person = |name: &str, email: &str| {
            vals(&[
                ("name", t(name)),
                ("affiliation", t("internal")),
                ("email", t(email)),
            ])
        };
        let boss = s
            .create(&sys, Kind::Person, person("木村 茂", "kimura@example.jp"))
            .await
            .unwrap()
            .id;
        s.set_route(
            &actor(Role::SecurityOfficer, None, None),
            &Route {
                system_id: shop,
                stop_person_id: Some(boss),
                command_person_id: Some(boss),
                ..Route::default()
            },
        )
        .await
        .unwrap();
        for (name, role, email) in [
            ("ceo", Role::Executive, "Kimura@example.jp"),
            ("clerk", Role::Admin, "clerk@example.jp"),
        ] {
            s.create_user(
                &sys,
                sonae_store::NewUser {
                    username: name.into(),
                    display_name: name.into(),
                    email: Some(email.into()),
                    role,
                    department_id: None,
                    vendor_id: None,
                    password_hash: "x".into(),
                },
            )
            .await
            .unwrap();
        }
        let officer = actor(Role::SecurityOfficer, None, None);
        let bad = NewIncident {
            title: " ".into(),
            category: "flood".into(),
            level: 4,
            ..NewIncident::default()
        };
        match s.create_incident(&officer, &bad).await {
            Err(StoreError::Invalid(e)) => {
                let fields: Vec<_> = e.iter().map(|e| e.field).collect();
                assert!(
                    fields.contains(&"title")
                        && fields.contains(&"category")
                        && fields.contains(&"level"),
                    "{fields:?}"
                );
            }
            other => panic!("{other:?}"),
        }
        let id = s
            .create_incident(
                &actor(Role::SystemOwner, Some(ec), None),
                &NewIncident {
                    title: "会員情報の流出の疑い".into(),
                    category: "leak".into(),
                    level: 3,
                    discovered_at_ms: 1_764_000_000_000,
                    summary: "外部から指摘".into(),
                    personal_data: "yes".into(),
                    system_ids: vec![shop],
                },
            )
            .await
            .unwrap();
        let inc = s.incident(&officer, id).await.unwrap();
        assert!(inc.reference.starts_with("INC-") && inc.phase == "detect");
        let tasks = s.incident_tasks(&officer, id).await.unwrap();
        assert_eq!(tasks.first().unwrap().playbook, "leak", "{}", db.url);
        assert_eq!(
            tasks
                .iter()
                .filter(|t| t.playbook == "recovery")
                .map(|t| &t.section)
                .collect::<std::collections::BTreeSet<_>>()
                .len(),
            6
        );

        // The log: a correction is a new entry naming the old one.
        let first = s
            .add_log(&officer, id, "22:10 ショップを停止", None)
            .await
            .unwrap();
        s.add_log(&officer, id, "訂正: 停止は 22:40", Some(first))
            .await
            .unwrap();
        let log = s.incident_log(&officer, id).await.unwrap();
        assert_eq!(
            log.iter().find(|l| l.id == first).unwrap().body,
            "22:10 ショップを停止"
        );
        assert_eq!(log.last().unwrap().corrects, Some(first));
        assert!(matches!(
            s.add_log(&actor(Role::Auditor, None, None), id, "x", None)
                .await,
            Err(StoreError::Forbidden)
        ));

        // Decisions: the named person (matched by e-mail) holds the authority; another does not.
        assert!(s
            .record_decision(
                &officer,
                id,
                "ceo",
                "ショップを止める",
                "stop_system",
                Some(shop),
                "対応ルート"
            )
            .await
            .unwrap());
        assert!(!s
            .record_decision(
                &officer,
                id,
                "clerk",
                "ショップを止める",
                "stop_system",
                Some(shop),
                ""
            )
            .await
            .unwrap());
        let d = s.incident_decisions(&officer, id).await.unwrap();
        assert_eq!(
            d.iter().map(|d| d.authorized).collect::<Vec<_>>(),
            vec![true, false]
        );

        // Evidence: a file hashed here; a hand-over.
        let ev = s
            .add_evidence(
                &officer,
                id,
                "アクセスログ",
                "",
                "鈴木",
                None,
                Some(("access.log", b"GET /admin\n")),
            )
            .await
            .unwrap();
        s.hand_over(&officer, id, ev, "鈴木", "調査会社", "USB で手渡し")
            .await
            .unwrap();
        let evs = s.incident_evidence(&officer, id).await.unwrap();
        assert_eq!(evs[0].sha256.as_deref().unwrap().len(), 64);
        assert_eq!(evs[0].custody.len(), 1);
        let (_, bytes, intact) = s.evidence_file(&officer, id, ev).await.unwrap();
        assert!(intact && bytes == b"GET /admin\n");

        // A vendor sees the incident only through an item assigned to it, and ticks only that.
        let v = actor(Role::Vendor, None, Some(vendor));
        assert!(matches!(
            s.incident(&v, id).await,
            Err(StoreError::NotFound)
        ));
        let task = tasks[0].id;
        s.assign_task(
            &officer,
            id,
            task,
            None,
            Some(vendor),
            Some(1_764_100_000_000),
        )
        .await
        .unwrap();
        s.tick_task(&v, id, task, true, "ログを確認").await.unwrap();
        assert!(matches!(
            s.tick_task(&v, id, tasks[1].id, true, "").await,
            Err(StoreError::Forbidden)
        ));

        // Phases move on one at a time; going back needs a note.
        let ver = s.incident(&officer, id).await.unwrap().version;
        assert!(matches!(
            s.set_phase(&officer, id, ver, Phase::Recover, "").await,
            Err(StoreError::Invalid(_))
        ));
        s.set_phase(&officer, id, ver, Phase::Triage, "")
            .await
            .unwrap();

        // The sweep finds the other system with the same product and version.
        let hits = s.similar_systems(&officer, id).await.unwrap();
        assert_eq!(hits.len(), 1);
        assert!(hits[0].same_version && hits[0].system == "会員サイト");
        assert_eq!(s.sweep_to_tasks(&officer, id).await.unwrap(), 1);
        assert!(s.audit_verify().await.unwrap().1.is_empty(), "{}", db.url);
    }
}
