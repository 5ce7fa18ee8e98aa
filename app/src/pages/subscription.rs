//! One subscription, read from Partner Center when the page opens: its facts, and for those who
//! may change it the quantity, name, reseller Partner ID, the term, billing cycle and quantity
//! it renews with, auto-renew, suspension and cancellation, each explained with the new
//! commerce rules before they bite (a decrease after the first 7 days of the term is scheduled
//! for renewal; a cancellation is possible only within them). A marketplace (ISV SaaS)
//! subscription whose set-up is pending says so, with the publisher's link to finish it.

use crate::urls::use_query_map;
use leptos::prelude::*;

use super::subscriptions::{billed, capitalised};
use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::subscriptions::{
        subscription_details, ChangeSubscription, SaveAutoIncrease, SubscriptionFacts,
    },
};

#[component]
pub fn Subscription() -> impl IntoView {
    let query = use_query_map();
    let key = move || {
        query.with(|q| {
            (
                q.get("customer").unwrap_or_default(),
                q.get("id").unwrap_or_default(),
            )
        })
    };
    let change = ServerAction::<ChangeSubscription>::new();
    let save = ServerAction::<SaveAutoIncrease>::new();
    let data = crate::page_data::load(
        move || (key(), change.version().get(), save.version().get()),
        |((customer, id), _, _)| subscription_details(customer, id),
    );
    // The newest answer of the two actions.
    let answer = RwSignal::new(None);
    Effect::new(move || {
        if let Some(v) = change.value().get() {
            answer.set(Some(v));
        }
    });
    Effect::new(move || {
        if let Some(v) = save.value().get() {
            answer.set(Some(v));
        }
    });
    let outcome = move || {
        answer.get().map(|r| match r {
            Ok(words) => {
                view! { <div class="alert alert-info" role="status">{words}</div> }.into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    view! {
        <PageHeader title=tr!(p_subscription.subscription) subtitle=tr!(p_subscription.as_partner_center_shows_it) />
        <p><a href="/subscriptions?read=0">{tr!(p_subscription.all_subscriptions)}</a></p>
        {outcome}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_subscription.reading_the_subscription_from_partner)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|f| details(f, change, save)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn details(
    f: SubscriptionFacts,
    change: ServerAction<ChangeSubscription>,
    save: ServerAction<SaveAutoIncrease>,
) -> impl IntoView {
    let s = &f.item;
    let ends = match (s.commitment_end.as_str(), s.auto_renew) {
        ("", _) => tr!(p_subscription.not_given).to_owned(),
        (end, true) => tr!(p_subscription.renews_on, end).to_string(),
        (end, false) => tr!(p_subscription.ends_on, end).to_string(),
    };
    let status = if f.pending_setup {
        tr!(p_subscription.action_needed_status).to_owned()
    } else {
        capitalised(&s.status)
    };
    let publisher = f
        .marketplace
        .then(|| view! { <dt>{tr!(p_subscription.publisher)}</dt><dd>{s.publisher.clone()}</dd> });
    let setup = f.pending_setup.then(|| {
        let link = (!f.publisher_link.is_empty()).then(|| {
            view! {
                " "
                <a href=f.publisher_link.clone() target="_blank" rel="noopener noreferrer">
                    {tr!(p_subscription.finish_the_set_up_on)}
                </a>
            }
        });
        view! {
            <div class="alert alert-warning" role="status">
                <strong>{tr!(p_subscription.action_needed)}</strong>
                {tr!(p_subscription.setup_pending, publisher = s.publisher.as_str(), product = s.product.as_str()).to_string()}
                {link}
            </div>
        }
    });
    let facts = view! {
        {setup}
        <section class="card" aria-labelledby="facts-title">
            <h2 class="card-title" id="facts-title">{s.product.clone()}</h2>
            <dl class="facts">
                <dt>{tr!(p_subscription.customer)}</dt><dd>{s.customer.clone()}</dd>
                <dt>{tr!(p_subscription.name)}</dt><dd>{s.friendly_name.clone()}</dd>
                <dt>{tr!(p_subscription.quantity)}</dt><dd>{s.quantity}</dd>
                <dt>{tr!(p_subscription.status)}</dt><dd>{status}</dd>
                {publisher}
                <dt>{tr!(p_subscription.term)}</dt><dd>{tr!(words.term_billed, term = s.term.as_str(), cycle = billed(&s.billing)).to_string()}</dd>
                <dt>{tr!(p_subscription.started)}</dt><dd>{s.start.clone()}</dd>
                <dt>{tr!(p_subscription.commitment)}</dt><dd>{ends}</dd>
                <dt>{tr!(p_subscription.at_renewal)}</dt><dd>{if s.next_term.is_empty() { tr!(p_subscription.no_change).to_owned() } else { s.next_term.clone() }}</dd>
                <dt>{tr!(p_subscription.reseller_partner_id)}</dt><dd>{if f.partner_id.is_empty() { tr!(p_subscription.none).to_owned() } else { f.partner_id.clone() }}</dd>
                <dt>{tr!(p_subscription.subscription_id)}</dt><dd class="mono">{s.id.clone()}</dd>
            </dl>
        </section>
    };
    let changes = match (f.may_change, f.pending_setup) {
        (false, _) => None,
        (true, true) => Some(
            view! {
                <p class="muted">{tr!(p_subscription.it_can_be_changed_once)}</p>
            }
            .into_any(),
        ),
        (true, false) => Some(change_forms(&f, change).into_any()),
    };
    let growth = auto_increase_form(&f, save);
    view! { {facts} {changes} {growth} }
}

/// Auto-increase on assignment, for the service provider's and the reseller's administrators:
/// this subscription's setting and the customer's.
fn auto_increase_form(
    f: &SubscriptionFacts,
    save: ServerAction<SaveAutoIncrease>,
) -> Option<AnyView> {
    let (customer_on, own) = f.auto_increase.clone()?;
    let (customer, id) = (f.item.customer_id.clone(), f.item.id.clone());
    let customer_too = customer.clone();
    let every = tr!(p_subscription.every, customer = f.item.customer.as_str()).to_string();
    let as_customer = if customer_on {
        tr!(p_subscription.as_customer_on)
    } else {
        tr!(p_subscription.as_customer_off)
    };
    let choices = [
        ("", as_customer.to_owned()),
        ("on", tr!(p_subscription.on_here).to_owned()),
        ("off", tr!(p_subscription.off_here).to_owned()),
    ]
    .into_iter()
    .map(|(value, label)| {
        let selected = own == value;
        view! { <option value=value selected=selected>{label}</option> }
    })
    .collect_view();
    Some(
        view! {
            <section class="card" aria-labelledby="grow-title">
                <h2 class="card-title" id="grow-title">{tr!(p_subscription.auto_increase_on_assignment)}</h2>
                <p class="muted">{tr!(p_subscription.when_a_license_is_assigned)}</p>
                <ActionForm action=save attr:class="filters">
                    <input type="hidden" name="customer" value=customer />
                    <input type="hidden" name="subscription" value=id />
                    <div class="field">
                        <label for="grow-own">{tr!(p_subscription.this_subscription)}</label>
                        <select class="select select-wide" id="grow-own" name="value">{choices}</select>
                    </div>
                    <button type="submit" class="button button-secondary">{tr!(p_subscription.save)}</button>
                </ActionForm>
                <ActionForm action=save attr:class="filters">
                    <input type="hidden" name="customer" value=customer_too />
                    <div class="field">
                        <label for="grow-customer">{every}</label>
                        <select class="select select-wide" id="grow-customer" name="value">
                            <option value="on" selected=customer_on>{tr!(p_subscription.on)}</option>
                            <option value="off" selected=!customer_on>{tr!(p_subscription.off)}</option>
                        </select>
                    </div>
                    <button type="submit" class="button button-secondary">{tr!(p_subscription.save_for_the_customer)}</button>
                </ActionForm>
            </section>
        }
        .into_any(),
    )
}

/// The rule that applies to a decrease or cancellation now, in words.
fn window_rule(f: &SubscriptionFacts) -> String {
    let s = &f.item;
    if f.marketplace {
        if f.in_window {
            tr!(p_subscription.market_window, end = s.cancel_until.as_str()).to_string()
        } else {
            tr!(p_subscription.market_closed).to_owned()
        }
    } else if !f.nce {
        tr!(p_subscription.at_once).to_owned()
    } else if f.in_window {
        tr!(p_subscription.in_window, end = s.cancel_until.as_str()).to_string()
    } else if s.commitment_end.is_empty() {
        tr!(p_subscription.after_window).to_owned()
    } else {
        tr!(
            p_subscription.after_window_on,
            end = s.commitment_end.as_str()
        )
        .to_string()
    }
}

fn change_forms(f: &SubscriptionFacts, change: ServerAction<ChangeSubscription>) -> impl IntoView {
    let s = &f.item;
    let hidden = {
        let (customer, id) = (s.customer_id.clone(), s.id.clone());
        move || {
            view! {
                <input type="hidden" name="customer" value=customer.clone() />
                <input type="hidden" name="id" value=id.clone() />
            }
            .into_any()
        }
    };
    let suspended = s.status == "suspended";
    let marketplace = f.marketplace;
    let (hidden_q, hidden_n) = (hidden.clone(), hidden.clone());
    let renewal = renewal_form(f, change, hidden.clone());
    let partner = f.may_set_partner.then(|| {
        let (hidden, partner_id) = (hidden.clone(), f.partner_id.clone());
        view! {
            <ActionForm action=change attr:class="filters">
                {hidden()}
                <input type="hidden" name="change" value="partner_id" />
                <div class="field">
                    <label for="partner-id">{tr!(p_subscription.reseller_partner_id)}</label>
                    <input class="input" id="partner-id" name="value" inputmode="numeric" pattern="[0-9]{0,10}" maxlength="10" placeholder=tr!(p_subscription.none) value=partner_id aria-describedby="partner-id-hint" />
                </div>
                <button type="submit" class="button button-secondary">{tr!(p_subscription.save_partner_id)}</button>
            </ActionForm>
            <p class="field-hint form-after" id="partner-id-hint">{tr!(p_subscription.the_indirect_reseller_s_microsoft)}</p>
        }
    });
    let button =
        move |label: &'static str, what: &'static str, value: &'static str, class: &'static str| {
            let hidden = hidden.clone();
            view! {
                <ActionForm action=change attr:class="inline-form">
                    {hidden()}
                    <input type="hidden" name="change" value=what />
                    <input type="hidden" name="value" value=value />
                    <button type="submit" class=class>{label}</button>
                </ActionForm>
            }
        };
    let (quantity, name) = (s.quantity.to_string(), s.friendly_name.clone());
    view! {
        <section class="card" aria-labelledby="change-title">
            <h2 class="card-title" id="change-title">{tr!(p_subscription.change)}</h2>
            <p class="muted">{window_rule(f)}</p>
            <ActionForm action=change attr:class="filters">
                {hidden_q()}
                <input type="hidden" name="change" value="quantity" />
                <div class="field">
                    <label for="quantity">{tr!(p_subscription.quantity)}</label>
                    <input class="input" id="quantity" name="value" type="number" min="1" max="100000" required value=quantity />
                </div>
                <button type="submit" class="button button-primary">{tr!(p_subscription.change_quantity)}</button>
            </ActionForm>
            <ActionForm action=change attr:class="filters">
                {hidden_n()}
                <input type="hidden" name="change" value="name" />
                <div class="field">
                    <label for="friendly-name">{tr!(p_subscription.name)}</label>
                    <input class="input" id="friendly-name" name="value" required maxlength="100" value=name />
                </div>
                <button type="submit" class="button button-secondary">{tr!(p_subscription.rename)}</button>
            </ActionForm>
            {partner}
            {renewal}
            <div class="row-actions">
                {if s.auto_renew {
                    button(tr!(p_subscription.auto_renew_off), "auto_renew", "off", "button button-secondary").into_any()
                } else {
                    button(tr!(p_subscription.auto_renew_on), "auto_renew", "on", "button button-secondary").into_any()
                }}
                {(!marketplace).then(|| if suspended {
                    button(tr!(p_subscription.reactivate), "reactivate", "", "button button-secondary").into_any()
                } else {
                    button(tr!(p_subscription.suspend), "suspend", "", "button button-secondary").into_any()
                })}
                {f.scheduled.then(|| button(tr!(p_subscription.unschedule), "unschedule", "", "button button-secondary"))}
                {(f.in_window || !(f.nce || marketplace)).then(|| button(tr!(p_subscription.cancel), "cancel", "", "button button-danger"))}
            </div>
        </section>
    }
}

/// Renewing with another term, billing cycle or quantity (new commerce, while it auto-renews).
fn renewal_form(
    f: &SubscriptionFacts,
    change: ServerAction<ChangeSubscription>,
    hidden: impl Fn() -> AnyView + Send + 'static,
) -> Option<AnyView> {
    if !f.nce || f.marketplace || f.next_terms.is_empty() {
        return None;
    }
    if !f.item.auto_renew {
        return Some(
            view! { <p class="muted">{tr!(p_subscription.turn_auto_renew_on_to)}</p> }.into_any(),
        );
    }
    let chosen = f.next_term.clone();
    let options = f
        .next_terms
        .iter()
        .map(|(value, label)| {
            let selected = *value == chosen;
            view! { <option value=value.clone() selected=selected>{label.clone()}</option> }
        })
        .collect_view();
    let quantity = f.next_quantity.to_string();
    Some(
        view! {
            <ActionForm action=change attr:class="filters">
                {hidden()}
                <input type="hidden" name="change" value="next_term" />
                <div class="field">
                    <label for="next-term">{tr!(p_subscription.renew_with)}</label>
                    <select class="select" id="next-term" name="next">{options}</select>
                </div>
                <div class="field">
                    <label for="next-quantity">{tr!(p_subscription.quantity_at_renewal)}</label>
                    <input class="input" id="next-quantity" name="value" type="number" min="1" max="100000" required value=quantity />
                </div>
                <button type="submit" class="button button-secondary">{tr!(p_subscription.schedule_for_renewal)}</button>
            </ActionForm>
        }
        .into_any(),
    )
}
