//! Webhooks: JSON that Slack incoming webhooks and Microsoft Teams accept
//! (a `text` field), with the items in a structured `sonae` object, signed
//! with the webhook's secret (see `sign`), posted with a timeout and a
//! bounded number of tries.

use crate::{by_kind, mail::item_line, sign, Item, Notifier};
use sonae_domain::notify::EventKind;
use sonae_store::Webhook;
use sonae_web::{I18n, Lang};
use std::time::Duration;

/// The catalog key naming an event kind.
pub(crate) fn event_key(kind: EventKind) -> String {
    format!("notify-event-{}", kind.as_str().replace('_', "-"))
}

pub(crate) fn payload(i18n: &I18n, lang: Lang, items: &[Item], n: &Notifier) -> Vec<u8> {
    let mut text = i18n.get(
        lang,
        "notify-webhook-title",
        &[("count", items.len().to_string())],
    );
    for (kind, list) in by_kind(items) {
        text.push_str("\n*");
        text.push_str(&i18n.get(lang, &event_key(kind), &[]));
        text.push('*');
        for i in list {
            text.push('\n');
            text.push_str(&item_line(i18n, lang, i, n));
            text.push(' ');
            text.push_str(&n.finding_url(i.finding.id));
        }
    }
    let items: Vec<serde_json::Value> = items
        .iter()
        .map(|i| {
            let f = &i.finding;
            serde_json::json!({
                "event": i.kind.as_str(),
                "finding_id": f.id,
                "vuln_id": f.vuln_id,
                "system_id": f.system_id,
                "system": f.system_name,
                "component": f.component_label,
                "priority": f.priority,
                "status": f.status,
                "due_at": n.local_date(f.due_at_ms),
                "due_at_ms": f.due_at_ms,
                "url": n.finding_url(f.id),
            })
        })
        .collect();
    serde_json::json!({
        "text": text,
        "sonae": { "version": 1, "items": items },
    })
    .to_string()
    .into_bytes()
}

/// Post with up to `tries` attempts in this pass; 2xx is success.
pub(crate) async fn post(
    http: &reqwest::Client,
    hook: &Webhook,
    body: &[u8],
    timestamp: i64,
    tries: u32,
) -> Result<(), String> {
    let signature = sign::signature(&hook.secret, timestamp, body);
    let mut last = String::new();
    for attempt in 0..tries {
        if attempt > 0 {
            tokio::time::sleep(Duration::from_millis(500 * u64::from(attempt))).await;
        }
        let res = http
            .post(&hook.url)
            .header("content-type", "application/json")
            .header(sign::TIMESTAMP_HEADER, timestamp.to_string())
            .header(sign::SIGNATURE_HEADER, &signature)
            .body(body.to_vec())
            .send()
            .await;
        match res {
            Ok(r) if r.status().is_success() => return Ok(()),
            // The URL may carry a token (Slack's do): name only the status.
            Ok(r) => last = format!("HTTP {}", r.status().as_u16()),
            Err(e) => {
                last = if e.is_timeout() {
                    "timeout".to_owned()
                } else if e.is_connect() {
                    "connection failed".to_owned()
                } else {
                    "request failed".to_owned()
                }
            }
        }
    }
    Err(last)
}
