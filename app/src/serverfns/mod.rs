//! Server functions, one module per page or feature, named like it. Each is thin: parse the
//! input, ask the door (`crate::door::caller`) for a handle, call it, convert the answer with
//! `From` and the error with `?`.

pub mod accounts;
pub mod audit_log;
pub mod catalog;
pub mod connections;
pub mod customers;
pub mod customers_admin;
pub mod outbox;
pub mod status;
pub mod subscriptions;
pub mod users;
