//! Turns `?state=active&sort=-name&limit=20` into a store list query, refusing unknown names.

use axum::http::StatusCode;
use keel_store::{ColType, Column, Filter, FilterOp, ListQuery, Value, related_names, resolve_column};

use crate::error::ApiError;

fn typed(col: &Column, param: &str, raw: &str) -> Result<Value, ApiError> {
    match col.ty {
        ColType::Int => raw
            .parse::<i64>()
            .map(Value::int)
            .map_err(|_| ApiError::field(StatusCode::BAD_REQUEST, param, format!("`{raw}` is not an integer"))),
        ColType::Date => raw.parse::<chrono::NaiveDate>().map(|d| Value::text(d.to_string())).map_err(|_| {
            ApiError::field(StatusCode::BAD_REQUEST, param, format!("`{raw}` is not a date: expected YYYY-MM-DD"))
        }),
        ColType::Ref => raw
            .parse::<uuid::Uuid>()
            .map(|u| Value::text(u.to_string()))
            .map_err(|_| ApiError::field(StatusCode::BAD_REQUEST, param, format!("`{raw}` is not an ID"))),
        ColType::Text | ColType::Enum => Ok(Value::text(raw)),
    }
}

/// Parses list parameters against a kind's columns: `q`, `sort` (`-` for descending), `limit`,
/// `cursor`, `<field>=<value>` (empty value: is null), `<date>_from`, `<date>_to`, `<int>_min`,
/// `<int>_max`, `updated_since`. A field may be a related record's, as `project.portfolio_id`
/// (a risk's project's portfolio) or `project.code` (to sort by the project's code).
pub fn parse_list_query(params: &[(String, String)], columns: &'static [Column]) -> Result<ListQuery, ApiError> {
    let names =
        || columns.iter().map(|c| c.name.to_owned()).chain(related_names(columns)).collect::<Vec<_>>().join(", ");
    let mut q = ListQuery::default();
    for (k, v) in params {
        match k.as_str() {
            "q" => q.search = Some(v.clone()),
            "cursor" => q.cursor = Some(v.clone()).filter(|c| !c.is_empty()),
            "limit" => {
                let n: u32 = v.parse().ok().filter(|n| (1..=500).contains(n)).ok_or_else(|| {
                    ApiError::field(
                        StatusCode::BAD_REQUEST,
                        "limit",
                        format!("`{v}` is not a page size: expected 1 to 500"),
                    )
                })?;
                q.limit = Some(n);
            }
            "sort" => {
                let (desc, name) = match v.strip_prefix('-') {
                    Some(n) => (true, n),
                    None => (false, v.as_str()),
                };
                if !(resolve_column(columns, name).is_some() || name == "created_at" || name == "updated_at") {
                    return Err(ApiError::field(
                        StatusCode::BAD_REQUEST,
                        "sort",
                        format!("cannot sort by `{name}`: expected one of {}, created_at, updated_at", names()),
                    ));
                }
                q.sort = Some(name.to_owned());
                q.descending = desc;
            }
            "updated_since" => {
                let t = chrono::DateTime::parse_from_rfc3339(v).map_err(|_| {
                    ApiError::field(
                        StatusCode::BAD_REQUEST,
                        "updated_since",
                        format!("`{v}` is not a timestamp: expected RFC 3339, e.g. 2026-11-20T09:00:00Z"),
                    )
                })?;
                let t = t.with_timezone(&chrono::Utc).format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
                q.filters.push(Filter { column: "updated_at".into(), op: FilterOp::Gte, value: Value::text(t) });
            }
            other => {
                let (name, op) = if let Some(n) = other.strip_suffix("_from").or_else(|| other.strip_suffix("_min")) {
                    (n, FilterOp::Gte)
                } else if let Some(n) = other.strip_suffix("_to").or_else(|| other.strip_suffix("_max")) {
                    (n, FilterOp::Lte)
                } else {
                    (other, FilterOp::Eq)
                };
                let (column, col) = match resolve_column(columns, other) {
                    Some(c) => (other, c),
                    None => match resolve_column(columns, name) {
                        Some(c) => (name, c),
                        None => {
                            return Err(ApiError::field(
                                StatusCode::BAD_REQUEST,
                                other,
                                format!(
                                    "is not a query parameter here: expected q, sort, limit, cursor, updated_since or a field: {}",
                                    names()
                                ),
                            ));
                        }
                    },
                };
                let col = match col {
                    keel_store::ResolvedColumn::Own(c) | keel_store::ResolvedColumn::Related(_, c) => c,
                };
                let op = if column == other { FilterOp::Eq } else { op };
                if op == FilterOp::Eq && v.is_empty() {
                    q.filters.push(Filter { column: column.into(), op: FilterOp::IsNull, value: Value::Text(None) });
                } else {
                    q.filters.push(Filter { column: column.into(), op, value: typed(col, other, v)? });
                }
            }
        }
    }
    Ok(q)
}
