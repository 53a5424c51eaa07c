//! CSV import and export of inventory records.
//!
//! Columns are the kind's fields; a reference column holds the referenced
//! record's name (e.g. `owner_department` = 通販事業部), not an id, so a file
//! made in Excel can be read by people. Files may be UTF-8 with or without
//! BOM, or Shift_JIS; export writes UTF-8 with BOM (or Shift_JIS on request).

use crate::ctx::{Ctx, PageError, PageResult};
use crate::inventory::{field_error_text, kind_of};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use sonae_domain::access::Access;
use sonae_domain::inventory::{FieldType, Kind};
use sonae_domain::value::parse_field;
use sonae_domain::{Actor, FieldError, FieldErrorKind, Value, Values};
use sonae_import::{ImportError, TextEncoding};
use sonae_store::{ImportRow, ListQuery};
use std::collections::HashMap;

/// The CSV header of a field: reference fields drop their `_id`.
pub fn header_of(name: &str) -> &str {
    name.strip_suffix("_id").unwrap_or(name)
}

pub fn headers(kind: Kind) -> Vec<&'static str> {
    kind.fields().iter().map(|f| header_of(f.name)).collect()
}

async fn ref_titles(
    ctx: &Ctx,
    actor: &Actor,
    kind: Kind,
) -> Result<HashMap<Kind, Vec<(i64, String)>>, PageError> {
    let mut out = HashMap::new();
    for f in kind.fields() {
        if let FieldType::Ref(t) = f.ty {
            if let std::collections::hash_map::Entry::Vacant(e) = out.entry(t) {
                e.insert(
                    ctx.st
                        .store
                        .titles(actor, t, Access::Read)
                        .await
                        .map_err(|e| ctx.store_error(e))?,
                );
            }
        }
    }
    Ok(out)
}

pub async fn export(ctx: Ctx, slug: &str, params: HashMap<String, String>) -> PageResult {
    let actor = ctx.require_actor()?;
    let kind = kind_of(&ctx, slug)?;
    let refs = ref_titles(&ctx, &actor, kind).await?;
    let mut rows = Vec::new();
    let mut offset = 0;
    loop {
        let page = ctx
            .st
            .store
            .list(
                &actor,
                kind,
                &ListQuery {
                    offset,
                    limit: 1000,
                    ..Default::default()
                },
            )
            .await
            .map_err(|e| ctx.store_error(e))?;
        let n = page.items.len() as i64;
        for r in page.items {
            rows.push(
                kind.fields()
                    .iter()
                    .map(|f| match (f.ty, r.get(f.name)) {
                        (FieldType::Ref(t), Value::Int(id)) => refs
                            .get(&t)
                            .and_then(|v| v.iter().find(|(i, _)| i == id))
                            .map(|(_, n)| n.clone())
                            .unwrap_or_default(),
                        (_, v) => v.to_input_string(),
                    })
                    .collect::<Vec<_>>(),
            );
        }
        offset += n;
        if n < 1000 {
            break;
        }
    }
    let (encoding, charset) = match params.get("encoding").map(String::as_str) {
        Some("sjis") | Some("shift_jis") => (TextEncoding::ShiftJis, "Shift_JIS"),
        _ => (TextEncoding::Utf8Bom, "utf-8"),
    };
    let bytes = match sonae_import::write_csv(&headers(kind), &rows, encoding) {
        Ok(b) => b,
        Err(e) => {
            return Err(ctx.error_text(
                StatusCode::UNPROCESSABLE_ENTITY,
                import_error_text(&ctx, &e),
            ))
        }
    };
    Ok((
        [
            (header::CONTENT_TYPE, format!("text/csv; charset={charset}")),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"sonae-{}.csv\"", kind.slug()),
            ),
        ],
        bytes,
    )
        .into_response())
}

/// The message for one failing cell: line, column name and number, reason.
pub fn line_error(ctx: &Ctx, kind: Kind, line: u64, e: &FieldError) -> String {
    let header = header_of(e.field);
    let column = headers(kind)
        .iter()
        .position(|h| *h == header)
        .map_or(0, |i| i + 1);
    ctx.tr.ta(
        "import-line-error",
        &[
            ("line", line.to_string()),
            ("column", header.to_owned()),
            ("number", column.to_string()),
            ("error", field_error_text(ctx, e)),
        ],
    )
}

/// Localized text of a file-level import error.
pub fn import_error_text(ctx: &Ctx, e: &ImportError) -> String {
    let tr = &ctx.tr;
    match e {
        ImportError::TooLarge { limit, .. } => tr.ta(
            "error-too-large",
            &[("limit", (limit / (1024 * 1024)).to_string())],
        ),
        ImportError::Encoding { line } => {
            tr.ta("import-err-encoding", &[("line", line.to_string())])
        }
        ImportError::Utf16 => tr.t("import-err-utf16"),
        ImportError::Empty => tr.t("import-err-empty"),
        ImportError::EmptyHeader { column } => {
            tr.ta("import-err-empty-header", &[("number", column.to_string())])
        }
        ImportError::DuplicateHeader { column } => {
            tr.ta("import-err-duplicate-header", &[("column", column.clone())])
        }
        ImportError::FieldCount {
            line,
            expected,
            found,
        } => tr.ta(
            "import-err-field-count",
            &[
                ("line", line.to_string()),
                ("expected", expected.to_string()),
                ("found", found.to_string()),
            ],
        ),
        ImportError::UnterminatedQuote { line } => {
            tr.ta("import-err-quote", &[("line", line.to_string())])
        }
        ImportError::Syntax { line } => tr.ta("import-err-syntax", &[("line", line.to_string())]),
        ImportError::Unencodable { line, column, .. } => tr.ta(
            "import-err-unencodable",
            &[("line", line.to_string()), ("number", column.to_string())],
        ),
        ImportError::Json { line, column } => tr.ta(
            "import-err-json",
            &[("line", line.to_string()), ("number", column.to_string())],
        ),
        ImportError::SbomNotJson(_) => tr.t("import-err-sbom-not-json"),
        ImportError::UnknownSbomFormat => tr.t("import-err-sbom-unknown"),
        ImportError::UnsupportedSbomVersion(v) => {
            tr.ta("import-err-sbom-version", &[("version", v.clone())])
        }
        _ => tr.t("import-err-syntax-generic"),
    }
}

/// Parse an uploaded CSV into rows ready for the store, or every problem
/// found, each naming its line and column. Nothing is saved here.
pub async fn parse_import(
    ctx: &Ctx,
    actor: &Actor,
    kind: Kind,
    bytes: &[u8],
) -> Result<Result<Vec<ImportRow>, Vec<String>>, PageError> {
    let table = match sonae_import::read_csv(bytes) {
        Ok(t) => t,
        Err(e) => return Ok(Err(vec![import_error_text(ctx, &e)])),
    };
    let known = headers(kind);
    let mut problems = Vec::new();
    for h in &table.headers {
        if !known.contains(&h.as_str()) {
            problems.push(ctx.tr.ta(
                "import-err-unknown-column",
                &[("column", h.clone()), ("known", known.join(", "))],
            ));
        }
    }
    for f in kind.fields().iter().filter(|f| f.required) {
        if !table.headers.iter().any(|h| h == header_of(f.name)) {
            problems.push(ctx.tr.ta(
                "import-err-missing-column",
                &[("column", header_of(f.name).to_owned())],
            ));
        }
    }
    if !problems.is_empty() {
        return Ok(Err(problems));
    }
    let refs = ref_titles(ctx, actor, kind).await?;
    let col: HashMap<&str, usize> = table
        .headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.as_str(), i))
        .collect();
    let mut rows = Vec::new();
    for row in &table.rows {
        let mut values = Values::new();
        for f in kind.fields() {
            let raw = col
                .get(header_of(f.name))
                .and_then(|i| row.cells.get(*i))
                .map_or("", String::as_str);
            let parsed = match f.ty {
                FieldType::Ref(t) if !raw.trim().is_empty() => {
                    let name = raw.trim();
                    let hits: Vec<i64> = refs
                        .get(&t)
                        .map(|v| {
                            v.iter()
                                .filter(|(_, n)| n == name)
                                .map(|(i, _)| *i)
                                .collect()
                        })
                        .unwrap_or_default();
                    match hits.as_slice() {
                        [id] => Ok(Value::Int(*id)),
                        _ => Err(FieldErrorKind::UnknownReference),
                    }
                }
                FieldType::Enum(_)
                    if kind == Kind::Component && f.name == "source" && raw.trim().is_empty() =>
                {
                    Ok(Value::Text("csv".to_owned()))
                }
                _ => parse_field(f, raw),
            };
            match parsed {
                Ok(v) => {
                    values.insert(f.name, v);
                }
                Err(kind_err) => problems.push(line_error(
                    ctx,
                    kind,
                    row.line,
                    &FieldError {
                        field: f.name,
                        kind: kind_err,
                    },
                )),
            }
        }
        rows.push(ImportRow {
            line: row.line,
            values,
        });
    }
    if problems.is_empty() {
        Ok(Ok(rows))
    } else {
        Ok(Err(problems))
    }
}
