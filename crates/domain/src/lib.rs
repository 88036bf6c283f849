#![doc = include_str!("../README.md")]

pub mod audit;
pub mod entities;
pub mod error;
pub mod ids;
pub mod org;
pub mod roles;
pub mod values;

pub use audit::{AuditAction, AuditEntry};
pub use entities::*;
pub use error::{FieldError, ValidationErrors};
pub use ids::{Id, OrgId, UserId};
pub use org::{ApiToken, Membership, Organisation, User};
pub use roles::{Action, Role};
pub use values::*;
