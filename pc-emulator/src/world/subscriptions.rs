//! Subscriptions: quantities, status, renewal settings, NCE windows, add-ons.

use partner_center::{ids::*, wire::*};
use time::OffsetDateTime;
use uuid::Uuid;

use crate::catalog::{self, CatalogItem};

use super::*;

impl World {
    // ---- Subscriptions ----

    pub fn subscriptions(
        &self,
        customer: &CustomerId,
        order: Option<&OrderId>,
    ) -> R<Vec<Subscription>> {
        Ok(self
            .customer(customer)?
            .subscriptions
            .iter()
            .filter(|s| order.is_none_or(|o| s.sub.order_id.as_ref() == Some(o)))
            .map(|s| s.sub.clone())
            .collect())
    }

    pub fn subscription(&self, customer: &CustomerId, id: &SubscriptionId) -> R<Subscription> {
        self.customer(customer)?
            .subscriptions
            .iter()
            .find(|s| s.sub.id == *id)
            .map(|s| s.sub.clone())
            .ok_or_else(sub_missing)
    }

    /// The documented PATCH: the whole resource with some fields changed.
    pub fn patch_subscription(
        &mut self,
        customer: &CustomerId,
        id: &SubscriptionId,
        body: Subscription,
        if_match: Option<&str>,
    ) -> R<Subscription> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        let pos = c.subscription_index(id)?;
        let current = c.subscriptions[pos].sub.clone();
        let term_start = c.subscriptions[pos].term_start;
        if let Some(tag) = if_match {
            let tag = tag.trim().trim_matches('"');
            if current.attributes.as_ref().and_then(|a| a.etag.as_deref()) != Some(tag) {
                return err(400, "2055", "Etag is no longer valid.");
            }
        }
        let status = current.status.clone().unwrap_or(SubscriptionStatus::Active);
        if status == SubscriptionStatus::Deleted {
            return err(400, "2011", "A deleted subscription cannot be updated.");
        }
        let item = current
            .offer_id
            .as_deref()
            .and_then(catalog::by_catalog_item_id);
        if item.is_some_and(CatalogItem::is_marketplace) {
            return marketplace_update(&mut c.subscriptions[pos].sub, body, now);
        }
        let in_window = now.unix_timestamp() - term_start <= CHANGE_WINDOW.whole_seconds();
        let mut next = current.clone();
        let new_status = body.status.clone().unwrap_or(status.clone());

        if body.quantity != 0 && body.quantity != current.quantity {
            if status == SubscriptionStatus::Suspended
                || new_status == SubscriptionStatus::Suspended
            {
                return err(
                    400,
                    "800091",
                    "The quantity of a suspended subscription cannot be changed.",
                );
            }
            let (min, max) = item.map_or((1, 10_000), |i| (i.min_quantity, i.max_quantity));
            if body.quantity < min || body.quantity > max {
                return err(
                    400,
                    "2002",
                    format!("Quantity must be between {min} and {max}."),
                );
            }
            if body.quantity < current.quantity && current.is_nce() && !in_window {
                return err(
                    400,
                    "800090",
                    "Subscription quantity cannot be decreased after the first 7 days of the term; \
                     schedule the change for renewal instead.",
                );
            }
            if body.quantity < current.quantity {
                let licensed = item.map_or(0, |i| c.consumed(&SkuId::new(i.license_sku)));
                let other =
                    item.map_or(0, |i| c.units(&SkuId::new(i.license_sku)).0) - current.quantity;
                if other + body.quantity < licensed {
                    return err(
                        400,
                        "800095",
                        format!(
                            "{licensed} licenses are assigned; remove some before reducing seats."
                        ),
                    );
                }
            }
            next.quantity = body.quantity;
        }
        if new_status != status {
            match new_status {
                SubscriptionStatus::Suspended | SubscriptionStatus::Active => {}
                SubscriptionStatus::Deleted => {
                    if current.is_nce() && !in_window {
                        return err(
                            400,
                            "800096",
                            "The subscription can only be cancelled within 7 days of purchase or renewal.",
                        );
                    }
                    next.auto_renew_enabled = Some(false);
                }
                other => {
                    return err(
                        400,
                        "800096",
                        format!("The status cannot be changed to {other}."),
                    )
                }
            }
            next.status = Some(new_status);
        }
        if let Some(name) = body
            .friendly_name
            .filter(|n| Some(n) != current.friendly_name.as_ref())
        {
            next.friendly_name = Some(name);
        }
        if let Some(auto) = body.auto_renew_enabled {
            next.auto_renew_enabled = Some(auto);
        }
        if let Some(partner) = body
            .partner_id
            .filter(|p| Some(p) != current.partner_id.as_ref())
        {
            if partner.len() > 10 || !partner.chars().all(|c| c.is_ascii_digit()) {
                return err(400, "800002", "The partner ID is not valid.");
            }
            next.partner_id = Some(partner);
        }
        if body.scheduled_next_term_instructions != current.scheduled_next_term_instructions {
            if let Some(instructions) = &body.scheduled_next_term_instructions {
                if next.auto_renew_enabled != Some(true) {
                    return err(400, "800002", "Scheduled changes need auto-renew to be on.");
                }
                check_next_term(instructions, item)?;
            }
            next.scheduled_next_term_instructions = body.scheduled_next_term_instructions;
        }
        if let Some(a) = next.attributes.as_mut() {
            a.etag = Some(new_etag());
        }
        c.subscriptions[pos].sub = next.clone();
        Ok(next)
    }

    /// Finishes a marketplace subscription's set-up (the publisher's site, or the integration
    /// sandbox's activate call): it becomes active and its order completes.
    pub fn activate(&mut self, customer: &CustomerId, id: &SubscriptionId) -> R<Subscription> {
        let now = self.wire_now();
        let c = self.customer_mut(customer)?;
        let pos = c.subscription_index(id)?;
        let sub = &mut c.subscriptions[pos].sub;
        if sub.is_microsoft_product != Some(false) {
            return err(
                400,
                "800002",
                "Only marketplace subscriptions are activated.",
            );
        }
        if sub.status == Some(SubscriptionStatus::Pending) {
            sub.status = Some(SubscriptionStatus::Active);
            sub.effective_start_date = Some(now);
        }
        let sub = sub.clone();
        if let Some(order) = c.orders.iter_mut().find(|o| o.id == sub.order_id) {
            order.status = Some("completed".into());
        }
        Ok(sub)
    }

    /// The publisher's link to finish a marketplace subscription's set-up (`base`: this
    /// emulator's own address, where the publisher's page is).
    pub fn activation_links(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
        base: &str,
    ) -> R<Vec<ActivationLink>> {
        let sub = self.subscription(customer, id)?;
        if sub.is_microsoft_product != Some(false) {
            return Ok(Vec::new());
        }
        Ok(vec![ActivationLink {
            line_item_number: 0,
            link: Some(Link::get(format!(
                "{base}/_emulator/publisher/{customer}/{id}"
            ))),
        }])
    }

    /// A change made directly in Partner Center, outside Seatwise: no rules applied.
    pub fn outside_change(
        &mut self,
        customer: &CustomerId,
        id: &SubscriptionId,
        quantity: Option<i64>,
        status: Option<SubscriptionStatus>,
        friendly_name: Option<String>,
    ) -> R<Subscription> {
        let c = self.customer_mut(customer)?;
        let pos = c.subscription_index(id)?;
        let rec = &mut c.subscriptions[pos];
        if let Some(q) = quantity {
            rec.sub.quantity = q;
        }
        if let Some(s) = status {
            rec.sub.status = Some(s);
        }
        if let Some(n) = friendly_name {
            rec.sub.friendly_name = Some(n);
        }
        if let Some(a) = rec.sub.attributes.as_mut() {
            a.etag = Some(new_etag());
        }
        Ok(rec.sub.clone())
    }

    pub fn provisioning_status(
        &self,
        customer: &CustomerId,
        id: &SubscriptionId,
    ) -> R<SubscriptionProvisioningStatus> {
        let sub = self.subscription(customer, id)?;
        let item = sub
            .offer_id
            .as_deref()
            .and_then(catalog::by_catalog_item_id);
        Ok(SubscriptionProvisioningStatus {
            sku_id: item.map(|i| i.license_sku.to_owned()),
            status: Some("success".into()),
            quantity: Some(sub.quantity),
            end_date: sub.commitment_end_date,
            attributes: Attributes::of("SubscriptionProvisioningStatus"),
        })
    }
}

pub(super) fn renew_if_due(s: &mut SubRec, now: OffsetDateTime) {
    let Some(end) = s.sub.commitment_end_date else {
        return;
    };
    if now < end.0 || s.sub.status != Some(SubscriptionStatus::Active) {
        return;
    }
    if s.sub.auto_renew_enabled != Some(true) {
        s.sub.status = Some(SubscriptionStatus::Expired);
        return;
    }
    let term = term_length(s.sub.term_duration.as_deref().unwrap_or("P1Y"));
    let mut start = end.0;
    while start + term <= now {
        start += term;
    }
    s.term_start = start.unix_timestamp();
    s.sub.effective_start_date = Some(WireTime(start));
    s.sub.commitment_end_date = Some(WireTime(start + term));
    if s.sub.is_microsoft_product == Some(false) {
        for refund in &mut s.sub.refund_options {
            refund.expires_at = Some(WireTime(start + MARKETPLACE_WINDOW));
        }
    } else {
        s.sub.cancellation_allowed_until_date = Some(WireTime(start + CHANGE_WINDOW));
    }
    if let Some(next) = s.sub.scheduled_next_term_instructions.take() {
        if let Some(q) = next.quantity {
            s.sub.quantity = q;
        }
        let product = next.product.unwrap_or_default();
        if let Some(cycle) = product.billing_cycle {
            s.sub.billing_cycle = Some(cycle);
        }
        if let Some(term) = product.term_duration {
            // The new term starts now and runs its own length.
            s.sub.commitment_end_date = Some(WireTime(start + term_length(&term)));
            s.sub.term_duration = Some(term);
        }
    }
}

/// A change of a marketplace (SaaS) subscription: nothing before its set-up is finished on the
/// publisher's site; then quantity, name, auto-renew, Partner ID, and a cancellation within its
/// refund window; no suspension and no scheduled change.
fn marketplace_update(
    current: &mut Subscription,
    body: Subscription,
    now: OffsetDateTime,
) -> R<Subscription> {
    if current.status == Some(SubscriptionStatus::Pending) {
        return err(
            400,
            "800081",
            "Cannot update a subscription before activating it.",
        );
    }
    let mut next = current.clone();
    if body.quantity != 0 && body.quantity != current.quantity {
        if !(1..=1000).contains(&body.quantity) {
            return err(400, "2002", "Quantity must be between 1 and 1000.");
        }
        next.quantity = body.quantity;
    }
    match body.status {
        Some(SubscriptionStatus::Deleted)
            if current.status != Some(SubscriptionStatus::Deleted) =>
        {
            let until = current
                .refund_options
                .iter()
                .filter_map(|r| r.expires_at)
                .max();
            if until.is_none_or(|until| now > until.0) {
                return err(
                    400,
                    "900117",
                    "You have passed your 1-day cancellation window. Turn auto-renew off instead.",
                );
            }
            next.status = Some(SubscriptionStatus::Deleted);
            next.auto_renew_enabled = Some(false);
        }
        Some(SubscriptionStatus::Suspended) => {
            return err(400, "800096", "The status cannot be changed to suspended.")
        }
        _ => {}
    }
    if let Some(name) = body.friendly_name {
        next.friendly_name = Some(name);
    }
    if let Some(auto) = body.auto_renew_enabled {
        next.auto_renew_enabled = Some(auto);
    }
    if let Some(partner) = body.partner_id {
        if partner.len() > 10 || !partner.chars().all(|c| c.is_ascii_digit()) {
            return err(400, "800002", "The partner ID is not valid.");
        }
        next.partner_id = Some(partner);
    }
    if body.scheduled_next_term_instructions.is_some() {
        return err(
            400,
            "800002",
            "Scheduled changes are not available for this subscription.",
        );
    }
    *current = next.clone();
    Ok(next)
}

/// Next-term instructions the catalog can honour: a term and billing cycle the SKU is sold
/// with, a quantity within its limits.
fn check_next_term(next: &ScheduledNextTermInstructions, item: Option<&CatalogItem>) -> R<()> {
    let Some(item) = item else {
        return Ok(());
    };
    if let Some(q) = next.quantity {
        if q < item.min_quantity || q > item.max_quantity {
            return err(
                400,
                "2002",
                format!(
                    "Quantity must be between {} and {}.",
                    item.min_quantity, item.max_quantity
                ),
            );
        }
    }
    let product = next.product.clone().unwrap_or_default();
    let availability = item.availability("US");
    let sold = availability.terms.iter().any(|t| {
        product
            .term_duration
            .as_ref()
            .is_none_or(|d| t.duration.as_ref() == Some(d))
            && product
                .billing_cycle
                .as_ref()
                .is_none_or(|c| t.billing_cycle.as_ref() == Some(c))
    });
    if !sold {
        return err(
            400,
            "800002",
            "The term and billing cycle are not offered for this product.",
        );
    }
    Ok(())
}

/// A new NCE subscription as the service creates it at purchase (`now`).
pub(crate) fn new_subscription(
    customer: &CustomerId,
    id: SubscriptionId,
    item: &CatalogItem,
    line: &CartLineItem,
    term: &str,
    order: &OrderId,
    now: OffsetDateTime,
) -> Subscription {
    let microsoft = Subscription {
        offer_id: Some(item.catalog_item_id()),
        offer_name: Some(item.title.to_owned()),
        friendly_name: Some(
            line.friendly_name
                .clone()
                .unwrap_or_else(|| item.title.to_owned()),
        ),
        product_type: Some(catalog::nce()),
        quantity: line.quantity,
        unit_type: Some("Licenses".into()),
        creation_date: Some(WireTime(now)),
        effective_start_date: Some(WireTime(now)),
        commitment_end_date: Some(WireTime(now + term_length(term))),
        cancellation_allowed_until_date: Some(WireTime(now + CHANGE_WINDOW)),
        status: Some(SubscriptionStatus::Active),
        auto_renew_enabled: Some(true),
        billing_type: Some(BillingType::License),
        billing_cycle: Some(line.billing_cycle.clone().unwrap_or(BillingCycle::Monthly)),
        term_duration: Some(term.to_owned()),
        renewal_term_duration: Some(String::new()),
        is_trial: Some(false),
        is_microsoft_product: Some(true),
        publisher_name: Some("Microsoft Corporation".into()),
        partner_id: Some(String::new()),
        contract_type: Some("subscription".into()),
        refund_options: vec![RefundOption {
            kind: Some("Full".into()),
            expires_at: Some(WireTime(now + CHANGE_WINDOW)),
            expires_after: None,
        }],
        actions: vec!["edit".into(), "cancel".into()],
        order_id: Some(order.clone()),
        links: Some(Links {
            self_link: Some(Link::get(format!(
                "/customers/{customer}/subscriptions/{id}"
            ))),
            other: [(
                "product".to_owned(),
                Link::get(format!("/products/{}?country=US", item.product_id)),
            )]
            .into(),
            ..Links::default()
        }),
        attributes: Some(Attributes {
            object_type: Some("Subscription".into()),
            etag: Some(new_etag()),
        }),
        id,
        ..Subscription::default()
    };
    if !item.is_marketplace() {
        return microsoft;
    }
    // A marketplace offer as the documented examples show it: no product type, set up on the
    // publisher's site before it is active, an empty ETag, the refund window of the example.
    let sub_id = microsoft.id.clone();
    let mut links = microsoft.links.clone().unwrap_or_default();
    links.other.insert(
        "activationLinks".to_owned(),
        Link::get(format!(
            "/customers/{customer}/subscriptions/{sub_id}/activationlinks"
        )),
    );
    Subscription {
        product_type: None,
        unit_type: Some("License(s)".into()),
        status: Some(SubscriptionStatus::Pending),
        cancellation_allowed_until_date: None,
        is_microsoft_product: Some(false),
        publisher_name: Some(item.publisher.to_owned()),
        refund_options: vec![RefundOption {
            kind: Some("Full".into()),
            expires_at: Some(WireTime(now + MARKETPLACE_WINDOW)),
            expires_after: None,
        }],
        actions: Vec::new(),
        links: Some(links),
        attributes: Some(Attributes {
            object_type: Some("Subscription".into()),
            etag: Some(String::new()),
        }),
        ..microsoft
    }
}

pub(super) fn new_subscription_id() -> SubscriptionId {
    SubscriptionId::new(Uuid::new_v4().to_string().to_uppercase())
}

pub(super) fn sub_missing() -> EmuError {
    not_found("20003", "Subscription not found.")
}
