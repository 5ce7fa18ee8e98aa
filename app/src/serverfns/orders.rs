//! Adding a subscription: the order page of a customer (what may be ordered, its agreement,
//! its recent orders), recording the customer's acceptance of the Microsoft Customer Agreement,
//! and placing an order.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderChoiceItem {
    /// `product:sku:term:cycle`, as the form sends it back.
    pub value: String,
    pub label: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgreementItem {
    pub name: String,
    pub email: String,
    /// `YYYY-MM-DD`.
    pub agreed_on: String,
    /// The account that recorded it, or "Partner Center" when it was found there.
    pub recorded_by: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderItem {
    pub what: String,
    pub friendly_name: String,
    /// `placing`, `placed`, `failed`, `unconfirmed`.
    pub status: String,
    pub placed_by: String,
    /// `YYYY-MM-DD HH:MM UTC`.
    pub placed_at: String,
    pub subscription_id: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OrderPageData {
    pub customers: Vec<(String, String)>,
    /// Empty when the person sees no customer.
    pub customer_id: String,
    pub customer: String,
    pub agreement: Option<AgreementItem>,
    pub choices: Vec<OrderChoiceItem>,
    /// "Northwind Partners (Partner ID 4455667)" when an indirect reseller is on record.
    pub partner: String,
    pub recent: Vec<OrderItem>,
    /// SKUs sold one subscription per customer that it has: (title, subscription id); more
    /// licenses are added on that subscription's page.
    pub existing: Vec<(String, String)>,
    pub may_order: bool,
    pub form_id: String,
    /// `YYYY-MM-DD`, the date the acceptance form starts with.
    pub today: String,
}

#[server(prefix = "/api", endpoint = "order-page", input = GetUrl)]
pub async fn order_page(#[server(default)] customer: String) -> Result<OrderPageData, AppError> {
    use crate::error::parse_id;
    let call = crate::door::caller("order.page").await?;
    let customer = match customer.as_str() {
        "" => None,
        id => Some(parse_id("customer", id)?),
    };
    Ok(call.order_page(customer.as_ref()).await?.into())
}

/// Records that the customer accepted the Microsoft Customer Agreement (`agreed_on` is
/// `YYYY-MM-DD`).
#[server(prefix = "/api", endpoint = "agreement-record")]
pub async fn record_agreement(
    customer: String,
    first_name: String,
    last_name: String,
    email: String,
    #[server(default)] phone: String,
    agreed_on: String,
) -> Result<String, AppError> {
    use crate::error::parse_id;
    let call = crate::door::caller("agreement.record").await?;
    let customer = parse_id("customer", &customer)?;
    let acceptance = domain::orders::Acceptance {
        first_name,
        last_name,
        email,
        phone,
        agreed_at: domain::time::parse_date(&agreed_on)
            .ok_or_else(|| AppError::field("agreed_on", "Enter the date as YYYY-MM-DD."))?,
    };
    call.record_agreement(&customer, acceptance).await?;
    Ok("The acceptance is recorded and was sent to Partner Center.".into())
}

/// Places an order; `item` is one of the page's choices, `form_id` the page's form id.
#[server(prefix = "/api", endpoint = "order-place")]
pub async fn place_order(
    form_id: String,
    customer: String,
    item: String,
    quantity: String,
    #[server(default)] friendly_name: String,
) -> Result<PlacedItem, AppError> {
    use crate::error::parse_id;
    let call = crate::door::caller("subscription.order").await?;
    let placed = call
        .place_order(domain::service::NewOrder {
            form_id: domain::orders::Uuid::parse_str(&form_id)
                .map_err(|_| AppError::field("form_id", "Open Add subscription again."))?,
            customer: parse_id("customer", &customer)?,
            ..parse_item(&item, &quantity, friendly_name)?
        })
        .await?;
    Ok(placed.into())
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlacedItem {
    pub customer_id: String,
    pub words: String,
    pub subscription_id: String,
    pub earlier: bool,
}

#[cfg(feature = "ssr")]
fn parse_item(
    item: &str,
    quantity: &str,
    friendly_name: String,
) -> Result<domain::service::NewOrder, AppError> {
    let bad = || AppError::field("item", "Choose a product from the list.");
    let parts: Vec<&str> = item.split(':').collect();
    let [product, sku, term, cycle] = parts[..] else {
        return Err(bad());
    };
    let plain = |s: &str| {
        !s.is_empty() && s.len() <= 64 && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
    };
    if ![product, sku, term, cycle].into_iter().all(plain) {
        return Err(bad());
    }
    let quantity = quantity
        .trim()
        .parse::<i64>()
        .map_err(|_| AppError::field("quantity", "Enter a whole number of licenses."))?;
    Ok(domain::service::NewOrder {
        form_id: domain::orders::Uuid::nil(),
        customer: partner_center::CustomerId::new(String::new()),
        product_id: product.into(),
        sku_id: sku.into(),
        term: term.into(),
        cycle: cycle.into(),
        quantity,
        friendly_name,
    })
}

#[cfg(feature = "ssr")]
mod convert {
    use domain::{
        orders::OrderRecord,
        service::{OrderPage, Placed},
        time::{format_utc_datetime, from_millis},
    };

    use super::*;

    impl From<OrderPage> for OrderPageData {
        fn from(p: OrderPage) -> Self {
            OrderPageData {
                customers: p
                    .customers
                    .into_iter()
                    .map(|(id, name)| (id.to_string(), name))
                    .collect(),
                customer_id: p
                    .customer
                    .as_ref()
                    .map(|c| c.id.to_string())
                    .unwrap_or_default(),
                customer: p.customer.map(|c| c.company_name).unwrap_or_default(),
                agreement: p.agreement.map(|a| AgreementItem {
                    name: format!("{} {}", a.acceptance.first_name, a.acceptance.last_name),
                    email: a.acceptance.email,
                    agreed_on: crate::language::date(
                        &from_millis(a.acceptance.agreed_at).date().to_string(),
                    ),
                    recorded_by: a.recorded_by,
                }),
                choices: p
                    .choices
                    .iter()
                    .map(|c| OrderChoiceItem {
                        value: format!("{}:{}:{}:{}", c.product_id, c.sku_id, c.term, c.cycle),
                        label: tr!(
                            p_order.choice,
                            title = c.title.as_str(),
                            term = crate::language::term_billed(&c.term, &c.cycle)
                        )
                        .to_string(),
                    })
                    .collect(),
                partner: p
                    .partner
                    .map(|(name, mpn)| format!("{name} (Partner ID {mpn})"))
                    .unwrap_or_default(),
                recent: p.recent.into_iter().map(OrderItem::from).collect(),
                existing: p.existing,
                may_order: p.may_order,
                form_id: p.form_id.to_string(),
                today: from_millis(domain::time::now_millis()).date().to_string(),
            }
        }
    }

    impl From<OrderRecord> for OrderItem {
        fn from(o: OrderRecord) -> Self {
            let r = &o.request;
            OrderItem {
                what: r.summary(),
                friendly_name: r.friendly_name.clone(),
                status: o.status.as_str().into(),
                placed_by: r.placed_by.clone(),
                placed_at: crate::language::date(&format_utc_datetime(o.placed_at)),
                subscription_id: o.subscription_id,
                message: o.message,
            }
        }
    }

    impl From<Placed> for PlacedItem {
        fn from(p: Placed) -> Self {
            PlacedItem {
                customer_id: p.customer_id.to_string(),
                words: crate::language::message(&p.words),
                subscription_id: p.subscription_id,
                earlier: p.earlier,
            }
        }
    }
}
