//! Adding subscriptions: the order page (what a customer may order from the curated catalog,
//! and whether its Microsoft Customer Agreement acceptance is recorded), recording that
//! acceptance (sent to Partner Center first), and placing an order through a Partner Center
//! cart and checkout that a repeated or retried form cannot place twice.

use partner_center::{
    wire::{self, Agreement, Cart, CartLineItem, Contact, KeyValue, WireTime, CUSTOMER_AGREEMENT},
    CartId, CustomerId, PartnerCenter, PcError,
};
use uuid::Uuid;

use super::{Caller, ServiceError};
use crate::{
    access::Customer,
    audit::Outcome as Audited,
    catalog::{CatalogItem, State},
    history,
    orders::{
        Acceptance, AgreementRecord, Claim, OrderRecord, OrderRequest, OrderStatus, Outcome,
        FOUND_IN_PARTNER_CENTER,
    },
    subscriptions::{cycle_words, term_words, Grant},
    time::{from_millis, now_millis},
    Store,
};

/// How many of a customer's orders the order page lists.
const RECENT: i64 = 10;

/// Partner Center's refusal of a purchase for want of the customer agreement.
const AGREEMENT_MISSING: &str = "13605";
/// A confirmation with the same contact exists already.
const AGREEMENT_EXISTS: &str = "600061";
/// The cart was checked out already.
const CART_SUBMITTED: &str = "800065";

/// One thing that can be ordered: a SKU with one term and billing cycle it is offered with.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderChoice {
    pub product_id: String,
    pub sku_id: String,
    pub term: String,
    pub cycle: String,
    pub title: String,
    /// One subscription per customer: a further order adds licenses to the existing one.
    pub add_to_existing: bool,
}

impl OrderChoice {
    /// "Business plan — 1 year, billed monthly".
    pub fn label(&self) -> String {
        format!(
            "{} — {}, billed {}",
            self.title,
            term_words(&self.term),
            cycle_words(&self.cycle)
        )
    }
}

/// The order page for one customer.
pub struct OrderPage {
    /// Every customer the person may see (id, name), for the choice.
    pub customers: Vec<(CustomerId, String)>,
    /// The customer shown (none when the person sees no customer).
    pub customer: Option<Customer>,
    pub agreement: Option<AgreementRecord>,
    pub choices: Vec<OrderChoice>,
    /// The indirect reseller named as partner on record (name, Partner ID).
    pub partner: Option<(String, String)>,
    pub recent: Vec<OrderRecord>,
    /// What the customer has already, of the SKUs sold one subscription per customer: more
    /// licenses are added on that subscription's page (title, subscription id).
    pub existing: Vec<(String, String)>,
    pub may_order: bool,
    /// A fresh id for the order form: the same form sent twice is one order.
    pub form_id: Uuid,
}

/// What the person asks to order.
#[derive(Debug, Clone, PartialEq)]
pub struct NewOrder {
    pub form_id: Uuid,
    pub customer: CustomerId,
    pub product_id: String,
    pub sku_id: String,
    pub term: String,
    pub cycle: String,
    pub quantity: i64,
    pub friendly_name: String,
}

/// A placed order.
#[derive(Debug, Clone, PartialEq)]
pub struct Placed {
    pub customer_id: CustomerId,
    pub words: String,
    pub subscription_id: String,
    /// It had been placed by an earlier sending of the same form.
    pub earlier: bool,
}

impl Caller {
    /// The order page for `customer` (the first visible one when none is named).
    pub async fn order_page(
        &self,
        customer: Option<&CustomerId>,
    ) -> Result<OrderPage, ServiceError> {
        let store = &self.services.store;
        let visible = store.access().visible_customers(&self.who).await?;
        let customers = visible
            .iter()
            .map(|c| (c.id.clone(), c.company_name.clone()))
            .collect();
        let chosen = match customer {
            Some(id) => {
                let scope = store.access().authorize(&self.who, id).await;
                Some(self.checked(Some(id), scope).await?.customer().clone())
            }
            None => visible.first().cloned(),
        };
        let mut page = OrderPage {
            customers,
            customer: None,
            agreement: None,
            choices: Vec::new(),
            partner: None,
            recent: Vec::new(),
            existing: Vec::new(),
            may_order: !self.who.role.is_read_only(),
            form_id: Uuid::new_v4(),
        };
        let Some(customer) = chosen else {
            return Ok(page);
        };
        page.agreement = self.agreement_of(&customer).await?;
        let held = store.subscriptions().grants(&customer.id).await?;
        for choice in choices(&store.catalog().items(&customer.connection_id).await?) {
            match holding(&choice, &held) {
                Some(sub) => {
                    if !page.existing.iter().any(|(_, id)| *id == sub.id) {
                        page.existing.push((choice.title.clone(), sub.id.clone()));
                    }
                }
                None => page.choices.push(choice),
            }
        }
        page.partner = self.partner_of(&customer).await?;
        page.recent = store.orders().recent(&customer.id, RECENT).await?;
        page.customer = Some(customer);
        Ok(page)
    }

    /// The acceptance recorded for the customer; when none is, Partner Center is asked once
    /// (a customer may have accepted elsewhere) and what it knows is recorded.
    async fn agreement_of(
        &self,
        customer: &Customer,
    ) -> Result<Option<AgreementRecord>, ServiceError> {
        let orders = self.services.store.orders();
        if let Some(known) = orders.agreement(&customer.id).await? {
            return Ok(Some(known));
        }
        let pc = self.services.client(&customer.connection_id).await?;
        let confirmed = match pc.agreements(&customer.id, CUSTOMER_AGREEMENT).await {
            Ok(list) => list,
            Err(e) => {
                tracing::warn!(customer = %customer.id, error = %e, "agreements not read");
                return Ok(None);
            }
        };
        let now = now_millis();
        let Some(found) = confirmed
            .iter()
            .filter_map(|a| acceptance_of(a, now))
            .max_by_key(|a| a.agreed_at)
        else {
            return Ok(None);
        };
        orders
            .record_agreement(&customer.id, &found, FOUND_IN_PARTNER_CENTER, now)
            .await?;
        Ok(orders.agreement(&customer.id).await?)
    }

    /// The indirect reseller of the customer, when it has a Partner ID (none when the customer
    /// is under the reseller's own connection).
    async fn partner_of(
        &self,
        customer: &Customer,
    ) -> Result<Option<(String, String)>, ServiceError> {
        let Some(id) = &customer.reseller_id else {
            return Ok(None);
        };
        // On a connection of its own the reseller buys as the partner itself.
        let connection = self.existing_connection(&customer.connection_id).await?;
        if connection.reseller_id.as_ref() == Some(id) {
            return Ok(None);
        }
        let reseller = self.services.store.access().reseller(id).await?;
        Ok(reseller.and_then(|r| r.mpn_id.map(|mpn| (r.name, mpn))))
    }

    /// Records that the customer accepted the Microsoft Customer Agreement: sent to Partner
    /// Center's agreements API first, kept here once it accepted, audited either way.
    pub async fn record_agreement(
        &self,
        customer: &CustomerId,
        acceptance: Acceptance,
    ) -> Result<(), ServiceError> {
        let access = self.services.store.access();
        let checked = access.authorize_change(&self.who, customer).await;
        let scope = self.checked(Some(customer), checked).await?;
        let customer = scope.as_ref().customer().clone();
        acceptance
            .validate(now_millis())
            .map_err(ServiceError::naming_field)?;
        let pc = self.services.client(&customer.connection_id).await?;
        let store = self.services.store.clone();
        let by = self.who.email.clone();
        let words = format!(
            "{} {} <{}> accepted the Microsoft Customer Agreement on {}",
            acceptance.first_name.trim(),
            acceptance.last_name.trim(),
            acceptance.email.trim(),
            from_millis(acceptance.agreed_at).date()
        );
        let describe = move |result: &Result<(), ServiceError>| match result {
            Ok(()) => (Audited::Succeeded, words),
            Err(e) => (Audited::Failed, format!("{words}: {e}")),
        };
        let work = async move {
            confirm(&pc, &customer.id, &acceptance).await?;
            store
                .orders()
                .record_agreement(&customer.id, &acceptance, &by, now_millis())
                .await?;
            Ok(())
        };
        self.run_to_end(scope.as_ref().customer().id.to_string(), describe, work)
            .await
    }

    /// Places an order from the curated catalog on a task of its own (a request cut short
    /// never cuts the order short). The form's id makes it one order however often it is sent.
    pub async fn place_order(&self, order: NewOrder) -> Result<Placed, ServiceError> {
        let store = &self.services.store;
        let access = store.access();
        let checked = access.authorize_change(&self.who, &order.customer).await;
        let scope = self.checked(Some(&order.customer), checked).await?;
        let customer = scope.as_ref().customer().clone();
        if !(1..=100_000).contains(&order.quantity) {
            return Err(ServiceError::field(
                "quantity",
                "Enter a quantity from 1 to 100000.",
            ));
        }
        let friendly_name = order.friendly_name.trim().to_owned();
        if friendly_name.chars().count() > 64 || friendly_name.chars().any(char::is_control) {
            return Err(ServiceError::field(
                "friendly_name",
                "Use at most 64 characters for the name.",
            ));
        }
        let items = store.catalog().items(&customer.connection_id).await?;
        let choice = choices(&items)
            .into_iter()
            .find(|c| {
                (
                    c.product_id.as_str(),
                    c.sku_id.as_str(),
                    c.term.as_str(),
                    c.cycle.as_str(),
                ) == (
                    order.product_id.as_str(),
                    order.sku_id.as_str(),
                    order.term.as_str(),
                    order.cycle.as_str(),
                )
            })
            .ok_or_else(|| {
                ServiceError::field(
                    "item",
                    "This product is not offered with that term and billing cycle. Choose one \
                     from the list.",
                )
            })?;
        let held = store.subscriptions().grants(&customer.id).await?;
        if holding(&choice, &held).is_some() {
            return Err(ServiceError::field(
                "item",
                format!(
                    "{} already has {}: add licenses to that subscription from its page.",
                    customer.company_name, choice.title
                ),
            ));
        }
        if self.agreement_of(&customer).await?.is_none() {
            return Err(agreement_needed(&customer.company_name));
        }
        let partner = self.partner_of(&customer).await?.map(|(_, mpn)| mpn);
        let request = OrderRequest {
            id: order.form_id,
            customer_id: customer.id.clone(),
            product_id: choice.product_id.clone(),
            sku_id: choice.sku_id.clone(),
            title: choice.title.clone(),
            quantity: order.quantity,
            term_duration: choice.term.clone(),
            billing_cycle: choice.cycle.clone(),
            friendly_name,
            partner_id: partner.unwrap_or_default(),
            placed_by: self.who.email.clone(),
        };
        let record = match store
            .orders()
            .claim(&request, now_millis())
            .await
            .map_err(ServiceError::naming_field)?
        {
            Claim::Mine(record) => record,
            Claim::Theirs(record) => return earlier(&record),
        };
        let pc = self.services.client(&customer.connection_id).await?;
        let country = self
            .existing_connection(&customer.connection_id)
            .await?
            .country;
        let store = store.clone();
        let words = format!(
            "{} × {} ({}) for {}",
            request.quantity,
            choice.label(),
            record.request.id,
            customer.company_name
        );
        let describe = move |result: &Result<Placed, ServiceError>| match result {
            Ok(placed) => (
                Audited::Succeeded,
                format!("{words}: subscription {}", placed.subscription_id),
            ),
            Err(e) => (Audited::Failed, format!("{words}: {e}")),
        };
        let scope_id = customer.id.to_string();
        let author = self.author();
        let work = async move {
            let outcome = place(&pc, &store, &record, &country).await;
            let (finished, result) = match outcome {
                Ok(checkout) => (
                    Outcome {
                        status: OrderStatus::Placed,
                        pc_order_id: checkout.order_id,
                        subscription_id: checkout.subscription_id.clone(),
                        message: String::new(),
                    },
                    Ok(Placed {
                        customer_id: record.request.customer_id.clone(),
                        words: order_words(&record),
                        subscription_id: checkout.subscription_id,
                        earlier: false,
                    }),
                ),
                Err(e) => (
                    Outcome {
                        status: if matches!(e, ServiceError::Unconfirmed(_)) {
                            OrderStatus::Unconfirmed
                        } else {
                            OrderStatus::Failed
                        },
                        pc_order_id: String::new(),
                        subscription_id: String::new(),
                        message: e.to_string(),
                    },
                    Err(e),
                ),
            };
            let id = record.request.id;
            store.orders().finish(&id, &finished, now_millis()).await?;
            if finished.status == OrderStatus::Placed && !finished.subscription_id.is_empty() {
                // Before the list is read, so that the read does not take it for one bought
                // elsewhere.
                let r = &record.request;
                let entry = history::Entry {
                    at: now_millis(),
                    customer_id: r.customer_id.as_str().to_lowercase(),
                    subscription_id: finished.subscription_id.to_lowercase(),
                    product: r.title.clone(),
                    kind: history::Kind::Order,
                    field: String::new(),
                    old_value: String::new(),
                    new_value: r.summary(),
                    in_seatwise: true,
                    actor: author.email.clone(),
                    role: author.role.clone(),
                    // The checkout's MS-RequestId.
                    request_id: record.request_id.clone(),
                };
                if let Err(e) = store.history().record(&entry).await {
                    tracing::error!(error = %e, "order not recorded in the history");
                }
            }
            if finished.status == OrderStatus::Placed {
                super::subscriptions::store_list(&pc, &store, &record.request.customer_id).await;
            }
            result
        };
        self.run_to_end(scope_id, describe, work).await
    }
}

/// The offered, orderable SKUs of a catalog, one choice per (term, billing cycle) offered.
fn choices(items: &[CatalogItem]) -> Vec<OrderChoice> {
    let mut out = Vec::new();
    for item in items
        .iter()
        .filter(|i| i.offered && i.state != State::Discontinued)
    {
        let title = if item.display_name.is_empty() {
            item.sku_title.clone()
        } else {
            item.display_name.clone()
        };
        for (term, cycle) in &item.terms {
            if item.billing_cycles.contains(cycle) {
                out.push(OrderChoice {
                    product_id: item.product_id.clone(),
                    sku_id: item.sku_id.clone(),
                    term: term.clone(),
                    cycle: cycle.clone(),
                    title: title.clone(),
                    add_to_existing: item.add_to_existing,
                });
            }
        }
    }
    out.sort_by(|a, b| {
        a.title
            .cmp(&b.title)
            .then(a.term.cmp(&b.term))
            .then(a.cycle.cmp(&b.cycle))
    });
    out
}

/// The customer's subscription of a SKU sold one per customer, if it has one.
fn holding<'a>(choice: &OrderChoice, held: &'a [Grant]) -> Option<&'a Grant> {
    if !choice.add_to_existing {
        return None;
    }
    let prefix = format!("{}:{}:", choice.product_id, choice.sku_id).to_uppercase();
    held.iter()
        .find(|g| g.offer_id.to_uppercase().starts_with(&prefix))
}

fn agreement_needed(company: &str) -> ServiceError {
    ServiceError::field(
        "agreement",
        format!(
            "Ordering for {company} needs the customer's acceptance of the Microsoft Customer \
             Agreement. Record it on this page first."
        ),
    )
}

/// The answer to a form sent again: the order it placed, or that it is still being placed.
fn earlier(record: &OrderRecord) -> Result<Placed, ServiceError> {
    match record.status {
        OrderStatus::Placed => Ok(Placed {
            customer_id: record.request.customer_id.clone(),
            words: order_words(record),
            subscription_id: record.subscription_id.clone(),
            earlier: true,
        }),
        _ => Err(ServiceError::Conflict(
            "This order is being placed now. Its outcome appears under Recent orders in a moment."
                .into(),
        )),
    }
}

fn order_words(record: &OrderRecord) -> String {
    format!("Ordered {}", record.request.summary())
}

/// What Partner Center placed: its order id and the new subscription's (either empty when its
/// answer did not say).
struct Checkout {
    order_id: String,
    subscription_id: String,
}

/// Sends the order: the catalog item of the chosen term, a cart (kept for retries) and its
/// checkout under the order's request id.
async fn place(
    pc: &PartnerCenter,
    store: &Store,
    record: &OrderRecord,
    country: &str,
) -> Result<Checkout, ServiceError> {
    let r = &record.request;
    let customer = &r.customer_id;
    let cart_id = if record.cart_id.is_empty() {
        let item = catalog_item_id(pc, r, country).await?;
        let line = CartLineItem {
            id: Some(0),
            catalog_item_id: item,
            quantity: r.quantity,
            billing_cycle: Some(wire::BillingCycle::parse(&r.billing_cycle)),
            term_duration: Some(r.term_duration.clone()),
            friendly_name: (!r.friendly_name.is_empty()).then(|| r.friendly_name.clone()),
            participants: if r.partner_id.is_empty() {
                Vec::new()
            } else {
                vec![KeyValue {
                    key: "transaction_reseller".into(),
                    value: r.partner_id.clone(),
                }]
            },
            ..CartLineItem::default()
        };
        let cart = pc
            .create_cart(
                customer,
                &Cart {
                    line_items: vec![line],
                    ..Cart::default()
                },
            )
            .await
            .map_err(refused)?;
        if let Some(error) = cart.line_items.iter().find_map(|l| l.error.as_ref()) {
            return Err(ServiceError::BadInput(format!(
                "Partner Center cannot sell this: {}",
                error
                    .error_description
                    .clone()
                    .unwrap_or_else(|| format!("error {}", error.error_code))
            )));
        }
        let id = cart
            .id
            .ok_or_else(|| ServiceError::partner_center("the new cart has no id"))?;
        store.orders().set_cart(&r.id, id.as_str()).await?;
        id
    } else {
        CartId::new(record.cart_id.clone())
    };
    let result = match pc.checkout(customer, &cart_id, &record.request_id).await {
        Ok(result) => result,
        // Checked out already (by an attempt whose answer was lost): placed.
        Err(PcError::Validation { code, .. }) if code == CART_SUBMITTED => {
            return Ok(Checkout {
                order_id: String::new(),
                subscription_id: String::new(),
            })
        }
        Err(PcError::OutcomeUnknown(cause)) => {
            tracing::warn!(error = %cause, "checkout not confirmed");
            return Err(ServiceError::Unconfirmed(
                "Partner Center did not confirm the order in time. Place it again from the same \
                 page: it is sent as the same request, so it cannot be bought twice."
                    .into(),
            ));
        }
        Err(PcError::Forbidden { code, .. }) if code == AGREEMENT_MISSING => {
            return Err(ServiceError::BadInput(
                "Partner Center has no record of the customer's acceptance of the Microsoft \
                 Customer Agreement. Record it again on this page, then place the order."
                    .into(),
            ))
        }
        Err(e) => return Err(refused(e)),
    };
    if let Some(e) = result.order_errors.first() {
        return Err(ServiceError::BadInput(format!(
            "Partner Center did not place the order: {}",
            e.description
                .clone()
                .unwrap_or_else(|| format!("error {}", e.code))
        )));
    }
    let order = result.orders.first();
    let order_id = order.and_then(|o| o.id.clone());
    let mut subscription_id = order
        .and_then(|o| o.line_items.first())
        .and_then(|l| l.subscription_id.as_ref())
        .map(|s| s.to_string())
        .unwrap_or_default();
    // A marketplace order answers before its subscription id is known (pending at the
    // publisher); the subscriptions of the order name it. Not finding it is no failure.
    if let (true, Some(order_id)) = (subscription_id.is_empty(), &order_id) {
        match pc.subscriptions_by_order(customer, order_id).await {
            Ok(list) => {
                if let Some(s) = list.first() {
                    subscription_id = s.id.to_string();
                }
            }
            Err(e) => tracing::warn!(error = %e, "the new subscription's id was not read"),
        }
    }
    Ok(Checkout {
        order_id: order_id.map(|o| o.to_string()).unwrap_or_default(),
        subscription_id,
    })
}

/// The catalog item id of the SKU's availability that sells the chosen term and cycle.
async fn catalog_item_id(
    pc: &PartnerCenter,
    r: &OrderRequest,
    country: &str,
) -> Result<String, ServiceError> {
    let product = partner_center::ProductId::new(r.product_id.clone());
    let sku = partner_center::CatalogSkuId::new(r.sku_id.clone());
    let no_longer_sold = || {
        ServiceError::BadInput(
            "Partner Center no longer sells this product with that term and billing cycle. \
             Ask the service provider to read the catalog again."
                .into(),
        )
    };
    let availabilities = match pc.availabilities(&product, &sku, country).await {
        Ok(list) => list,
        // A SKU taken off sale is no longer found.
        Err(PcError::NotFound { .. }) => return Err(no_longer_sold()),
        Err(e) => return Err(refused(e)),
    };
    availabilities
        .iter()
        .find(|a| {
            a.terms.iter().any(|t| {
                t.duration.as_deref() == Some(r.term_duration.as_str())
                    && t.billing_cycle.as_ref().map(|c| c.as_str())
                        == Some(r.billing_cycle.as_str())
            })
        })
        .map(|a| {
            a.catalog_item_id
                .clone()
                .unwrap_or_else(|| format!("{}:{}:{}", r.product_id, r.sku_id, a.id))
        })
        .ok_or_else(no_longer_sold)
}

/// Sends the acceptance; one already recorded there with the same contact counts as sent.
pub(super) async fn confirm(
    pc: &PartnerCenter,
    customer: &CustomerId,
    acceptance: &Acceptance,
) -> Result<(), ServiceError> {
    let templates = pc
        .agreement_templates(CUSTOMER_AGREEMENT)
        .await
        .map_err(ServiceError::partner_center)?;
    let template = templates
        .iter()
        .max_by_key(|t| t.version_rank)
        .ok_or_else(|| ServiceError::partner_center("no Microsoft Customer Agreement template"))?;
    let agreement = Agreement {
        primary_contact: Contact {
            first_name: acceptance.first_name.trim().into(),
            last_name: acceptance.last_name.trim().into(),
            email: acceptance.email.trim().into(),
            phone_number: Some(acceptance.phone.trim().to_owned()).filter(|p| !p.is_empty()),
        },
        date_agreed: Some(WireTime(from_millis(acceptance.agreed_at))),
        template_id: template.template_id.clone(),
        agreement_type: Some(CUSTOMER_AGREEMENT.into()),
        ..Agreement::default()
    };
    match pc.confirm_agreement(customer, &agreement).await {
        Ok(_) => Ok(()),
        Err(PcError::Conflict { code, .. }) if code == AGREEMENT_EXISTS => Ok(()),
        // The answer was lost: what Partner Center lists now says whether it was kept.
        Err(PcError::OutcomeUnknown(cause)) => {
            let listed = pc.agreements(customer, CUSTOMER_AGREEMENT).await;
            if listed.is_ok_and(|l| {
                l.iter()
                    .any(|a| a.primary_contact == agreement.primary_contact)
            }) {
                Ok(())
            } else {
                tracing::warn!(error = %cause, "agreement confirmation not confirmed");
                Err(ServiceError::Unconfirmed(
                    "Partner Center did not confirm that it recorded the acceptance. Record it \
                     again in a moment."
                        .into(),
                ))
            }
        }
        Err(
            PcError::Validation { message, .. }
            | PcError::Conflict { message, .. }
            | PcError::Forbidden { message, .. },
        ) => Err(ServiceError::BadInput(format!(
            "Partner Center refused the acceptance: {message}"
        ))),
        Err(e) => Err(ServiceError::partner_center(e)),
    }
}

/// An acceptance as Partner Center lists it, when it is complete enough to keep.
fn acceptance_of(a: &Agreement, now: i64) -> Option<Acceptance> {
    let c = &a.primary_contact;
    let acceptance = Acceptance {
        first_name: c.first_name.clone(),
        last_name: c.last_name.clone(),
        email: c.email.clone(),
        phone: c.phone_number.clone().unwrap_or_default(),
        agreed_at: a.date_agreed.map(|d| crate::time::to_millis(d.0))?,
    };
    acceptance.validate(now).ok().map(|_| acceptance)
}

/// Partner Center's refusal in words the person can act on.
fn refused(e: PcError) -> ServiceError {
    match e {
        PcError::Validation { message, .. }
        | PcError::Conflict { message, .. }
        | PcError::Forbidden { message, .. } => {
            ServiceError::BadInput(format!("Partner Center refused the order: {message}"))
        }
        other => ServiceError::partner_center(other),
    }
}
