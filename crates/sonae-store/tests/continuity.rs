//! Business continuity in the store, on SQLite and PostgreSQL: processes
//! and their systems, inherited objectives, plans, backups with restore
//! tests and the idempotent overdue reminder, and an exercise run to its
//! findings and improvement actions.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::continuity::{derive_system_objectives, system_warnings, ProcessInput, Warning};
use sonae_domain::inventory::Kind;
use sonae_domain::{Actor, Clock, FixedClock, Role, Value, Values};
use sonae_store::{ActionFilter, NewBackup, NewPlan, NewUser, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

static COUNTER: AtomicU32 = AtomicU32::new(0);
const T0: i64 = 1_764_000_000_000;
const DAY: i64 = 86_400_000;

async fn backends(clock: Arc<FixedClock>) -> Vec<(Store, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    out.push((Store::open(&url, clock.clone()).await.unwrap(), Some(dir)));
    if let Ok(admin) = std::env::var("SONAE_TEST_POSTGRES_URL") {
        let name = format!(
            "sonae_bc_{}_{}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::SeqCst)
        );
        let a = Store::connect(&admin, clock.clone()).await.unwrap();
        a.execute_admin(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        a.close().await;
        let mut u = url::Url::parse(&admin).unwrap();
        u.set_path(&name);
        out.push((Store::open(u.as_str(), clock).await.unwrap(), None));
    } else if std::env::var("SONAE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
        panic!("SONAE_TEST_REQUIRE_POSTGRES=1 but SONAE_TEST_POSTGRES_URL is not set");
    }
    out
}

fn vals(pairs: &[(&'static str, Value)]) -> Values {
    let mut v = Values::new();
    for (k, x) in pairs {
        v.insert(*k, x.clone());
    }
    v
}

async fn user(s: &Store, name: &str, role: Role, dept: Option<i64>) -> (i64, Actor) {
    let u = s
        .create_user(
            &Actor::system(),
            NewUser {
                username: name.into(),
                display_name: name.into(),
                email: None,
                role,
                department_id: dept,
                vendor_id: None,
                password_hash: "x".into(),
            },
        )
        .await
        .unwrap();
    (u.id, u.actor())
}

fn process(
    name: &str,
    dept: i64,
    rto: Option<i64>,
    rpo: Option<i64>,
    systems: &[i64],
) -> ProcessInput {
    ProcessInput {
        name: name.into(),
        owner_department_id: dept,
        description: String::new(),
        rto_hours: rto,
        rpo_hours: rpo,
        impact: Default::default(),
        system_ids: systems.to_vec(),
    }
}

#[tokio::test]
async fn objectives_plans_backups_and_reminders() {
    let clock = Arc::new(FixedClock::at_ms(T0));
    for (s, _dir) in backends(clock.clone()).await {
        let sys = Actor::system();
        let ec = s
            .create(
                &sys,
                Kind::Department,
                vals(&[("name", Value::Text("通販事業部".into()))]),
            )
            .await
            .unwrap()
            .id;
        let other = s
            .create(
                &sys,
                Kind::Department,
                vals(&[("name", Value::Text("物流部".into()))]),
            )
            .await
            .unwrap()
            .id;
        let system = |name: &str, d: i64| {
            vals(&[
                ("name", Value::Text(name.into())),
                ("owner_department_id", Value::Int(d)),
                ("exposure", Value::Text("internet".into())),
                ("confidentiality", Value::Int(3)),
                ("integrity", Value::Int(3)),
                ("availability", Value::Int(3)),
                ("personal_data", Value::Int(1)),
                ("customer_data", Value::Int(1)),
                ("critical_data", Value::Int(1)),
            ])
        };
        let shop = s
            .create(&sys, Kind::System, system("Webショップ", ec))
            .await
            .unwrap()
            .id;
        let wms = s
            .create(&sys, Kind::System, system("倉庫管理", other))
            .await
            .unwrap()
            .id;
        let (_, officer) = user(&s, "security", Role::SecurityOfficer, None).await;
        let (_, owner) = user(&s, "owner", Role::SystemOwner, Some(ec)).await;
        let (_, auditor) = user(&s, "auditor", Role::Auditor, None).await;

        // The owner department keeps its own process, not another's.
        let order = s
            .create_process(&owner, &process("受注", ec, Some(24), Some(24), &[shop]))
            .await
            .unwrap();
        assert!(matches!(
            s.create_process(&owner, &process("出荷", other, Some(4), None, &[wms]))
                .await,
            Err(StoreError::Forbidden)
        ));
        assert!(matches!(
            s.create_process(&auditor, &process("x", ec, None, None, &[]))
                .await,
            Err(StoreError::Forbidden)
        ));
        let ship = s
            .create_process(
                &officer,
                &process("出荷", other, Some(48), None, &[shop, wms]),
            )
            .await
            .unwrap();
        // A duplicate name and an unknown system are named.
        match s
            .create_process(&officer, &process("受注", ec, None, None, &[]))
            .await
        {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "name"),
            other => panic!("{other:?}"),
        }
        match s
            .create_process(&officer, &process("決済", ec, None, None, &[9999]))
            .await
        {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "system_ids"),
            other => panic!("{other:?}"),
        }
        let all = s.processes(&auditor).await.unwrap();
        let d = derive_system_objectives(&all.iter().map(|p| p.objectives()).collect::<Vec<_>>());
        assert_eq!(d[&shop].rto.as_ref().unwrap().process_name, "受注");
        assert_eq!(d[&wms].rto.as_ref().unwrap().hours, 48);

        // Tightening 受注 to 4 hours reaches the shop; a stale save is refused.
        let p = s.process(&officer, order).await.unwrap();
        s.update_process(
            &owner,
            order,
            p.version,
            &process("受注", ec, Some(4), Some(1), &[shop]),
        )
        .await
        .unwrap();
        assert!(matches!(
            s.update_process(
                &officer,
                order,
                p.version,
                &process("受注", ec, Some(8), Some(1), &[shop])
            )
            .await,
            Err(StoreError::Conflict(_))
        ));
        let all = s.processes(&auditor).await.unwrap();
        let d = derive_system_objectives(&all.iter().map(|p| p.objectives()).collect::<Vec<_>>());
        assert_eq!(d[&shop].rto.as_ref().unwrap().hours, 4);
        assert_eq!(d[&shop].processes.len(), 2);

        // A plan for the process (8 h) and a nightly backup: both fall short.
        let plan = s
            .create_plan(
                &officer,
                &NewPlan {
                    title: "Webショップ復旧計画".into(),
                    process_id: Some(order),
                    steps: "停止\nバックアップから復元\n\n動作確認".into(),
                    alt_manual: "電話・FAXで受注".into(),
                    estimated_hours: Some(8),
                    ..NewPlan::default()
                },
            )
            .await
            .unwrap();
        assert!(matches!(
            s.create_plan(&officer, &NewPlan { title: "x".into(), ..NewPlan::default() }).await,
            Err(StoreError::Invalid(e)) if e[0].field == "target"
        ));
        let b = s
            .create_backup(
                &officer,
                &NewBackup {
                    system_id: shop,
                    what: "DB".into(),
                    location: "クラウド別リージョン".into(),
                    interval_hours: 24,
                    retention_days: 30,
                    test_interval_days: 180,
                },
            )
            .await
            .unwrap();
        match s
            .create_backup(
                &officer,
                &NewBackup {
                    system_id: shop,
                    ..NewBackup::default()
                },
            )
            .await
        {
            Err(StoreError::Invalid(e)) => {
                let f: Vec<_> = e.iter().map(|e| e.field).collect();
                assert_eq!(
                    f,
                    [
                        "what",
                        "location",
                        "interval_hours",
                        "retention_days",
                        "test_interval_days"
                    ]
                );
            }
            other => panic!("{other:?}"),
        }
        let plans = s.plans(&auditor).await.unwrap();
        assert_eq!(plans[0].id, plan);
        let backups = s.backups(&auditor).await.unwrap();
        let facts: Vec<_> = backups.iter().map(|b| b.facts()).collect();
        let covering: Vec<_> = Store::plans_for_system(&plans, &all, shop)
            .iter()
            .map(|p| p.facts())
            .collect();
        let w = system_warnings(&d[&shop], &facts, &covering, clock.now_ms());
        assert!(w.contains(&Warning::IntervalOverRpo {
            backup_id: b,
            interval_hours: 24,
            rpo_hours: 1
        }));
        assert!(w.contains(&Warning::NeverRestored { backup_id: b }));
        assert!(w.contains(&Warning::PlanOverRto {
            plan_id: plan,
            estimated_hours: 8,
            rto_hours: 4
        }));

        // Never restored: overdue now. The check makes one action, once;
        // with it the yearly policy review comes due (also once).
        let first = s.continuity_check(&officer).await.unwrap();
        assert_eq!(first.len(), 2);
        assert!(s.continuity_check(&officer).await.unwrap().is_empty());
        let reviews = s
            .actions(
                &auditor,
                &ActionFilter {
                    source_kind: Some("review".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(reviews.len(), 2);
        assert!(reviews.iter().any(|r| r.title.contains("Webショップ")));
        assert!(reviews
            .iter()
            .any(|r| r.title.contains("Review the security policy")));
        // A proven restore ends it; 181 days later it is due again, once more.
        s.record_restore_test(&officer, b, clock.now_ms(), "全件復元を確認")
            .await
            .unwrap();
        let after = s.backups(&auditor).await.unwrap();
        assert_eq!(after[0].last_restore_by.as_deref(), Some("security"));
        assert!(s.continuity_check(&officer).await.unwrap().is_empty());
        clock.advance_ms(181 * DAY);
        assert_eq!(s.continuity_check(&officer).await.unwrap().len(), 1);
        assert!(s.continuity_check(&officer).await.unwrap().is_empty());
        clock.advance_ms(-181 * DAY);

        // Every change is in the audit chain.
        let audit = s
            .audit_page(Some(("bc_processes", order)), 0, 10)
            .await
            .unwrap();
        assert_eq!(audit.total, 2);
        let _ = ship;
    }
}

#[tokio::test]
async fn an_exercise_runs_to_findings_that_become_actions() {
    let clock = Arc::new(FixedClock::at_ms(T0));
    for (s, _dir) in backends(clock.clone()).await {
        let (_, officer) = user(&s, "security", Role::SecurityOfficer, None).await;
        let (pid, participant) = user(&s, "owner", Role::SystemOwner, None).await;
        let (_, outsider) = user(&s, "exec", Role::Executive, None).await;
        assert!(matches!(
            s.start_exercise(&officer, "no-such", &[pid], &[]).await,
            Err(StoreError::Invalid(e)) if e[0].field == "scenario"
        ));
        assert!(matches!(
            s.start_exercise(&participant, "ransomware-shop", &[pid], &[])
                .await,
            Err(StoreError::Forbidden)
        ));
        let id = s
            .start_exercise(&officer, "ransomware-shop", &[pid], &[])
            .await
            .unwrap();
        clock.advance_ms(7 * 60_000);
        s.log_exercise_action(&participant, id, "委託先に電話")
            .await
            .unwrap();
        assert!(matches!(
            s.log_exercise_action(&outsider, id, "x").await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(s.mark_milestone(&officer, id, "detected").await.unwrap(), 7);
        assert!(matches!(
            s.mark_milestone(&officer, id, "detected").await,
            Err(StoreError::Invalid(_))
        ));
        // Skip to the next injects: the clock jumps to each one's minute.
        assert_eq!(
            s.exercise_next_inject(&officer, id).await.unwrap(),
            Some(10)
        );
        assert_eq!(
            s.exercise_next_inject(&officer, id).await.unwrap(),
            Some(30)
        );
        assert_eq!(
            s.mark_milestone(&officer, id, "restored").await.unwrap(),
            30
        );
        s.finish_exercise(&officer, id, &["手順書がない".into(), " ".into()])
            .await
            .unwrap();
        assert!(matches!(
            s.log_exercise_action(&participant, id, "late").await,
            Err(StoreError::Conflict(_))
        ));
        let d = s.exercise(&outsider, id).await.unwrap();
        assert!(!d.exercise.running());
        assert_eq!(d.exercise.finished_minute, Some(30));
        assert_eq!(d.log.iter().filter(|l| l.kind == "action").count(), 1);
        assert_eq!(d.findings.len(), 1);
        let f = d.findings[0].id;
        let a = s
            .finding_to_action(&officer, id, f, "security")
            .await
            .unwrap();
        assert_eq!(
            s.finding_to_action(&officer, id, f, "security")
                .await
                .unwrap(),
            a
        );
        let acts = s
            .actions(
                &officer,
                &ActionFilter {
                    source_kind: Some("exercise".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        assert_eq!(acts.len(), 1);
        assert_eq!(acts[0].source_id, Some(id));
        assert_eq!(acts[0].title, "手順書がない");
    }
}

/// The contact list comes up for verification when someone's entry is
/// older than a year (or never verified): one review action, not repeated
/// while it is open.
#[tokio::test]
async fn stale_contacts_become_one_review_action() {
    let clock = Arc::new(FixedClock::at_ms(1_764_000_000_000)); // 2025-11-24
    for (s, _dir) in backends(clock.clone()).await {
        let sys = Actor::system();
        for (name, verified) in [("鈴木 一郎", "2025-06-01"), ("田中 花子", "2023-01-15")] {
            s.create(
                &sys,
                Kind::Person,
                vals(&[
                    ("name", Value::Text(name.into())),
                    ("affiliation", Value::Text("internal".into())),
                    ("last_verified", Value::Text(verified.into())),
                ]),
            )
            .await
            .unwrap();
        }
        s.continuity_check(&sys).await.unwrap();
        let reviews = s
            .actions(
                &sys,
                &ActionFilter {
                    source_kind: Some("review".into()),
                    ..Default::default()
                },
            )
            .await
            .unwrap();
        let contacts: Vec<_> = reviews
            .iter()
            .filter(|a| a.title.contains("contact list"))
            .collect();
        assert_eq!(contacts.len(), 1);
        assert!(contacts[0].detail.contains("田中 花子") && !contacts[0].detail.contains("鈴木"));
        assert!(
            s.continuity_check(&sys).await.unwrap().is_empty(),
            "not repeated while open"
        );
    }
}
