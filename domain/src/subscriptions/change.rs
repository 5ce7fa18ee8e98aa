//! A change of one subscription, planned against what Partner Center just answered: the
//! resource to send back (Partner Center takes the whole subscription), whether it applies now
//! or at renewal, and the words for the person and the audit log. New commerce rules are
//! applied here before they bite: a decrease or a cancellation is possible only within the
//! cancellation window (7 days after purchase or renewal); after it, a decrease becomes a change
//! scheduled for renewal and a cancellation is refused with the way out (auto-renew off).

use partner_center::wire::{
    BillingCycle, NextTermProduct, ScheduledNextTermInstructions, Subscription, SubscriptionStatus,
};

use super::{cycle_words, term_words};

/// What a person asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    Quantity(i64),
    /// This many licenses more than it has now (auto-increase).
    Add(i64),
    Suspend,
    Reactivate,
    FriendlyName(String),
    AutoRenew(bool),
    Cancel,
    /// Drop the change scheduled for renewal.
    Unschedule,
    /// The indirect reseller's Partner ID (MPN ID) on record; empty removes it.
    PartnerId(String),
    /// Renew with another term, billing cycle or quantity (new commerce, auto-renew on).
    NextTerm {
        /// `P1M`, `P1Y` or `P3Y`.
        term: String,
        /// `monthly`, `annual` or `triennial`.
        cycle: String,
        quantity: i64,
    },
}

/// A change ready to send.
#[derive(Debug, Clone, PartialEq)]
pub struct Plan {
    pub patched: Subscription,
    /// It takes effect at renewal (a scheduled change), not now.
    pub at_renewal: bool,
    /// What was done, for the person and the audit log.
    pub words: String,
}

/// Why a change cannot be made; the message says what to do instead.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub struct Refused(pub String);

/// Plans `change` of `current` at `now` (unix milliseconds).
pub fn plan(current: &Subscription, change: &Change, now: i64) -> Result<Plan, Refused> {
    let refuse = |m: String| Err(Refused(m));
    let status = current.status.clone().unwrap_or(SubscriptionStatus::Active);
    if matches!(
        status,
        SubscriptionStatus::Deleted | SubscriptionStatus::Expired
    ) {
        return refuse("This subscription has ended and cannot be changed.".into());
    }
    let name = current.offer_name.as_deref().unwrap_or("the subscription");
    let marketplace = is_marketplace(current);
    if marketplace {
        if status == SubscriptionStatus::Pending {
            return refuse(
                "The set-up on the publisher's site is not finished yet; the subscription can be \
                 changed once it is."
                    .into(),
            );
        }
        if matches!(
            change,
            Change::Suspend | Change::Reactivate | Change::NextTerm { .. } | Change::Unschedule
        ) {
            return refuse(
                "Marketplace subscriptions cannot be suspended or renewed with other terms; \
                 change the quantity, the name, auto-renew or cancel within the window."
                    .into(),
            );
        }
    }
    let mut patched = current.clone();
    let now_or_renewal = |words: String| (false, words);
    let (at_renewal, words) = match change {
        Change::Add(n) => {
            let wanted = current.quantity.saturating_add(*n);
            if *n < 1 || wanted > 100_000 {
                return refuse(format!(
                    "{name} cannot grow by {n}: a subscription holds at most 100000 licenses."
                ));
            }
            if status == SubscriptionStatus::Suspended {
                return refuse(format!(
                    "{name} is suspended: reactivate it before it can grow."
                ));
            }
            patched.quantity = wanted;
            now_or_renewal(format!("{name}: quantity {} → {wanted}", current.quantity))
        }
        Change::Quantity(q) => {
            let q = *q;
            if !(1..=100_000).contains(&q) {
                return refuse("Give a quantity from 1 to 100000.".into());
            }
            if q == current.quantity {
                return refuse(format!("The quantity is already {q}."));
            }
            if status == SubscriptionStatus::Suspended {
                return refuse("Reactivate the subscription before changing its quantity.".into());
            }
            if q < current.quantity && current.is_nce() && !in_window(current, now) {
                schedule_quantity(&mut patched, current, q)?;
                (
                    true,
                    format!(
                        "{name}: quantity {} → {q} at renewal{}",
                        current.quantity,
                        renewal_date(current)
                    ),
                )
            } else {
                patched.quantity = q;
                now_or_renewal(format!("{name}: quantity {} → {q}", current.quantity))
            }
        }
        Change::Suspend => {
            if status == SubscriptionStatus::Suspended {
                return refuse("The subscription is already suspended.".into());
            }
            patched.status = Some(SubscriptionStatus::Suspended);
            now_or_renewal(format!("{name}: suspended"))
        }
        Change::Reactivate => {
            if status != SubscriptionStatus::Suspended {
                return refuse("The subscription is not suspended.".into());
            }
            patched.status = Some(SubscriptionStatus::Active);
            now_or_renewal(format!("{name}: reactivated"))
        }
        Change::FriendlyName(new) => {
            let new = new.trim();
            if new.is_empty() || new.chars().count() > 100 || new.chars().any(char::is_control) {
                return refuse("Give a name of 1 to 100 characters.".into());
            }
            patched.friendly_name = Some(new.to_owned());
            now_or_renewal(format!(
                "{name}: renamed {:?} → {new:?}",
                current.friendly_name.as_deref().unwrap_or_default()
            ))
        }
        Change::AutoRenew(on) => {
            if current.auto_renew_enabled == Some(*on) {
                return refuse(format!(
                    "Auto-renew is already {}.",
                    if *on { "on" } else { "off" }
                ));
            }
            patched.auto_renew_enabled = Some(*on);
            if !on {
                // A change scheduled for renewal needs a renewal.
                patched.scheduled_next_term_instructions = None;
            }
            now_or_renewal(format!(
                "{name}: auto-renew {}",
                if *on { "on" } else { "off" }
            ))
        }
        Change::Cancel => {
            if marketplace && !in_window(current, now) {
                return refuse(format!(
                    "This marketplace subscription's cancellation window has closed. Turn \
                     auto-renew off instead: it then ends{}.",
                    renewal_date(current)
                ));
            }
            if !in_window(current, now) {
                return refuse(format!(
                    "New commerce subscriptions can be cancelled only within 7 days of purchase or \
                     renewal. Turn auto-renew off instead: the subscription then ends{}.",
                    renewal_date(current)
                ));
            }
            patched.status = Some(SubscriptionStatus::Deleted);
            patched.auto_renew_enabled = Some(false);
            now_or_renewal(format!("{name}: cancelled"))
        }
        Change::PartnerId(new) => {
            let new = new.trim();
            if !new.is_empty() && (new.len() > 10 || !new.chars().all(|c| c.is_ascii_digit())) {
                return refuse(
                    "Give the reseller's Partner ID (its Microsoft Partner ID, up to 10 digits), \
                     or leave it empty to remove it."
                        .into(),
                );
            }
            let old = current.partner_id.as_deref().unwrap_or_default();
            if new == old {
                return refuse(if new.is_empty() {
                    "No reseller Partner ID is on record.".into()
                } else {
                    format!("The reseller Partner ID is already {new}.")
                });
            }
            patched.partner_id = Some(new.to_owned());
            let shown = |id: &str| {
                if id.is_empty() {
                    "none".to_owned()
                } else {
                    id.to_owned()
                }
            };
            now_or_renewal(format!(
                "{name}: reseller Partner ID {} → {}",
                shown(old),
                shown(new)
            ))
        }
        Change::NextTerm {
            term,
            cycle,
            quantity,
        } => {
            if !current.is_nce() {
                return refuse(
                    "Only new commerce subscriptions renew with another term or billing cycle."
                        .into(),
                );
            }
            if !matches!(term.as_str(), "P1M" | "P1Y" | "P3Y") {
                return refuse("Choose a term of 1 month, 1 year or 3 years.".into());
            }
            let cycle = BillingCycle::parse(cycle);
            if !matches!(
                cycle,
                BillingCycle::Monthly | BillingCycle::Annual | BillingCycle::Triennial
            ) {
                return refuse("Choose monthly, annual or triennial billing.".into());
            }
            if !(1..=100_000).contains(quantity) {
                return refuse("Give a quantity from 1 to 100000.".into());
            }
            if current.auto_renew_enabled != Some(true) {
                return refuse(
                    "A change at renewal needs a renewal: turn auto-renew on first.".into(),
                );
            }
            let unchanged = current.term_duration.as_deref() == Some(term.as_str())
                && current.billing_cycle.as_ref() == Some(&cycle)
                && current.quantity == *quantity;
            if unchanged && current.scheduled_next_term_instructions.is_none() {
                return refuse(
                    "It already renews with this term, billing cycle and quantity.".into(),
                );
            }
            patched.scheduled_next_term_instructions = Some(ScheduledNextTermInstructions {
                product: Some(NextTermProduct {
                    billing_cycle: Some(cycle.clone()),
                    term_duration: Some(term.clone()),
                    ..same_product(current)
                }),
                quantity: Some(*quantity),
                custom_term_end_date: None,
            });
            (
                true,
                format!(
                    "{name}: at renewal{}: {quantity} licenses, a {} term, billed {}",
                    renewal_date(current),
                    term_words(term),
                    cycle_words(cycle.as_str())
                ),
            )
        }
        Change::Unschedule => {
            if current.scheduled_next_term_instructions.is_none() {
                return refuse("No change is scheduled for renewal.".into());
            }
            patched.scheduled_next_term_instructions = None;
            now_or_renewal(format!(
                "{name}: the change scheduled for renewal was removed"
            ))
        }
    };
    Ok(Plan {
        patched,
        at_renewal,
        words,
    })
}

/// Whether a decrease or cancellation is allowed now: legacy subscriptions always, new commerce
/// and marketplace ones until their cancellation window closes.
pub fn in_window(s: &Subscription, now: i64) -> bool {
    if !s.is_nce() && !is_marketplace(s) {
        return true;
    }
    cancel_until(s).is_some_and(|until| until >= now)
}

/// A third-party (marketplace SaaS) subscription rather than a Microsoft product.
pub fn is_marketplace(s: &Subscription) -> bool {
    s.is_microsoft_product == Some(false)
}

/// Until when (unix milliseconds) it can be cancelled: Partner Center's date, else the end of
/// its full refund (marketplace subscriptions give only that).
pub fn cancel_until(s: &Subscription) -> Option<i64> {
    let full_refund = || {
        s.refund_options
            .iter()
            .filter(|r| r.kind.as_deref() == Some("Full"))
            .filter_map(|r| r.expires_at)
            .max()
    };
    s.cancellation_allowed_until_date
        .or_else(full_refund)
        .map(|until| crate::time::to_millis(until.0))
}

/// The decrease as the next term's instructions: the same product, SKU, term and billing.
fn schedule_quantity(
    patched: &mut Subscription,
    current: &Subscription,
    q: i64,
) -> Result<(), Refused> {
    if current.auto_renew_enabled != Some(true) {
        return Err(Refused(
            "A decrease after the first 7 days is made at renewal, and this subscription does not \
             renew: turn auto-renew on first."
                .into(),
        ));
    }
    let existing = current
        .scheduled_next_term_instructions
        .clone()
        .unwrap_or_default();
    patched.scheduled_next_term_instructions = Some(ScheduledNextTermInstructions {
        product: existing.product.or_else(|| Some(same_product(current))),
        quantity: Some(q),
        custom_term_end_date: existing.custom_term_end_date,
    });
    Ok(())
}

/// The subscription's own product, SKU, availability, term and billing, as next-term
/// instructions name them.
fn same_product(current: &Subscription) -> NextTermProduct {
    let mut parts = current.offer_id.as_deref().unwrap_or_default().split(':');
    let (product, sku, availability) = (parts.next(), parts.next(), parts.next());
    NextTermProduct {
        product_id: product.map(partner_center::ProductId::new),
        sku_id: sku.map(str::to_owned),
        availability_id: availability.map(str::to_owned),
        billing_cycle: current.billing_cycle.clone(),
        term_duration: current.term_duration.clone(),
    }
}

/// " on 2027-10-23" (when the term ends), or nothing when Partner Center gave no date.
fn renewal_date(s: &Subscription) -> String {
    s.commitment_end_date
        .as_ref()
        .map(|d| {
            let term = s
                .term_duration
                .as_deref()
                .map(term_words)
                .unwrap_or_default();
            let date = crate::time::format_utc_datetime(crate::time::to_millis(d.0));
            let mut text = format!(" on {}", &date[..10]);
            if !term.is_empty() {
                text.push_str(&format!(" (end of the {term} term)"));
            }
            text
        })
        .unwrap_or_default()
}

/// Whether Partner Center's subscription shows `plan` applied (after an answer was lost).
pub fn shows(after: &Subscription, plan: &Plan) -> bool {
    after.quantity == plan.patched.quantity
        && after.status == plan.patched.status
        && after.friendly_name == plan.patched.friendly_name
        && after.auto_renew_enabled == plan.patched.auto_renew_enabled
        && after.partner_id.as_deref().unwrap_or_default()
            == plan.patched.partner_id.as_deref().unwrap_or_default()
        && next_term_of(after) == next_term_of(&plan.patched)
}

/// What a subscription renews with when a change is scheduled: quantity, term, billing.
fn next_term_of(s: &Subscription) -> Option<(Option<i64>, Option<String>, Option<BillingCycle>)> {
    s.scheduled_next_term_instructions.as_ref().map(|next| {
        let product = next.product.clone().unwrap_or_default();
        (next.quantity, product.term_duration, product.billing_cycle)
    })
}

#[cfg(test)]
mod tests {
    use partner_center::wire::{ItemType, WireTime};

    use super::*;

    const DAY: i64 = 86_400_000;

    fn nce(start: i64) -> Subscription {
        let at = |ms: i64| Some(WireTime(crate::time::from_millis(ms)));
        Subscription {
            offer_id: Some("CFQ7TTC0LF8Q:0001:CFQ7TTC0K5BF".into()),
            offer_name: Some("Office 365 E3".into()),
            product_type: Some(ItemType {
                id: "OnlineServicesNCE".into(),
                ..Default::default()
            }),
            quantity: 10,
            status: Some(SubscriptionStatus::Active),
            auto_renew_enabled: Some(true),
            term_duration: Some("P1Y".into()),
            billing_cycle: Some(BillingCycle::Monthly),
            effective_start_date: at(start),
            cancellation_allowed_until_date: at(start + 7 * DAY),
            commitment_end_date: at(start + 365 * DAY),
            ..Default::default()
        }
    }

    #[test]
    fn a_decrease_inside_the_window_is_made_now_and_outside_it_at_renewal() {
        let s = nce(0);
        let now = plan(&s, &Change::Quantity(8), 3 * DAY).unwrap();
        assert!(!now.at_renewal);
        assert_eq!(now.patched.quantity, 8);
        let later = plan(&s, &Change::Quantity(8), 30 * DAY).unwrap();
        assert!(later.at_renewal);
        assert_eq!(later.patched.quantity, 10, "the seats stay until renewal");
        let next = later.patched.scheduled_next_term_instructions.unwrap();
        assert_eq!(next.quantity, Some(8));
        assert_eq!(next.product.unwrap().sku_id.as_deref(), Some("0001"));
        assert!(
            later.words.contains("at renewal on 1971-01-01"),
            "{}",
            later.words
        );
        // An increase is always now.
        assert!(
            !plan(&s, &Change::Quantity(12), 30 * DAY)
                .unwrap()
                .at_renewal
        );
    }

    #[test]
    fn cancelling_after_the_window_is_refused_with_the_way_out() {
        let s = nce(0);
        assert_eq!(
            plan(&s, &Change::Cancel, DAY).unwrap().patched.status,
            Some(SubscriptionStatus::Deleted)
        );
        let refused = plan(&s, &Change::Cancel, 8 * DAY).unwrap_err();
        assert!(refused.0.contains("Turn auto-renew off"), "{refused}");
    }

    #[test]
    fn the_next_term_and_the_partner_id_are_planned() {
        let s = nce(0);
        let next = Change::NextTerm {
            term: "P1Y".into(),
            cycle: "annual".into(),
            quantity: 12,
        };
        let planned = plan(&s, &next, 30 * DAY).unwrap();
        assert!(planned.at_renewal);
        assert_eq!(
            planned.patched.quantity, 10,
            "nothing changes before renewal"
        );
        let instructions = planned
            .patched
            .scheduled_next_term_instructions
            .clone()
            .unwrap();
        assert_eq!(instructions.quantity, Some(12));
        let product = instructions.product.unwrap();
        assert_eq!(product.billing_cycle, Some(BillingCycle::Annual));
        assert_eq!(product.term_duration.as_deref(), Some("P1Y"));
        assert_eq!(product.availability_id.as_deref(), Some("CFQ7TTC0K5BF"));
        assert!(
            planned.words.contains("billed annually"),
            "{}",
            planned.words
        );
        assert!(shows(&planned.patched, &planned));
        assert!(!shows(&s, &planned));

        let partner = plan(&s, &Change::PartnerId(" 4455667 ".into()), DAY).unwrap();
        assert_eq!(partner.patched.partner_id.as_deref(), Some("4455667"));
        assert!(
            partner.words.contains("none → 4455667"),
            "{}",
            partner.words
        );
        let removed = plan(&partner.patched, &Change::PartnerId(String::new()), DAY).unwrap();
        assert_eq!(removed.patched.partner_id.as_deref(), Some(""));
    }

    #[test]
    fn marketplace_subscriptions_follow_their_own_window() {
        let mut s = nce(0);
        s.product_type = None;
        s.is_microsoft_product = Some(false);
        s.cancellation_allowed_until_date = None;
        s.refund_options = vec![partner_center::wire::RefundOption {
            kind: Some("Full".into()),
            expires_at: Some(WireTime(crate::time::from_millis(DAY))),
            expires_after: None,
        }];
        s.status = Some(SubscriptionStatus::Pending);
        let e = plan(&s, &Change::Quantity(12), 0).unwrap_err();
        assert!(e.0.contains("publisher's site"), "{e}");
        s.status = Some(SubscriptionStatus::Active);
        assert!(in_window(&s, DAY / 2));
        assert!(plan(&s, &Change::Cancel, DAY / 2).is_ok());
        let e = plan(&s, &Change::Cancel, 2 * DAY).unwrap_err();
        assert!(e.0.contains("window has closed"), "{e}");
        // A decrease after the window applies at once (no scheduled changes for them).
        let down = plan(&s, &Change::Quantity(8), 30 * DAY).unwrap();
        assert!(!down.at_renewal);
        assert_eq!(down.patched.quantity, 8);
        assert!(plan(&s, &Change::Suspend, DAY / 2).is_err());
    }

    #[test]
    fn nonsense_is_refused_before_anything_is_sent() {
        let s = nce(0);
        for (change, says) in [
            (Change::Quantity(10), "already 10"),
            (Change::Quantity(0), "from 1 to"),
            (Change::Add(100_000), "at most 100000"),
            (Change::Reactivate, "not suspended"),
            (Change::FriendlyName(" ".into()), "1 to 100"),
            (Change::AutoRenew(true), "already on"),
            (Change::Unschedule, "No change is scheduled"),
            (Change::PartnerId("44-55".into()), "up to 10 digits"),
            (Change::PartnerId(String::new()), "No reseller Partner ID"),
            (
                Change::NextTerm {
                    term: "P2Y".into(),
                    cycle: "monthly".into(),
                    quantity: 10,
                },
                "1 month, 1 year or 3 years",
            ),
            (
                Change::NextTerm {
                    term: "P1Y".into(),
                    cycle: "weekly".into(),
                    quantity: 10,
                },
                "monthly, annual or triennial",
            ),
            (
                Change::NextTerm {
                    term: "P1Y".into(),
                    cycle: "monthly".into(),
                    quantity: 10,
                },
                "already renews",
            ),
        ] {
            let e = plan(&s, &change, DAY).unwrap_err();
            assert!(e.0.contains(says), "{change:?}: {e}");
        }
        let mut off = nce(0);
        off.auto_renew_enabled = Some(false);
        let e = plan(&off, &Change::Quantity(5), 30 * DAY).unwrap_err();
        assert!(e.0.contains("turn auto-renew on"), "{e}");
        // Turning auto-renew off drops a scheduled change (it would have nothing to apply to).
        let scheduled = plan(&s, &Change::Quantity(5), 30 * DAY).unwrap().patched;
        let dropped = plan(&scheduled, &Change::AutoRenew(false), 30 * DAY).unwrap();
        assert_eq!(dropped.patched.scheduled_next_term_instructions, None);
    }
}
