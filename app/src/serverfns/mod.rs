//! Server functions, one file per area. Each is thin: check who asks, call one service, map the
//! error into [`AppError`](crate::error::AppError).

pub mod accounts;
pub mod audit_log;
pub mod customers;
pub mod customers_admin;
pub mod outbox;
pub mod status;
pub mod users;
