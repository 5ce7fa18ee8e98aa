//! The customers the signed-in person may see.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerSummary {
    pub id: String,
    pub company_name: String,
    pub default_domain: String,
    pub reseller: Option<String>,
}

#[server(prefix = "/api", endpoint = "my-customers", input = GetUrl)]
pub async fn my_customers() -> Result<Vec<CustomerSummary>, AppError> {
    let who = crate::auth::require_principal("customers.list").await?;
    let state = expect_context::<crate::state::AppState>();
    let access = state.store.access();
    let unavailable = |e| AppError::unavailable("The database", e);
    let resellers = access.resellers().await.map_err(unavailable)?;
    let customers = access.visible_customers(&who).await.map_err(unavailable)?;
    Ok(customers
        .into_iter()
        .map(|c| CustomerSummary {
            reseller: c
                .reseller_id
                .as_ref()
                .and_then(|r| resellers.iter().find(|x| x.id == *r))
                .map(|r| r.name.clone()),
            id: c.id.to_string(),
            company_name: c.company_name,
            default_domain: c.default_domain,
        })
        .collect())
}
