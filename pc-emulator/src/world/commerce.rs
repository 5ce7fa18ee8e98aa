//! Carts, checkout, orders and transitions (upgrades).

use partner_center::{ids::*, wire::*};
use time::{Duration, OffsetDateTime};
use uuid::Uuid;

use crate::catalog::{self};

use super::*;

impl World {
    // ---- Carts and orders ----

    pub fn create_cart(&mut self, customer: &CustomerId, mut cart: Cart) -> R<Cart> {
        let now = self.wire_now();
        let withdrawn = self.withdrawn.clone();
        let c = self.customer_mut(customer)?;
        validate_lines(&mut cart.line_items, &withdrawn);
        let id = CartId::new(Uuid::new_v4().to_string());
        cart.id = Some(id.clone());
        cart.creation_timestamp = Some(now);
        cart.last_modified_timestamp = Some(now);
        cart.expiration_timestamp = Some(WireTime(now.0 + Duration::days(7)));
        cart.status = Some("Active".into());
        cart.links = Some(Links {
            self_link: Some(Link::get(format!("/customers/{customer}/carts/{id}"))),
            ..Links::default()
        });
        cart.attributes = Attributes::of("Cart");
        c.carts.push(cart.clone());
        Ok(cart)
    }

    pub fn cart(&self, customer: &CustomerId, id: &CartId) -> R<Cart> {
        self.customer(customer)?
            .carts
            .iter()
            .find(|k| k.id.as_ref() == Some(id))
            .cloned()
            .ok_or_else(cart_missing)
    }

    pub fn update_cart(&mut self, customer: &CustomerId, id: &CartId, mut body: Cart) -> R<Cart> {
        let now = self.wire_now();
        let withdrawn = self.withdrawn.clone();
        let cart = self.customer_mut(customer)?.active_cart(id)?;
        validate_lines(&mut body.line_items, &withdrawn);
        cart.line_items = body.line_items;
        cart.last_modified_timestamp = Some(now);
        Ok(cart.clone())
    }

    /// Buys every valid line: one order, one subscription per line.
    pub fn checkout(&mut self, customer: &CustomerId, id: &CartId) -> R<CartCheckoutResult> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        c.may_purchase()?;
        let cart = c.active_cart(id)?;
        if cart.line_items.is_empty() || cart.line_items.iter().any(|l| l.error.is_some()) {
            return err(
                400,
                "800009",
                "Error in cart items; fix the lines with errors.",
            );
        }
        cart.status = Some("Ordered".into());
        let lines: Vec<OrderLineItem> = cart
            .line_items
            .iter()
            .map(|l| OrderLineItem {
                offer_id: l.catalog_item_id.clone(),
                friendly_name: l.friendly_name.clone(),
                quantity: l.quantity,
                term_duration: l.term_duration.clone(),
                // An indirect reseller named on the line is the partner on record.
                partner_id_on_record: l
                    .participants
                    .iter()
                    .find(|p| p.key.eq_ignore_ascii_case("transaction_reseller"))
                    .map(|p| p.value.clone()),
                ..OrderLineItem::default()
            })
            .collect();
        let cycle = cart
            .line_items
            .first()
            .and_then(|l| l.billing_cycle.clone());
        // Each marketplace line is an order of its own, pending until the publisher's set-up is
        // done; its subscription id is not in this answer (it appears on the order later).
        let (marketplace, microsoft): (Vec<_>, Vec<_>) = lines.into_iter().partition(|l| {
            catalog::by_catalog_item_id(&l.offer_id).is_some_and(|i| i.is_marketplace())
        });
        let mut orders = Vec::new();
        if !microsoft.is_empty() {
            orders.push(place_order(c, customer, microsoft, cycle.clone(), now));
        }
        for line in marketplace {
            let mut order = place_order(c, customer, vec![line], cycle.clone(), now);
            order.status = Some("pending".into());
            if let Some(kept) = c.orders.iter_mut().find(|o| o.id == order.id) {
                kept.status = order.status.clone();
            }
            for l in &mut order.line_items {
                l.subscription_id = None;
            }
            orders.push(order);
        }
        Ok(CartCheckoutResult {
            orders,
            order_errors: Vec::new(),
        })
    }

    /// The offer path: an order placed directly, one subscription per line.
    pub fn create_order(&mut self, customer: &CustomerId, order: Order) -> R<Order> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        c.may_purchase()?;
        if order.line_items.is_empty() {
            return err(400, "800002", "An order needs at least one line item.");
        }
        for line in &order.line_items {
            let Some(item) = catalog::by_catalog_item_id(&line.offer_id) else {
                return err(
                    400,
                    "800004",
                    format!("The offer id {} is not valid.", line.offer_id),
                );
            };
            if line.quantity < item.min_quantity || line.quantity > item.max_quantity {
                return err(
                    403,
                    "800067",
                    format!(
                        "Quantity must be between {} and {}.",
                        item.min_quantity, item.max_quantity
                    ),
                );
            }
        }
        Ok(place_order(
            c,
            customer,
            order.line_items,
            order.billing_cycle,
            now,
        ))
    }

    pub fn order_provisioning_status(
        &self,
        customer: &CustomerId,
        id: &OrderId,
    ) -> R<Vec<OrderLineProvisioningStatus>> {
        let order = self.order(customer, id)?;
        Ok(order
            .line_items
            .iter()
            .map(|l| OrderLineProvisioningStatus {
                order_line_item_id: None,
                line_item_number: l.line_item_number,
                status: Some("fulfilled".into()),
                quantity_provisioning_information: vec![QuantityProvisioning {
                    quantity: l.quantity,
                    status: Some("fulfilled".into()),
                }],
            })
            .collect())
    }

    /// Other catalog items a subscription can move to: every different item that takes its
    /// seat count.
    pub fn transition_eligibilities(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> R<Vec<TransitionEligibility>> {
        let sub = self.subscription(customer, id)?;
        let from = sub.offer_id.clone().unwrap_or_default();
        Ok(catalog::ITEMS
            .iter()
            .filter(|i| i.catalog_item_id() != from)
            .map(|i| {
                let fits = sub.quantity <= i.max_quantity;
                TransitionEligibility {
                    catalog_item_id: i.catalog_item_id(),
                    title: Some(i.title.to_owned()),
                    description: Some(format!("Move to {}", i.title)),
                    quantity: Some(sub.quantity),
                    eligibilities: vec![Eligibility {
                        is_eligible: fits && sub.status == Some(SubscriptionStatus::Active),
                        transition_type: Some("transition_with_license_transfer".into()),
                        errors: if fits {
                            Vec::new()
                        } else {
                            vec![EligibilityError {
                                code: "800067".into(),
                                description: Some(
                                    "The seat count is over the target's maximum.".into(),
                                ),
                            }]
                        },
                    }],
                    attributes: Attributes::of("TransitionEligibility"),
                }
            })
            .collect())
    }

    /// Moves seats to another catalog item: a new subscription, fewer seats (or none) on the
    /// old one, and, with license transfer, the users' licenses moved along.
    pub fn transition(
        &mut self,
        customer: &CustomerId,
        id: &SubscriptionId,
        request: Transition,
    ) -> R<Transition> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        let pos = c.subscription_index(id)?;
        let source = c.subscriptions[pos].sub.clone();
        if source.status != Some(SubscriptionStatus::Active) {
            return err(
                400,
                "800096",
                "Only an active subscription can be transitioned.",
            );
        }
        let Some(target) = catalog::by_catalog_item_id(&request.to_catalog_item_id) else {
            return err(
                400,
                "800004",
                "toCatalogItemId is not a valid catalog item.",
            );
        };
        if source.offer_id.as_deref() == Some(request.to_catalog_item_id.as_str()) {
            return err(
                400,
                "800002",
                "The subscription is already on that catalog item.",
            );
        }
        let quantity = request.quantity.unwrap_or(source.quantity);
        if quantity < 1 || quantity > source.quantity {
            return err(
                400,
                "800002",
                format!("quantity must be between 1 and {}.", source.quantity),
            );
        }
        let term = request
            .term_duration
            .clone()
            .or(source.term_duration.clone())
            .unwrap_or_else(|| "P1Y".into());
        let line = CartLineItem {
            catalog_item_id: request.to_catalog_item_id.clone(),
            quantity,
            billing_cycle: request
                .billing_cycle
                .clone()
                .or(source.billing_cycle.clone()),
            ..CartLineItem::default()
        };
        let order = source.order_id.clone().unwrap_or_default();
        let new_sub = new_subscription(
            customer,
            new_subscription_id(),
            target,
            &line,
            &term,
            &order,
            now,
        );
        let new_id = new_sub.id.clone();
        c.subscriptions.push(SubRec {
            sub: new_sub,
            term_start: now.unix_timestamp(),
        });
        let remaining = source.quantity - quantity;
        {
            let s = &mut c.subscriptions[pos].sub;
            s.quantity = remaining;
            if remaining == 0 {
                s.status = Some(SubscriptionStatus::Deleted);
                s.auto_renew_enabled = Some(false);
            }
            if let Some(a) = s.attributes.as_mut() {
                a.etag = Some(new_etag());
            }
        }
        let with_licenses = request
            .transition_type
            .as_deref()
            .is_none_or(|t| t.eq_ignore_ascii_case("transition_with_license_transfer"));
        if let (true, Some(from_item)) = (
            with_licenses,
            source
                .offer_id
                .as_deref()
                .and_then(catalog::by_catalog_item_id),
        ) {
            let (from_sku, to_sku) = (
                SkuId::new(from_item.license_sku),
                SkuId::new(target.license_sku),
            );
            let mut moved = 0;
            for u in c.users.iter_mut().filter(|u| u.deleted_at.is_none()) {
                if moved == quantity {
                    break;
                }
                if u.licenses.contains(&from_sku) {
                    u.licenses.retain(|s| *s != from_sku);
                    if !u.licenses.contains(&to_sku) {
                        u.licenses.push(to_sku.clone());
                    }
                    moved += 1;
                }
            }
        }
        Ok(Transition {
            id: Some(Uuid::new_v4().to_string()),
            from_catalog_item_id: source.offer_id.clone(),
            from_subscription_id: Some(source.id.clone()),
            to_catalog_item_id: request.to_catalog_item_id,
            to_subscription_id: Some(new_id),
            quantity: Some(quantity),
            term_duration: Some(term),
            billing_cycle: line.billing_cycle,
            transition_type: Some(
                if with_licenses {
                    "transition_with_license_transfer"
                } else {
                    "transition_only"
                }
                .into(),
            ),
            status: Some("Completed".into()),
            events: vec![TransitionEvent {
                name: Some("Transition".into()),
                status: Some("Completed".into()),
                timestamp: Some(WireTime(now)),
            }],
        })
    }

    pub fn orders(&self, customer: &CustomerId) -> R<Vec<Order>> {
        Ok(self.customer(customer)?.orders.clone())
    }

    pub fn order(&self, customer: &CustomerId, id: &OrderId) -> R<Order> {
        self.customer(customer)?
            .orders
            .iter()
            .find(|o| o.id.as_ref() == Some(id))
            .cloned()
            .map_or_else(|| err(404, "20000", "Order not found."), Ok)
    }
}

/// One order with one new subscription per line (lines already validated).
fn place_order(
    c: &mut CustomerRec,
    customer: &CustomerId,
    lines: Vec<OrderLineItem>,
    billing_cycle: Option<BillingCycle>,
    now: OffsetDateTime,
) -> Order {
    let order_id = OrderId::new(Uuid::new_v4().to_string());
    let mut order_lines = Vec::new();
    for (n, line) in lines.into_iter().enumerate() {
        let Some(item) = catalog::by_catalog_item_id(&line.offer_id) else {
            continue;
        };
        let term = line.term_duration.clone().unwrap_or_else(|| "P1Y".into());
        let cart_line = CartLineItem {
            catalog_item_id: line.offer_id.clone(),
            quantity: line.quantity,
            billing_cycle: billing_cycle.clone(),
            friendly_name: line.friendly_name.clone(),
            ..CartLineItem::default()
        };
        let mut sub = new_subscription(
            customer,
            new_subscription_id(),
            item,
            &cart_line,
            &term,
            &order_id,
            now,
        );
        if let Some(partner) = &line.partner_id_on_record {
            sub.partner_id = Some(partner.clone());
        }
        let sub_id = sub.id.clone();
        c.subscriptions.push(SubRec {
            sub,
            term_start: now.unix_timestamp(),
        });
        order_lines.push(OrderLineItem {
            line_item_number: n as i64,
            subscription_id: Some(sub_id),
            term_duration: Some(term),
            transaction_type: Some("New".into()),
            ..line
        });
    }
    let order = order_record(customer, &order_id, order_lines, billing_cycle, now);
    c.orders.push(order.clone());
    order
}

/// An order as `GET .../orders` lists it: completed, created at `created`.
pub(crate) fn order_record(
    customer: &CustomerId,
    order_id: &OrderId,
    line_items: Vec<OrderLineItem>,
    billing_cycle: Option<BillingCycle>,
    created: OffsetDateTime,
) -> Order {
    Order {
        id: Some(order_id.clone()),
        alternate_id: Some(order_id.as_str().chars().take(12).collect()),
        reference_customer_id: Some(customer.to_string()),
        billing_cycle,
        transaction_type: Some("UserPurchase".into()),
        currency_code: Some("USD".into()),
        currency_symbol: Some("$".into()),
        line_items,
        creation_date: Some(WireTime(created)),
        status: Some("completed".into()),
        links: Some(Links {
            self_link: Some(Link::get(format!(
                "/customers/{customer}/orders/{order_id}"
            ))),
            ..Links::default()
        }),
        attributes: Attributes::of("Order"),
    }
}

/// Marks lines the service could not sell with a line error, as carts do.
fn validate_lines(lines: &mut [CartLineItem], withdrawn: &[String]) {
    for (n, line) in lines.iter_mut().enumerate() {
        if line.id.is_none() {
            line.id = Some(n as i64);
        }
        line.order_group = Some("0".into());
        line.error = match catalog::by_catalog_item_id(&line.catalog_item_id) {
            None => Some(CartError {
                error_code: "10001".into(),
                error_description: Some("The catalog item id is not valid.".into()),
            }),
            Some(item) if withdrawn.contains(&item.sku_key()) => Some(CartError {
                error_code: "10001".into(),
                error_description: Some(
                    "The catalog item is no longer available for purchase.".into(),
                ),
            }),
            Some(item)
                if line.quantity < item.min_quantity || line.quantity > item.max_quantity =>
            {
                Some(CartError {
                    error_code: "10010".into(),
                    error_description: Some(format!(
                        "Quantity must be between {} and {}.",
                        item.min_quantity, item.max_quantity
                    )),
                })
            }
            Some(_) => None,
        };
        if line.currency_code.is_none() {
            line.currency_code = Some("USD".into());
        }
    }
}

pub(super) fn cart_missing() -> EmuError {
    not_found("800008", "Cart id not found.")
}
