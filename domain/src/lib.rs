//! Seatwise's domain: the store and the services built on it. No Leptos, no HTTP.

pub mod access;
pub mod accounts;
pub mod audit;
pub mod budget;
pub mod bulk;
pub mod catalog;
pub mod connections;
pub mod crypto;
pub mod csv;
pub mod flights;
pub mod history;
pub mod jobs;
pub mod language;
pub mod mails;
pub mod notifications;
pub mod optimise;
pub mod orders;
pub mod outbox;
pub mod service;
pub mod sessions;
pub mod settings;
mod sql;
pub mod store;
pub mod subscriptions;
pub mod tasks;
pub mod templates;
pub mod tenants;
pub mod throttle;
pub mod time;
pub mod users;
pub mod workspace_links;

pub use service::{Caller, ServiceError, Services};
pub use store::{Backend, Store, StoreError};
