//! Who is calling: Bearer API tokens, or the session cookie (with CSRF checks on unsafe methods).

use std::net::SocketAddr;

use axum::{
    extract::{ConnectInfo, FromRequestParts},
    http::{Method, StatusCode, header, request::Parts},
};
use axum_extra::extract::CookieJar;
use keel_app::{Actor, Session};

use crate::{AppState, error::ApiError};

/// Name of the session cookie.
pub const SESSION_COOKIE: &str = "keel_session";
/// Header that browser scripts send with the CSRF token.
pub const CSRF_HEADER: &str = "x-csrf-token";

/// The caller of an API route.
#[derive(Debug, Clone)]
pub struct ApiActor(pub Actor);

fn is_safe(m: &Method) -> bool {
    matches!(*m, Method::GET | Method::HEAD | Method::OPTIONS)
}

/// Constant-time comparison of two secrets.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The client's address as seen by this server (for sign-in throttling).
pub fn client_addr(parts: &Parts) -> String {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip().to_string()).unwrap_or_else(|| "local".into())
}

impl FromRequestParts<AppState> for ApiActor {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        if let Some(auth) = parts.headers.get(header::AUTHORIZATION) {
            let token = auth.to_str().ok().and_then(|v| v.strip_prefix("Bearer ")).map(str::trim).ok_or_else(|| {
                ApiError::new(StatusCode::UNAUTHORIZED, "the Authorization header must be `Bearer <token>`")
            })?;
            return match state.app.authenticate_token(token).await? {
                Some(actor) => Ok(ApiActor(actor)),
                None => Err(ApiError::new(StatusCode::UNAUTHORIZED, "this API token is unknown or revoked")),
            };
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else {
            return Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "sign in, or send an API token as `Authorization: Bearer <token>`",
            ));
        };
        let Some(session) = state.app.session(cookie.value()).await? else {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "your session has expired: sign in again"));
        };
        if !is_safe(&parts.method) {
            let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok()).unwrap_or("");
            if !same_secret(sent, &session.csrf_token) {
                return Err(ApiError::new(StatusCode::FORBIDDEN, "missing or wrong X-CSRF-Token header"));
            }
        }
        Ok(ApiActor(session.actor))
    }
}

/// The signed-in user of a web page; pages redirect to the sign-in page without one.
#[derive(Debug, Clone)]
pub struct UiSession(pub Session);

/// Rejection of [`UiSession`]: go and sign in.
pub struct SignInRedirect(String);

impl axum::response::IntoResponse for SignInRedirect {
    fn into_response(self) -> axum::response::Response {
        axum::response::Redirect::to(&format!("/login?next={}", urlencode(&self.0))).into_response()
    }
}

/// Percent-encodes a query value.
pub fn urlencode(s: &str) -> String {
    serde_urlencoded::to_string([("v", s)]).map(|e| e[2..].to_owned()).unwrap_or_default()
}

impl FromRequestParts<AppState> for UiSession {
    type Rejection = SignInRedirect;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Self::Rejection> {
        let next = parts.uri.path_and_query().map(|p| p.as_str().to_owned()).unwrap_or_else(|| "/".into());
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(cookie) = jar.get(SESSION_COOKIE) else { return Err(SignInRedirect(next)) };
        match state.app.session(cookie.value()).await {
            Ok(Some(s)) => Ok(UiSession(s)),
            _ => Err(SignInRedirect(next)),
        }
    }
}
