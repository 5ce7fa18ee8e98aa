//! A typed client for the Microsoft Partner Center REST API: wire types, authentication, and
//! every operation Seatwise uses. No UI, no database. Works against the real service and the
//! emulator alike; only [`ClientConfig`] differs.

pub mod auth;
pub mod budget;
pub mod client;
pub mod error;
pub mod ids;
pub mod json;
mod limit;
pub mod ops;
pub mod wire;

pub use auth::Credential;
pub use client::{ClientConfig, Pager, PartnerCenter, Stats};
pub use error::PcError;
pub use ids::*;
