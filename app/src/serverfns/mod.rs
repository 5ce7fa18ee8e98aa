//! Server functions, one file per area. Each is thin: check who asks, call one service, map the
//! error into [`AppError`](crate::error::AppError).

pub mod accounts;
pub mod admin;
pub mod customers;
pub mod outbox;
pub mod status;
pub mod user_admin;
pub mod users;
