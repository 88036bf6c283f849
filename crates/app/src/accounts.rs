//! Organisations, users, sign-in, sessions and API tokens.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use base64::Engine as _;
use chrono::Duration;
use keel_domain::{
    Action, ApiToken, AuditAction, AuditEntry, Currency, Membership, OrgId, Organisation, Role, User, UserId,
    ids::TokenId,
};
use keel_store::{NewSession, Tx, now};
use rand::RngExt as _;
use sha2::{Digest, Sha256};

use crate::{Actor, App, AppError, new_id};

/// A signed-in session as the web UI sees it.
#[derive(Debug, Clone)]
pub struct Session {
    /// Who, in which organisation, with which role.
    pub actor: Actor,
    /// The user's sign-in name.
    pub username: String,
    /// The token forms must echo back (CSRF protection).
    pub csrf_token: String,
}

/// The result of a successful sign-in.
#[derive(Debug, Clone)]
pub struct LoginOutcome {
    /// The secret to put in the session cookie (stored only hashed).
    pub secret: String,
    /// The session.
    pub session: Session,
    /// How long the cookie should live.
    pub max_age_secs: i64,
}

/// A new user to add.
#[derive(Debug, Clone)]
pub struct NewUser {
    /// Sign-in name.
    pub username: String,
    /// Display name (defaults to the user name).
    pub display_name: String,
    /// E-mail address.
    pub email: String,
    /// Initial password (at least 10 characters).
    pub password: String,
    /// Role in the organisation.
    pub role: Role,
}

/// A token just created: the secret is shown once and never again.
#[derive(Debug, Clone)]
pub struct NewToken {
    /// The stored token.
    pub token: ApiToken,
    /// The secret to give to the script (`Authorization: Bearer ...`).
    pub secret: String,
}

fn random_secret(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::rng().fill(&mut buf[..]);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(buf)
}

/// A new random password (20 URL-safe characters, 120 bits), for people to change later.
pub fn generate_password() -> String {
    random_secret(15)
}

/// SHA-256 of a high-entropy secret, hex (sessions and tokens are stored this way).
pub(crate) fn hash_secret(secret: &str) -> String {
    let d = Sha256::digest(secret.as_bytes());
    d.iter().map(|b| format!("{b:02x}")).collect()
}

/// Hashes a password with argon2id and a random salt.
pub fn hash_password(password: &str) -> Result<String, AppError> {
    let mut bytes = [0u8; 16];
    rand::rng().fill(&mut bytes);
    let salt = SaltString::encode_b64(&bytes).map_err(|e| AppError::Internal(format!("salt: {e}")))?;
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| AppError::Internal(format!("password hashing failed: {e}")))
}

/// An argon2 hash of a random password nobody knows (checked for unknown user names).
static DUMMY_HASH: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| hash_password(&random_secret(24)).unwrap_or_default());

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|h| Argon2::default().verify_password(password.as_bytes(), &h).is_ok())
}

fn check_password(password: &str) -> Result<(), AppError> {
    if password.chars().count() < 10 {
        return Err(AppError::field("password", "is too short: at least 10 characters"));
    }
    Ok(())
}

async fn audit_account(
    tx: &mut Tx,
    actor: &Actor,
    action: AuditAction,
    kind: &str,
    id: uuid::Uuid,
    label: String,
    after: Option<String>,
) -> Result<(), AppError> {
    tx.append_audit(&AuditEntry {
        id: new_id(),
        org_id: actor.org_id,
        at: now(),
        actor_id: actor.user_id,
        actor_name: actor.name.clone(),
        action,
        entity_kind: kind.to_owned(),
        entity_id: id,
        project_id: None,
        label,
        before: None,
        after,
    })
    .await?;
    Ok(())
}

impl App {
    /// The first organisation, if Keel has been initialised.
    pub async fn default_org(&self) -> Result<Option<Organisation>, AppError> {
        Ok(self.store.read().await?.orgs().await?.into_iter().next())
    }

    /// Creates the first organisation and its admin user if the database is empty. Returns the
    /// generated admin password when none was given, so the caller can print it once.
    pub async fn bootstrap(
        &self,
        org_name: &str,
        admin_password: Option<&str>,
    ) -> Result<(Organisation, Option<String>), AppError> {
        if let Some(org) = self.default_org().await? {
            return Ok((org, None));
        }
        let generated = admin_password.is_none().then(generate_password);
        let password = admin_password.map(str::to_owned).or(generated.clone()).unwrap_or_default();
        check_password(&password)
            .map_err(|_| AppError::field("KEEL_ADMIN_PASSWORD", "is too short: at least 10 characters"))?;
        let org = Organisation {
            id: new_id(),
            name: org_name.to_owned(),
            currency: Currency::parse("GBP").map_err(AppError::Internal)?,
            created_at: now(),
        };
        let user = User {
            id: new_id(),
            username: "admin".into(),
            display_name: "Administrator".into(),
            email: String::new(),
            password_hash: hash_password(&password)?,
            disabled: false,
            created_at: now(),
        };
        let mut tx = self.store.write().await?;
        tx.insert_org(&org).await?;
        tx.insert_user(&user).await?;
        tx.set_membership(&Membership { org_id: org.id, user_id: user.id, role: Role::Admin }).await?;
        audit_account(
            &mut tx,
            &Actor::system(org.id),
            AuditAction::Create,
            "user",
            user.id.uuid(),
            "admin".into(),
            None,
        )
        .await?;
        tx.commit().await?;
        Ok((org, generated))
    }

    /// Signs in with a user name and password. Failures are counted per user name and client
    /// address in the database (so every instance sees them) and throttled.
    pub async fn login(&self, username: &str, password: &str, client: &str) -> Result<LoginOutcome, AppError> {
        let username = username.trim().to_ascii_lowercase();
        let key = format!("{username}|{client}");
        let window = Duration::minutes(15);
        let mut tx = self.store.write().await?;
        if tx.login_failures(&key, now() - window).await? >= self.config.login_attempts {
            return Err(AppError::RateLimited { retry_after_secs: window.num_seconds() as u64 });
        }
        let user = tx.user_by_name(&username).await?;
        // Verify against a dummy hash for unknown users, so timing does not reveal which names exist.
        let hash = user.as_ref().map_or(DUMMY_HASH.as_str(), |u| u.password_hash.as_str());
        let verified = verify_password(password, hash);
        let ok_user = user.filter(|u| !u.disabled && verified);
        let Some(user) = ok_user else {
            tx.record_login_failure(&key, uuid::Uuid::now_v7(), now()).await?;
            tx.commit().await?;
            return Err(AppError::Unauthenticated("user name or password is wrong".into()));
        };
        let Some(m) = tx.memberships(user.id).await?.into_iter().next() else {
            return Err(AppError::Unauthenticated("this user belongs to no organisation".into()));
        };
        tx.clear_login_failures(&key).await?;
        let secret = random_secret(32);
        let csrf = random_secret(24);
        let t = now();
        let hours = self.config.session_hours;
        tx.insert_session(&NewSession {
            id_hash: hash_secret(&secret),
            user_id: user.id,
            org_id: m.org_id,
            csrf_token: csrf.clone(),
            created_at: t,
            expires_at: t + Duration::hours(hours),
        })
        .await?;
        tx.purge_expired(t, t - window).await?;
        tx.commit().await?;
        let actor = Actor { user_id: Some(user.id), name: user.display_name.clone(), org_id: m.org_id, role: m.role };
        Ok(LoginOutcome {
            secret,
            session: Session { actor, username: user.username, csrf_token: csrf },
            max_age_secs: hours * 3600,
        })
    }

    /// The live session for a cookie secret.
    pub async fn session(&self, secret: &str) -> Result<Option<Session>, AppError> {
        let info = self.store.read().await?.session(&hash_secret(secret), now()).await?;
        Ok(info.filter(|s| !s.user.disabled).map(|s| Session {
            actor: Actor {
                user_id: Some(s.user.id),
                name: s.user.display_name.clone(),
                org_id: s.org_id,
                role: s.role,
            },
            username: s.user.username,
            csrf_token: s.csrf_token,
        }))
    }

    /// Ends a session.
    pub async fn logout(&self, secret: &str) -> Result<(), AppError> {
        let mut tx = self.store.write().await?;
        tx.delete_session(&hash_secret(secret)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor behind an API token secret, if it is live.
    pub async fn authenticate_token(&self, secret: &str) -> Result<Option<Actor>, AppError> {
        let info = self.store.read().await?.token_by_hash(&hash_secret(secret)).await?;
        let Some(info) = info else { return Ok(None) };
        if info.user.disabled {
            return Ok(None);
        }
        // Record use at most once a minute, so reads with a token do not all take the write lock.
        let t = now();
        if info.token.last_used_at.is_none_or(|u| t - u > Duration::minutes(1)) {
            let mut tx = self.store.write().await?;
            tx.touch_token(info.token.id, t).await?;
            tx.commit().await?;
        }
        Ok(Some(Actor {
            user_id: Some(info.user.id),
            name: info.user.display_name,
            org_id: info.token.org_id,
            role: info.role,
        }))
    }

    /// Adds a user to the actor's organisation.
    pub async fn add_user(&self, actor: &Actor, new: NewUser) -> Result<User, AppError> {
        actor.require(Action::ManageUsers)?;
        let username = User::parse_username(&new.username).map_err(|m| AppError::field("username", m))?;
        check_password(&new.password)?;
        let user = User {
            id: new_id(),
            display_name: if new.display_name.trim().is_empty() {
                username.clone()
            } else {
                new.display_name.trim().to_owned()
            },
            username,
            email: new.email.trim().to_owned(),
            password_hash: hash_password(&new.password)?,
            disabled: false,
            created_at: now(),
        };
        let mut tx = self.store.write().await?;
        tx.insert_user(&user).await?;
        tx.set_membership(&Membership { org_id: actor.org_id, user_id: user.id, role: new.role }).await?;
        audit_account(
            &mut tx,
            actor,
            AuditAction::Create,
            "user",
            user.id.uuid(),
            user.username.clone(),
            Some(format!("{{\"role\":\"{}\"}}", new.role.as_str())),
        )
        .await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The organisation's users with their roles.
    pub async fn users(&self, actor: &Actor) -> Result<Vec<(User, Role)>, AppError> {
        actor.require(Action::ManageUsers)?;
        Ok(self.store.read().await?.members(actor.org_id).await?)
    }

    /// Changes a user's role, enables or disables them, or resets their password.
    pub async fn update_user(
        &self,
        actor: &Actor,
        id: UserId,
        role: Option<Role>,
        disabled: Option<bool>,
        password: Option<&str>,
    ) -> Result<(), AppError> {
        actor.require(Action::ManageUsers)?;
        if actor.user_id == Some(id) && (disabled == Some(true) || role.is_some_and(|r| r != Role::Admin)) {
            return Err(AppError::Conflict("you cannot disable yourself or give up your own admin role".into()));
        }
        let mut tx = self.store.write().await?;
        let members = tx.members(actor.org_id).await?;
        let Some((mut user, _)) = members.into_iter().find(|(u, _)| u.id == id) else { return Err(AppError::NotFound) };
        if let Some(role) = role {
            tx.set_membership(&Membership { org_id: actor.org_id, user_id: id, role }).await?;
        }
        if let Some(d) = disabled {
            user.disabled = d;
        }
        if let Some(p) = password {
            check_password(p)?;
            user.password_hash = hash_password(p)?;
        }
        tx.update_user(&user).await?;
        if disabled == Some(true) || password.is_some() {
            tx.delete_user_sessions(id).await?;
        }
        let change = serde_json::json!({ "role": role.map(|r| r.as_str()), "disabled": disabled, "password_reset": password.is_some() });
        audit_account(
            &mut tx,
            actor,
            AuditAction::Update,
            "user",
            id.uuid(),
            user.username.clone(),
            Some(change.to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Creates an API token for `user` (the actor themself, or anyone for an admin).
    pub async fn create_token(&self, actor: &Actor, user: UserId, name: &str) -> Result<NewToken, AppError> {
        actor.require(Action::OwnTokens)?;
        if actor.user_id != Some(user) {
            actor.require(Action::ManageUsers)?;
        }
        let name = name.trim();
        if name.is_empty() || name.len() > 100 {
            return Err(AppError::field("name", "is required: say what the token is for (at most 100 characters)"));
        }
        let mut tx = self.store.write().await?;
        if !tx.members(actor.org_id).await?.iter().any(|(u, _)| u.id == user) {
            return Err(AppError::NotFound);
        }
        let secret = format!("keel_{}", random_secret(30));
        let token = ApiToken {
            id: new_id(),
            user_id: user,
            org_id: actor.org_id,
            name: name.to_owned(),
            prefix: secret.chars().take(12).collect(),
            created_at: now(),
            last_used_at: None,
            revoked_at: None,
        };
        tx.insert_token(&token, &hash_secret(&secret)).await?;
        audit_account(&mut tx, actor, AuditAction::Create, "api_token", token.id.uuid(), token.name.clone(), None)
            .await?;
        tx.commit().await?;
        Ok(NewToken { token, secret })
    }

    /// Tokens the actor may see: their own, or all of the organisation's for an admin.
    pub async fn tokens(&self, actor: &Actor) -> Result<Vec<ApiToken>, AppError> {
        actor.require(Action::OwnTokens)?;
        let only = if actor.role.allows(Action::ManageUsers) { None } else { actor.user_id };
        Ok(self.store.read().await?.tokens(actor.org_id, only).await?)
    }

    /// Revokes a token (one's own, or any for an admin).
    pub async fn revoke_token(&self, actor: &Actor, id: TokenId) -> Result<(), AppError> {
        actor.require(Action::OwnTokens)?;
        let mut tx = self.store.write().await?;
        let all = tx.tokens(actor.org_id, None).await?;
        let token = all.into_iter().find(|t| t.id == id).ok_or(AppError::NotFound)?;
        if Some(token.user_id) != actor.user_id {
            actor.require(Action::ManageUsers)?;
        }
        tx.revoke_token(actor.org_id, id, now()).await?;
        audit_account(&mut tx, actor, AuditAction::Delete, "api_token", id.uuid(), token.name, None).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The actor's organisation.
    pub async fn organisation(&self, actor: &Actor) -> Result<Organisation, AppError> {
        actor.require(Action::Read)?;
        let orgs = self.store.read().await?.orgs().await?;
        orgs.into_iter().find(|o| o.id == actor.org_id).ok_or(AppError::NotFound)
    }

    /// Renames the actor's organisation and sets its default currency (admins).
    pub async fn update_organisation(
        &self,
        actor: &Actor,
        name: &str,
        currency: &str,
    ) -> Result<Organisation, AppError> {
        actor.require(Action::ManageUsers)?;
        let mut errors = keel_domain::ValidationErrors::new();
        let name = name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            errors.add("name", "is required: at most 200 characters");
        }
        let currency = Currency::parse(currency).map_err(|m| errors.add("currency", m)).ok();
        errors.into_result()?;
        let mut tx = self.store.write().await?;
        let before = tx.orgs().await?.into_iter().find(|o| o.id == actor.org_id).ok_or(AppError::NotFound)?;
        let after =
            Organisation { name: name.to_owned(), currency: currency.unwrap_or(before.currency), ..before.clone() };
        tx.update_org(&after).await?;
        let change = serde_json::json!({ "name": after.name, "currency": after.currency.as_str() });
        audit_account(
            &mut tx,
            actor,
            AuditAction::Update,
            "organisation",
            after.id.uuid(),
            after.name.clone(),
            Some(change.to_string()),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Finds a user of `org` by name (CLI).
    pub async fn user_by_name(&self, org: OrgId, username: &str) -> Result<(User, Role), AppError> {
        let members = self.store.read().await?.members(org).await?;
        members.into_iter().find(|(u, _)| u.username == username.trim().to_ascii_lowercase()).ok_or(AppError::NotFound)
    }
}
