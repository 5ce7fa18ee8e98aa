//! Customers' Office 365 users: the directory cache of many customers' users ([`directory`])
//! and the administration of one customer's users ([`admin`], whose items are re-exported
//! here).

pub mod admin;
mod bulk;
pub mod directory;
mod seats;
mod templates;

pub use self::admin::*;
