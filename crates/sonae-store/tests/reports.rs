//! Reports from outside in the store, on SQLite and PostgreSQL: the life of
//! a report, what the reporter sees, rate limits and single-use challenges.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::intake::{ReportInput, ReportStatus, SecurityTxt};
use sonae_domain::{Actor, FixedClock, Role};
use sonae_store::{MessageKind, NewReport, NewUser, ReportUpdate, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

static COUNTER: AtomicU32 = AtomicU32::new(0);
const T0: i64 = 1_764_000_000_000;

async fn backends(clock: Arc<FixedClock>) -> Vec<(Store, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    out.push((Store::open(&url, clock.clone()).await.unwrap(), Some(dir)));
    if let Ok(admin) = std::env::var("SONAE_TEST_POSTGRES_URL") {
        let name = format!(
            "sonae_reports_{}_{}",
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

async fn user(s: &Store, name: &str, role: Role) -> Actor {
    s.create_user(
        &Actor::system(),
        NewUser {
            username: name.into(),
            display_name: name.into(),
            email: None,
            role,
            department_id: None,
            vendor_id: None,
            password_hash: "x".into(),
        },
    )
    .await
    .unwrap()
    .actor()
}

fn new_report(reference: &str, token_hash: &str) -> NewReport {
    NewReport {
        input: ReportInput::parse(
            "Reporter",
            "r@example.jp",
            "https://shop.example.jp/",
            "Stored XSS in the review form",
            "CVE-2024-3094",
        )
        .unwrap(),
        reference: reference.into(),
        token_hash: token_hash.into(),
        ack_due_at_ms: T0 + 1000,
    }
}

#[tokio::test]
async fn a_report_is_worked_and_the_reporter_sees_only_replies() {
    let clock = Arc::new(FixedClock::at_ms(T0));
    for (s, _dir) in backends(clock.clone()).await {
        let officer = user(&s, "security", Role::SecurityOfficer).await;
        let auditor = user(&s, "auditor", Role::Auditor).await;
        let owner = user(&s, "owner", Role::SystemOwner).await;
        let r = s.create_report(new_report("VR-A", "hash-a")).await.unwrap();
        assert_eq!(r.status, ReportStatus::Received);
        assert_eq!(r.vuln_ids, vec!["CVE-2024-3094"]);
        assert_eq!(s.reports_awaiting_ack(&officer).await.unwrap(), 1);

        // Who may see and work reports.
        assert!(matches!(
            s.reports(&owner, None).await,
            Err(StoreError::Forbidden)
        ));
        assert_eq!(s.reports(&auditor, None).await.unwrap().len(), 1);
        assert!(matches!(
            s.add_staff_message(&auditor, r.id, MessageKind::Note, "x")
                .await,
            Err(StoreError::Forbidden)
        ));

        s.add_staff_message(&officer, r.id, MessageKind::Note, "looks real, internal")
            .await
            .unwrap();
        clock.advance_ms(10);
        let replied_at = sonae_domain::Clock::now_ms(&*clock);
        s.add_staff_message(
            &officer,
            r.id,
            MessageKind::Reply,
            "Thank you, we are looking",
        )
        .await
        .unwrap();
        // The first reply acknowledges the report.
        let r2 = s.report(&officer, r.id).await.unwrap();
        assert_eq!(r2.status, ReportStatus::Acknowledged);
        assert_eq!(r2.acknowledged_at_ms, Some(replied_at));
        assert_eq!(s.reports_awaiting_ack(&officer).await.unwrap(), 0);

        s.add_reporter_message("hash-a", "Any news?").await.unwrap();
        let seen: Vec<_> = s
            .reporter_messages("hash-a")
            .await
            .unwrap()
            .into_iter()
            .map(|m| m.body)
            .collect();
        assert_eq!(seen, vec!["Thank you, we are looking", "Any news?"]);
        let all = s.report_messages(&auditor, r.id).await.unwrap();
        let kinds: Vec<_> = all.iter().map(|m| m.kind).collect();
        assert_eq!(
            kinds,
            vec![
                MessageKind::Note,
                MessageKind::Reply,
                MessageKind::Status,
                MessageKind::Reporter
            ]
        );
        assert_eq!(all[2].author, "security");
        assert_eq!(all[2].to_status, Some(ReportStatus::Acknowledged));

        // A step the life of a report does not allow is refused, naming the field.
        let up = |status| ReportUpdate {
            status,
            assignee_id: officer.user_id,
            linked_vuln_ids: vec!["CVE-2024-3094".into()],
            system_id: None,
        };
        match s
            .update_report(&officer, r.id, r2.version, up(ReportStatus::Fixed))
            .await
        {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "status"),
            other => panic!("{other:?}"),
        }
        // An auditor cannot be assigned.
        let bad = ReportUpdate {
            assignee_id: auditor.user_id,
            ..up(ReportStatus::Triaging)
        };
        match s.update_report(&officer, r.id, r2.version, bad).await {
            Err(StoreError::Invalid(e)) => assert_eq!(e[0].field, "assignee_id"),
            other => panic!("{other:?}"),
        }
        let r3 = s
            .update_report(&officer, r.id, r2.version, up(ReportStatus::Accepted))
            .await
            .unwrap();
        assert_eq!(r3.status, ReportStatus::Accepted);
        assert_eq!(r3.assignee_name.as_deref(), Some("security"));
        // A second save from the old version is refused.
        assert!(matches!(
            s.update_report(&officer, r.id, r2.version, up(ReportStatus::Rejected))
                .await,
            Err(StoreError::Conflict(_))
        ));
        let accepted = s
            .reports(&auditor, Some(ReportStatus::Accepted))
            .await
            .unwrap();
        assert_eq!(accepted.len(), 1);
        assert!(s
            .reports(&auditor, Some(ReportStatus::Received))
            .await
            .unwrap()
            .is_empty());
        // Every change is in the audit chain.
        let (n, breaks) = s.audit_verify().await.unwrap();
        assert!(n > 5 && breaks.is_empty());
        assert!(matches!(
            s.report_by_token("no-such").await,
            Err(StoreError::NotFound)
        ));
    }
}

#[tokio::test]
async fn rate_limits_and_single_use_challenges_hold() {
    let clock = Arc::new(FixedClock::at_ms(T0));
    for (s, _dir) in backends(clock.clone()).await {
        let b = |ip: &str| vec![(format!("report:{ip}"), 2), ("report:*".to_owned(), 3)];
        assert!(s.take_rate(&b("a"), 1000).await.unwrap());
        assert!(s.take_rate(&b("a"), 1000).await.unwrap());
        assert!(!s.take_rate(&b("a"), 1000).await.unwrap(), "per address");
        assert!(s.take_rate(&b("b"), 1000).await.unwrap());
        assert!(!s.take_rate(&b("c"), 1000).await.unwrap(), "overall");
        clock.advance_ms(1001);
        assert!(s.take_rate(&b("a"), 1000).await.unwrap(), "window passed");

        assert!(s.use_challenge("c1", T0 + 5000).await.unwrap());
        assert!(!s.use_challenge("c1", T0 + 5000).await.unwrap(), "reuse");
        assert!(s.use_challenge("c2", T0 + 5000).await.unwrap());

        // Settings round-trip.
        let admin = Actor::system();
        assert_eq!(s.intake_settings().await.unwrap(), None);
        let today = chrono::NaiveDate::from_ymd_opt(2025, 11, 24).unwrap();
        let form = sonae_domain::intake::security_txt::SecurityTxtForm {
            contacts: "security@example.jp".into(),
            ..SecurityTxt::defaults(today)
        };
        let st = SecurityTxt::parse(&form, today).unwrap();
        s.set_intake_settings(&admin, &st).await.unwrap();
        assert_eq!(s.intake_settings().await.unwrap(), Some(st));
    }
}
