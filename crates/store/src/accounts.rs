//! Organisations, users, memberships, API tokens, sessions and login throttling.

use chrono::{DateTime, Utc};
use keel_domain::{ApiToken, Membership, OrgId, Organisation, Role, User, UserId, ids::TokenId};

use crate::{
    Row, StoreError, Tx, Value,
    tx::{Sql, parse_ts, ts},
};

/// A new sign-in session (the ID is stored hashed).
#[derive(Debug, Clone)]
pub struct NewSession {
    /// SHA-256 of the session cookie value.
    pub id_hash: String,
    /// Who signed in.
    pub user_id: UserId,
    /// In which organisation.
    pub org_id: OrgId,
    /// The CSRF token forms must carry.
    pub csrf_token: String,
    /// Created.
    pub created_at: DateTime<Utc>,
    /// Expires.
    pub expires_at: DateTime<Utc>,
}

/// A live session with its user and role.
#[derive(Debug, Clone)]
pub struct SessionInfo {
    /// The user.
    pub user: User,
    /// The organisation.
    pub org_id: OrgId,
    /// The user's role there.
    pub role: Role,
    /// The CSRF token.
    pub csrf_token: String,
    /// Expiry.
    pub expires_at: DateTime<Utc>,
}

/// A live API token with its user and role.
#[derive(Debug, Clone)]
pub struct TokenInfo {
    /// The token.
    pub token: ApiToken,
    /// Its user.
    pub user: User,
    /// The user's role in the token's organisation.
    pub role: Role,
}

fn t(s: impl Into<String>) -> Value {
    Value::text(s)
}

fn decode_user(r: &Row) -> Result<User, StoreError> {
    Ok(User {
        id: r.parse("id")?,
        username: r.text("username")?,
        display_name: r.text("display_name")?,
        email: r.text("email")?,
        password_hash: r.text("password_hash")?,
        disabled: r.int("disabled")? != 0,
        created_at: parse_ts(&r.text("created_at")?)?,
    })
}

fn decode_token(r: &Row) -> Result<ApiToken, StoreError> {
    Ok(ApiToken {
        id: r.parse("id")?,
        user_id: r.parse("user_id")?,
        org_id: r.parse("org_id")?,
        name: r.text("name")?,
        prefix: r.text("prefix")?,
        created_at: parse_ts(&r.text("created_at")?)?,
        last_used_at: r.opt_text("last_used_at")?.map(|s| parse_ts(&s)).transpose()?,
        revoked_at: r.opt_text("revoked_at")?.map(|s| parse_ts(&s)).transpose()?,
    })
}

const USER_COLS: &str = "u.id, u.username, u.display_name, u.email, u.password_hash, u.disabled, u.created_at";
const TOKEN_COLS: &str = "k.id, k.user_id, k.org_id, k.name, k.prefix, k.created_at, k.last_used_at, k.revoked_at";

impl Tx {
    /// Creates an organisation.
    pub async fn insert_org(&mut self, o: &Organisation) -> Result<(), StoreError> {
        let mut sql = Sql::new("INSERT INTO organisations (id, name, currency, created_at) VALUES (");
        sql.bind(t(o.id.to_string())).push(", ").bind(t(&o.name)).push(", ").bind(t(o.currency.as_str()));
        sql.push(", ").bind(t(ts(o.created_at))).push(")");
        self.run(&sql).await?;
        Ok(())
    }

    /// Renames an organisation or changes its default currency.
    pub async fn update_org(&mut self, o: &Organisation) -> Result<(), StoreError> {
        let mut sql = Sql::new("UPDATE organisations SET name = ");
        sql.bind(t(&o.name)).push(", currency = ").bind(t(o.currency.as_str()));
        sql.push(" WHERE id = ").bind(t(o.id.to_string()));
        if self.run(&sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// All organisations, oldest first.
    pub async fn orgs(&mut self) -> Result<Vec<Organisation>, StoreError> {
        let rows = self
            .rows(&Sql::new("SELECT id, name, currency, created_at FROM organisations ORDER BY created_at, id"))
            .await?;
        rows.iter()
            .map(|r| {
                Ok(Organisation {
                    id: r.parse("id")?,
                    name: r.text("name")?,
                    currency: keel_domain::Currency::parse(&r.text("currency")?).map_err(StoreError::Corrupt)?,
                    created_at: parse_ts(&r.text("created_at")?)?,
                })
            })
            .collect()
    }

    /// Creates a user.
    pub async fn insert_user(&mut self, u: &User) -> Result<(), StoreError> {
        let mut sql = Sql::new(
            "INSERT INTO users (id, username, display_name, email, password_hash, disabled, created_at) VALUES (",
        );
        sql.bind(t(u.id.to_string())).push(", ").bind(t(&u.username)).push(", ").bind(t(&u.display_name));
        sql.push(", ").bind(t(&u.email)).push(", ").bind(t(&u.password_hash)).push(", ");
        sql.bind(Value::int(u.disabled.into())).push(", ").bind(t(ts(u.created_at))).push(")");
        self.run(&sql).await.map_err(|e| match e {
            StoreError::Duplicate(_) => StoreError::Duplicate(format!("username: `{}` is already taken", u.username)),
            other => other,
        })?;
        Ok(())
    }

    /// Updates a user's name, e-mail, password hash and disabled flag.
    pub async fn update_user(&mut self, u: &User) -> Result<(), StoreError> {
        let mut sql = Sql::new("UPDATE users SET display_name = ");
        sql.bind(t(&u.display_name)).push(", email = ").bind(t(&u.email));
        sql.push(", password_hash = ")
            .bind(t(&u.password_hash))
            .push(", disabled = ")
            .bind(Value::int(u.disabled.into()));
        sql.push(" WHERE id = ").bind(t(u.id.to_string()));
        if self.run(&sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Finds a user by sign-in name.
    pub async fn user_by_name(&mut self, username: &str) -> Result<Option<User>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {USER_COLS} FROM users u WHERE u.username = "));
        sql.bind(t(username));
        self.rows(&sql).await?.first().map(decode_user).transpose()
    }

    /// Finds a user by ID.
    pub async fn user(&mut self, id: UserId) -> Result<Option<User>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {USER_COLS} FROM users u WHERE u.id = "));
        sql.bind(t(id.to_string()));
        self.rows(&sql).await?.first().map(decode_user).transpose()
    }

    /// Sets (or replaces) a user's role in an organisation.
    pub async fn set_membership(&mut self, m: &Membership) -> Result<(), StoreError> {
        let mut sql = Sql::new("INSERT INTO memberships (org_id, user_id, role) VALUES (");
        sql.bind(t(m.org_id.to_string())).push(", ").bind(t(m.user_id.to_string())).push(", ").bind(t(m.role.as_str()));
        sql.push(") ON CONFLICT (org_id, user_id) DO UPDATE SET role = ").bind(t(m.role.as_str()));
        self.run(&sql).await?;
        Ok(())
    }

    /// The organisations a user belongs to, with the role in each.
    pub async fn memberships(&mut self, user: UserId) -> Result<Vec<Membership>, StoreError> {
        let mut sql = Sql::new("SELECT org_id, user_id, role FROM memberships WHERE user_id = ");
        sql.bind(t(user.to_string())).push(" ORDER BY org_id");
        self.rows(&sql)
            .await?
            .iter()
            .map(|r| {
                Ok(Membership { org_id: r.parse("org_id")?, user_id: r.parse("user_id")?, role: r.parse("role")? })
            })
            .collect()
    }

    /// The members of an organisation with their roles, by user name.
    pub async fn members(&mut self, org: OrgId) -> Result<Vec<(User, Role)>, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT {USER_COLS}, m.role FROM users u JOIN memberships m ON m.user_id = u.id WHERE m.org_id = "
        ));
        sql.bind(t(org.to_string())).push(" ORDER BY u.username");
        self.rows(&sql).await?.iter().map(|r| Ok((decode_user(r)?, r.parse("role")?))).collect()
    }

    /// Stores a new API token (its secret hashed).
    pub async fn insert_token(&mut self, k: &ApiToken, secret_hash: &str) -> Result<(), StoreError> {
        let mut sql =
            Sql::new("INSERT INTO api_tokens (id, user_id, org_id, name, prefix, secret_hash, created_at) VALUES (");
        sql.bind(t(k.id.to_string()))
            .push(", ")
            .bind(t(k.user_id.to_string()))
            .push(", ")
            .bind(t(k.org_id.to_string()));
        sql.push(", ").bind(t(&k.name)).push(", ").bind(t(&k.prefix)).push(", ").bind(t(secret_hash));
        sql.push(", ").bind(t(ts(k.created_at))).push(")");
        self.run(&sql).await?;
        Ok(())
    }

    /// Finds a live (not revoked) token by the hash of its secret, with its user's role.
    pub async fn token_by_hash(&mut self, secret_hash: &str) -> Result<Option<TokenInfo>, StoreError> {
        let mut sql = Sql::new(&format!(
            "SELECT {TOKEN_COLS}, m.role FROM api_tokens k \
             JOIN memberships m ON m.user_id = k.user_id AND m.org_id = k.org_id \
             WHERE k.revoked_at IS NULL AND k.secret_hash = "
        ));
        sql.bind(t(secret_hash));
        let rows = self.rows(&sql).await?;
        let Some(r) = rows.first() else { return Ok(None) };
        let token = decode_token(r)?;
        let Some(user) = self.user(token.user_id).await? else { return Ok(None) };
        Ok(Some(TokenInfo { token, user, role: r.parse("role")? }))
    }

    /// Records that a token was used now.
    pub async fn touch_token(&mut self, id: TokenId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut sql = Sql::new("UPDATE api_tokens SET last_used_at = ");
        sql.bind(t(ts(at))).push(" WHERE id = ").bind(t(id.to_string()));
        self.run(&sql).await?;
        Ok(())
    }

    /// Tokens of an organisation, optionally only one user's, newest first.
    pub async fn tokens(&mut self, org: OrgId, user: Option<UserId>) -> Result<Vec<ApiToken>, StoreError> {
        let mut sql = Sql::new(&format!("SELECT {TOKEN_COLS} FROM api_tokens k WHERE k.org_id = "));
        sql.bind(t(org.to_string()));
        if let Some(u) = user {
            sql.push(" AND k.user_id = ").bind(t(u.to_string()));
        }
        sql.push(" ORDER BY k.created_at DESC, k.id DESC");
        self.rows(&sql).await?.iter().map(decode_token).collect()
    }

    /// Revokes a token.
    pub async fn revoke_token(&mut self, org: OrgId, id: TokenId, at: DateTime<Utc>) -> Result<(), StoreError> {
        let mut sql = Sql::new("UPDATE api_tokens SET revoked_at = ");
        sql.bind(t(ts(at))).push(" WHERE revoked_at IS NULL AND id = ").bind(t(id.to_string()));
        sql.push(" AND org_id = ").bind(t(org.to_string()));
        if self.run(&sql).await? == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }

    /// Stores a session.
    pub async fn insert_session(&mut self, s: &NewSession) -> Result<(), StoreError> {
        let mut sql =
            Sql::new("INSERT INTO sessions (id_hash, user_id, org_id, csrf_token, created_at, expires_at) VALUES (");
        sql.bind(t(&s.id_hash)).push(", ").bind(t(s.user_id.to_string())).push(", ").bind(t(s.org_id.to_string()));
        sql.push(", ").bind(t(&s.csrf_token)).push(", ").bind(t(ts(s.created_at))).push(", ");
        sql.bind(t(ts(s.expires_at))).push(")");
        self.run(&sql).await?;
        Ok(())
    }

    /// Finds a session that has not expired at `now`, with its user and role.
    pub async fn session(&mut self, id_hash: &str, now: DateTime<Utc>) -> Result<Option<SessionInfo>, StoreError> {
        let mut sql = Sql::new(
            "SELECT s.user_id, s.org_id, s.csrf_token, s.expires_at, m.role FROM sessions s \
             JOIN memberships m ON m.user_id = s.user_id AND m.org_id = s.org_id WHERE s.id_hash = ",
        );
        sql.bind(t(id_hash)).push(" AND s.expires_at > ").bind(t(ts(now)));
        let rows = self.rows(&sql).await?;
        let Some(r) = rows.first() else { return Ok(None) };
        let Some(user) = self.user(r.parse("user_id")?).await? else { return Ok(None) };
        Ok(Some(SessionInfo {
            user,
            org_id: r.parse("org_id")?,
            role: r.parse("role")?,
            csrf_token: r.text("csrf_token")?,
            expires_at: parse_ts(&r.text("expires_at")?)?,
        }))
    }

    /// Ends a session.
    pub async fn delete_session(&mut self, id_hash: &str) -> Result<(), StoreError> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE id_hash = ");
        sql.bind(t(id_hash));
        self.run(&sql).await?;
        Ok(())
    }

    /// Ends all of a user's sessions (after a password change or when disabled).
    pub async fn delete_user_sessions(&mut self, user: UserId) -> Result<(), StoreError> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE user_id = ");
        sql.bind(t(user.to_string()));
        self.run(&sql).await?;
        Ok(())
    }

    /// Removes expired sessions and login failures older than `before`.
    pub async fn purge_expired(
        &mut self,
        now: DateTime<Utc>,
        failures_before: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut sql = Sql::new("DELETE FROM sessions WHERE expires_at <= ");
        sql.bind(t(ts(now)));
        self.run(&sql).await?;
        let mut sql = Sql::new("DELETE FROM login_failures WHERE at < ");
        sql.bind(t(ts(failures_before)));
        self.run(&sql).await?;
        Ok(())
    }

    /// Records a failed sign-in for `key` (user name and client address).
    pub async fn record_login_failure(
        &mut self,
        key: &str,
        id: uuid::Uuid,
        at: DateTime<Utc>,
    ) -> Result<(), StoreError> {
        let mut sql = Sql::new("INSERT INTO login_failures (id, key, at) VALUES (");
        sql.bind(t(id.to_string())).push(", ").bind(t(key)).push(", ").bind(t(ts(at))).push(")");
        self.run(&sql).await?;
        Ok(())
    }

    /// Failed sign-ins for `key` since `since`.
    pub async fn login_failures(&mut self, key: &str, since: DateTime<Utc>) -> Result<i64, StoreError> {
        let mut sql = Sql::new("SELECT COUNT(*) AS n FROM login_failures WHERE key = ");
        sql.bind(t(key)).push(" AND at >= ").bind(t(ts(since)));
        let rows = self.rows(&sql).await?;
        rows.first().map(|r| r.int("n")).unwrap_or(Ok(0))
    }

    /// Forgets the failures for `key` after a successful sign-in.
    pub async fn clear_login_failures(&mut self, key: &str) -> Result<(), StoreError> {
        let mut sql = Sql::new("DELETE FROM login_failures WHERE key = ");
        sql.bind(t(key));
        self.run(&sql).await?;
        Ok(())
    }
}
