//! E-mail: plain-text messages in the recipient's language, sent over SMTP
//! with lettre (STARTTLS, or plain for a local relay).

use crate::{by_kind, config::SmtpConfig, Item, Notifier, NotifyError};
use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::Body;
use lettre::message::Mailbox;
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use sonae_web::{I18n, Lang};
use std::time::Duration;

pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub(crate) fn new(c: &SmtpConfig) -> Result<Mailer, NotifyError> {
        let from: Mailbox = c
            .from
            .parse()
            .map_err(|e| NotifyError::Smtp(format!("smtp.from {:?}: {e}", c.from)))?;
        let mut b = if c.starttls {
            AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(c.host.trim())
                .map_err(|e| NotifyError::Smtp(format!("smtp.host: {e}")))?
        } else {
            AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(c.host.trim())
        };
        b = b
            .port(c.port)
            .timeout(Some(Duration::from_secs(c.timeout_s.max(1))));
        let password = c
            .resolved_password()
            .map_err(|e| NotifyError::Smtp(format!("smtp.password_file: {e}")))?;
        if let Some(user) = c.username.as_ref().filter(|u| !u.is_empty()) {
            b = b.credentials(Credentials::new(user.clone(), password.unwrap_or_default()));
        }
        Ok(Mailer {
            transport: b.build(),
            from,
        })
    }

    /// Send one message; the error text names the server's answer but
    /// never credentials.
    pub(crate) async fn send(&self, to: &str, subject: &str, body: String) -> Result<(), String> {
        let to: Mailbox = to.parse().map_err(|e| format!("recipient address: {e}"))?;
        // Base64 carries any text and any line length through any relay.
        let body = Body::new_with_encoding(body, ContentTransferEncoding::Base64)
            .map_err(|_| "message body".to_owned())?;
        let msg = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(subject)
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|e| format!("message: {e}"))?;
        self.transport
            .send(msg)
            .await
            .map(|_| ())
            .map_err(|e| format!("smtp: {e}"))
    }
}

/// Subject and body of a mail listing `items`.
pub(crate) fn compose(
    i18n: &I18n,
    lang: Lang,
    name: &str,
    items: &[Item],
    digest: bool,
    n: &Notifier,
) -> (String, String) {
    let count = items.len().to_string();
    let subject = if digest {
        i18n.get(lang, "notify-mail-subject-digest", &[("count", count)])
    } else {
        i18n.get(lang, "notify-mail-subject", &[("count", count)])
    };
    let mut body = i18n.get(lang, "notify-mail-greeting", &[("name", name.to_owned())]);
    body.push_str("\n\n");
    body.push_str(&i18n.get(
        lang,
        if digest {
            "notify-mail-intro-digest"
        } else {
            "notify-mail-intro"
        },
        &[],
    ));
    body.push('\n');
    for (kind, list) in by_kind(items) {
        body.push('\n');
        body.push_str(&i18n.get(lang, &crate::webhook::event_key(kind), &[]));
        body.push('\n');
        for i in list {
            body.push_str(&item_line(i18n, lang, i, n));
            body.push('\n');
            body.push_str("  ");
            body.push_str(&n.finding_url(i.finding.id));
            body.push('\n');
        }
    }
    body.push('\n');
    body.push_str(&i18n.get(lang, "notify-mail-footer", &[]));
    body.push('\n');
    (subject, body)
}

/// "- [P1] CVE-… Webショップ / openssl 3.0.1 — due 2025-04-01"
pub(crate) fn item_line(i18n: &I18n, lang: Lang, i: &Item, n: &Notifier) -> String {
    let f = &i.finding;
    i18n.get(
        lang,
        "notify-item",
        &[
            (
                "priority",
                f.priority.as_deref().unwrap_or("-").to_uppercase(),
            ),
            ("vuln", f.vuln_id.clone()),
            ("system", f.system_name.clone()),
            ("component", f.component_label.clone()),
            ("due", n.local_date(f.due_at_ms)),
        ],
    )
}
