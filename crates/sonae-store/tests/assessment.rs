//! Assessments and the risk register on every backend: SQLite always,
//! PostgreSQL when SONAE_TEST_POSTGRES_URL names a server (required with
//! SONAE_TEST_REQUIRE_POSTGRES=1).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::inventory::Kind;
use sonae_domain::{Actor, FixedClock, Role, Value, Values};
use sonae_store::{NewRisk, Store, StoreError};
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
                "sonae_asm_{}_{}",
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

fn actor(role: Role, name: &str) -> Actor {
    Actor {
        user_id: None,
        name: name.to_owned(),
        role,
        department_id: None,
        vendor_id: None,
    }
}

#[tokio::test]
async fn answers_score_like_the_paper_sheet_and_risks_need_an_executive() {
    for db in backends().await {
        let s = &db.store;
        let sec = actor(Role::SecurityOfficer, "security");
        let exec = actor(Role::Executive, "exec");
        let auditor = actor(Role::Auditor, "auditor");
        let vendor = actor(Role::Vendor, "vendor");
        // An assessment of the 25 items, answered in two saves.
        let id = s
            .create_assessment(&sec, "ipa-25", "", 1_700_000_000_000)
            .await
            .unwrap();
        let a = s.assessment(&auditor, id).await.unwrap();
        let mut answers: Vec<(String, String, String)> = (1..=25)
            .map(|n| {
                (
                    n.to_string(),
                    if n <= 10 { "done" } else { "partly" }.to_owned(),
                    String::new(),
                )
            })
            .collect();
        answers[24].2 = "規程は草案のみ".into();
        s.save_answers(&sec, id, a.version, &answers).await.unwrap();
        // A second save on the old version is refused, nothing overwritten.
        let stale = s
            .save_answers(
                &exec,
                id,
                a.version,
                &[("1".into(), "not_done".into(), String::new())],
            )
            .await;
        assert!(matches!(stale, Err(StoreError::Conflict(_))), "{}", db.url);
        let a = s.assessment(&auditor, id).await.unwrap();
        let cat = s.catalog("ipa-25").await.unwrap();
        let sc = cat.score(&a.choices());
        // 10 × 4 + 15 × 2 = 70: the 70–99 band.
        assert_eq!(sc.total.points, 70, "{}", db.url);
        assert_eq!(cat.band(sc.total.points).unwrap().min, 70);
        assert_eq!(a.answers["25"].note, "規程は草案のみ");
        // Unknown choices and vendors are refused.
        let bad = s
            .save_answers(
                &sec,
                id,
                a.version,
                &[("1".into(), "maybe".into(), String::new())],
            )
            .await;
        assert!(matches!(bad, Err(StoreError::Invalid(_))));
        assert!(matches!(
            s.assessment(&vendor, id).await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.create_assessment(&auditor, "ipa-25", "", 0).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(s.assessments(&exec, Some("ipa-25")).await.unwrap().len(), 1);

        // A user catalog joins the list; the same id twice is refused.
        let src = sonae_domain::assessment::BUILTIN[1]
            .1
            .replace("id = \"ipa-5rules\"", "id = \"our-rules\"");
        assert_eq!(s.add_catalog(&sec, &src).await.unwrap(), "our-rules");
        assert!(matches!(
            s.add_catalog(&sec, &src).await,
            Err(StoreError::Invalid(_))
        ));
        assert!(matches!(
            s.add_catalog(&exec, &src).await,
            Err(StoreError::Forbidden)
        ));
        assert!(s
            .catalogs()
            .await
            .unwrap()
            .iter()
            .any(|c| c.id == "our-rules"));

        // A risk on an asset rated C3/I2/A1: importance 3.
        let dept = s
            .create(&Actor::system(), Kind::Department, {
                let mut v = Values::new();
                v.insert("name", Value::Text("総務部".into()));
                v
            })
            .await
            .unwrap()
            .id;
        let mut v = Values::new();
        v.insert("name", Value::Text("顧客名簿".into()));
        v.insert("owner_department_id", Value::Int(dept));
        v.insert("confidentiality", Value::Int(3));
        v.insert("integrity", Value::Int(2));
        v.insert("availability", Value::Int(1));
        v.insert("personal_data", Value::Int(1));
        let asset = s.create(&Actor::system(), Kind::Asset, v).await.unwrap().id;
        let rid = s
            .create_risk(
                &sec,
                &NewRisk {
                    asset_id: asset,
                    threat: "malware".into(),
                    description: String::new(),
                    frequency: 3,
                    vulnerability: 3,
                },
            )
            .await
            .unwrap();
        let bad = s
            .create_risk(
                &sec,
                &NewRisk {
                    asset_id: asset,
                    threat: "meteor".into(),
                    frequency: 4,
                    ..NewRisk::default()
                },
            )
            .await;
        match bad {
            Err(StoreError::Invalid(e)) => {
                let fields: Vec<_> = e.iter().map(|x| x.field).collect();
                assert!(fields.contains(&"threat") && fields.contains(&"frequency"));
            }
            other => panic!("{other:?}"),
        }
        let r = &s.risks(&auditor).await.unwrap()[0];
        assert_eq!(
            (r.importance, r.likelihood(), r.value()),
            (Some(3), Some(3), Some(9))
        );
        // Acceptance needs a treatment, and an executive.
        assert!(matches!(
            s.accept_risk(&exec, rid, r.version).await,
            Err(StoreError::Invalid(_))
        ));
        s.treat_risk(&sec, rid, r.version, "reduce", "EDR導入", Some(2))
            .await
            .unwrap();
        let r = &s.risks(&auditor).await.unwrap()[0];
        assert_eq!(
            (r.residual_likelihood(), r.residual_value()),
            (Some(2), Some(6))
        );
        assert!(matches!(
            s.accept_risk(&sec, rid, r.version).await,
            Err(StoreError::Forbidden)
        ));
        s.accept_risk(&exec, rid, r.version).await.unwrap();
        let r = &s.risks(&auditor).await.unwrap()[0];
        assert_eq!(r.accepted_by.as_deref(), Some("exec"));
        // Changing the treatment withdraws the acceptance.
        s.treat_risk(&sec, rid, r.version, "transfer", "サイバー保険", Some(2))
            .await
            .unwrap();
        let r = &s.risks(&auditor).await.unwrap()[0];
        assert_eq!(r.accepted_by, None, "{}", db.url);
        // Every change is in the audit log.
        let page = s.audit_page(None, 0, 500).await.unwrap();
        let kinds: Vec<String> = page.entries.iter().map(|e| e.object_kind.clone()).collect();
        for k in ["assessments", "assessment_catalogs", "risks"] {
            assert!(kinds.iter().any(|x| x == k), "{k} not audited");
        }
        // Dashboard figures answer on both backends.
        assert_eq!(s.exposure(&exec).await.unwrap().open, [0, 0, 0]);
        assert_eq!(
            s.incident_counts(&exec, 0, i64::MAX).await.unwrap().len(),
            4
        );
        assert_eq!(s.action_counts(&exec, 0).await.unwrap().open, 0);
    }
}
