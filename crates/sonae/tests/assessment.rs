//! Self-assessment, risk register and dashboard over HTTP, on every backend:
//! the 25-item self-check answered and scored as on paper, an item turned
//! into an improvement action, a bad catalog refused with its line, a risk
//! treated and accepted by the executive, the dashboard for the right roles.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use common::web::{csrf_of, get_text, login};
use common::{backends, spawn};
use reqwest::StatusCode;
use sonae_domain::inventory::Kind;
use sonae_domain::{Actor, Value, Values};

fn location(r: &reqwest::Response) -> String {
    r.headers()
        .get("location")
        .unwrap()
        .to_str()
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn the_self_check_scores_like_paper_and_risks_reach_the_dashboard() {
    for backend in backends() {
        let app = spawn(backend).await;
        let seed = app.seed().await;
        let sec = login(&app, "security").await;
        let (st, html) = get_text(&sec, &format!("{}/assessments", app.base)).await;
        assert_eq!(st, StatusCode::OK);
        let csrf = csrf_of(&html);
        let r = sec
            .post(format!("{}/assessments", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("catalog", "ipa-25"),
                ("title", "2026年上期"),
                ("assessed_at", "2026-04-01"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let page = location(&r);
        let (_, html) = get_text(&sec, &format!("{}{page}", app.base)).await;
        let version = html
            .split("name=\"row_version\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_owned();
        // The known sheet: 1–10 done, 11–18 partly, 19–22 not done, 23–25
        // don't know = 40 + 16 + 0 − 3 = 53.
        let mut form: Vec<(String, String)> = vec![
            ("csrf".into(), csrf.clone()),
            ("row_version".into(), version),
        ];
        for n in 1..=25 {
            let c = match n {
                1..=10 => "done",
                11..=18 => "partly",
                19..=22 => "not_done",
                _ => "unknown",
            };
            form.push((format!("a-{n}"), c.into()));
            form.push((format!("n-{n}"), String::new()));
        }
        form[5].1 = "<script>x</script>".into();
        let r = sec
            .post(format!("{}{page}", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER, "{backend}");
        let (_, html) = get_text(&sec, &format!("{}{page}", app.base)).await;
        assert!(html.contains("id=\"total\">53</span> / 100"), "{backend}");
        assert!(html.contains("20 / 20") && html.contains("36 / 52") && html.contains("-3 / 28"));
        // The radar has one point per part.
        let pts = html
            .split("id=\"radar-area\" points=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap();
        assert_eq!(pts.split(' ').count(), 3);
        // Notes are escaped, never markup.
        assert!(!html.contains("<script>x</script>"));
        // The same save again (old version) is refused and says so.
        let r = sec
            .post(format!("{}{page}", app.base))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        // Item 11 becomes an improvement action with one click.
        let r = sec
            .post(format!("{}{page}/action", app.base))
            .form(&[("csrf", csrf.as_str()), ("item", "11")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let (_, html) = get_text(&sec, &format!("{}/actions", app.base)).await;
        assert!(html.contains("No.11"), "{backend}");

        // A catalog file with a duplicate id is refused, naming line and field.
        let bad = sonae_domain::assessment::BUILTIN[1]
            .1
            .replace("id = \"ipa-5rules\"", "id = \"ours\"")
            .replace("id = \"2\"", "id = \"1\"");
        let part = reqwest::multipart::Part::bytes(bad.into_bytes()).file_name("ours.toml");
        let mp = reqwest::multipart::Form::new()
            .text("csrf", csrf.clone())
            .part("file", part);
        let r = sec
            .post(format!("{}/assessments/catalogs", app.base))
            .multipart(mp)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(body.contains("items[1].id"), "{body}");
        assert!(body.contains("行目") || body.contains("line"));

        // A vendor and a system owner see none of it.
        for who in ["vendor", "owner"] {
            let c = login(&app, who).await;
            for path in ["/assessments", "/risks", "/dashboard"] {
                let (st, _) = get_text(&c, &format!("{}{path}", app.base)).await;
                assert_eq!(st, StatusCode::FORBIDDEN, "{who} {path}");
            }
        }

        // A risk on an information asset (C3): 3 × likelihood(3, 3) = 9.
        let mut v = Values::new();
        v.insert("name", Value::Text("顧客名簿".into()));
        v.insert("owner_department_id", Value::Int(seed.ec));
        v.insert("confidentiality", Value::Int(3));
        v.insert("integrity", Value::Int(2));
        v.insert("availability", Value::Int(2));
        v.insert("personal_data", Value::Int(1));
        let asset = app
            .store
            .create(&Actor::system(), Kind::Asset, v)
            .await
            .unwrap()
            .id;
        let r = sec
            .post(format!("{}/risks", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("asset", asset.to_string().as_str()),
                ("threat", "malware"),
                ("frequency", "3"),
                ("vulnerability", "3"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // Out-of-range input names the field and keeps the rest.
        let r = sec
            .post(format!("{}/risks", app.base))
            .form(&[
                ("csrf", csrf.as_str()),
                ("asset", asset.to_string().as_str()),
                ("threat", "malware"),
                ("frequency", "7"),
                ("vulnerability", "3"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let body = r.text().await.unwrap();
        assert!(body.contains("脅威の発生頻度") || body.contains("Threat frequency"));
        let risk = app.store.risks(&Actor::system()).await.unwrap()[0].clone();
        assert_eq!(risk.value(), Some(9));
        let r = sec
            .post(format!("{}/risks/{}/treat", app.base, risk.id))
            .form(&[
                ("csrf", csrf.as_str()),
                ("row_version", risk.version.to_string().as_str()),
                ("treatment", "reduce"),
                ("treatment_note", "EDR"),
                ("residual_vulnerability", "1"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        // The security officer cannot accept; the executive can.
        let risk = app.store.risks(&Actor::system()).await.unwrap()[0].clone();
        let r = sec
            .post(format!("{}/risks/{}/accept", app.base, risk.id))
            .form(&[
                ("csrf", csrf.as_str()),
                ("row_version", risk.version.to_string().as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::FORBIDDEN);
        let exec = login(&app, "exec").await;
        let (_, html) = get_text(&exec, &format!("{}/risks", app.base)).await;
        assert!(html.contains("id=\"heat-map\""));
        let ecsrf = csrf_of(&html);
        let r = exec
            .post(format!("{}/risks/{}/accept", app.base, risk.id))
            .form(&[
                ("csrf", ecsrf.as_str()),
                ("row_version", risk.version.to_string().as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), StatusCode::SEE_OTHER);
        let risk = app.store.risks(&Actor::system()).await.unwrap()[0].clone();
        assert_eq!(risk.accepted_by.as_deref(), Some("exec"));
        assert_eq!(risk.residual_value(), Some(3));

        // The dashboard and the report, for the executive and the auditor.
        for who in ["exec", "auditor"] {
            let c = login(&app, who).await;
            let (st, html) = get_text(&c, &format!("{}/dashboard", app.base)).await;
            assert_eq!(st, StatusCode::OK, "{who}");
            // One risk in the importance 3 × likelihood 3 cell.
            assert!(html.contains("3×3=9: 1"), "{who}");
            assert!(html.contains("53 / 100"));
            assert!(html.contains("id=\"actions-open\">1<"));
            let (st, html) = get_text(&c, &format!("{}/dashboard/report", app.base)).await;
            assert_eq!(st, StatusCode::OK);
            assert!(html.contains("/static/assessment.css"));
        }
        let (st, css) = get_text(&exec, &format!("{}/static/assessment.css", app.base)).await;
        assert_eq!(st, StatusCode::OK);
        assert!(css.contains("@media print"));
    }
}
