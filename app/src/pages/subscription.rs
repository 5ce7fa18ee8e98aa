//! One subscription, read from Partner Center when the page opens: its facts, and for those who
//! may change it the quantity, name, reseller Partner ID, the term, billing cycle and quantity
//! it renews with, auto-renew, suspension and cancellation, each explained with the new
//! commerce rules before they bite (a decrease after the first 7 days of the term is scheduled
//! for renewal; a cancellation is possible only within them). A marketplace (ISV SaaS)
//! subscription whose set-up is pending says so, with the publisher's link to finish it.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

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
    let data = Resource::new(
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
        <PageHeader title="Subscription" subtitle="As Partner Center shows it now." />
        <p><a href="/subscriptions?read=0">"← All subscriptions"</a></p>
        {outcome}
        <Transition fallback=|| view! { <p class="muted">"Reading the subscription from Partner Center…"</p> }>
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
        ("", _) => "Not given".to_owned(),
        (end, true) => format!("Renews on {end}"),
        (end, false) => format!("Ends on {end} (auto-renew is off)"),
    };
    let status = if f.pending_setup {
        "Action needed".to_owned()
    } else {
        capitalised(&s.status)
    };
    let publisher = f
        .marketplace
        .then(|| view! { <dt>"Publisher"</dt><dd>{s.publisher.clone()}</dd> });
    let setup = f.pending_setup.then(|| {
        let link = (!f.publisher_link.is_empty()).then(|| {
            view! {
                " "
                <a href=f.publisher_link.clone() target="_blank" rel="noopener noreferrer">
                    "Finish the set-up on the publisher's site"
                </a>
            }
        });
        view! {
            <div class="alert alert-warning" role="status">
                <strong>"Action needed: "</strong>
                {format!(
                    "{} has not finished setting up {} for this customer; billing starts once it has.",
                    s.publisher, s.product
                )}
                {link}
            </div>
        }
    });
    let facts = view! {
        {setup}
        <section class="card" aria-labelledby="facts-title">
            <h2 class="card-title" id="facts-title">{s.product.clone()}</h2>
            <dl class="facts">
                <dt>"Customer"</dt><dd>{s.customer.clone()}</dd>
                <dt>"Name"</dt><dd>{s.friendly_name.clone()}</dd>
                <dt>"Quantity"</dt><dd>{s.quantity}</dd>
                <dt>"Status"</dt><dd>{status}</dd>
                {publisher}
                <dt>"Term"</dt><dd>{format!("{}, billed {}", s.term, billed(&s.billing))}</dd>
                <dt>"Started"</dt><dd>{s.start.clone()}</dd>
                <dt>"Commitment"</dt><dd>{ends}</dd>
                <dt>"At renewal"</dt><dd>{if s.next_term.is_empty() { "No change".to_owned() } else { s.next_term.clone() }}</dd>
                <dt>"Reseller Partner ID"</dt><dd>{if f.partner_id.is_empty() { "None".to_owned() } else { f.partner_id.clone() }}</dd>
                <dt>"Subscription id"</dt><dd class="mono">{s.id.clone()}</dd>
            </dl>
        </section>
    };
    let changes = match (f.may_change, f.pending_setup) {
        (false, _) => None,
        (true, true) => Some(
            view! {
                <p class="muted">"It can be changed once its set-up on the publisher's site is finished."</p>
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
    let every = format!("Every subscription of {}", f.item.customer);
    let customer_words = if customer_on { "on" } else { "off" };
    let choices = [
        (
            "",
            format!("As the customer's setting (now {customer_words})"),
        ),
        ("on", "On for this subscription".to_owned()),
        ("off", "Off for this subscription".to_owned()),
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
                <h2 class="card-title" id="grow-title">"Auto-increase on assignment"</h2>
                <p class="muted">"When a license is assigned and none is free, the subscription grows by exactly the number missing, then the license is assigned: one quantity change for the whole update, recorded in the history."</p>
                <ActionForm action=save attr:class="filters">
                    <input type="hidden" name="customer" value=customer />
                    <input type="hidden" name="subscription" value=id />
                    <div class="field">
                        <label for="grow-own">"This subscription"</label>
                        <select class="select select-wide" id="grow-own" name="value">{choices}</select>
                    </div>
                    <button type="submit" class="button button-secondary">"Save"</button>
                </ActionForm>
                <ActionForm action=save attr:class="filters">
                    <input type="hidden" name="customer" value=customer_too />
                    <div class="field">
                        <label for="grow-customer">{every}</label>
                        <select class="select select-wide" id="grow-customer" name="value">
                            <option value="on" selected=customer_on>"On"</option>
                            <option value="off" selected=!customer_on>"Off"</option>
                        </select>
                    </div>
                    <button type="submit" class="button button-secondary">"Save for the customer"</button>
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
            format!(
                "A marketplace offer: quantity changes apply at once; it can be cancelled until {}.",
                s.cancel_until
            )
        } else {
            "A marketplace offer: quantity changes apply at once; its cancellation window has \
             closed, but with auto-renew off it ends at the end of its term."
                .to_owned()
        }
    } else if !f.nce {
        "Increases and decreases apply at once.".to_owned()
    } else if f.in_window {
        format!(
            "Within the first 7 days of the term: a decrease or a cancellation applies at once, until {}.",
            s.cancel_until
        )
    } else {
        format!(
            "The first 7 days of the term have passed: an increase applies at once; a decrease is \
             scheduled for renewal{}; the subscription cannot be cancelled, but with auto-renew off \
             it ends then.",
            if s.commitment_end.is_empty() { String::new() } else { format!(" on {}", s.commitment_end) }
        )
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
                    <label for="partner-id">"Reseller Partner ID"</label>
                    <input class="input" id="partner-id" name="value" inputmode="numeric" pattern="[0-9]{0,10}" maxlength="10" placeholder="None" value=partner_id aria-describedby="partner-id-hint" />
                </div>
                <button type="submit" class="button button-secondary">"Save Partner ID"</button>
            </ActionForm>
            <p class="field-hint form-after" id="partner-id-hint">"The indirect reseller's Microsoft Partner ID (up to 10 digits); saving it empty removes it."</p>
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
            <h2 class="card-title" id="change-title">"Change"</h2>
            <p class="muted">{window_rule(f)}</p>
            <ActionForm action=change attr:class="filters">
                {hidden_q()}
                <input type="hidden" name="change" value="quantity" />
                <div class="field">
                    <label for="quantity">"Quantity"</label>
                    <input class="input" id="quantity" name="value" type="number" min="1" max="100000" required value=quantity />
                </div>
                <button type="submit" class="button button-primary">"Change quantity"</button>
            </ActionForm>
            <ActionForm action=change attr:class="filters">
                {hidden_n()}
                <input type="hidden" name="change" value="name" />
                <div class="field">
                    <label for="friendly-name">"Name"</label>
                    <input class="input" id="friendly-name" name="value" required maxlength="100" value=name />
                </div>
                <button type="submit" class="button button-secondary">"Rename"</button>
            </ActionForm>
            {partner}
            {renewal}
            <div class="row-actions">
                {if s.auto_renew {
                    button("Turn auto-renew off", "auto_renew", "off", "button button-secondary").into_any()
                } else {
                    button("Turn auto-renew on", "auto_renew", "on", "button button-secondary").into_any()
                }}
                {(!marketplace).then(|| if suspended {
                    button("Reactivate", "reactivate", "", "button button-secondary").into_any()
                } else {
                    button("Suspend", "suspend", "", "button button-secondary").into_any()
                })}
                {f.scheduled.then(|| button("Remove the change at renewal", "unschedule", "", "button button-secondary"))}
                {(f.in_window || !(f.nce || marketplace)).then(|| button("Cancel subscription", "cancel", "", "button button-danger"))}
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
            view! { <p class="muted">"Turn auto-renew on to renew with another term, billing cycle or quantity."</p> }
                .into_any(),
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
                    <label for="next-term">"Renew with"</label>
                    <select class="select" id="next-term" name="next">{options}</select>
                </div>
                <div class="field">
                    <label for="next-quantity">"Quantity at renewal"</label>
                    <input class="input" id="next-quantity" name="value" type="number" min="1" max="100000" required value=quantity />
                </div>
                <button type="submit" class="button button-secondary">"Schedule for renewal"</button>
            </ActionForm>
        }
        .into_any(),
    )
}
