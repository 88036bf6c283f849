//! A transaction and the generic record repository on top of it.

use chrono::{DateTime, NaiveDate, Utc};
use keel_domain::{Id, OrgId, Record};

use crate::{
    ColType, Conn, Cursor, FilterOp, ListQuery, Page, ResolvedColumn, Row, StoreError, Stored, Value,
    records::{Column, related_names, resolve_column},
};

/// The current time, truncated to the microsecond precision the database keeps (so a record read
/// back equals the record written).
pub fn now() -> DateTime<Utc> {
    let t = Utc::now();
    DateTime::from_timestamp_micros(t.timestamp_micros()).unwrap_or(t)
}

pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

pub(crate) fn parse_ts(s: &str) -> Result<DateTime<Utc>, StoreError> {
    DateTime::parse_from_rfc3339(s)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|_| StoreError::Corrupt(format!("unreadable timestamp `{s}`")))
}

pub(crate) fn parse_date(s: &str) -> Result<NaiveDate, StoreError> {
    s.parse().map_err(|_| StoreError::Corrupt(format!("unreadable date `{s}`")))
}

/// A SQL statement being built, with its parameters numbered as they are bound.
#[derive(Default)]
pub(crate) struct Sql {
    pub text: String,
    pub params: Vec<Value>,
}

impl Sql {
    pub fn new(text: &str) -> Self {
        Self { text: text.to_owned(), params: Vec::new() }
    }
    pub fn push(&mut self, s: &str) -> &mut Self {
        self.text.push_str(s);
        self
    }
    /// Binds `values` as a comma-separated list of placeholders and closes the parenthesis
    /// (the tail of `INSERT ... VALUES (`).
    pub fn bind_values(&mut self, values: impl IntoIterator<Item = Value>) -> &mut Self {
        for (i, v) in values.into_iter().enumerate() {
            if i > 0 {
                self.push(", ");
            }
            self.bind(v);
        }
        self.push(")")
    }
    /// Binds a value and appends its placeholder.
    pub fn bind(&mut self, v: Value) -> &mut Self {
        self.params.push(v);
        let n = self.params.len();
        self.text.push_str(&format!("${n}"));
        self
    }
}

/// An open transaction. Every write Keel makes, with its audit entry, happens in one of these.
pub struct Tx {
    conn: Box<dyn Conn>,
}

const ENVELOPE: &str = "id, org_id, version, created_at, updated_at, body";

impl Tx {
    pub(crate) fn new(conn: Box<dyn Conn>) -> Self {
        Self { conn }
    }

    /// Commits everything done in this transaction.
    pub async fn commit(self) -> Result<(), StoreError> {
        self.conn.commit().await
    }

    pub(crate) async fn run(&mut self, sql: &Sql) -> Result<u64, StoreError> {
        self.conn.execute(&sql.text, &sql.params).await
    }

    pub(crate) async fn rows(&mut self, sql: &Sql) -> Result<Vec<Row>, StoreError> {
        self.conn.fetch(&sql.text, &sql.params).await
    }

    /// Inserts a new record.
    pub async fn insert<F: Stored>(&mut self, r: &Record<F>) -> Result<(), StoreError> {
        let names: Vec<&str> = F::COLUMNS.iter().map(|c| c.name).collect();
        let mut sql = Sql::new(&format!("INSERT INTO {} ({ENVELOPE}, {}) VALUES (", F::TABLE, names.join(", ")));
        let mut values = envelope(r)?;
        values.extend(r.fields.values());
        sql.bind_values(values);
        self.run(&sql).await.map_err(|e| explain::<F>(e, r))?;
        Ok(())
    }

    /// Replaces a record's fields. `r.version` is the new version: the stored record must be at
    /// `r.version - 1`, otherwise [`StoreError::VersionConflict`] (or `NotFound`).
    pub async fn update<F: Stored>(&mut self, r: &Record<F>) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("UPDATE {} SET version = ", F::TABLE));
        sql.bind(Value::int(r.version));
        sql.push(", updated_at = ").bind(Value::text(ts(r.updated_at)));
        sql.push(", body = ").bind(Value::text(body(&r.fields)?));
        for (c, v) in F::COLUMNS.iter().zip(r.fields.values()) {
            sql.push(&format!(", {} = ", c.name)).bind(v);
        }
        sql.push(" WHERE id = ").bind(Value::text(r.id.to_string()));
        sql.push(" AND org_id = ").bind(Value::text(r.org_id.to_string()));
        sql.push(" AND version = ").bind(Value::int(r.version - 1));
        let n = self.run(&sql).await.map_err(|e| explain::<F>(e, r))?;
        if n == 0 {
            return Err(self.missing_or_conflict::<F>(r.org_id, r.id).await);
        }
        Ok(())
    }

    /// Deletes a record that is at `version`.
    pub async fn delete<F: Stored>(&mut self, org: OrgId, id: Id<F>, version: i64) -> Result<(), StoreError> {
        let mut sql = Sql::new(&format!("DELETE FROM {} WHERE id = ", F::TABLE));
        sql.bind(Value::text(id.to_string()));
        sql.push(" AND org_id = ").bind(Value::text(org.to_string()));
        sql.push(" AND version = ").bind(Value::int(version));
        let n = self.run(&sql).await.map_err(|e| match e {
            StoreError::Reference(_) => StoreError::Reference(format!(
                "this {} is still referenced by other records; delete or move those first",
                F::KIND.label().to_lowercase()
            )),
            other => other,
        })?;
        if n == 0 {
            return Err(self.missing_or_conflict::<F>(org, id).await);
        }
        Ok(())
    }

    async fn missing_or_conflict<F: Stored>(&mut self, org: OrgId, id: Id<F>) -> StoreError {
        match self.get::<F>(org, id).await {
            Ok(Some(current)) => StoreError::VersionConflict { current: current.version },
            Ok(None) => StoreError::NotFound,
            Err(e) => e,
        }
    }

    /// Reads one record of the organisation.
    pub async fn get<F: Stored>(&mut self, org: OrgId, id: Id<F>) -> Result<Option<Record<F>>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {ENVELOPE} FROM {} WHERE id = ", F::TABLE));
        sql.bind(Value::text(id.to_string()));
        sql.push(" AND org_id = ").bind(Value::text(org.to_string()));
        let rows = self.rows(&sql).await?;
        rows.first().map(decode_record).transpose()
    }

    /// Every record of a kind in the organisation, oldest first (exports).
    pub async fn all<F: Stored>(&mut self, org: OrgId) -> Result<Vec<Record<F>>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {ENVELOPE} FROM {} WHERE org_id = ", F::TABLE));
        sql.bind(Value::text(org.to_string()));
        sql.push(" ORDER BY id");
        self.rows(&sql).await?.iter().map(decode_record).collect()
    }

    /// Every record of a kind whose indexed `column` equals `value` (e.g. a project's risks).
    pub async fn all_where<F: Stored>(
        &mut self,
        org: OrgId,
        column: &str,
        value: Value,
    ) -> Result<Vec<Record<F>>, StoreError> {
        let col = column_of::<F>(column)?;
        let mut sql = Sql::new(&format!("SELECT {ENVELOPE} FROM {} WHERE org_id = ", F::TABLE));
        sql.bind(Value::text(org.to_string()));
        sql.push(&format!(" AND {} = ", col.name)).bind(value);
        sql.push(&format!(" ORDER BY {}, id", F::DEFAULT_SORT));
        self.rows(&sql).await?.iter().map(decode_record).collect()
    }

    /// One page of records matching `q`, in a stable order (sort column, then ID).
    pub async fn list<F: Stored>(&mut self, org: OrgId, q: &ListQuery) -> Result<Page<Record<F>>, StoreError> {
        let sort_name = q.sort.as_deref().unwrap_or(F::DEFAULT_SORT);
        let (sort_expr, sort_ty, related) = match sort_name {
            "created_at" | "updated_at" => (sort_name.to_owned(), ColType::Text, false),
            other => match resolve::<F>(other)? {
                ResolvedColumn::Own(c) => (c.name.to_owned(), c.ty, false),
                ResolvedColumn::Related(rel, c) => (
                    format!(
                        "(SELECT {t}.{col} FROM {t} WHERE {t}.id = {me}.{via})",
                        t = rel.table,
                        col = c.name,
                        me = F::TABLE,
                        via = rel.via
                    ),
                    c.ty,
                    true,
                ),
            },
        };
        // Nullable columns sort with a stand-in for null; text and vocabulary columns are NOT NULL,
        // so they sort on the bare column and can use its index. A related record's value may be
        // missing (a decision without a project), so it always gets the stand-in.
        let key = match sort_ty {
            ColType::Int => format!("COALESCE({sort_expr}, -9223372036854775807)"),
            ColType::Date | ColType::Ref => format!("COALESCE({sort_expr}, '')"),
            ColType::Text | ColType::Enum if related => format!("COALESCE({sort_expr}, '')"),
            ColType::Text | ColType::Enum => sort_expr,
        };
        let limit = q.limit.unwrap_or(50).clamp(1, 500) as usize;
        let mut sql = Sql::new(&format!("SELECT {ENVELOPE}, {key} AS sort_key FROM {} WHERE org_id = ", F::TABLE));
        sql.bind(Value::text(org.to_string()));
        for f in &q.filters {
            let (name, close) = match f.column.as_str() {
                "updated_at" | "created_at" => (f.column.clone(), ""),
                other => match resolve::<F>(other)? {
                    ResolvedColumn::Own(c) => (c.name.to_owned(), ""),
                    ResolvedColumn::Related(rel, c) => {
                        (format!("{}.{} IN (SELECT id FROM {} WHERE {}", F::TABLE, rel.via, rel.table, c.name), ")")
                    }
                },
            };
            match f.op {
                FilterOp::IsNull => {
                    sql.push(&format!(" AND {name} IS NULL{close}"));
                }
                FilterOp::Eq => {
                    sql.push(&format!(" AND {name} = ")).bind(f.value.clone()).push(close);
                }
                FilterOp::Gte => {
                    sql.push(&format!(" AND {name} >= ")).bind(f.value.clone()).push(close);
                }
                FilterOp::Lte => {
                    sql.push(&format!(" AND {name} <= ")).bind(f.value.clone()).push(close);
                }
            }
        }
        if let Some(s) = q.search.as_deref().filter(|s| !s.trim().is_empty()) {
            let pattern =
                format!("%{}%", s.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            sql.push(&format!(" AND LOWER({}) LIKE ", F::SEARCH)).bind(Value::text(pattern)).push(" ESCAPE '\\'");
        }
        if let Some(c) = &q.cursor {
            let cur = Cursor::decode(c)?;
            if cur.sort != sort_name || cur.desc != q.descending {
                return Err(StoreError::InvalidQuery {
                    field: "cursor".into(),
                    message: "was made for another sort order: start again without a cursor".into(),
                });
            }
            let op = if q.descending { "<" } else { ">" };
            sql.push(&format!(" AND ({key} {op} ")).bind(cur.key.clone());
            sql.push(&format!(" OR ({key} = ")).bind(cur.key);
            sql.push(&format!(" AND id {op} ")).bind(Value::text(cur.id)).push("))");
        }
        let dir = if q.descending { "DESC" } else { "ASC" };
        sql.push(&format!(" ORDER BY {key} {dir}, id {dir} LIMIT {}", limit + 1));
        let rows = self.rows(&sql).await?;
        let more = rows.len() > limit;
        let mut items = Vec::with_capacity(limit.min(rows.len()));
        let mut next_cursor = None;
        for (i, row) in rows.iter().take(limit).enumerate() {
            items.push(decode_record::<F>(row)?);
            if more && i == limit - 1 {
                let key = match sort_ty {
                    ColType::Int => Value::Int(row.opt_int("sort_key")?),
                    _ => Value::Text(row.opt_text("sort_key")?),
                };
                next_cursor =
                    Some(Cursor { sort: sort_name.to_owned(), desc: q.descending, key, id: row.text("id")? }.encode());
            }
        }
        Ok(Page { items, next_cursor })
    }

    /// The records of a kind with these IDs (those that exist), in no particular order: the
    /// names a page shows for the records it refers to, without loading every record.
    pub async fn get_many<F: Stored>(&mut self, org: OrgId, ids: &[Id<F>]) -> Result<Vec<Record<F>>, StoreError> {
        let mut out = Vec::with_capacity(ids.len());
        let mut ids: Vec<String> = ids.iter().map(ToString::to_string).collect();
        ids.sort();
        ids.dedup();
        for chunk in ids.chunks(200) {
            let mut sql = Sql::new(&format!("SELECT {ENVELOPE} FROM {} WHERE org_id = ", F::TABLE));
            sql.bind(Value::text(org.to_string()));
            sql.push(" AND id IN (");
            sql.bind_values(chunk.iter().map(|i| Value::text(i.clone())));
            for row in self.rows(&sql).await? {
                out.push(decode_record(&row)?);
            }
        }
        Ok(out)
    }

    /// The distinct non-empty values of a text column of a kind, sorted (filter choices such as
    /// the owners of risks).
    pub async fn distinct<F: Stored>(&mut self, org: OrgId, column: &str) -> Result<Vec<String>, StoreError> {
        let col = column_of::<F>(column)?;
        let mut sql = Sql::new(&format!("SELECT DISTINCT {c} AS v FROM {} WHERE org_id = ", F::TABLE, c = col.name));
        sql.bind(Value::text(org.to_string()));
        sql.push(&format!(" AND {c} IS NOT NULL AND {c} <> '' ORDER BY {c}", c = col.name));
        self.rows(&sql).await?.iter().map(|r| r.text("v")).collect()
    }

    /// How many records of a kind the organisation has.
    pub async fn count<F: Stored>(&mut self, org: OrgId) -> Result<i64, StoreError> {
        let mut sql = Sql::new(&format!("SELECT COUNT(*) AS n FROM {} WHERE org_id = ", F::TABLE));
        sql.bind(Value::text(org.to_string()));
        let rows = self.rows(&sql).await?;
        rows.first().map(|r| r.int("n")).unwrap_or(Ok(0))
    }
}

/// A filter or sort name of `F`: its own column or a related record's (`project.code`).
fn resolve<F: Stored>(name: &str) -> Result<ResolvedColumn, StoreError> {
    resolve_column(F::COLUMNS, name).ok_or_else(|| StoreError::InvalidQuery {
        field: name.to_owned(),
        message: format!(
            "is not a field of {} that can be filtered or sorted on; expected one of: {}",
            F::TABLE,
            F::COLUMNS
                .iter()
                .map(|c| c.name.to_owned())
                .chain(related_names(F::COLUMNS))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    })
}

fn column_of<F: Stored>(name: &str) -> Result<&'static Column, StoreError> {
    F::COLUMNS.iter().find(|c| c.name == name).ok_or_else(|| StoreError::InvalidQuery {
        field: name.to_owned(),
        message: format!(
            "is not a field of {} that can be filtered or sorted on; expected one of: {}",
            F::TABLE,
            F::COLUMNS.iter().map(|c| c.name).collect::<Vec<_>>().join(", ")
        ),
    })
}

fn body<F: Stored>(f: &F) -> Result<String, StoreError> {
    serde_json::to_string(f).map_err(|e| StoreError::Corrupt(format!("cannot encode record: {e}")))
}

fn envelope<F: Stored>(r: &Record<F>) -> Result<Vec<Value>, StoreError> {
    Ok(vec![
        Value::text(r.id.to_string()),
        Value::text(r.org_id.to_string()),
        Value::int(r.version),
        Value::text(ts(r.created_at)),
        Value::text(ts(r.updated_at)),
        Value::text(body(&r.fields)?),
    ])
}

fn decode_record<F: Stored>(row: &Row) -> Result<Record<F>, StoreError> {
    let body = row.text("body")?;
    let fields: F = serde_json::from_str(&body).map_err(|e| {
        StoreError::Corrupt(format!(
            "{} {} has an unreadable body: {e}",
            F::TABLE,
            row.opt_text("id").ok().flatten().unwrap_or_default()
        ))
    })?;
    Ok(Record {
        id: row.parse("id")?,
        org_id: row.parse("org_id")?,
        version: row.int("version")?,
        created_at: parse_ts(&row.text("created_at")?)?,
        updated_at: parse_ts(&row.text("updated_at")?)?,
        fields,
    })
}

/// Turns driver messages about constraints into sentences that name the field.
fn explain<F: Stored>(e: StoreError, r: &Record<F>) -> StoreError {
    match e {
        StoreError::Duplicate(msg) => {
            let what = if msg.contains("code") {
                "code: another record in this organisation already uses this code".to_owned()
            } else if msg.contains("period_end") {
                "period_end: this project already has a status report for this period".to_owned()
            } else {
                format!("{} {} already exists", F::KIND.label(), r.fields.label())
            };
            StoreError::Duplicate(what)
        }
        StoreError::Reference(_) => {
            let refs: Vec<&str> = F::COLUMNS.iter().filter(|c| c.ty == ColType::Ref).map(|c| c.name).collect();
            StoreError::Reference(format!(
                "one of {} names a record that does not exist in this organisation",
                refs.join(", ")
            ))
        }
        other => other,
    }
}
