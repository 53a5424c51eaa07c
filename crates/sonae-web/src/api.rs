//! The JSON API (`/api/v1/{kind}`), authenticated by API tokens
//! (`Authorization: Bearer …`), described at `/api/openapi.json`.
//! Cookies are not accepted here, so the API needs no CSRF token.

use crate::auth::bearer_user;
use crate::i18n::{Lang, Tr};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Map, Value as J};
use sonae_domain::inventory::{FieldType, Kind, Record};
use sonae_domain::value::{json_input, parse_record, to_json};
use sonae_domain::{Actor, FieldError};
use sonae_store::{ListQuery, StoreError};
use std::collections::HashMap;

struct Api {
    tr: Tr,
    actor: Actor,
}

fn tr_for(st: &AppState, headers: &HeaderMap) -> Tr {
    let lang = Lang::from_accept_language(
        headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or(""),
    );
    Tr::new(lang, st.i18n.clone())
}

fn error(status: StatusCode, code: &str, message: String) -> Response {
    (status, Json(json!({ "error": code, "message": message }))).into_response()
}

async fn api(st: &AppState, headers: &HeaderMap) -> Result<Api, Response> {
    let tr = tr_for(st, headers);
    match bearer_user(st, headers).await {
        Some(u) => Ok(Api {
            tr,
            actor: u.actor(),
        }),
        None => Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            tr.t("error-api-token"),
        )),
    }
}

/// The caller and the kind named in the path, or the error answer.
async fn api_kind(st: &AppState, headers: &HeaderMap, slug: &str) -> Result<(Api, Kind), Response> {
    let a = api(st, headers).await?;
    match Kind::from_slug(slug) {
        Some(k) => Ok((a, k)),
        None => Err(error(
            StatusCode::NOT_FOUND,
            "not_found",
            a.tr.t("error-not-found"),
        )),
    }
}

fn record_json(r: &Record) -> J {
    let mut m = Map::new();
    m.insert("id".into(), r.id.into());
    m.insert("row_version".into(), r.version.into());
    for f in r.kind.fields() {
        m.insert(f.name.into(), to_json(f, r.get(f.name)));
    }
    m.insert("updated_at_ms".into(), r.updated_at_ms.into());
    J::Object(m)
}

fn field_errors(tr: &Tr, errors: &[FieldError]) -> Response {
    let list: Vec<J> = errors
        .iter()
        .map(|e| {
            let args: Vec<(&str, String)> = match &e.kind {
                sonae_domain::FieldErrorKind::TooLong { max } => vec![("max", max.to_string())],
                sonae_domain::FieldErrorKind::OutOfRange { min, max } => vec![("min", min.to_string()), ("max", max.to_string())],
                _ => Vec::new(),
            };
            json!({ "field": e.field, "code": e.kind.message_key(), "message": tr.ta(e.kind.message_key(), &args) })
        })
        .collect();
    (
        StatusCode::UNPROCESSABLE_ENTITY,
        Json(json!({ "error": "invalid", "message": tr.t("error-form"), "fields": list })),
    )
        .into_response()
}

fn store_error(tr: &Tr, e: StoreError) -> Response {
    match e {
        StoreError::NotFound => error(StatusCode::NOT_FOUND, "not_found", tr.t("error-not-found")),
        StoreError::Forbidden => error(StatusCode::FORBIDDEN, "forbidden", tr.t("error-forbidden")),
        StoreError::InUse => error(StatusCode::CONFLICT, "in_use", tr.t("error-in-use")),
        StoreError::Invalid(errs) => field_errors(tr, &errs),
        StoreError::Stale { current, changes } => (
            StatusCode::CONFLICT,
            Json(json!({
                "error": "stale",
                "message": tr.t("stale-title"),
                "current": record_json(&current),
                "changed_fields": changes.iter().map(|c| c.field).collect::<Vec<_>>(),
            })),
        )
            .into_response(),
        other => {
            tracing::error!(error = %other, "api store");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal",
                tr.t("error-internal"),
            )
        }
    }
}

pub async fn list(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    Query(params): Query<HashMap<String, String>>,
) -> Response {
    let (a, kind) = match api_kind(&st, &headers, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let mut eq = Vec::new();
    for f in kind.fields() {
        if let Some(raw) = params.get(f.name) {
            match sonae_domain::value::parse_field(f, raw) {
                Ok(v) => eq.push((f.name, v)),
                Err(k) => {
                    return field_errors(
                        &a.tr,
                        &[FieldError {
                            field: f.name,
                            kind: k,
                        }],
                    )
                }
            }
        }
    }
    let lq = ListQuery {
        q: params.get("q").cloned(),
        eq,
        offset: params
            .get("offset")
            .and_then(|v| v.parse().ok())
            .unwrap_or(0),
        limit: params
            .get("limit")
            .and_then(|v| v.parse().ok())
            .unwrap_or(100),
    };
    match st.store.list(&a.actor, kind, &lq).await {
        Ok(p) => Json(json!({ "total": p.total, "items": p.items.iter().map(record_json).collect::<Vec<_>>() })).into_response(),
        Err(e) => store_error(&a.tr, e),
    }
}

pub async fn get(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
) -> Response {
    let (a, kind) = match api_kind(&st, &headers, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    match st.store.get(&a.actor, kind, id).await {
        Ok(r) => Json(record_json(&r)).into_response(),
        Err(e) => store_error(&a.tr, e),
    }
}

fn parse_body(kind: Kind, body: &J) -> Result<sonae_domain::Values, Vec<FieldError>> {
    parse_record(kind.fields(), &|name| body.get(name).and_then(json_input))
}

pub async fn create(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(slug): Path<String>,
    body: Option<Json<J>>,
) -> Response {
    let (a, kind) = match api_kind(&st, &headers, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(Json(body)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            a.tr.t("error-bad-json"),
        );
    };
    let values = match parse_body(kind, &body) {
        Ok(v) => v,
        Err(e) => return field_errors(&a.tr, &e),
    };
    match st.store.create(&a.actor, kind, values).await {
        Ok(r) => (StatusCode::CREATED, Json(record_json(&r))).into_response(),
        Err(e) => store_error(&a.tr, e),
    }
}

pub async fn update(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    body: Option<Json<J>>,
) -> Response {
    let (a, kind) = match api_kind(&st, &headers, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(Json(body)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            a.tr.t("error-bad-json"),
        );
    };
    let Some(version) = body.get("row_version").and_then(J::as_i64) else {
        return field_errors(
            &a.tr,
            &[FieldError {
                field: "row_version",
                kind: sonae_domain::FieldErrorKind::Required,
            }],
        );
    };
    let values = match parse_body(kind, &body) {
        Ok(v) => v,
        Err(e) => return field_errors(&a.tr, &e),
    };
    match st.store.update(&a.actor, kind, id, version, values).await {
        Ok(r) => Json(record_json(&r)).into_response(),
        Err(e) => store_error(&a.tr, e),
    }
}

pub async fn delete(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path((slug, id)): Path<(String, i64)>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let (a, kind) = match api_kind(&st, &headers, &slug).await {
        Ok(x) => x,
        Err(r) => return r,
    };
    let Some(version) = q.get("row_version").and_then(|v| v.parse().ok()) else {
        return field_errors(
            &a.tr,
            &[FieldError {
                field: "row_version",
                kind: sonae_domain::FieldErrorKind::Required,
            }],
        );
    };
    match st.store.delete(&a.actor, kind, id, version).await {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => store_error(&a.tr, e),
    }
}

fn schema(ty: FieldType) -> J {
    match ty {
        FieldType::Int { min, max } => json!({ "type": "integer", "minimum": min, "maximum": max }),
        FieldType::Bool => json!({ "type": "boolean" }),
        FieldType::Date => json!({ "type": "string", "format": "date" }),
        FieldType::Enum(c) => json!({ "type": "string", "enum": c }),
        FieldType::Ref(k) => {
            json!({ "type": "integer", "description": format!("id of a record in /api/v1/{}", k.slug()) })
        }
        FieldType::Email => json!({ "type": "string", "format": "email" }),
        FieldType::Cpe => json!({ "type": "string", "description": "CPE 2.3 formatted string" }),
        FieldType::Purl => json!({ "type": "string", "description": "package URL" }),
        t => json!({ "type": "string", "maxLength": t.max_len() }),
    }
}

/// OpenAPI 3.1, generated from the same field declarations the API uses.
pub async fn openapi() -> Response {
    let mut paths = Map::new();
    let mut schemas = Map::new();
    let err = json!({ "$ref": "#/components/schemas/Error" });
    for kind in Kind::ALL {
        let mut props = Map::new();
        props.insert("id".into(), json!({ "type": "integer", "readOnly": true }));
        props.insert("row_version".into(), json!({ "type": "integer", "description": "version the change is based on; a stale one is refused with 409" }));
        for f in kind.fields() {
            let mut s = schema(f.ty);
            if !f.required {
                s = json!({ "anyOf": [s, { "type": "null" }] });
            }
            props.insert(f.name.into(), s);
        }
        let required: Vec<&str> = kind
            .fields()
            .iter()
            .filter(|f| f.required)
            .map(|f| f.name)
            .collect();
        let name = kind.slug();
        schemas.insert(
            name.into(),
            json!({ "type": "object", "properties": props, "required": required }),
        );
        let r = json!({ "$ref": format!("#/components/schemas/{name}") });
        let resp = |desc: &str, s: &J| json!({ "description": desc, "content": { "application/json": { "schema": s } } });
        paths.insert(
            format!("/api/v1/{name}"),
            json!({
                "get": { "summary": format!("List {name}"), "parameters": [
                    { "name": "q", "in": "query", "schema": { "type": "string" } },
                    { "name": "offset", "in": "query", "schema": { "type": "integer" } },
                    { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 1000 } }],
                  "responses": { "200": resp("records", &json!({ "type": "object", "properties": { "total": { "type": "integer" }, "items": { "type": "array", "items": r } } })), "401": resp("no valid token", &err) } },
                "post": { "summary": format!("Create one of {name}"), "requestBody": { "required": true, "content": { "application/json": { "schema": r } } },
                  "responses": { "201": resp("created", &r), "422": resp("invalid fields", &err), "403": resp("not permitted", &err) } }
            }),
        );
        paths.insert(
            format!("/api/v1/{name}/{{id}}"),
            json!({
                "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "integer" } }],
                "get": { "responses": { "200": resp("the record", &r), "404": resp("not found", &err), "403": resp("not permitted", &err) } },
                "put": { "requestBody": { "required": true, "content": { "application/json": { "schema": r } } },
                  "responses": { "200": resp("saved", &r), "409": resp("stale version: someone else saved first", &err), "422": resp("invalid fields", &err) } },
                "delete": { "parameters": [{ "name": "row_version", "in": "query", "required": true, "schema": { "type": "integer" } }],
                  "responses": { "204": { "description": "deleted" }, "409": resp("stale or still referenced", &err) } }
            }),
        );
    }
    paths.insert(
        "/api/v1/vulnerabilities".into(),
        json!({ "get": { "summary": "Vulnerabilities merged across feeds, newest first", "parameters": [
            { "name": "q", "in": "query", "schema": { "type": "string" } },
            { "name": "cvss_min", "in": "query", "schema": { "type": "number" } },
            { "name": "cvss_max", "in": "query", "schema": { "type": "number" } },
            { "name": "kev", "in": "query", "schema": { "type": "boolean" } },
            { "name": "epss_min", "in": "query", "schema": { "type": "number", "minimum": 0, "maximum": 1 } },
            { "name": "product", "in": "query", "schema": { "type": "string" } },
            { "name": "from", "in": "query", "schema": { "type": "string", "format": "date" } },
            { "name": "to", "in": "query", "schema": { "type": "string", "format": "date" } },
            { "name": "feed", "in": "query", "schema": { "type": "string", "enum": ["nvd", "jvn", "kev", "osv"] } },
            { "name": "after", "in": "query", "schema": { "type": "string" }, "description": "the previous page's `next`" },
            { "name": "limit", "in": "query", "schema": { "type": "integer", "maximum": 500 } }],
          "responses": { "200": { "description": "a page of vulnerabilities and the `next` cursor" } } } }),
    );
    paths.insert(
        "/api/v1/vulnerabilities/{id}".into(),
        json!({ "get": { "summary": "One vulnerability by CVE, JVNDB or other id, with every source's record",
          "parameters": [{ "name": "id", "in": "path", "required": true, "schema": { "type": "string" } }],
          "responses": { "200": { "description": "merged view and sources" }, "404": { "description": "unknown id" } } } }),
    );
    schemas.insert(
        "Error".into(),
        json!({ "type": "object", "properties": { "error": { "type": "string" }, "message": { "type": "string" },
            "fields": { "type": "array", "items": { "type": "object", "properties": { "field": { "type": "string" }, "code": { "type": "string" }, "message": { "type": "string" } } } } } }),
    );
    Json(json!({
        "openapi": "3.1.0",
        "info": { "title": "sonae API", "version": env!("CARGO_PKG_VERSION") },
        "components": { "schemas": schemas, "securitySchemes": { "token": { "type": "http", "scheme": "bearer" } } },
        "security": [{ "token": [] }],
        "paths": paths,
    }))
    .into_response()
}

fn vuln_json(r: &sonae_store::VulnRow) -> J {
    let mut v = serde_json::to_value(&r.summary).unwrap_or(J::Null);
    if let Some(m) = v.as_object_mut() {
        m.insert("epss".into(), json!(r.epss));
        m.insert("epss_percentile".into(), json!(r.epss_percentile));
    }
    v
}

/// `GET /api/v1/vulnerabilities`: the same filters as the page
/// (q, cvss_min, cvss_max, kev, epss_min as 0..1, product, from, to, feed),
/// keyset paging through `next` (pass it back as `after`).
pub async fn vulns(
    State(st): State<AppState>,
    headers: HeaderMap,
    Query(p): Query<HashMap<String, String>>,
) -> Response {
    let a = match api(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let mut bad = Vec::new();
    let mut num = |k: &'static str, max: f64| {
        p.get(k)
            .filter(|s| !s.is_empty())
            .and_then(|s| match s.parse::<f64>() {
                Ok(v) if (0.0..=max).contains(&v) => Some(v),
                _ => {
                    bad.push(FieldError {
                        field: k,
                        kind: sonae_domain::FieldErrorKind::OutOfRange {
                            min: 0,
                            max: max as i64,
                        },
                    });
                    None
                }
            })
    };
    let q = sonae_store::VulnQuery {
        q: p.get("q").cloned(),
        cvss_min: num("cvss_min", 10.0),
        cvss_max: num("cvss_max", 10.0),
        kev: p.get("kev").is_some_and(|v| v == "1" || v == "true"),
        epss_min: num("epss_min", 1.0),
        product: p.get("product").cloned(),
        published_from: p.get("from").cloned(),
        published_to: p.get("to").cloned(),
        feed: p
            .get("feed")
            .and_then(|f| sonae_domain::vuln::Feed::parse(f)),
        after: p
            .get("after")
            .and_then(|x| x.split_once('|'))
            .map(|(a, b)| (a.to_owned(), b.to_owned())),
        limit: p.get("limit").and_then(|v| v.parse().ok()).unwrap_or(100),
    };
    if !bad.is_empty() {
        return field_errors(&a.tr, &bad);
    }
    match st.store.vuln_list(&q).await {
        Ok(page) => {
            let next = (page.total < 0)
                .then(|| {
                    page.items
                        .last()
                        .map(|r| format!("{}|{}", r.summary.published, r.summary.id))
                })
                .flatten();
            Json(json!({ "items": page.items.iter().map(vuln_json).collect::<Vec<_>>(), "next": next })).into_response()
        }
        Err(e) => store_error(&a.tr, e),
    }
}

/// `GET /api/v1/vulnerabilities/{id}`: the merged view and every source's record.
pub async fn vuln(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let a = match api(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    match st.store.vuln_get(&id).await {
        Ok(d) => {
            let mut v = vuln_json(&d.row);
            if let Some(m) = v.as_object_mut() {
                m.insert("aliases".into(), json!(d.aliases));
                m.insert(
                    "sources".into(),
                    J::Array(
                        d.sources
                            .iter()
                            .map(|s| json!({ "synced_at_ms": s.synced_at_ms, "record": s.record }))
                            .collect(),
                    ),
                );
            }
            Json(v).into_response()
        }
        Err(e) => store_error(&a.tr, e),
    }
}

#[derive(serde::Deserialize)]
pub struct CollectedBody {
    #[serde(default)]
    packages: Vec<CollectedItem>,
    /// Installed applications without a package URL (Windows: the
    /// uninstall registry keys, as `scripts/collect-windows.ps1` reads them).
    #[serde(default)]
    applications: Vec<CollectedApplication>,
    /// The Windows release and its full build number.
    #[serde(default)]
    windows: Option<CollectedWindows>,
}

#[derive(serde::Deserialize)]
pub struct CollectedApplication {
    name: String,
    #[serde(default)]
    version: Option<String>,
    #[serde(default)]
    vendor: Option<String>,
}

#[derive(serde::Deserialize)]
pub struct CollectedWindows {
    /// As Microsoft's advisories name it: "Windows 11 Version 23H2",
    /// "Windows Server 2022".
    product: String,
    /// Major.minor.build.revision, e.g. "10.0.22631.4460".
    build: String,
}

#[derive(serde::Deserialize)]
pub struct CollectedItem {
    name: String,
    version: String,
    purl: String,
}

/// `PUT /api/v1/systems/{id}/collected`: what `sonae collect` reports for a
/// host; replaces the system's collector-sourced components.
pub async fn collected(
    State(st): State<AppState>,
    headers: HeaderMap,
    Path(id): Path<i64>,
    body: Result<Json<CollectedBody>, axum::extract::rejection::JsonRejection>,
) -> Response {
    let a = match api(&st, &headers).await {
        Ok(a) => a,
        Err(r) => return r,
    };
    let Ok(Json(body)) = body else {
        return error(
            StatusCode::BAD_REQUEST,
            "bad_json",
            a.tr.t("error-bad-json"),
        );
    };
    let mut items: Vec<sonae_store::SourcedComponent> = body
        .packages
        .into_iter()
        .filter(|p| !p.name.trim().is_empty())
        .map(|p| sonae_store::SourcedComponent {
            vendor: None,
            product: p.name,
            version: Some(p.version),
            cpe: None,
            purl: Some(p.purl),
        })
        .collect();
    if let Some(w) = body.windows.filter(|w| !w.product.trim().is_empty()) {
        items.push(sonae_store::SourcedComponent {
            vendor: Some("Microsoft".into()),
            product: w.product,
            version: Some(w.build),
            cpe: None,
            purl: None,
        });
    }
    items.extend(
        body.applications
            .into_iter()
            .filter(|a| !a.name.trim().is_empty())
            .map(|a| sonae_store::SourcedComponent {
                vendor: a.vendor,
                product: a.name,
                version: a.version,
                cpe: None,
                purl: None,
            }),
    );
    match st
        .store
        .replace_sourced(&a.actor, id, "collector", &items)
        .await
    {
        Ok(s) => Json(json!({ "added": s.added, "updated": s.updated, "removed": s.removed, "unchanged": s.unchanged })).into_response(),
        Err(e) => store_error(&a.tr, e),
    }
}
