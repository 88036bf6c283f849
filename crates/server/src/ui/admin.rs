//! Admin pages: users and roles; everyone's own API tokens.

use askama::Template;
use axum::{
    Form,
    extract::{Path, State},
    response::{IntoResponse, Redirect, Response},
};
use keel_app::{AppError, NewUser, Session};
use keel_domain::Role;
use serde::Deserialize;

use super::{Chrome, error_page, render};
use crate::{
    AppState,
    auth::{UiSession, same_secret},
};

/// A user line.
pub struct UserRow {
    id: String,
    username: String,
    display_name: String,
    email: String,
    role: String,
    disabled: bool,
}

#[derive(Template)]
#[template(path = "users.html")]
struct UsersPage {
    chrome: Option<Chrome>,
    org_name: String,
    org_currency: String,
    users: Vec<UserRow>,
    roles: Vec<(String, String)>,
    /// The role a new user gets unless the admin picks another: the least powerful.
    new_user_role: &'static str,
    message: Option<String>,
}

fn check(s: &Session, token: &str) -> Result<(), AppError> {
    if same_secret(token, &s.csrf_token) {
        Ok(())
    } else {
        Err(AppError::Forbidden("the form has expired: reload the page and try again".into()))
    }
}

async fn users_view(state: &AppState, s: &Session, message: Option<String>) -> Response {
    let chrome = Chrome::new(s, "admin");
    let org = match state.app.organisation(&s.actor).await {
        Ok(o) => o,
        Err(e) => return error_page(Some(chrome), e),
    };
    match state.app.users(&s.actor).await {
        Ok(users) => render(&UsersPage {
            chrome: Some(chrome),
            org_name: org.name,
            org_currency: org.currency.to_string(),
            users: users
                .into_iter()
                .map(|(u, r)| UserRow {
                    id: u.id.to_string(),
                    username: u.username,
                    display_name: u.display_name,
                    email: u.email,
                    role: r.as_str().into(),
                    disabled: u.disabled,
                })
                .collect(),
            roles: Role::ALL.iter().map(|r| (r.as_str().to_owned(), r.label().to_owned())).collect(),
            // `Role::ALL` runs from the most to the least powerful (a domain test keeps it so).
            new_user_role: Role::ALL.last().map_or("", |r| r.as_str()),
            message,
        }),
        Err(e) => error_page(Some(chrome), e),
    }
}

/// `GET /admin/users`
pub async fn users_page(State(state): State<AppState>, UiSession(s): UiSession) -> Response {
    users_view(&state, &s, None).await
}

/// The add-user form.
#[derive(Deserialize)]
pub struct AddUserForm {
    _csrf: String,
    username: String,
    display_name: String,
    email: String,
    password: String,
    role: String,
}

/// `POST /admin/users`
pub async fn add_user_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Form(f): Form<AddUserForm>,
) -> Response {
    let res = async {
        check(&s, &f._csrf)?;
        let role: Role = f.role.parse().map_err(|m: String| AppError::field("role", m))?;
        state
            .app
            .add_user(
                &s.actor,
                NewUser {
                    username: f.username,
                    display_name: f.display_name,
                    email: f.email,
                    password: f.password,
                    role,
                },
            )
            .await
    }
    .await;
    match res {
        Ok(u) => users_view(&state, &s, Some(format!("User {} added.", u.username))).await,
        Err(AppError::Validation(v)) => users_view(&state, &s, Some(format!("Not added: {v}"))).await,
        Err(e) => error_page(Some(Chrome::new(&s, "admin")), e),
    }
}

/// The change-user form.
#[derive(Deserialize)]
pub struct UpdateUserForm {
    _csrf: String,
    role: Option<String>,
    disabled: Option<String>,
    password: Option<String>,
}

/// `POST /admin/users/{id}`
pub async fn update_user_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Form(f): Form<UpdateUserForm>,
) -> Response {
    let res = async {
        check(&s, &f._csrf)?;
        let id = id.parse().map_err(|_| AppError::NotFound)?;
        let role = f
            .role
            .as_deref()
            .filter(|r| !r.is_empty())
            .map(str::parse::<Role>)
            .transpose()
            .map_err(|m| AppError::field("role", m))?;
        let disabled = f.disabled.as_deref().map(|d| d == "true");
        let password = f.password.as_deref().filter(|p| !p.is_empty());
        state.app.update_user(&s.actor, id, role, disabled, password).await
    }
    .await;
    match res {
        Ok(()) => users_view(&state, &s, Some("Saved.".into())).await,
        Err(AppError::Validation(v)) => users_view(&state, &s, Some(format!("Not saved: {v}"))).await,
        Err(AppError::Conflict(m)) => users_view(&state, &s, Some(format!("Not saved: {m}"))).await,
        Err(e) => error_page(Some(Chrome::new(&s, "admin")), e),
    }
}

/// The organisation settings form.
#[derive(Deserialize)]
pub struct OrgForm {
    _csrf: String,
    name: String,
    currency: String,
}

/// `POST /admin/organisation`
pub async fn update_org_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Form(f): Form<OrgForm>,
) -> Response {
    let res = async {
        check(&s, &f._csrf)?;
        state.app.update_organisation(&s.actor, &f.name, &f.currency).await
    }
    .await;
    match res {
        Ok(o) => users_view(&state, &s, Some(format!("Organisation saved: {}.", o.name))).await,
        Err(AppError::Validation(v)) => users_view(&state, &s, Some(format!("Not saved: {v}"))).await,
        Err(e) => error_page(Some(Chrome::new(&s, "admin")), e),
    }
}

/// A token line.
pub struct TokenRow {
    id: String,
    name: String,
    prefix: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "tokens.html")]
struct TokensPage {
    chrome: Option<Chrome>,
    tokens: Vec<TokenRow>,
    secret: Option<String>,
    message: Option<String>,
}

async fn tokens_view(state: &AppState, s: &Session, secret: Option<String>, message: Option<String>) -> Response {
    let chrome = Chrome::new(s, "tokens");
    match state.app.tokens(&s.actor).await {
        Ok(tokens) => render(&TokensPage {
            chrome: Some(chrome),
            tokens: tokens
                .into_iter()
                .map(|t| TokenRow {
                    id: t.id.to_string(),
                    name: t.name,
                    prefix: t.prefix,
                    created: t.created_at.format("%Y-%m-%d %H:%M").to_string(),
                    last_used: t
                        .last_used_at
                        .map(|d| d.format("%Y-%m-%d %H:%M").to_string())
                        .unwrap_or_else(|| "never".into()),
                    revoked: t.revoked_at.is_some(),
                })
                .collect(),
            secret,
            message,
        }),
        Err(e) => error_page(Some(chrome), e),
    }
}

/// `GET /tokens`
pub async fn tokens_page(State(state): State<AppState>, UiSession(s): UiSession) -> Response {
    tokens_view(&state, &s, None, None).await
}

/// The create-token form.
#[derive(Deserialize)]
pub struct TokenForm {
    _csrf: String,
    name: String,
}

/// `POST /tokens`
pub async fn create_token_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Form(f): Form<TokenForm>,
) -> Response {
    let res = async {
        check(&s, &f._csrf)?;
        let user = s.actor.user_id.ok_or(AppError::NotFound)?;
        state.app.create_token(&s.actor, user, &f.name).await
    }
    .await;
    match res {
        Ok(t) => tokens_view(&state, &s, Some(t.secret), None).await,
        Err(AppError::Validation(v)) => tokens_view(&state, &s, None, Some(format!("Not created: {v}"))).await,
        Err(e) => error_page(Some(Chrome::new(&s, "tokens")), e),
    }
}

/// The revoke form.
#[derive(Deserialize)]
pub struct CsrfOnly {
    _csrf: String,
}

/// `POST /tokens/{id}/revoke`
pub async fn revoke_token_submit(
    State(state): State<AppState>,
    UiSession(s): UiSession,
    Path(id): Path<String>,
    Form(f): Form<CsrfOnly>,
) -> Response {
    let res = async {
        check(&s, &f._csrf)?;
        let id = id.parse().map_err(|_| AppError::NotFound)?;
        state.app.revoke_token(&s.actor, id).await
    }
    .await;
    match res {
        Ok(()) => Redirect::to("/tokens").into_response(),
        Err(e) => error_page(Some(Chrome::new(&s, "tokens")), e),
    }
}
