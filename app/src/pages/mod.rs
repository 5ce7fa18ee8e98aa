//! One module per page.

pub mod accounts;
pub mod audit_log;
pub mod customers_admin;
pub mod licenses;
pub mod not_found;
pub mod outbox;
pub mod overview;
pub mod sign_in;
pub mod status;
pub mod users;
