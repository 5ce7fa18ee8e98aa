//! A customer's directory (its Office 365 users), read from Partner Center for a customer the
//! caller was authorised for.

use partner_center::{wire::UserState, PartnerCenter, PcError};
use serde::{Deserialize, Serialize};

use crate::access::CustomerScope;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UserRow {
    pub customer_id: String,
    pub customer_name: String,
    pub id: String,
    pub user_principal_name: String,
    pub display_name: String,
    pub usage_location: Option<String>,
    pub deleted: bool,
}

/// The customer's active users (one Partner Center call per page of 500).
pub async fn users(scope: &CustomerScope, pc: &PartnerCenter) -> Result<Vec<UserRow>, PcError> {
    let customer = scope.customer();
    let users = pc.users(&customer.id, 500).all().await?;
    Ok(users
        .into_iter()
        .map(|u| UserRow {
            customer_id: customer.id.to_string(),
            customer_name: customer.company_name.clone(),
            id: u.id.map(|i| i.to_string()).unwrap_or_default(),
            user_principal_name: u.user_principal_name.unwrap_or_default(),
            display_name: u.display_name.unwrap_or_default(),
            usage_location: u.usage_location,
            deleted: u.state == Some(UserState::Inactive),
        })
        .collect())
}
