//! Organisations, users, memberships and API tokens.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::{
    ids::{OrgId, TokenId, UserId},
    roles::Role,
};

/// An organisation: the boundary of all data. Several can live in one Keel instance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Organisation {
    /// ID.
    pub id: OrgId,
    /// Name shown in the UI.
    pub name: String,
    /// Default currency for new budgets.
    pub currency: crate::values::Currency,
    /// When it was created.
    pub created_at: DateTime<Utc>,
}

/// A person who signs in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    /// ID.
    pub id: UserId,
    /// Sign-in name, unique in the instance (lower case).
    pub username: String,
    /// Name shown in the UI.
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// PHC-format argon2 hash; never leaves the server.
    #[serde(skip_serializing, default)]
    pub password_hash: String,
    /// A disabled user cannot sign in or use tokens.
    pub disabled: bool,
    /// When the account was created.
    pub created_at: DateTime<Utc>,
}

impl User {
    /// Checks a sign-in name: 2-64 characters, lower-case letters, digits, `.`, `-`, `_`.
    pub fn parse_username(s: &str) -> Result<String, String> {
        let u = s.trim().to_ascii_lowercase();
        if (2..=64).contains(&u.len())
            && u.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || ".-_@".contains(c))
        {
            Ok(u)
        } else {
            Err(format!("`{s}` is not a valid user name: expected 2-64 letters, digits, '.', '-', '_' or '@'"))
        }
    }
}

/// A user's role in an organisation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Membership {
    /// Organisation.
    pub org_id: OrgId,
    /// User.
    pub user_id: UserId,
    /// Role there.
    pub role: Role,
}

/// A personal API token (the secret itself is only shown once, and stored hashed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ApiToken {
    /// ID.
    pub id: TokenId,
    /// Owner: the token acts as this user, with their role.
    pub user_id: UserId,
    /// Organisation the token is for.
    pub org_id: OrgId,
    /// What the token is for.
    pub name: String,
    /// The first characters of the secret, to recognise it in lists.
    pub prefix: String,
    /// When it was created.
    pub created_at: DateTime<Utc>,
    /// When it was last used.
    pub last_used_at: Option<DateTime<Utc>>,
    /// When it was revoked; a revoked token is refused.
    pub revoked_at: Option<DateTime<Utc>>,
}
