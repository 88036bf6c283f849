//! The OpenAPI 3.1 document of `/api/v1`, built from the DTOs' schemas and the record kinds.

use std::collections::BTreeMap;

use keel_domain::*;
use serde_json::{Value, json};
use utoipa::{
    ToSchema,
    openapi::{RefOr, schema::Schema},
};

use crate::*;

fn add<T: ToSchema>(map: &mut BTreeMap<String, Value>) {
    let mut nested: Vec<(String, RefOr<Schema>)> = Vec::new();
    T::schemas(&mut nested);
    nested.push((T::name().into_owned(), T::schema()));
    for (name, schema) in nested {
        map.insert(name, serde_json::to_value(schema).unwrap_or(Value::Null));
    }
}

fn fields_schema(kind: EntityKind) -> &'static str {
    match kind {
        EntityKind::Portfolio => "PortfolioFields",
        EntityKind::Programme => "ProgrammeFields",
        EntityKind::Project => "ProjectFields",
        EntityKind::StatusReport => "StatusReportFields",
        EntityKind::Milestone => "MilestoneFields",
        EntityKind::Risk => "RiskFields",
        EntityKind::Issue => "IssueFields",
        EntityKind::Assumption => "AssumptionFields",
        EntityKind::Dependency => "DependencyFields",
        EntityKind::Decision => "DecisionFields",
    }
}

fn problem_responses(extra: &[(&str, &str)]) -> serde_json::Map<String, Value> {
    let mut m = serde_json::Map::new();
    let mut all = vec![("401", "Not signed in or bad token"), ("403", "The role does not allow this")];
    all.extend_from_slice(extra);
    for (code, desc) in all {
        m.insert(
            code.into(),
            json!({"description": desc, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}),
        );
    }
    m
}

fn with(mut base: serde_json::Map<String, Value>, code: &str, v: Value) -> Value {
    base.insert(code.into(), v);
    Value::Object(base)
}

/// The OpenAPI document. `filters(kind)` lists the filterable fields of each kind as
/// `(name, type)` pairs, where type is `text`, `enum`, `date`, `int` or `ref`.
pub fn openapi(filters: impl Fn(EntityKind) -> Vec<(String, String)>) -> Value {
    let mut schemas = BTreeMap::new();
    add::<PortfolioFields>(&mut schemas);
    add::<ProgrammeFields>(&mut schemas);
    add::<ProjectFields>(&mut schemas);
    add::<StatusReportFields>(&mut schemas);
    add::<MilestoneFields>(&mut schemas);
    add::<RiskFields>(&mut schemas);
    add::<IssueFields>(&mut schemas);
    add::<AssumptionFields>(&mut schemas);
    add::<DependencyFields>(&mut schemas);
    add::<DecisionFields>(&mut schemas);
    add::<Problem>(&mut schemas);
    add::<UserResponse>(&mut schemas);
    add::<CreateUserRequest>(&mut schemas);
    add::<UpdateUserRequest>(&mut schemas);
    add::<CreateTokenRequest>(&mut schemas);
    add::<TokenResponse>(&mut schemas);
    add::<AuditEntryResponse>(&mut schemas);
    add::<DashboardResponse>(&mut schemas);
    add::<MeResponse>(&mut schemas);
    add::<OrganisationResponse>(&mut schemas);
    add::<UpdateOrganisationRequest>(&mut schemas);
    crate::schedules::add_schemas(&mut |name, schema| {
        schemas.insert(name.to_string(), schema);
    });
    schemas.insert(
        "Envelope".into(),
        json!({"type": "object", "description": "Fields every stored record carries.",
            "required": ["id", "org_id", "version", "created_at", "updated_at"],
            "properties": {
                "id": {"type": "string", "format": "uuid"},
                "org_id": {"type": "string", "format": "uuid"},
                "version": {"type": "integer", "description": "Optimistic-concurrency version; send it back in If-Match."},
                "created_at": {"type": "string", "format": "date-time"},
                "updated_at": {"type": "string", "format": "date-time"}}}),
    );

    let mut paths = serde_json::Map::new();
    let id_param =
        json!({"name": "id", "in": "path", "required": true, "schema": {"type": "string", "format": "uuid"}});
    let if_match = json!({"name": "If-Match", "in": "header", "required": true,
        "description": "The version the change is based on, as returned in ETag (e.g. \"3\").", "schema": {"type": "string"}});
    for kind in EntityKind::ALL {
        let name = fields_schema(*kind);
        let record_name = name.trim_end_matches("Fields").to_owned();
        schemas.insert(
            record_name.clone(),
            json!({"allOf": [{"$ref": "#/components/schemas/Envelope"}, {"$ref": format!("#/components/schemas/{name}")}]}),
        );
        let record_ref = json!({"$ref": format!("#/components/schemas/{record_name}")});
        let mut params = vec![
            json!({"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Case-insensitive text search"}),
            json!({"name": "sort", "in": "query", "schema": {"type": "string"}, "description": "Field to sort by; prefix with - for descending"}),
            json!({"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 50}}),
            json!({"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"}),
            json!({"name": "updated_since", "in": "query", "schema": {"type": "string", "format": "date-time"}, "description": "Only records changed at or after this time"}),
        ];
        for (col, ty) in filters(*kind) {
            params.push(json!({"name": col, "in": "query", "schema": {"type": "string"}, "description": format!("Equals ({ty})")}));
            if ty == "int" {
                params.push(json!({"name": format!("{col}_min"), "in": "query", "schema": {"type": "integer"}}));
                params.push(json!({"name": format!("{col}_max"), "in": "query", "schema": {"type": "integer"}}));
            }
            if ty == "date" {
                params.push(json!({"name": format!("{col}_from"), "in": "query", "schema": {"type": "string", "format": "date"}}));
                params.push(
                    json!({"name": format!("{col}_to"), "in": "query", "schema": {"type": "string", "format": "date"}}),
                );
            }
        }
        let tag = kind.label();
        let body = json!({"required": true, "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}});
        paths.insert(
            format!("/api/v1/{}", kind.slug()),
            json!({
                "get": {"tags": [tag], "summary": format!("List {}", kind.slug()), "parameters": params,
                    "responses": with(problem_responses(&[("400", "Bad filter, sort or cursor")]), "200", json!({"description": "A page",
                        "content": {"application/json": {"schema": {"type": "object", "required": ["items"],
                            "properties": {"items": {"type": "array", "items": record_ref}, "next_cursor": {"type": "string"}}}}}}))},
                "post": {"tags": [tag], "summary": format!("Create a {}", kind.label().to_lowercase()), "requestBody": body,
                    "responses": with(problem_responses(&[("400", "Malformed JSON"), ("413", "Body too large"), ("415", "Not JSON"), ("422", "Invalid fields, a duplicate code or reporting period, or a reference to a missing record")]),
                        "201", json!({"description": "Created", "content": {"application/json": {"schema": record_ref}}}))}
            }),
        );
        paths.insert(
            format!("/api/v1/{}/{{id}}", kind.slug()),
            json!({
                "parameters": [id_param],
                "get": {"tags": [tag], "summary": format!("Get a {}", kind.label().to_lowercase()),
                    "responses": with(problem_responses(&[("404", "Not found")]), "200", json!({"description": "The record; ETag carries its version", "content": {"application/json": {"schema": record_ref}}}))},
                "put": {"tags": [tag], "summary": format!("Replace a {}", kind.label().to_lowercase()), "parameters": [if_match], "requestBody": body,
                    "responses": with(problem_responses(&[("404", "Not found"), ("412", "Stale version: someone changed it since you read it"), ("428", "If-Match missing"), ("422", "Invalid fields")]),
                        "200", json!({"description": "Updated", "content": {"application/json": {"schema": record_ref}}}))},
                "delete": {"tags": [tag], "summary": format!("Delete a {}", kind.label().to_lowercase()), "parameters": [if_match],
                    "responses": with(problem_responses(&[("404", "Not found"), ("409", "Still referenced"), ("412", "Stale version"), ("428", "If-Match missing")]), "204", json!({"description": "Deleted"}))}
            }),
        );
        let export_params: Vec<Value> =
            params.iter().filter(|p| !matches!(p["name"].as_str(), Some("limit" | "cursor"))).cloned().collect();
        for (ext, mime) in
            [("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")]
        {
            paths.insert(
                format!("/api/v1/{}/export.{ext}", kind.slug()),
                json!({"get": {"tags": [tag], "summary": format!("Download the {} register as {ext} (the web page's columns; every matching record, up to 50,000)", kind.label().to_lowercase()),
                    "parameters": export_params,
                    "responses": with(problem_responses(&[("400", "Bad filter or sort")]), "200", json!({"description": "The file", "content": {mime: {"schema": {"type": "string", "format": "binary"}}}}))}}),
            );
        }
        paths.insert(
            format!("/api/v1/{}/{{id}}/audit", kind.slug()),
            json!({"parameters": [id_param], "get": {"tags": [tag], "summary": "The record's audit trail, newest first",
                "responses": with(problem_responses(&[]), "200", json!({"description": "Entries", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntryResponse"}}}}}))}}),
        );
    }
    paths.insert("/api/v1/audit".into(), json!({"get": {"tags": ["Audit"], "summary": "The organisation's audit trail, newest first",
        "parameters": [
            {"name": "entity_id", "in": "query", "schema": {"type": "string", "format": "uuid"}},
            {"name": "project_id", "in": "query", "schema": {"type": "string", "format": "uuid"}},
            {"name": "entity_kind", "in": "query", "schema": {"type": "string"}},
            {"name": "before", "in": "query", "schema": {"type": "string", "format": "uuid"}, "description": "Entries older than this entry ID"},
            {"name": "limit", "in": "query", "schema": {"type": "integer", "default": 100}}],
        "responses": with(problem_responses(&[]), "200", json!({"description": "Entries", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/AuditEntryResponse"}}}}}))}}));
    paths.insert("/api/v1/dashboard".into(), json!({"get": {"tags": ["Portfolio"], "summary": "Every project with RAG, trend, next milestone and exceptions, exceptions first",
        "parameters": [
            {"name": "portfolio", "in": "query", "schema": {"type": "string", "format": "uuid"}},
            {"name": "programme", "in": "query", "schema": {"type": "string", "format": "uuid"}},
            {"name": "rag", "in": "query", "schema": {"type": "string", "enum": ["green", "amber", "red"]}},
            {"name": "manager", "in": "query", "schema": {"type": "string"}},
            {"name": "state", "in": "query", "schema": {"type": "string"}},
            {"name": "q", "in": "query", "schema": {"type": "string"}}],
        "responses": with(problem_responses(&[]), "200", json!({"description": "Dashboard", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DashboardResponse"}}}}))}}));
    paths.insert("/api/v1/me".into(), json!({"get": {"tags": ["Account"], "summary": "Who the credentials belong to",
        "responses": with(problem_responses(&[]), "200", json!({"description": "Me", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/MeResponse"}}}}))}}));
    paths.insert("/api/v1/organisation".into(), json!({
        "get": {"tags": ["Admin"], "summary": "Your organisation", "responses": with(problem_responses(&[]), "200", json!({"description": "Organisation", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrganisationResponse"}}}}))},
        "put": {"tags": ["Admin"], "summary": "Rename the organisation or change its default currency (admins)", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpdateOrganisationRequest"}}}},
            "responses": with(problem_responses(&[("422", "Invalid fields")]), "200", json!({"description": "Updated", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/OrganisationResponse"}}}}))}}));
    paths.insert("/api/v1/users".into(), json!({
        "get": {"tags": ["Admin"], "summary": "Users of the organisation, by user name",
            "parameters": [
                {"name": "role", "in": "query", "schema": {"type": "string"}},
                {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "User name, display name or e-mail contains"},
                {"name": "disabled", "in": "query", "schema": {"type": "boolean"}},
                {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500, "default": 100}},
                {"name": "cursor", "in": "query", "schema": {"type": "string"}, "description": "next_cursor of the previous page"}],
            "responses": with(problem_responses(&[]), "200", json!({"description": "A page of users", "content": {"application/json": {"schema": {"type": "object", "required": ["items"], "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/UserResponse"}}, "next_cursor": {"type": "string"}}}}}}))},
        "post": {"tags": ["Admin"], "summary": "Add a user", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateUserRequest"}}}},
            "responses": with(problem_responses(&[("422", "Invalid fields")]), "201", json!({"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UserResponse"}}}}))}}));
    paths.insert("/api/v1/users/{id}".into(), json!({"parameters": [id_param], "patch": {"tags": ["Admin"], "summary": "Change role, disable, reset password",
        "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/UpdateUserRequest"}}}},
        "responses": with(problem_responses(&[("404", "Not found")]), "204", json!({"description": "Updated"}))}}));
    paths.insert("/api/v1/tokens".into(), json!({
        "get": {"tags": ["Account"], "summary": "Your API tokens (all of them for an admin)", "responses": with(problem_responses(&[]), "200", json!({"description": "Tokens", "content": {"application/json": {"schema": {"type": "array", "items": {"$ref": "#/components/schemas/TokenResponse"}}}}}))},
        "post": {"tags": ["Account"], "summary": "Create a token; the secret is in this response only", "requestBody": {"required": true, "content": {"application/json": {"schema": {"$ref": "#/components/schemas/CreateTokenRequest"}}}},
            "responses": with(problem_responses(&[("422", "Invalid fields")]), "201", json!({"description": "Created", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/TokenResponse"}}}}))}}));
    paths.insert(
        "/api/v1/tokens/{id}".into(),
        json!({"parameters": [id_param], "delete": {"tags": ["Account"], "summary": "Revoke a token",
        "responses": with(problem_responses(&[("404", "Not found")]), "204", json!({"description": "Revoked"}))}}),
    );
    paths.insert("/api/v1/export".into(), json!({"get": {"tags": ["Admin"], "summary": "The organisation's whole data set as one JSON document (as `keel export` writes it)",
        "responses": with(problem_responses(&[]), "200", json!({"description": "Export document", "content": {"application/json": {"schema": {"type": "object"}}}}))}}));

    paths.insert("/api/v1/openapi.json".into(), json!({"get": {"tags": ["Meta"], "summary": "This OpenAPI 3.1 document (no credentials needed)", "security": [],
        "responses": {"200": {"description": "The document", "content": {"application/json": {"schema": {"type": "object"}}}}}}}));

    for (path, item) in crate::schedules::paths(&problem_responses)
        .into_iter()
        .chain(crate::forecasts::paths(&problem_responses))
        .chain(crate::reports::paths(&problem_responses))
    {
        paths.insert(path, item);
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Keel API", "version": env!("CARGO_PKG_VERSION"), "license": {"name": "Apache-2.0", "identifier": "Apache-2.0"},
            "description": "The REST API of Keel, the open-source PMO platform. Authenticate with a personal API token (`Authorization: Bearer keel_...`, create one with `keel token create` or on the Tokens page) or, from the browser, with the session cookie plus the `X-CSRF-Token` header. Errors are `application/problem+json`. Updates and deletes need `If-Match` with the record's version."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {"schemas": schemas, "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}}
    })
}
