//! The notifier (DESIGN §4 reminders and escalation, §9 notifications):
//! one pass finds the events open findings raise now (domain rules in
//! `sonae_domain::notify`), works out who is told — each user within their
//! own access scope, department heads for escalations, the admin's
//! webhooks — claims each (event, finding, recipient) in the sent-log, and
//! sends e-mail over SMTP and signed JSON to webhooks. A failed send stays
//! in the log and is retried in a later pass, with back-off, up to a limit.

pub mod config;
mod mail;
pub mod sign;
mod webhook;

pub use config::{NotifyConfig, SmtpConfig};

use chrono::TimeZone;
use chrono_tz::Tz;
use sonae_domain::notify::{events_for, Delivery, EventKind, FindingFacts, Timing, DAY_MS};
use sonae_domain::Actor;
use sonae_store::{Finding, FindingFilter, RetryPolicy, Store};
use sonae_web::{I18n, Lang};
use std::collections::{BTreeMap, HashSet};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum NotifyError {
    #[error("store: {0}")]
    Store(#[from] sonae_store::StoreError),
    #[error("smtp configuration: {0}")]
    Smtp(String),
}

/// What one pass did, for logs and `sonae notify run`.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct PassReport {
    pub mails_sent: u64,
    pub mails_failed: u64,
    pub webhooks_sent: u64,
    pub webhooks_failed: u64,
    pub digests_sent: u64,
}

/// One event about one finding, as a line of a mail or an item of a webhook.
#[derive(Debug, Clone)]
pub(crate) struct Item {
    pub kind: EventKind,
    pub finding: Finding,
}

pub struct Notifier {
    store: Store,
    i18n: Arc<I18n>,
    cfg: NotifyConfig,
    tz: Tz,
    base_url: String,
    mailer: Option<mail::Mailer>,
    http: reqwest::Client,
}

/// A claimed batch for one recipient: the sent-log keys and the items.
struct Batch {
    recipient: String,
    keys: Vec<(EventKind, String)>,
    items: Vec<Item>,
}

const STALE_CLAIM_MS: i64 = 15 * 60 * 1000;

impl Notifier {
    pub fn new(
        store: Store,
        i18n: Arc<I18n>,
        smtp: &SmtpConfig,
        cfg: NotifyConfig,
        tz: Tz,
        base_url: &str,
    ) -> Result<Notifier, NotifyError> {
        let mailer = if smtp.host.trim().is_empty() {
            None
        } else {
            Some(mail::Mailer::new(smtp)?)
        };
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(cfg.webhook_timeout_s.max(1)))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| NotifyError::Smtp(format!("http client: {e}")))?;
        Ok(Notifier {
            store,
            i18n,
            cfg,
            tz,
            base_url: base_url.trim_end_matches('/').to_owned(),
            mailer,
            http,
        })
    }

    fn timing(&self) -> Timing {
        Timing {
            due_soon_days: self.cfg.due_soon_days,
            escalate_after_days: self.cfg.escalate_after_days,
        }
    }

    fn retry(&self) -> RetryPolicy {
        RetryPolicy {
            base_ms: self.cfg.retry_min.max(1) * 60_000,
            max_attempts: self.cfg.max_attempts.max(1),
        }
    }

    fn default_lang(&self) -> Lang {
        Lang::parse(&self.cfg.lang).unwrap_or(Lang::Ja)
    }

    /// Open findings the actor may see, most urgent first.
    async fn open_findings(&self, actor: &Actor) -> Result<Vec<Finding>, NotifyError> {
        Ok(self
            .store
            .findings_filtered(
                actor,
                &FindingFilter {
                    statuses: sonae_store::open_statuses(),
                    by_due: true,
                    limit: 5000,
                    ..FindingFilter::default()
                },
            )
            .await?)
    }

    fn events(&self, f: &Finding, now: i64) -> Vec<EventKind> {
        events_for(
            &FindingFacts {
                status: &f.status,
                priority: f.priority.as_deref(),
                due_at_ms: f.due_at_ms,
            },
            self.timing(),
            now,
        )
    }

    /// Claim every (event, finding) of `findings` that `wanted` allows for
    /// this recipient and that was not sent before.
    async fn claim(
        &self,
        recipient: String,
        findings: &[Finding],
        wanted: impl Fn(EventKind) -> bool,
        now: i64,
    ) -> Result<Batch, NotifyError> {
        let mut b = Batch {
            recipient,
            keys: Vec::new(),
            items: Vec::new(),
        };
        for f in findings {
            for kind in self.events(f, now).into_iter().filter(|k| wanted(*k)) {
                let subject = format!("finding:{}", f.id);
                if self
                    .store
                    .claim_notification(kind.as_str(), &subject, &b.recipient, STALE_CLAIM_MS)
                    .await?
                {
                    b.keys.push((kind, subject));
                    b.items.push(Item {
                        kind,
                        finding: f.clone(),
                    });
                }
            }
        }
        Ok(b)
    }

    /// Record the outcome for every item of a batch; logs failures without
    /// any secret.
    async fn finish(
        &self,
        b: &Batch,
        outcome: Result<(), String>,
        channel: &str,
    ) -> Result<(), NotifyError> {
        for (kind, subject) in &b.keys {
            let status = self
                .store
                .finish_notification(
                    kind.as_str(),
                    subject,
                    &b.recipient,
                    outcome.as_ref().map(|_| ()).map_err(String::as_str),
                    self.retry(),
                )
                .await?;
            if status == "gave_up" {
                tracing::error!(channel, recipient = %b.recipient, kind = kind.as_str(), %subject, "notification given up after repeated failures");
            }
        }
        if let Err(e) = &outcome {
            tracing::warn!(channel, recipient = %b.recipient, items = b.items.len(), error = %e, "notification failed; will retry");
        }
        Ok(())
    }

    /// One pass: immediate mails, escalations, webhooks, digests.
    pub async fn run_once(&self) -> Result<PassReport, NotifyError> {
        let mut report = PassReport::default();
        let now = self.store.clock().now_ms();
        let all = self.open_findings(&Actor::system()).await?;
        if self.mailer.is_some() {
            self.immediate_mails(now, &mut report).await?;
            self.escalations(&all, now, &mut report).await?;
            self.digests(now, &mut report).await?;
            self.clock_reminders(&mut report).await?;
        }
        self.webhooks(&all, now, &mut report).await?;
        Ok(report)
    }

    /// Regulatory reporting deadlines (the incident's clocks) due within a
    /// day or past due: each admin and security officer is told once per
    /// clock and state (due soon, overdue).
    async fn clock_reminders(&self, r: &mut PassReport) -> Result<(), NotifyError> {
        let due = self.store.due_regulatory_clocks(DAY_MS).await?;
        if due.is_empty() {
            return Ok(());
        }
        let Some(m) = &self.mailer else {
            return Ok(());
        };
        for (user, prefs) in self.store.notification_recipients().await? {
            if !matches!(
                user.role,
                sonae_domain::Role::Admin | sonae_domain::Role::SecurityOfficer
            ) {
                continue;
            }
            let Some(to) = prefs.email.clone().or(user.email.clone()) else {
                continue;
            };
            let lang = Lang::parse(&prefs.lang).unwrap_or(Lang::Ja);
            let recipient = format!("user:{}", user.id);
            for d in &due {
                let kind = if d.clock.overdue() {
                    "clock_overdue"
                } else {
                    "clock_due_soon"
                };
                let subject = format!("incident:{}:{}", d.incident_id, d.clock.rule.id);
                if !self
                    .store
                    .claim_notification(kind, &subject, &recipient, STALE_CLAIM_MS)
                    .await?
                {
                    continue;
                }
                let rule = if lang == Lang::Ja {
                    &d.clock.rule.ja
                } else {
                    &d.clock.rule.en
                };
                let due_at = self
                    .tz
                    .timestamp_millis_opt(d.clock.due_at_ms)
                    .single()
                    .map(|t| t.format("%Y-%m-%d %H:%M").to_string())
                    .unwrap_or_default();
                let args = [
                    ("ref", d.reference.clone()),
                    ("title", d.title.clone()),
                    ("rule", rule.clone()),
                    ("due", due_at),
                    (
                        "url",
                        format!("{}/incidents/{}/statement", self.base_url, d.incident_id),
                    ),
                ];
                let key = if d.clock.overdue() {
                    "notify-clock-overdue"
                } else {
                    "notify-clock-due-soon"
                };
                let subject_line = self.i18n.get(lang, &format!("{key}-subject"), &args);
                let body = self.i18n.get(lang, &format!("{key}-body"), &args);
                let out = m.send(&to, &subject_line, body).await;
                count(&out, &mut r.mails_sent, &mut r.mails_failed);
                self.store
                    .finish_notification(
                        kind,
                        &subject,
                        &recipient,
                        out.as_ref().map(|_| ()).map_err(String::as_str),
                        self.retry(),
                    )
                    .await?;
            }
        }
        Ok(())
    }

    async fn send_mail(
        &self,
        to: &str,
        lang: Lang,
        name: &str,
        b: &Batch,
        digest: bool,
    ) -> Result<(), String> {
        let Some(m) = &self.mailer else {
            return Err("no SMTP server configured".to_owned());
        };
        let (subject, body) = mail::compose(&self.i18n, lang, name, &b.items, digest, self);
        m.send(to, &subject, body).await
    }

    /// Each user with immediate delivery hears of the events they chose,
    /// on the findings their own scope lets them see.
    async fn immediate_mails(&self, now: i64, r: &mut PassReport) -> Result<(), NotifyError> {
        for (user, prefs) in self.store.notification_recipients().await? {
            if prefs.delivery != Delivery::Immediate || prefs.events.is_empty() {
                continue;
            }
            let Some(to) = prefs.email.clone().or(user.email.clone()) else {
                continue;
            };
            let visible = self.open_findings(&user.actor()).await?;
            let wanted: HashSet<EventKind> = prefs.events.iter().copied().collect();
            let b = self
                .claim(
                    format!("user:{}", user.id),
                    &visible,
                    |k| k != EventKind::Escalation && wanted.contains(&k),
                    now,
                )
                .await?;
            if b.items.is_empty() {
                continue;
            }
            let lang = Lang::parse(&prefs.lang).unwrap_or(Lang::Ja);
            let out = self
                .send_mail(&to, lang, &user.display_name, &b, false)
                .await;
            count(&out, &mut r.mails_sent, &mut r.mails_failed);
            self.finish(&b, out, "mail").await?;
        }
        Ok(())
    }

    /// Overdue past the escalation delay: the department head is told.
    async fn escalations(
        &self,
        all: &[Finding],
        now: i64,
        r: &mut PassReport,
    ) -> Result<(), NotifyError> {
        let heads = self.store.department_heads().await?;
        for h in heads {
            let (Some(pid), Some(to)) = (h.person_id, h.email.filter(|e| !e.is_empty())) else {
                continue;
            };
            let mine: Vec<Finding> = all
                .iter()
                .filter(|f| f.department_id == h.department_id)
                .cloned()
                .collect();
            let b = self
                .claim(
                    format!("person:{pid}"),
                    &mine,
                    |k| k == EventKind::Escalation,
                    now,
                )
                .await?;
            if b.items.is_empty() {
                continue;
            }
            let name = h.person_name.unwrap_or_default();
            let out = self
                .send_mail(&to, self.default_lang(), &name, &b, false)
                .await;
            count(&out, &mut r.mails_sent, &mut r.mails_failed);
            self.finish(&b, out, "mail").await?;
        }
        Ok(())
    }

    /// Webhooks get every event they subscribed to, for all findings.
    async fn webhooks(
        &self,
        all: &[Finding],
        now: i64,
        r: &mut PassReport,
    ) -> Result<(), NotifyError> {
        for hook in self.store.webhooks_for_delivery(false).await? {
            let wanted: HashSet<EventKind> = hook.events.iter().copied().collect();
            let b = self
                .claim(
                    format!("webhook:{}", hook.id),
                    all,
                    |k| wanted.contains(&k),
                    now,
                )
                .await?;
            if b.items.is_empty() {
                continue;
            }
            let body = webhook::payload(&self.i18n, self.default_lang(), &b.items, self);
            let out = webhook::post(
                &self.http,
                &hook,
                &body,
                now / 1000,
                self.cfg.webhook_tries.max(1),
            )
            .await;
            count(&out, &mut r.webhooks_sent, &mut r.webhooks_failed);
            self.finish(&b, out, "webhook").await?;
        }
        Ok(())
    }

    /// The daily digest, once per local day from the configured hour: the
    /// user's open findings due soon or overdue and the high-priority ones
    /// found in the last day, within the user's scope.
    async fn digests(&self, now: i64, r: &mut PassReport) -> Result<(), NotifyError> {
        let Some(local) = self.tz.timestamp_millis_opt(now).single() else {
            return Ok(());
        };
        let Some(date) =
            sonae_domain::notify::digest_due(local.naive_local(), self.cfg.digest_hour, None)
        else {
            return Ok(());
        };
        let subject = format!("digest:{date}");
        for (user, prefs) in self.store.notification_recipients().await? {
            if prefs.delivery != Delivery::Digest || prefs.events.is_empty() {
                continue;
            }
            let Some(to) = prefs.email.clone().or(user.email.clone()) else {
                continue;
            };
            let recipient = format!("user:{}", user.id);
            if !self
                .store
                .claim_notification("digest", &subject, &recipient, STALE_CLAIM_MS)
                .await?
            {
                continue;
            }
            let mut items = Vec::new();
            for f in self.open_findings(&user.actor()).await? {
                for kind in self.events(&f, now) {
                    let fresh = kind != EventKind::NewHigh || f.created_at_ms >= now - DAY_MS;
                    if kind != EventKind::Escalation && prefs.events.contains(&kind) && fresh {
                        items.push(Item {
                            kind,
                            finding: f.clone(),
                        });
                    }
                }
            }
            let b = Batch {
                recipient,
                keys: vec![],
                items,
            };
            if b.items.is_empty() {
                self.store
                    .skip_notification("digest", &subject, &b.recipient)
                    .await?;
                continue;
            }
            let lang = Lang::parse(&prefs.lang).unwrap_or(Lang::Ja);
            let out = self
                .send_mail(&to, lang, &user.display_name, &b, true)
                .await;
            if out.is_ok() {
                r.digests_sent += 1;
            } else {
                r.mails_failed += 1;
            }
            let status = self
                .store
                .finish_notification(
                    "digest",
                    &subject,
                    &b.recipient,
                    out.as_ref().map(|_| ()).map_err(String::as_str),
                    self.retry(),
                )
                .await?;
            if let Err(e) = &out {
                tracing::warn!(recipient = %b.recipient, %status, error = %e, "digest failed");
            }
        }
        Ok(())
    }

    /// The finding's page, for links.
    pub(crate) fn finding_url(&self, id: i64) -> String {
        format!("{}/findings/{id}", self.base_url)
    }

    /// A due date as a local date.
    pub(crate) fn local_date(&self, ms: Option<i64>) -> String {
        ms.and_then(|ms| self.tz.timestamp_millis_opt(ms).single())
            .map(|d| d.format("%Y-%m-%d").to_string())
            .unwrap_or_else(|| "-".to_owned())
    }
}

fn count(out: &Result<(), String>, ok: &mut u64, failed: &mut u64) {
    if out.is_ok() {
        *ok += 1;
    } else {
        *failed += 1;
    }
}

/// Items grouped by event kind, in a fixed order, for texts.
pub(crate) fn by_kind(items: &[Item]) -> BTreeMap<EventKind, Vec<&Item>> {
    let mut m: BTreeMap<EventKind, Vec<&Item>> = BTreeMap::new();
    for i in items {
        m.entry(i.kind).or_default().push(i);
    }
    m
}
