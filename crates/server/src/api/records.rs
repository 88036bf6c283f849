//! Generic CRUD routes, one set per kind of record.

use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use keel_api_types::PageResponse;
use keel_domain::{Id, Record};
use keel_store::Stored;

use super::{ApiJson, other::audit_response, parse_list_query};
use crate::{
    AppState,
    auth::ApiActor,
    error::ApiError,
    registers::{self, Download, Register},
};

/// The routes of one kind: list, create, get, replace, delete, audit trail, and the register's
/// CSV and Excel downloads.
pub fn routes<F: Register>() -> Router<AppState> {
    let base = format!("/{}", F::KIND.slug());
    Router::new()
        .route(&base, get(list_records::<F>).post(create_record::<F>))
        .route(&format!("{base}/export.csv"), get(export_csv::<F>))
        .route(&format!("{base}/export.xlsx"), get(export_xlsx::<F>))
        .route(&format!("{base}/{{id}}"), get(get_record::<F>).put(update_record::<F>).delete(delete_record::<F>))
        .route(&format!("{base}/{{id}}/audit"), get(record_audit::<F>))
}

/// Parses a path ID.
pub fn parse_id<T>(raw: &str) -> Result<Id<T>, ApiError> {
    raw.parse().map_err(|_| ApiError::field(StatusCode::NOT_FOUND, "id", format!("`{raw}` is not a record ID")))
}

/// The version in `If-Match` (`"3"`, `W/"3"` or `3`); 428 when missing.
pub fn if_match(headers: &HeaderMap) -> Result<i64, ApiError> {
    let Some(v) = headers.get(header::IF_MATCH) else {
        return Err(ApiError::new(
            StatusCode::PRECONDITION_REQUIRED,
            "send If-Match with the version you read (the ETag of GET), so concurrent changes are not overwritten",
        ));
    };
    let s = v.to_str().unwrap_or("").trim().trim_start_matches("W/").trim_matches('"');
    s.parse().map_err(|_| {
        ApiError::field(
            StatusCode::BAD_REQUEST,
            "If-Match",
            format!("`{s}` is not a version: expected the ETag, e.g. \"3\""),
        )
    })
}

fn with_etag<F: Stored>(status: StatusCode, r: &Record<F>) -> Response {
    let mut res = (status, Json(r)).into_response();
    if let Ok(v) = HeaderValue::from_str(&format!("\"{}\"", r.version)) {
        res.headers_mut().insert(header::ETAG, v);
    }
    res
}

async fn list_records<F: Stored>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Json<PageResponse<Record<F>>>, ApiError> {
    let q = parse_list_query(&params, F::COLUMNS)?;
    let page = state.app.records::<F>().list(&actor, &q).await?;
    Ok(Json(PageResponse { items: page.items, next_cursor: page.next_cursor }))
}

/// The register under the list's filters and sort (every page), as the web page's columns.
async fn export<F: Register>(
    state: &AppState,
    actor: &keel_app::Actor,
    params: &[(String, String)],
    format: &str,
) -> Result<Download, ApiError> {
    let q = parse_list_query(params, F::COLUMNS)?;
    let table = registers::table::<F>(&state.app, actor, q).await?;
    Ok(registers::download(&table, format, F::KIND.slug())?)
}

async fn export_csv<F: Register>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Download, ApiError> {
    export::<F>(&state, &actor, &params, "csv").await
}

async fn export_xlsx<F: Register>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Query(params): Query<Vec<(String, String)>>,
) -> Result<Download, ApiError> {
    export::<F>(&state, &actor, &params, "xlsx").await
}

async fn create_record<F: Stored>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(fields): ApiJson<F>,
) -> Result<Response, ApiError> {
    let r = state.app.records::<F>().create(&actor, fields).await?;
    let mut res = with_etag(StatusCode::CREATED, &r);
    if let Ok(v) = HeaderValue::from_str(&format!("/api/v1/{}/{}", F::KIND.slug(), r.id)) {
        res.headers_mut().insert(header::LOCATION, v);
    }
    Ok(res)
}

async fn get_record<F: Stored>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let r = state.app.records::<F>().get(&actor, parse_id(&id)?).await?;
    Ok(with_etag(StatusCode::OK, &r))
}

async fn update_record<F: Stored>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
    ApiJson(fields): ApiJson<F>,
) -> Result<Response, ApiError> {
    let version = if_match(&headers)?;
    let r = state.app.records::<F>().update(&actor, parse_id(&id)?, version, fields).await?;
    Ok(with_etag(StatusCode::OK, &r))
}

async fn delete_record<F: Stored>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let version = if_match(&headers)?;
    state.app.records::<F>().delete(&actor, parse_id(&id)?, version).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn record_audit<F: Stored>(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<Json<Vec<keel_api_types::AuditEntryResponse>>, ApiError> {
    let entries = state.app.records::<F>().history(&actor, parse_id(&id)?).await?;
    Ok(Json(entries.iter().map(audit_response).collect()))
}
