//! The first statement's store on SQLite and PostgreSQL: facts with their
//! log entries, drafts with every version, the approval rules, sending,
//! and the regulatory clocks that sending satisfies.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use sonae_domain::inventory::Kind;
use sonae_domain::statement::{DraftLang, DraftRefusal, DraftStatus, Knowledge};
use sonae_domain::{Actor, FieldErrorKind, FixedClock, Role, Value, Values};
use sonae_store::{FactInput, NewIncident, Store, StoreError};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

static COUNTER: AtomicU32 = AtomicU32::new(0);
const DAY: i64 = 86_400_000;
/// 2026-12-02 00:00 UTC.
const NOW: i64 = 1_796_169_600_000;

/// Each backend with its own clock, starting at NOW.
async fn backends() -> Vec<(Store, Arc<FixedClock>, Option<tempfile::TempDir>)> {
    let mut out = Vec::new();
    let clock = Arc::new(FixedClock::at_ms(NOW));
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("t.db").display());
    out.push((
        Store::open(&url, clock.clone()).await.unwrap(),
        clock,
        Some(dir),
    ));
    match std::env::var("SONAE_TEST_POSTGRES_URL") {
        Ok(admin) => {
            let name = format!(
                "sonae_stmt_{}_{}",
                std::process::id(),
                COUNTER.fetch_add(1, Ordering::SeqCst)
            );
            let clock = Arc::new(FixedClock::at_ms(NOW));
            let a = Store::connect(&admin, clock.clone()).await.unwrap();
            a.execute_admin(&format!("CREATE DATABASE {name}"))
                .await
                .unwrap();
            a.close().await;
            let mut u = url::Url::parse(&admin).unwrap();
            u.set_path(&name);
            out.push((
                Store::open(u.as_str(), clock.clone()).await.unwrap(),
                clock,
                None,
            ));
        }
        Err(_) => {
            if std::env::var("SONAE_TEST_REQUIRE_POSTGRES").is_ok_and(|v| v == "1") {
                panic!("SONAE_TEST_REQUIRE_POSTGRES=1 but SONAE_TEST_POSTGRES_URL is not set");
            }
        }
    }
    out
}

fn who(name: &str, role: Role, dept: Option<i64>) -> Actor {
    Actor {
        user_id: None,
        name: name.into(),
        role,
        department_id: dept,
        vendor_id: None,
    }
}

async fn incident(s: &Store) -> (i64, i64) {
    let sys = Actor::system();
    let mut d = Values::new();
    d.insert("name", Value::Text("通販事業部".into()));
    let dept = s.create(&sys, Kind::Department, d).await.unwrap().id;
    let id = s
        .create_incident(
            &who("owner", Role::SystemOwner, Some(dept)),
            &NewIncident {
                title: "会員情報流出の疑い".into(),
                category: "unauthorized_access".into(),
                level: 3,
                discovered_at_ms: NOW - DAY,
                summary: "取引先から指摘".into(),
                personal_data: "unknown".into(),
                system_ids: vec![],
            },
        )
        .await
        .unwrap();
    (id, dept)
}

#[tokio::test]
async fn facts_are_logged_and_a_stale_save_is_refused() {
    for (s, clock, _dir) in backends().await {
        let (id, dept) = incident(&s).await;
        let officer = who("security", Role::SecurityOfficer, None);
        let fact = |k: &str, v: &str, src: &str, base: i64| FactInput {
            fact: "pd_count".into(),
            knowledge: k.into(),
            value: v.into(),
            source: src.into(),
            base_version: base,
        };
        // Known without a source: refused, naming the field; nothing saved.
        match s
            .set_fact(&officer, id, &fact("known", "3万件", "", 0))
            .await
        {
            Err(StoreError::Invalid(e)) => {
                assert_eq!(e[0].field, "source");
                assert_eq!(e[0].kind, FieldErrorKind::Required);
            }
            other => panic!("{other:?}"),
        }
        assert!(s.incident_facts(&officer, id).await.unwrap().is_empty());
        s.set_fact(
            &officer,
            id,
            &fact("partial", "約3万件", "DBログ（山田）", 0),
        )
        .await
        .unwrap();
        clock.advance_ms(60_000);
        s.set_fact(&officer, id, &fact("known", "31,204件", "DB調査報告書", 1))
            .await
            .unwrap();
        // A second editor who saw version 1 is refused.
        assert!(matches!(
            s.set_fact(&officer, id, &fact("known", "3万件", "噂", 1))
                .await,
            Err(StoreError::Conflict(_))
        ));
        let facts = s.incident_facts(&officer, id).await.unwrap();
        let f = &facts["pd_count"];
        assert_eq!(
            (f.knowledge, f.value.as_str(), f.source.as_str(), f.version),
            (Knowledge::Known, "31,204件", "DB調査報告書", 2)
        );
        assert_eq!(f.updated_by, "security");
        // Each change is a work-log entry, and the audit chain holds it.
        let log = s.incident_log(&officer, id).await.unwrap();
        let entries: Vec<_> = log.iter().filter(|e| e.kind == "fact").collect();
        assert_eq!(entries.len(), 2);
        assert!(entries[1].body.contains("31,204件"));
        assert!(s.audit_verify().await.unwrap().1.is_empty());
        // The owner reads but cannot set; the vendor cannot read.
        let owner = who("owner", Role::SystemOwner, Some(dept));
        assert!(s.incident_facts(&owner, id).await.is_ok());
        assert!(matches!(
            s.set_fact(&owner, id, &fact("unknown", "", "", 2)).await,
            Err(StoreError::Forbidden)
        ));
        let vendor = Actor {
            vendor_id: Some(1),
            ..who("vendor", Role::Vendor, None)
        };
        assert!(matches!(
            s.incident_facts(&vendor, id).await,
            Err(StoreError::Forbidden)
        ));
    }
}

#[tokio::test]
async fn drafts_keep_versions_and_need_another_approver_before_sending() {
    for (s, clock, _dir) in backends().await {
        let (id, dept) = incident(&s).await;
        let officer = who("security", Role::SecurityOfficer, None);
        let admin = who("admin", Role::Admin, None);
        let exec = who("exec", Role::Executive, None);
        let owner = who("owner", Role::SystemOwner, Some(dept));
        let d = s
            .create_draft(&officer, id, "report_ppc", DraftLang::Ja, "速報", "本文 v1")
            .await
            .unwrap();
        let (draft, _) = s.draft(&officer, id, d).await.unwrap();
        // Sending before approval is refused.
        assert!(matches!(
            s.mark_draft_sent(&officer, id, d, draft.version, "PPC")
                .await,
            Err(StoreError::Draft(DraftRefusal::NotApproved))
        ));
        clock.advance_ms(1000);
        s.save_draft(&officer, id, d, draft.version, "速報", "本文 v2")
            .await
            .unwrap();
        // A stale save (based on version 1) is refused.
        assert!(matches!(
            s.save_draft(&officer, id, d, draft.version, "速報", "x")
                .await,
            Err(StoreError::Conflict(_))
        ));
        let (draft, versions) = s.draft(&officer, id, d).await.unwrap();
        assert_eq!(versions.len(), 2);
        assert_eq!(versions[0].body, "本文 v1");
        assert_eq!(draft.current.body, "本文 v2");
        // The officer and the system owner have not the role; the admin who
        // wrote the latest version may not approve it.
        for a in [&officer, &owner] {
            assert!(matches!(
                s.approve_draft(a, id, d, draft.version).await,
                Err(StoreError::Draft(DraftRefusal::NotApprover))
            ));
        }
        s.save_draft(&admin, id, d, draft.version, "速報", "本文 v3")
            .await
            .unwrap();
        let (draft, _) = s.draft(&officer, id, d).await.unwrap();
        assert!(matches!(
            s.approve_draft(&admin, id, d, draft.version).await,
            Err(StoreError::Draft(DraftRefusal::OwnVersion))
        ));
        s.approve_draft(&exec, id, d, draft.version).await.unwrap();
        let (draft, _) = s.draft(&officer, id, d).await.unwrap();
        assert_eq!(draft.status, DraftStatus::Approved);
        assert_eq!(draft.approved_by.as_deref(), Some("exec"));
        // Where it went is required.
        assert!(matches!(
            s.mark_draft_sent(&officer, id, d, draft.version, " ").await,
            Err(StoreError::Invalid(_))
        ));
        s.mark_draft_sent(&officer, id, d, draft.version, "PPC 報告フォーム")
            .await
            .unwrap();
        let (draft, versions) = s.draft(&officer, id, d).await.unwrap();
        assert_eq!(draft.status, DraftStatus::Sent);
        assert_eq!(
            (
                draft.sent_by.as_deref(),
                draft.sent_at_ms,
                draft.sent_to.as_deref()
            ),
            (Some("security"), Some(NOW + 1000), Some("PPC 報告フォーム"))
        );
        assert_eq!(versions.len(), 3);
        // A sent draft is final.
        assert!(matches!(
            s.save_draft(&officer, id, d, draft.version, "t", "b").await,
            Err(StoreError::Draft(DraftRefusal::AlreadySent))
        ));
        let steps: Vec<String> = s
            .incident_log(&officer, id)
            .await
            .unwrap()
            .into_iter()
            .filter(|e| e.kind == "draft")
            .map(|e| {
                serde_json::from_str::<serde_json::Value>(&e.body).unwrap()["step"]
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect();
        assert_eq!(steps, ["created", "edited", "edited", "approved", "sent"]);
        assert!(s.audit_verify().await.unwrap().1.is_empty());

        // Editing an approved draft takes the approval away.
        let d2 = s
            .create_draft(&officer, id, "web_notice", DraftLang::En, "t", "b")
            .await
            .unwrap();
        let v = s.draft(&officer, id, d2).await.unwrap().0.version;
        s.approve_draft(&exec, id, d2, v).await.unwrap();
        s.save_draft(&officer, id, d2, v + 1, "t", "b2")
            .await
            .unwrap();
        let (d2r, _) = s.draft(&officer, id, d2).await.unwrap();
        assert_eq!((d2r.status, d2r.approved_by), (DraftStatus::Draft, None));
        assert_eq!(s.incident_drafts(&officer, id).await.unwrap().len(), 2);
    }
}

#[tokio::test]
async fn clocks_follow_the_flags_and_stop_when_the_ppc_report_is_sent() {
    for (s, clock, _dir) in backends().await {
        let (id, _) = incident(&s).await;
        let officer = who("security", Role::SecurityOfficer, None);
        let exec = who("exec", Role::Executive, None);
        // Personal data unknown and not a leak: no clocks.
        assert!(s.incident_clocks(&officer, id).await.unwrap().is_empty());
        let inc = s.incident(&officer, id).await.unwrap();
        s.set_statement_flags(&officer, id, inc.version, "yes", true)
            .await
            .unwrap();
        assert!(s.unauthorized_purpose(&officer, id).await.unwrap());
        let c = s.incident_clocks(&officer, id).await.unwrap();
        let due: Vec<_> = c
            .iter()
            .map(|c| (c.rule.id.as_str(), c.due_at_ms))
            .collect();
        assert_eq!(
            due,
            [
                ("ppc_preliminary", NOW - DAY + 5 * DAY),
                ("ppc_final_unauthorized", NOW - DAY + 60 * DAY)
            ]
        );
        assert!(s
            .incident_log(&officer, id)
            .await
            .unwrap()
            .iter()
            .any(|e| e.kind == "flags"));
        // GDPR switched on by the admin joins; the officer may not switch it.
        assert!(matches!(
            s.set_clock_enabled(&officer, "gdpr_72h", true).await,
            Err(StoreError::Forbidden)
        ));
        s.set_clock_enabled(&Actor::system(), "gdpr_72h", true)
            .await
            .unwrap();
        assert_eq!(s.incident_clocks(&officer, id).await.unwrap().len(), 3);
        // Five days on: GDPR and the preliminary report are overdue reminders.
        clock.advance_ms(5 * DAY);
        let due = s.due_regulatory_clocks(DAY).await.unwrap();
        let ids: Vec<_> = due.iter().map(|d| d.clock.rule.id.as_str()).collect();
        assert_eq!(ids, ["gdpr_72h", "ppc_preliminary"]);
        assert_eq!(
            due[0].reference,
            s.incident(&officer, id).await.unwrap().reference
        );
        // The PPC report sent: the preliminary clock is satisfied (late).
        let d = s
            .create_draft(&officer, id, "report_ppc", DraftLang::Ja, "速報", "本文")
            .await
            .unwrap();
        s.approve_draft(&exec, id, d, 1).await.unwrap();
        s.mark_draft_sent(&officer, id, d, 2, "PPC").await.unwrap();
        let c = s.incident_clocks(&officer, id).await.unwrap();
        let pre = c.iter().find(|c| c.rule.id == "ppc_preliminary").unwrap();
        assert_eq!(pre.satisfied_at_ms, Some(NOW + 5 * DAY));
        assert!(!pre.overdue() && pre.late());
        let ids: Vec<_> = s
            .due_regulatory_clocks(DAY)
            .await
            .unwrap()
            .into_iter()
            .map(|d| d.clock.rule.id)
            .collect();
        assert_eq!(ids, ["gdpr_72h"]);
    }
}
