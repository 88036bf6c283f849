//! A JSON body extractor whose errors name the line, column or field, as problem+json.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
};
use serde::de::DeserializeOwned;

use crate::error::ApiError;

/// A JSON request body. Refuses non-JSON content types (415), oversized bodies (413), malformed
/// JSON (400, with line and column) and wrong or unknown fields (422, naming the field).
pub struct ApiJson<T>(pub T);

/// Parses JSON text into `T`, naming the offending field on failure.
pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    match serde_path_to_error::deserialize::<_, T>(de) {
        Ok(v) => Ok(v),
        Err(e) => {
            let path = e.path().to_string();
            let inner = e.into_inner();
            match inner.classify() {
                serde_json::error::Category::Syntax
                | serde_json::error::Category::Eof
                | serde_json::error::Category::Io => Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    format!("malformed JSON at line {} column {}: {inner}", inner.line(), inner.column()),
                )),
                serde_json::error::Category::Data => {
                    let field = if path == "." { "body".to_owned() } else { path };
                    let msg = inner.to_string();
                    let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
                    Err(ApiError::field(StatusCode::UNPROCESSABLE_ENTITY, &field, msg))
                }
            }
        }
    }
}

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !is_json {
            return Err(ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "expected Content-Type: application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large (at most 1 MiB)")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, format!("cannot read the request body: {e}"))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

/// Query parameters whose errors are answered as problem+json naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, Self::Rejection> {
        let q = parts.uri.query().unwrap_or("");
        let de = serde_urlencoded::Deserializer::new(form_urlencoded_parse(q));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            ApiError::field(
                StatusCode::BAD_REQUEST,
                if field == "." { "query" } else { &field },
                e.into_inner().to_string(),
            )
        })
    }
}

fn form_urlencoded_parse(q: &str) -> form_urlencoded::Parse<'_> {
    form_urlencoded::parse(q.as_bytes())
}

/// Decodes a JSON value built by the web UI's forms into a domain type, naming the bad field.
pub struct ApiJsonValue;

impl ApiJsonValue {
    /// Decodes `v`, turning type errors into field-level validation errors.
    pub fn decode<T: DeserializeOwned>(v: serde_json::Value) -> Result<T, keel_app::AppError> {
        serde_path_to_error::deserialize::<_, T>(v).map_err(|e| {
            let field = e.path().to_string();
            let msg = e.into_inner().to_string();
            keel_app::AppError::field(if field == "." { "body" } else { &field }, msg)
        })
    }
}
