//! The public side of outside reports: `/.well-known/security.txt`
//! (RFC 9116), the report form at `/report` with its honeypot, proof of
//! work and rate limits, the receipt, and the reporter's own page behind
//! the link they keep. Also the administrator's settings page.

use crate::ctx::{random_token, sha256_hex, Ctx, Layout, PageResult};
use crate::AppState;
use askama::Template;
use axum::extract::{ConnectInfo, Path, Query};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use chrono::{NaiveDate, TimeZone};
use rand::RngCore;
use sonae_domain::intake::report::{self, parse_message, reference_from};
use sonae_domain::intake::security_txt::SecurityTxtForm;
use sonae_domain::intake::{self, pow, InputError, ReportInput, SecurityTxt};
use sonae_store::NewReport;
use std::collections::HashMap;
use std::net::SocketAddr;

const JS: &str = include_str!("../static/intake.js");

pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/.well-known/security.txt", get(security_txt))
        // RFC 9116 §3: the old location may redirect to the new one.
        .route(
            "/security.txt",
            get(|| async { Redirect::permanent("/.well-known/security.txt") }),
        )
        .route("/static/intake.js", get(js))
        .route("/report", get(form_page).post(submit))
        .route("/report/t/{token}", get(thread).post(reporter_reply))
        .route("/admin/intake", get(settings_page).post(settings_save))
        .route("/reports", get(crate::reports::list))
        .route(
            "/reports/{id}",
            get(crate::reports::view).post(crate::reports::update),
        )
        .route("/reports/{id}/message", post(crate::reports::message))
}

async fn js() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        JS,
    )
        .into_response()
}

/// A request path fit for the access log: the reporter's token is cut out.
pub fn loggable_path(path: &str) -> String {
    match path.strip_prefix("/report/t/") {
        Some(_) => "/report/t/…".to_owned(),
        None => path.to_owned(),
    }
}

/// A warning when the published security.txt has expired or soon will
/// (RFC 9116 §2.5.5: an expired file should not be trusted).
pub fn expiry_warning(ctx: &Ctx, s: &SecurityTxt) -> Option<String> {
    let left = (s.expires - today(ctx)).num_days();
    let date = s.expires.format("%Y-%m-%d").to_string();
    if left < 0 {
        Some(ctx.ta("intake-sectxt-expired", &[("date", date)]))
    } else if left <= 30 {
        Some(ctx.ta("intake-sectxt-expiring", &[("date", date)]))
    } else {
        None
    }
}

/// One input of a form, with its error next to it.
pub struct InField {
    pub name: &'static str,
    pub label: String,
    pub value: String,
    pub error: Option<String>,
    pub hint: Option<String>,
    pub required: bool,
    /// "text", "email", "date", "number", "textarea", "checkbox"
    pub widget: &'static str,
    pub maxlength: usize,
}

pub fn input_error_text(ctx: &Ctx, e: &InputError) -> String {
    match e.max {
        Some(max) => ctx.ta(e.key, &[("max", max.to_string())]),
        None => ctx.t(e.key),
    }
}

fn error_for(ctx: &Ctx, errors: &[InputError], field: &str) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| input_error_text(ctx, e))
}

/// Today in the organization's time zone.
pub fn today(ctx: &Ctx) -> NaiveDate {
    ctx.st
        .store
        .clock()
        .now()
        .with_timezone(&ctx.st.config.time_zone)
        .date_naive()
}

/// The acknowledgement deadline: the end of the `days`th business day after
/// the day the report arrived, in the organization's time zone.
pub fn ack_due_ms(ctx: &Ctx, days: u32) -> i64 {
    let tz = ctx.st.config.time_zone;
    let due = sonae_domain::calendar::add_business_days(today(ctx), days);
    let end = due
        .succ_opt()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .and_then(|t| tz.from_local_datetime(&t).earliest());
    match end {
        Some(t) => t.timestamp_millis(),
        None => ctx.st.store.clock().now_ms() + i64::from(days) * 86_400_000,
    }
}

/// The settings in force: saved ones, or None when never saved (the form
/// is then open with the defaults, and security.txt is not served because
/// it would have no contact and no expiry).
async fn settings(ctx: &Ctx) -> Result<Option<SecurityTxt>, crate::ctx::PageError> {
    ctx.st
        .store
        .intake_settings()
        .await
        .map_err(|e| ctx.store_error(e))
}

fn intake_open(s: &Option<SecurityTxt>) -> bool {
    s.as_ref().is_none_or(|s| s.intake_enabled)
}

fn ack_days(s: &Option<SecurityTxt>) -> u32 {
    s.as_ref()
        .map_or(intake::DEFAULT_ACK_BUSINESS_DAYS, |s| s.ack_business_days)
}

// --- security.txt ---------------------------------------------------------

/// `GET /.well-known/security.txt`
pub async fn security_txt(ctx: Ctx) -> Response {
    match ctx.st.store.intake_settings().await {
        Ok(Some(s)) => (
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            s.render(&ctx.st.config.base_url),
        )
            .into_response(),
        Ok(None) => (
            StatusCode::NOT_FOUND,
            [(header::CONTENT_TYPE, "text/plain; charset=utf-8")],
            ctx.t("intake-sectxt-unset"),
        )
            .into_response(),
        Err(e) => ctx.store_error(e).0,
    }
}

// --- the public form --------------------------------------------------------

#[derive(Template)]
#[template(path = "intake_form.html")]
struct FormPage {
    l: Layout,
    intro: String,
    error: Option<String>,
    needs_js: String,
    pow_working: String,
    pow_done: String,
    challenge: String,
    bits: u8,
    fields: Vec<InField>,
    hp_label: String,
    submit: String,
    required_mark: String,
}

fn new_challenge(ctx: &Ctx) -> String {
    let mut salt = [0u8; 12];
    rand::thread_rng().fill_bytes(&mut salt);
    pow::issue(
        &ctx.st.config.secret_key,
        ctx.st.store.clock().now_ms(),
        &hex::encode(salt),
        pow::DEFAULT_BITS,
    )
}

fn report_form(
    ctx: &Ctx,
    values: &HashMap<String, String>,
    errors: &[InputError],
    error: Option<String>,
    ack_days: u32,
) -> FormPage {
    let v = |k: &str| values.get(k).cloned().unwrap_or_default();
    let field = |name: &'static str, widget, required, maxlength, hint: Option<String>| InField {
        name,
        label: ctx.t(&format!("intake-field-{}", name.replace('_', "-"))),
        value: v(name),
        error: error_for(ctx, errors, name),
        hint,
        required,
        widget,
        maxlength,
    };
    FormPage {
        l: ctx.layout(ctx.t("intake-form-title")),
        intro: ctx.ta("intake-form-intro", &[("days", ack_days.to_string())]),
        error,
        needs_js: ctx.t("intake-needs-js"),
        pow_working: ctx.t("intake-pow-working"),
        pow_done: ctx.t("intake-pow-done"),
        challenge: new_challenge(ctx),
        bits: pow::DEFAULT_BITS,
        fields: vec![
            field("reporter_name", "text", false, report::MAX_NAME, None),
            field(
                "reporter_email",
                "email",
                false,
                254,
                Some(ctx.t("intake-hint-email")),
            ),
            field(
                "product",
                "text",
                true,
                report::MAX_PRODUCT,
                Some(ctx.t("intake-hint-product")),
            ),
            field(
                "description",
                "textarea",
                true,
                report::MAX_DESCRIPTION,
                Some(ctx.t("intake-hint-description")),
            ),
            field(
                "vuln_ids",
                "text",
                false,
                500,
                Some(ctx.t("intake-hint-vuln-ids")),
            ),
        ],
        hp_label: ctx.t("intake-honeypot"),
        submit: ctx.t("intake-submit"),
        required_mark: ctx.t("intake-required-mark"),
    }
}

fn closed(ctx: &Ctx) -> PageResult {
    Err(ctx.error(StatusCode::NOT_FOUND, "intake-closed"))
}

/// `GET /report`
pub async fn form_page(ctx: Ctx) -> PageResult {
    let s = settings(&ctx).await?;
    if !intake_open(&s) {
        return closed(&ctx);
    }
    ctx.render(&report_form(&ctx, &HashMap::new(), &[], None, ack_days(&s)))
}

#[derive(Template)]
#[template(path = "intake_receipt.html")]
struct ReceiptPage {
    l: Layout,
    thanks: String,
    reference_label: String,
    reference: String,
    link_label: String,
    link: String,
    keep_link: String,
    deadline: String,
}

/// `POST /report`: rate limit, honeypot, proof of work, the fields, then
/// the report. Every refusal shows the form again with what was typed.
pub async fn submit(
    ctx: Ctx,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let s = settings(&ctx).await?;
    if !intake_open(&s) {
        return closed(&ctx);
    }
    let days = ack_days(&s);
    let store = &ctx.st.store;
    let again = |status, msg: String, errors: &[InputError]| {
        ctx.render_status(status, &report_form(&ctx, &form, errors, Some(msg), days))
    };
    // Every attempt counts, so a flood is cut off before it costs more.
    let allowed = store
        .take_rate(
            &[
                (format!("report:{}", addr.ip()), intake::REPORTS_PER_ADDRESS),
                ("report:*".to_owned(), intake::REPORTS_OVERALL),
            ],
            intake::RATE_WINDOW_MS,
        )
        .await
        .map_err(|e| ctx.store_error(e))?;
    if !allowed {
        return again(StatusCode::TOO_MANY_REQUESTS, ctx.t("intake-err-rate"), &[]);
    }
    // The honeypot: people never see the field, some robots fill it.
    if form.get("website").is_some_and(|v| !v.trim().is_empty()) {
        tracing::info!(ip = %addr.ip(), "report form: honeypot filled");
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("intake-err-refused"),
            &[],
        );
    }
    let get = |k: &str| form.get(k).map(String::as_str).unwrap_or("");
    let solved = match pow::verify(
        &ctx.st.config.secret_key,
        store.clock().now_ms(),
        pow::DEFAULT_BITS,
        get("challenge"),
        get("nonce"),
    ) {
        Ok(s) => s,
        Err(pow::PowError::Expired) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                ctx.t("intake-err-pow-expired"),
                &[],
            )
        }
        Err(_) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                ctx.t("intake-err-pow"),
                &[],
            )
        }
    };
    let input = match ReportInput::parse(
        get("reporter_name"),
        get("reporter_email"),
        get("product"),
        get("description"),
        get("vuln_ids"),
    ) {
        Ok(i) => i,
        Err(errors) => {
            return again(
                StatusCode::UNPROCESSABLE_ENTITY,
                ctx.t("intake-err-fields"),
                &errors,
            )
        }
    };
    let fresh = store
        .use_challenge(&sha256_hex(get("challenge")), solved.expires_at_ms)
        .await
        .map_err(|e| ctx.store_error(e))?;
    if !fresh {
        return again(
            StatusCode::UNPROCESSABLE_ENTITY,
            ctx.t("intake-err-pow-used"),
            &[],
        );
    }
    let mut r = [0u8; 10];
    rand::thread_rng().fill_bytes(&mut r);
    let token = random_token();
    let created = store
        .create_report(NewReport {
            input,
            reference: reference_from(&r),
            token_hash: sha256_hex(&token),
            ack_due_at_ms: ack_due_ms(&ctx, days),
        })
        .await
        .map_err(|e| ctx.store_error(e))?;
    let link = format!(
        "{}/report/t/{token}",
        ctx.st.config.base_url.trim_end_matches('/')
    );
    ctx.render(&ReceiptPage {
        l: ctx.layout(ctx.t("intake-receipt-title")),
        thanks: ctx.t("intake-receipt-thanks"),
        reference_label: ctx.t("intake-reference"),
        reference: created.reference,
        link_label: ctx.t("intake-receipt-link"),
        link,
        keep_link: ctx.t("intake-receipt-keep"),
        deadline: ctx.ta(
            "intake-receipt-deadline",
            &[("date", ctx.date(created.ack_due_at_ms - 1))],
        ),
    })
}

// --- the reporter's page ----------------------------------------------------

pub struct LogEntry {
    pub who: String,
    pub when: String,
    pub body: String,
    pub class: &'static str,
}

#[derive(Template)]
#[template(path = "intake_thread.html")]
struct ThreadPage {
    l: Layout,
    error: Option<String>,
    facts: Vec<(String, String)>,
    description_label: String,
    description: String,
    log_heading: String,
    log: Vec<LogEntry>,
    empty_log: String,
    reply_label: String,
    reply: String,
    reply_error: Option<String>,
    send: String,
    action: String,
}

async fn thread_page(
    ctx: &Ctx,
    token: &str,
    status: StatusCode,
    reply: String,
    error: Option<InputError>,
    top_error: Option<String>,
) -> PageResult {
    let store = &ctx.st.store;
    let hash = sha256_hex(token);
    let r = store
        .report_by_token(&hash)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let msgs = store
        .reporter_messages(&hash)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let log = msgs
        .into_iter()
        .map(|m| {
            let mine = m.kind == sonae_store::MessageKind::Reporter;
            LogEntry {
                who: ctx.t(if mine {
                    "intake-log-you"
                } else {
                    "intake-log-team"
                }),
                when: ctx.datetime(m.at_ms),
                body: m.body,
                class: if mine { "from-reporter" } else { "from-team" },
            }
        })
        .collect();
    let mut facts = vec![
        (ctx.t("intake-reference"), r.reference.clone()),
        (
            ctx.t("intake-status"),
            ctx.t(&format!("reports-status-{}", r.status.as_str())),
        ),
        (ctx.t("intake-received"), ctx.datetime(r.created_at_ms)),
        (ctx.t("intake-field-product"), r.product.clone()),
    ];
    if !r.vuln_ids.is_empty() {
        facts.push((ctx.t("intake-field-vuln-ids"), r.vuln_ids.join(" ")));
    }
    ctx.render_status(
        status,
        &ThreadPage {
            l: ctx.layout(ctx.ta("intake-thread-title", &[("reference", r.reference)])),
            error: top_error,
            facts,
            description_label: ctx.t("intake-field-description"),
            description: r.description,
            log_heading: ctx.t("intake-log-heading"),
            log,
            empty_log: ctx.t("intake-log-empty"),
            reply_label: ctx.t("intake-reply-label"),
            reply,
            reply_error: error.map(|e| input_error_text(ctx, &e)),
            send: ctx.t("intake-reply-send"),
            action: format!("/report/t/{token}"),
        },
    )
}

/// Tokens are 64 hex digits; anything else is not looked up.
fn valid_token(t: &str) -> bool {
    t.len() == 64 && t.bytes().all(|b| b.is_ascii_hexdigit())
}

/// `GET /report/t/{token}`
pub async fn thread(ctx: Ctx, Path(token): Path<String>) -> PageResult {
    if !valid_token(&token) {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found"));
    }
    thread_page(&ctx, &token, StatusCode::OK, String::new(), None, None).await
}

/// `POST /report/t/{token}`: the reporter writes back.
pub async fn reporter_reply(
    ctx: Ctx,
    ConnectInfo(addr): ConnectInfo<SocketAddr>,
    Path(token): Path<String>,
    Form(form): Form<HashMap<String, String>>,
) -> PageResult {
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    if !valid_token(&token) {
        return Err(ctx.error(StatusCode::NOT_FOUND, "error-not-found"));
    }
    let raw = form.get("body").cloned().unwrap_or_default();
    let hash = sha256_hex(&token);
    // The report must exist before anything is counted against it.
    ctx.st
        .store
        .report_by_token(&hash)
        .await
        .map_err(|e| ctx.store_error(e))?;
    let allowed = ctx
        .st
        .store
        .take_rate(
            &[
                (format!("reply:{hash}"), intake::REPLIES_PER_REPORT),
                (
                    format!("reply-ip:{}", addr.ip()),
                    intake::REPLIES_PER_ADDRESS,
                ),
            ],
            intake::RATE_WINDOW_MS,
        )
        .await
        .map_err(|e| ctx.store_error(e))?;
    if !allowed {
        return thread_page(
            &ctx,
            &token,
            StatusCode::TOO_MANY_REQUESTS,
            raw,
            None,
            Some(ctx.t("intake-err-rate")),
        )
        .await;
    }
    let body = match parse_message(&raw) {
        Ok(b) => b,
        Err(e) => {
            return thread_page(
                &ctx,
                &token,
                StatusCode::UNPROCESSABLE_ENTITY,
                raw,
                Some(e),
                None,
            )
            .await
        }
    };
    ctx.st
        .store
        .add_reporter_message(&hash, &body)
        .await
        .map_err(|e| ctx.store_error(e))?;
    Ok(Redirect::to(&format!("/report/t/{token}")).into_response())
}

// --- settings (administrators) ------------------------------------------------

#[derive(Template)]
#[template(path = "intake_settings.html")]
struct SettingsPage {
    l: Layout,
    intro: String,
    error: Option<String>,
    fields: Vec<InField>,
    save: String,
    preview_heading: String,
    preview: Option<String>,
    required_mark: String,
}

fn settings_form(
    ctx: &Ctx,
    f: &SecurityTxtForm,
    errors: &[InputError],
    saved: Option<&SecurityTxt>,
) -> SettingsPage {
    let field =
        |name: &'static str, widget, value: String, required, hint: Option<String>| InField {
            name,
            label: ctx.t(&format!("intake-field-{}", name.replace('_', "-"))),
            value,
            error: error_for(ctx, errors, name),
            hint,
            required,
            widget,
            maxlength: 4000,
        };
    SettingsPage {
        l: ctx.layout(ctx.t("intake-settings-title")),
        intro: ctx.t("intake-settings-intro"),
        error: (!errors.is_empty()).then(|| ctx.t("intake-err-fields")),
        fields: vec![
            field(
                "contacts",
                "textarea",
                f.contacts.clone(),
                true,
                Some(ctx.t("intake-hint-contacts")),
            ),
            field(
                "expires",
                "date",
                f.expires.clone(),
                true,
                Some(ctx.t("intake-hint-expires")),
            ),
            field(
                "preferred_languages",
                "text",
                f.preferred_languages.clone(),
                false,
                None,
            ),
            field(
                "policy",
                "url",
                f.policy.clone(),
                false,
                Some(ctx.t("intake-hint-https")),
            ),
            field(
                "acknowledgments",
                "url",
                f.acknowledgments.clone(),
                false,
                Some(ctx.t("intake-hint-https")),
            ),
            field(
                "intake_enabled",
                "checkbox",
                if f.intake_enabled { "1" } else { "" }.to_owned(),
                false,
                None,
            ),
            field(
                "ack_business_days",
                "number",
                f.ack_business_days.clone(),
                true,
                Some(ctx.t("intake-hint-ack-days")),
            ),
        ],
        save: ctx.t("intake-settings-save"),
        preview_heading: ctx.t("intake-settings-preview"),
        preview: saved.map(|s| s.render(&ctx.st.config.base_url)),
        required_mark: ctx.t("intake-required-mark"),
    }
}

fn require_admin(ctx: &Ctx) -> Result<sonae_domain::Actor, crate::ctx::PageError> {
    let actor = ctx.require_actor()?;
    if !sonae_domain::access::can_admin(&actor) {
        return Err(ctx.error(StatusCode::FORBIDDEN, "error-forbidden"));
    }
    Ok(actor)
}

/// `GET /admin/intake`
pub async fn settings_page(ctx: Ctx, Query(q): Query<HashMap<String, String>>) -> PageResult {
    require_admin(&ctx)?;
    let saved = settings(&ctx).await?;
    let form = match &saved {
        Some(s) => s.to_form(),
        None => SecurityTxt::defaults(today(&ctx)),
    };
    let mut page = settings_form(&ctx, &form, &[], saved.as_ref());
    if q.contains_key("saved") {
        page.l.flash = Some(ctx.t("intake-settings-saved"));
    }
    page.error = saved.as_ref().and_then(|s| expiry_warning(&ctx, s));
    ctx.render(&page)
}

/// `POST /admin/intake`
pub async fn settings_save(ctx: Ctx, Form(form): Form<HashMap<String, String>>) -> PageResult {
    let actor = require_admin(&ctx)?;
    ctx.check_csrf(form.get("csrf").map_or("", String::as_str))?;
    let get = |k: &str| form.get(k).cloned().unwrap_or_default();
    let f = SecurityTxtForm {
        contacts: get("contacts"),
        expires: get("expires"),
        preferred_languages: get("preferred_languages"),
        policy: get("policy"),
        acknowledgments: get("acknowledgments"),
        intake_enabled: form.get("intake_enabled").is_some_and(|v| v == "1"),
        ack_business_days: get("ack_business_days"),
    };
    match SecurityTxt::parse(&f, today(&ctx)) {
        Ok(s) => {
            ctx.st
                .store
                .set_intake_settings(&actor, &s)
                .await
                .map_err(|e| ctx.store_error(e))?;
            Ok(Redirect::to("/admin/intake?saved=1").into_response())
        }
        Err(errors) => {
            let saved = settings(&ctx).await?;
            ctx.render_status(
                StatusCode::UNPROCESSABLE_ENTITY,
                &settings_form(&ctx, &f, &errors, saved.as_ref()),
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::loggable_path;

    #[test]
    fn the_reporters_token_never_reaches_the_log() {
        let token = "ab".repeat(32);
        assert_eq!(loggable_path(&format!("/report/t/{token}")), "/report/t/…");
        assert_eq!(loggable_path("/reports/3"), "/reports/3");
    }
}
