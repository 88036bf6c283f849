//! Dialect-neutral parameter and row values.

use crate::StoreError;

/// A statement parameter or a column value. Nulls are typed so PostgreSQL infers the right type.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(untagged)]
pub enum Value {
    /// An integer (BIGINT / INTEGER), or a typed null.
    Int(Option<i64>),
    /// Text, or a typed null.
    Text(Option<String>),
}

impl Value {
    /// Non-null text.
    pub fn text(s: impl Into<String>) -> Self {
        Value::Text(Some(s.into()))
    }
    /// Text from anything displayable, or null.
    pub fn opt<T: ToString>(v: Option<T>) -> Self {
        Value::Text(v.map(|v| v.to_string()))
    }
    /// Non-null integer.
    pub fn int(i: i64) -> Self {
        Value::Int(Some(i))
    }
}

/// One result row: columns by name.
#[derive(Debug, Clone, Default)]
pub struct Row {
    cols: Vec<(String, Value)>,
}

impl Row {
    /// Builds a row (used by the backends).
    pub fn new(cols: Vec<(String, Value)>) -> Self {
        Self { cols }
    }
    fn get(&self, name: &str) -> Result<&Value, StoreError> {
        self.cols
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v)
            .ok_or_else(|| StoreError::Corrupt(format!("column `{name}` missing from result")))
    }
    /// A nullable text column.
    pub fn opt_text(&self, name: &str) -> Result<Option<String>, StoreError> {
        match self.get(name)? {
            Value::Text(t) => Ok(t.clone()),
            Value::Int(None) => Ok(None),
            Value::Int(Some(i)) => Ok(Some(i.to_string())),
        }
    }
    /// A non-null text column.
    pub fn text(&self, name: &str) -> Result<String, StoreError> {
        self.opt_text(name)?.ok_or_else(|| StoreError::Corrupt(format!("column `{name}` is null")))
    }
    /// A nullable integer column.
    pub fn opt_int(&self, name: &str) -> Result<Option<i64>, StoreError> {
        match self.get(name)? {
            Value::Int(i) => Ok(*i),
            Value::Text(None) => Ok(None),
            Value::Text(Some(t)) => {
                t.parse().map(Some).map_err(|_| StoreError::Corrupt(format!("column `{name}` is not an integer")))
            }
        }
    }
    /// A non-null integer column.
    pub fn int(&self, name: &str) -> Result<i64, StoreError> {
        self.opt_int(name)?.ok_or_else(|| StoreError::Corrupt(format!("column `{name}` is null")))
    }
    /// Parses a text column with `FromStr`.
    pub fn parse<T: std::str::FromStr>(&self, name: &str) -> Result<T, StoreError> {
        let t = self.text(name)?;
        t.parse().map_err(|_| StoreError::Corrupt(format!("column `{name}` holds unreadable value `{t}`")))
    }
    /// Parses a nullable text column with `FromStr`.
    pub fn parse_opt<T: std::str::FromStr>(&self, name: &str) -> Result<Option<T>, StoreError> {
        match self.opt_text(name)? {
            None => Ok(None),
            Some(t) => t
                .parse()
                .map(Some)
                .map_err(|_| StoreError::Corrupt(format!("column `{name}` holds unreadable value `{t}`"))),
        }
    }
}
