//! sonae's web layer: server-rendered pages and the JSON API over the store.
//!
//! Handlers are thin: build a context (language, user, CSRF token), call the
//! store, render a typed template. Access rules live in the domain and are
//! applied by the store; this layer only hides buttons the user cannot use.

// Page errors are rendered responses, built once per failed request; their
// size does not matter and boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod actions;
pub mod aliases;
pub mod api;
pub mod assessment;
pub mod auth;
pub mod continuity;
pub mod csvio;
pub mod ctx;
pub mod findings;
pub mod i18n;
pub mod incidents;
pub mod intake;
pub mod inventory;
pub mod notices;
pub mod notify;
pub mod pages;
pub mod queue;
pub mod reports;
pub mod review;
pub mod statement;
pub mod vulns;
pub mod vuls;

use axum::extract::DefaultBodyLimit;
use axum::http::{header, HeaderValue, Request};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono_tz::Tz;
use sonae_store::Store;
use std::sync::Arc;

pub use i18n::{I18n, Lang};

/// Settings the web layer needs, taken from the binary's configuration.
#[derive(Clone)]
pub struct WebConfig {
    pub base_url: String,
    /// Key for CSRF tokens; from SONAE_SECRET_KEY_FILE.
    pub secret_key: Vec<u8>,
    /// Mark cookies Secure (on when the base URL is https).
    pub secure_cookies: bool,
    /// Time zone dates are shown in.
    pub time_zone: Tz,
    /// Largest upload accepted, in bytes.
    pub max_upload_bytes: usize,
    /// A feed whose last success is older than this is flagged as stale.
    pub feed_stale_hours: i64,
}

impl std::fmt::Debug for WebConfig {
    // The secret key never reaches logs.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebConfig")
            .field("base_url", &self.base_url)
            .field("secret_key", &"<hidden>")
            .field("secure_cookies", &self.secure_cookies)
            .field("time_zone", &self.time_zone)
            .field("max_upload_bytes", &self.max_upload_bytes)
            .field("feed_stale_hours", &self.feed_stale_hours)
            .finish()
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub i18n: Arc<I18n>,
    pub config: Arc<WebConfig>,
}

const CSS: &str = include_str!("../static/app.css");

/// Security headers on every response: no inline script, no framing.
async fn security_headers(req: Request<axum::body::Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    // The notices banner is meant to be put in a frame on other sites.
    let frameable = res.extensions().get::<notices::Frameable>().is_some();
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: &'static str, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    if frameable {
        set(
            h,
            "content-security-policy",
            "default-src 'self'; script-src 'none'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors *",
        );
    } else {
        set(
            h,
            "content-security-policy",
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
        );
        set(h, "x-frame-options", "DENY");
    }
    set(h, "x-content-type-options", "nosniff");
    set(h, "referrer-policy", "same-origin");
    set(
        h,
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    set(h, "cross-origin-opener-policy", "same-origin");
    if !h.contains_key(header::CACHE_CONTROL) {
        set(h, "cache-control", "no-store");
    }
    res
}

async fn access_log(req: Request<axum::body::Body>, next: Next) -> Response {
    let method = req.method().clone();
    // The reporter's link carries its secret in the path; it never reaches the log.
    let path = intake::loggable_path(req.uri().path());
    let start = std::time::Instant::now();
    let res = next.run(req).await;
    tracing::info!(%method, %path, status = res.status().as_u16(), ms = start.elapsed().as_millis() as u64, "request");
    res
}

async fn css() -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        CSS,
    )
        .into_response()
}

async fn healthz() -> &'static str {
    "ok"
}

async fn readyz(axum::extract::State(st): axum::extract::State<AppState>) -> Response {
    match (st.store.ping().await, st.store.pending_migrations().await) {
        (Ok(()), Ok(0)) => "ready".into_response(),
        _ => (axum::http::StatusCode::SERVICE_UNAVAILABLE, "not ready").into_response(),
    }
}

pub fn router(state: AppState) -> Router {
    let upload_limit = state.config.max_upload_bytes;
    let uploads = Router::new()
        .route("/inventory/import", post(inventory::import_post))
        .route("/inventory/systems/{id}/sbom", post(inventory::sbom_post))
        .route("/inventory/systems/{id}/vuls", post(inventory::vuls_post))
        .route("/incidents/{id}/evidence", post(incidents::evidence_post))
        .route("/assessments/catalogs", post(assessment::upload))
        .route(
            "/api/v1/systems/{id}/collected",
            axum::routing::put(api::collected),
        )
        // Limits are enforced while reading the multipart stream so the user
        // gets a localized message instead of a bare 413.
        .layer(DefaultBodyLimit::max(upload_limit + 64 * 1024));
    Router::new()
        .route("/", get(pages::home))
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/static/app.css", get(css))
        .route("/login", get(auth::login_page).post(auth::login_post))
        .route("/logout", post(auth::logout))
        .route("/setup", get(auth::setup_page).post(auth::setup_post))
        .route("/lang", post(pages::set_lang))
        .route("/account", get(pages::account))
        .route("/account/password", post(pages::change_password))
        .route("/account/tokens", post(pages::create_token))
        .route("/account/tokens/{id}/revoke", post(pages::revoke_token))
        .route(
            "/account/notifications",
            get(notify::account_page).post(notify::account_save),
        )
        .route("/admin/notifications", get(notify::admin_page))
        .route(
            "/admin/notifications/webhooks",
            post(notify::webhook_create),
        )
        .route(
            "/admin/notifications/webhooks/{id}/toggle",
            post(notify::webhook_toggle),
        )
        .route(
            "/admin/notifications/webhooks/{id}/delete",
            post(notify::webhook_delete),
        )
        .route("/admin/notifications/heads", post(notify::heads_save))
        .route("/admin/users", get(pages::users).post(pages::add_user))
        .route(
            "/admin/users/{id}",
            get(pages::edit_user).post(pages::update_user),
        )
        .route("/audit", get(pages::audit))
        .route("/audit/export.jsonl", get(pages::audit_export))
        .route("/inventory/import", get(inventory::import_page))
        .route(
            "/inventory/{kind}",
            get(inventory::list).post(inventory::create),
        )
        .route("/inventory/{kind}/new", get(inventory::new_form))
        .route(
            "/inventory/{kind}/{id}",
            get(inventory::view).post(inventory::update),
        )
        .route("/inventory/{kind}/{id}/edit", get(inventory::edit_form))
        .route("/inventory/{kind}/{id}/delete", post(inventory::delete))
        .route("/incidents", get(incidents::list).post(incidents::create))
        .route(
            "/report-incident",
            get(incidents::employee_form).post(incidents::employee_submit),
        )
        .route("/incidents/new", get(incidents::new_form))
        .route("/incidents/{id}", get(review::view_or_json))
        .route(
            "/incidents/{id}/evidence/{ev}",
            get(incidents::evidence_file),
        )
        .route("/incidents/{id}/{action}", post(incidents::act))
        .route(
            "/inventory/systems/{id}/route",
            get(incidents::route_form).post(incidents::route_post),
        )
        .route("/actions", get(actions::list).post(actions::create))
        .route("/actions/status", post(actions::set_status))
        .route(
            "/assessments",
            get(assessment::list).post(assessment::start),
        )
        .route(
            "/assessments/{id}",
            get(assessment::view).post(assessment::save),
        )
        .route("/assessments/{id}/action", post(assessment::make_action))
        .route("/risks", get(assessment::risks).post(assessment::add_risk))
        .route("/risks/{id}/{act}", post(assessment::risk_act))
        .route("/dashboard", get(assessment::dashboard))
        .route("/dashboard/report", get(assessment::report))
        .route("/static/assessment.css", get(assessment::css))
        .route("/continuity", get(continuity::overview))
        .route("/continuity/check", post(continuity::check))
        .route("/continuity/processes", post(continuity::process_create))
        .route("/continuity/processes/new", get(continuity::process_new))
        .route(
            "/continuity/processes/{id}",
            get(continuity::process_view).post(continuity::process_update),
        )
        .route("/continuity/plans", post(continuity::plan_create))
        .route("/continuity/{what}/{id}/delete", post(continuity::delete))
        .route("/continuity/plans/{id}", post(continuity::plan_update))
        .route("/continuity/plans/{id}/edit", get(continuity::plan_edit))
        .route("/continuity/plans/new", get(continuity::plan_new))
        .route("/continuity/backups", post(continuity::backup_create))
        .route(
            "/continuity/backups/{id}/restore",
            post(continuity::backup_restore),
        )
        .route("/continuity/exercises", post(continuity::exercise_start))
        .route("/continuity/exercises/{id}", get(continuity::exercise_view))
        .route(
            "/continuity/exercises/{id}/{action}",
            post(continuity::exercise_act),
        )
        .route("/aliases", get(aliases::list).post(aliases::create))
        .route("/inventory/components/{id}/cpe", post(inventory::use_cpe))
        .route("/aliases/{id}/delete", post(aliases::delete))
        .route("/findings", get(queue::queue))
        .route("/findings/bulk", post(queue::bulk))
        .route("/my", get(queue::my))
        .route("/admin/policy", get(queue::policy).post(queue::policy_post))
        .route("/findings.csv", get(findings::export_csv))
        .route("/findings/openvex.json", get(findings::export_openvex))
        .route(
            "/findings/cyclonedx-vex.json",
            get(findings::export_cyclonedx_vex),
        )
        .route("/findings/{id}", get(findings::view))
        .route("/findings/{id}/step", post(findings::step))
        .route("/vulns", get(vulns::list))
        .route("/vulns/{id}", get(vulns::detail))
        .route("/feeds", get(vulns::feeds))
        .route("/api/openapi.json", get(api::openapi))
        .route("/api/v1/vulnerabilities", get(api::vulns))
        .route("/api/v1/vulnerabilities/{id}", get(api::vuln))
        .route("/api/v1/{kind}", get(api::list).post(api::create))
        .route(
            "/api/v1/{kind}/{id}",
            get(api::get).put(api::update).delete(api::delete),
        )
        .merge(uploads)
        .merge(intake::routes())
        .merge(statement::routes())
        .merge(notices::routes())
        .merge(review::routes())
        .layer(DefaultBodyLimit::max(256 * 1024))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            ctx::pre_session_cookie,
        ))
        .layer(middleware::from_fn(security_headers))
        .layer(middleware::from_fn(access_log))
        .with_state(state)
}
