//! Bulk work on one customer's users: users created from a CSV file ([`provision`]) and one
//! license swapped for another on chosen users ([`swap`]). Each is checked first against the
//! tenant as it is now (every row, nothing sent), then run as a job. What the tenant is like
//! is read by the user administration; running the job is the service layer's.

pub mod provision;
pub mod swap;

use std::collections::HashMap;

/// The tenant as a bulk check needs it, read just before.
#[derive(Debug, Clone, Default)]
pub struct Tenant {
    /// The customer's domains for user names (lower case).
    pub domains: Vec<String>,
    /// Its users by user name (lower case).
    pub users: HashMap<String, ExistingUser>,
    /// The licenses it can give.
    pub skus: Vec<SkuFact>,
    /// (role id, name) of its directory roles (read only when a file names a role).
    pub roles: Vec<(String, String)>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExistingUser {
    pub id: String,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    pub usage_location: String,
    /// Licensing SKU ids it holds (lower case).
    pub licenses: Vec<String>,
}

/// A license the tenant can give.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkuFact {
    /// The licensing SKU id (lower case).
    pub id: String,
    pub name: String,
    /// Active − assigned, now.
    pub free: i64,
}

impl Tenant {
    /// The SKU a file or a person names: its id or its product name (any case).
    pub fn sku(&self, named: &str) -> Option<&SkuFact> {
        let named = named.trim();
        self.skus
            .iter()
            .find(|s| s.id.eq_ignore_ascii_case(named) || s.name.eq_ignore_ascii_case(named))
    }

    /// Licenses free per SKU, as auto-increase reckons them.
    pub fn free(&self) -> HashMap<String, (String, i64)> {
        self.skus
            .iter()
            .map(|s| (s.id.clone(), (s.name.clone(), s.free)))
            .collect()
    }
}
