//! Dashboard, audit, account, admin, export and OpenAPI routes.

use axum::{
    Json,
    extract::{Path, State},
    http::StatusCode,
    response::{IntoResponse, Response},
};
use keel_api_types::*;
use keel_app::{DashboardFilter, NewUser};
use keel_domain::{AuditEntry, EntityKind, Rag, WorkState};
use keel_store::{AuditFilter, ColType, record_columns};
use serde::Deserialize;

use super::{ApiJson, json::ApiQuery, records::parse_id};
use crate::{AppState, auth::ApiActor, error::ApiError};

/// The API shape of an audit entry, with the changed fields worked out.
pub fn audit_response(e: &AuditEntry) -> AuditEntryResponse {
    let parse = |s: &Option<String>| s.as_deref().and_then(|s| serde_json::from_str(s).ok());
    AuditEntryResponse {
        id: e.id.uuid(),
        at: e.at,
        actor_id: e.actor_id.map(|u| u.uuid()),
        actor_name: e.actor_name.clone(),
        action: e.action.as_str().into(),
        entity_kind: e.entity_kind.clone(),
        entity_id: e.entity_id,
        project_id: e.project_id,
        label: e.label.clone(),
        before: parse(&e.before),
        after: parse(&e.after),
        changes: keel_app::diff(e.before.as_deref(), e.after.as_deref())
            .into_iter()
            .map(|c| ChangeResponse { field: c.field, before: c.before, after: c.after })
            .collect(),
    }
}

fn opt_parse<T: std::str::FromStr>(field: &str, v: &Option<String>) -> Result<Option<T>, ApiError> {
    match v.as_deref().filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(s) => s
            .parse()
            .map(Some)
            .map_err(|_| ApiError::field(StatusCode::BAD_REQUEST, field, format!("`{s}` is not valid here"))),
    }
}

/// Dashboard filters as query parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DashboardParams {
    /// Portfolio ID.
    pub portfolio: Option<String>,
    /// Programme ID.
    pub programme: Option<String>,
    /// green, amber or red.
    pub rag: Option<String>,
    /// Project manager.
    pub manager: Option<String>,
    /// State.
    pub state: Option<String>,
    /// Search.
    pub q: Option<String>,
    /// Page (web UI only).
    pub page: Option<String>,
    /// Row order: `attention` (default), `rag`, `project`, `portfolio`, `manager`, `stage`,
    /// `trend`, `next_milestone`, `due`, `budget`, `exceptions`.
    pub sort: Option<String>,
    /// `asc` (default) or `desc`.
    pub dir: Option<String>,
    /// `csv` or `xlsx`: the rows as a download (web UI only).
    pub format: Option<String>,
}

impl DashboardParams {
    /// The app-level filter.
    pub fn filter(&self) -> Result<DashboardFilter, ApiError> {
        Ok(DashboardFilter {
            portfolio: opt_parse("portfolio", &self.portfolio)?,
            programme: opt_parse("programme", &self.programme)?,
            rag: opt_parse::<Rag>("rag", &self.rag)?,
            manager: self.manager.clone().filter(|m| !m.is_empty()),
            state: opt_parse::<WorkState>("state", &self.state)?,
            q: self.q.clone(),
            sort: opt_parse("sort", &self.sort)?.unwrap_or_default(),
            descending: match self.dir.as_deref().filter(|d| !d.is_empty()) {
                None | Some("asc") => false,
                Some("desc") => true,
                Some(other) => {
                    return Err(ApiError::field(
                        StatusCode::BAD_REQUEST,
                        "dir",
                        format!("`{other}` is not asc or desc"),
                    ));
                }
            },
        })
    }
}

/// `GET /api/v1/dashboard`
pub async fn get_dashboard(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<DashboardParams>,
) -> Result<Json<DashboardResponse>, ApiError> {
    let d = state.app.dashboard(&actor, &p.filter()?, state.app.today()).await?;
    let rows = d
        .rows
        .iter()
        .map(|r| {
            let f = &r.project.fields;
            DashboardRow {
                id: r.project.id.uuid(),
                code: f.code.to_string(),
                name: f.name.clone(),
                portfolio: r.portfolio_code.clone(),
                programme: r.programme.clone(),
                manager: f.manager.clone(),
                stage: f.stage.as_str().into(),
                state: f.state.as_str().into(),
                rag: r.health.rag.map(|x| x.as_str().into()),
                trend: r.health.trend.label().to_lowercase(),
                recent: r.recent.iter().map(|x| x.as_str().into()).collect(),
                next_milestone: r.health.next_milestone.as_ref().map(|m| m.0.clone()),
                next_milestone_date: r.health.next_milestone.as_ref().map(|m| m.1),
                budget: f.budget.map(|b| format!("{} {}", b.amount_string(), b.currency)),
                exceptions: r.health.exceptions.iter().map(|e| e.describe()).collect(),
                attention: r.health.attention,
            }
        })
        .collect();
    Ok(Json(DashboardResponse { today: d.today, distribution: d.distribution, rows }))
}

/// Audit query parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditParams {
    entity_id: Option<uuid::Uuid>,
    project_id: Option<uuid::Uuid>,
    entity_kind: Option<String>,
    before: Option<uuid::Uuid>,
    limit: Option<u32>,
}

/// `GET /api/v1/audit`
pub async fn list_audit(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> Result<Json<Vec<AuditEntryResponse>>, ApiError> {
    let f = AuditFilter {
        entity_id: p.entity_id,
        project_id: p.project_id,
        entity_kind: p.entity_kind,
        before: p.before,
        limit: p.limit.unwrap_or(100),
    };
    Ok(Json(state.app.audit_log(&actor, &f).await?.iter().map(audit_response).collect()))
}

/// `GET /api/v1/me`
pub async fn get_me(ApiActor(actor): ApiActor) -> Json<MeResponse> {
    Json(MeResponse {
        user_id: actor.user_id.map(|u| u.uuid()),
        name: actor.name,
        org_id: actor.org_id.uuid(),
        role: actor.role,
    })
}

fn user_response(u: &keel_domain::User, role: keel_domain::Role) -> UserResponse {
    UserResponse {
        id: u.id.uuid(),
        username: u.username.clone(),
        display_name: u.display_name.clone(),
        email: u.email.clone(),
        role,
        disabled: u.disabled,
        created_at: u.created_at,
    }
}

/// Users list parameters.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserParams {
    role: Option<keel_domain::Role>,
    q: Option<String>,
    disabled: Option<bool>,
    limit: Option<u32>,
    cursor: Option<String>,
}

/// `GET /api/v1/users`: by user name, filtered, paged (the cursor is the last user name).
pub async fn list_users(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiQuery(p): ApiQuery<UserParams>,
) -> Result<Json<PageResponse<UserResponse>>, ApiError> {
    let limit = p.limit.unwrap_or(100);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field(
            StatusCode::BAD_REQUEST,
            "limit",
            format!("`{limit}` is not a page size: expected 1 to 500"),
        ));
    }
    let q = p.q.as_deref().map(str::to_lowercase).filter(|q| !q.is_empty());
    let mut users: Vec<UserResponse> = state
        .app
        .users(&actor)
        .await?
        .iter()
        .filter(|(u, r)| p.role.is_none_or(|x| x == *r) && p.disabled.is_none_or(|d| d == u.disabled))
        .filter(|(u, _)| {
            q.as_deref()
                .is_none_or(|q| [&u.username, &u.display_name, &u.email].iter().any(|f| f.to_lowercase().contains(q)))
        })
        .filter(|(u, _)| p.cursor.as_deref().is_none_or(|c| u.username.as_str() > c))
        .map(|(u, r)| user_response(u, *r))
        .collect();
    let next_cursor = (users.len() > limit as usize).then(|| users[limit as usize - 1].username.clone());
    users.truncate(limit as usize);
    Ok(Json(PageResponse { items: users, next_cursor }))
}

/// `GET /api/v1/organisation`
pub async fn get_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<OrganisationResponse>, ApiError> {
    let o = state.app.organisation(&actor).await?;
    Ok(Json(OrganisationResponse {
        id: o.id.uuid(),
        name: o.name,
        currency: o.currency.to_string(),
        created_at: o.created_at,
    }))
}

/// `PUT /api/v1/organisation`
pub async fn update_organisation(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<UpdateOrganisationRequest>,
) -> Result<Json<OrganisationResponse>, ApiError> {
    let o = state.app.update_organisation(&actor, &req.name, &req.currency).await?;
    Ok(Json(OrganisationResponse {
        id: o.id.uuid(),
        name: o.name,
        currency: o.currency.to_string(),
        created_at: o.created_at,
    }))
}

/// `POST /api/v1/users`
pub async fn create_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateUserRequest>,
) -> Result<Response, ApiError> {
    let u = state
        .app
        .add_user(
            &actor,
            NewUser {
                username: req.username,
                display_name: req.display_name,
                email: req.email,
                password: req.password,
                role: req.role,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(user_response(&u, req.role))).into_response())
}

/// `PATCH /api/v1/users/{id}`
pub async fn update_user(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
    ApiJson(req): ApiJson<UpdateUserRequest>,
) -> Result<StatusCode, ApiError> {
    state.app.update_user(&actor, parse_id(&id)?, req.role, req.disabled, req.password.as_deref()).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn token_response(t: &keel_domain::ApiToken, secret: Option<String>) -> TokenResponse {
    TokenResponse {
        id: t.id.uuid(),
        user_id: t.user_id.uuid(),
        name: t.name.clone(),
        prefix: t.prefix.clone(),
        created_at: t.created_at,
        last_used_at: t.last_used_at,
        revoked_at: t.revoked_at,
        secret,
    }
}

/// `GET /api/v1/tokens`
pub async fn list_tokens(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<Vec<TokenResponse>>, ApiError> {
    Ok(Json(state.app.tokens(&actor).await?.iter().map(|t| token_response(t, None)).collect()))
}

/// `POST /api/v1/tokens`
pub async fn create_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    ApiJson(req): ApiJson<CreateTokenRequest>,
) -> Result<Response, ApiError> {
    let user = match req.user_id {
        Some(u) => keel_domain::Id::from_uuid(u),
        None => {
            actor.user_id.ok_or_else(|| ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, "user_id", "is required"))?
        }
    };
    let t = state.app.create_token(&actor, user, &req.name).await?;
    Ok((StatusCode::CREATED, Json(token_response(&t.token, Some(t.secret)))).into_response())
}

/// `DELETE /api/v1/tokens/{id}`
pub async fn revoke_token(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    state.app.revoke_token(&actor, parse_id(&id)?).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/export`
pub async fn get_export(
    State(state): State<AppState>,
    ApiActor(actor): ApiActor,
) -> Result<Json<keel_app::ExportDocument>, ApiError> {
    Ok(Json(state.app.export(&actor).await?))
}

/// The OpenAPI document with each kind's filterable fields.
pub fn openapi_document() -> serde_json::Value {
    openapi(|kind: EntityKind| {
        record_columns(kind)
            .iter()
            .map(|c| {
                let ty = match c.ty {
                    ColType::Text => "text",
                    ColType::Enum => "enum",
                    ColType::Date => "date",
                    ColType::Int => "int",
                    ColType::Ref => "ref",
                };
                (c.name.to_owned(), ty.to_owned())
            })
            // The hierarchy through a related record: a risk's `project.portfolio_id`.
            .chain(keel_store::relations(record_columns(kind)).into_iter().flat_map(|r| {
                r.columns
                    .iter()
                    .filter(|c| c.ty == ColType::Ref)
                    .map(move |c| (format!("{}.{}", r.prefix, c.name), "ref".to_owned()))
            }))
            .collect()
    })
}

/// `GET /api/v1/openapi.json`
pub async fn get_openapi(State(state): State<AppState>) -> Json<serde_json::Value> {
    Json((*state.openapi).clone())
}

/// Unknown API paths answer problem+json, not HTML.
pub async fn not_found() -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "no such API endpoint; see /api/v1/openapi.json")
}
