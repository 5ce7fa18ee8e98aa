//! The customers the signed-in person may see (the Overview and the Licenses page).

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
    let customers = crate::door::caller("customers.list")
        .await?
        .customers()
        .await?;
    Ok(customers.into_iter().map(CustomerSummary::from).collect())
}

#[cfg(feature = "ssr")]
impl From<(domain::access::Customer, Option<String>)> for CustomerSummary {
    fn from((c, reseller): (domain::access::Customer, Option<String>)) -> Self {
        CustomerSummary {
            id: c.id.to_string(),
            company_name: c.company_name,
            default_domain: c.default_domain,
            reseller,
        }
    }
}
