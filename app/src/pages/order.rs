//! Add subscription: order from the curated catalog for one customer, once the customer's
//! acceptance of the Microsoft Customer Agreement is recorded (a reseller or the service
//! provider confirms it for the customer). The order form carries an id of its own, so a double
//! click or a retry after a lost answer is one order.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use super::subscriptions::capitalised;
use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::orders::{order_page, OrderPageData, PlaceOrder, RecordAgreement},
    urls::href,
};

#[component]
pub fn Order() -> impl IntoView {
    let query = use_query_map();
    let customer = move || query.with(|q| q.get("customer").unwrap_or_default());
    let record = ServerAction::<RecordAgreement>::new();
    let place = ServerAction::<PlaceOrder>::new();
    // The page (and with it the form's id) is read again only after an order was placed: a
    // form that failed or lost its answer is sent again as the same order.
    let placed = RwSignal::new(0u32);
    Effect::new(move || {
        if let Some(Ok(_)) = place.value().get() {
            placed.update(|n| *n += 1);
        }
    });
    let data = Resource::new(
        move || (customer(), record.version().get(), placed.get()),
        |(customer, _, _)| order_page(customer),
    );
    let recorded = move || {
        record.value().get().map(|r| match r {
            Ok(words) => {
                view! { <div class="alert alert-info" role="status">{words}</div> }.into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    let ordered = move || {
        place.value().get().map(|r| match r {
            Ok(p) => {
                let link = href(
                    "/subscription",
                    &[("customer", &Some(p.customer_id.clone())), ("id", &Some(p.subscription_id.clone()))],
                );
                let again = p.earlier.then_some(" (this form had placed it already)");
                view! {
                    <div class="alert alert-info" role="status">
                        {format!("{}.", p.words)} {again} " "
                        {(!p.subscription_id.is_empty()).then(|| view! { <a href=link>"Open the subscription"</a> })}
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
        })
    };
    view! {
        <PageHeader title="Add subscription" subtitle="Order from the catalog your service provider offers." />
        <p><a href="/subscriptions?read=0">"← All subscriptions"</a></p>
        {recorded}
        {ordered}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|p| page(p, record, place)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn page(
    p: OrderPageData,
    record: ServerAction<RecordAgreement>,
    place: ServerAction<PlaceOrder>,
) -> impl IntoView {
    if p.customer_id.is_empty() {
        return view! { <p class="muted">"You have no customers to order for."</p> }.into_any();
    }
    let chooser = (p.customers.len() > 1).then(|| {
        let current = p.customer_id.clone();
        view! {
            <form method="get" class="filters" aria-label="Customer">
                <div class="field">
                    <label for="order-customer">"Customer"</label>
                    <select class="select" id="order-customer" name="customer">
                        {p.customers.iter().map(|(id, name)| view! {
                            <option value=id.clone() selected=*id == current>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button-secondary">"Show"</button>
            </form>
        }
    });
    let agreed = p.agreement.is_some();
    view! {
        {chooser}
        {agreement_card(&p, record)}
        {order_card(&p, place, agreed)}
        {recent_orders(&p)}
    }
    .into_any()
}

fn agreement_card(p: &OrderPageData, record: ServerAction<RecordAgreement>) -> impl IntoView {
    let body = match &p.agreement {
        Some(a) => view! {
            <p>
                {format!(
                    "{} accepted the Microsoft Customer Agreement on {} ({}). Recorded by {}.",
                    a.name, a.agreed_on, a.email, a.recorded_by
                )}
            </p>
        }
        .into_any(),
        None if !p.may_order => view! {
            <p class="muted">"Not recorded yet. Someone who may order records it here."</p>
        }
        .into_any(),
        None => {
            let (today, customer, customer_id) =
                (p.today.clone(), p.customer.clone(), p.customer_id.clone());
            view! {
                <p>
                    "Ordering waits until "{customer}"'s acceptance of the "
                    <a href="https://aka.ms/customeragreement" rel="noopener">"Microsoft Customer Agreement"</a>
                    " is recorded. Enter the person at the customer who accepted it; it is sent to Partner Center and kept here."
                </p>
                <ActionForm action=record attr:class="form-grid">
                    <input type="hidden" name="customer" value=customer_id />
                    <div class="field">
                        <label for="agreement-first">"First name"</label>
                        <input class="input" id="agreement-first" name="first_name" required maxlength="64" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-last">"Last name"</label>
                        <input class="input" id="agreement-last" name="last_name" required maxlength="64" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-email">"E-mail"</label>
                        <input class="input" id="agreement-email" name="email" type="email" required maxlength="254" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-phone">"Phone (optional)"</label>
                        <input class="input" id="agreement-phone" name="phone" type="tel" maxlength="30" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-date">"Accepted on"</label>
                        <input class="input" id="agreement-date" name="agreed_on" type="date" required value=today />
                    </div>
                    <label class="choice">
                        <input type="checkbox" name="confirmed" required />
                        " The customer accepted the Microsoft Customer Agreement"
                    </label>
                    <button type="submit" class="button button-primary" disabled=move || record.pending().get()>
                        "Record acceptance"
                    </button>
                </ActionForm>
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="agreement-title">
            <h2 class="card-title" id="agreement-title">"Microsoft Customer Agreement"</h2>
            {body}
        </section>
    }
}

fn order_card(p: &OrderPageData, place: ServerAction<PlaceOrder>, agreed: bool) -> impl IntoView {
    let existing = (!p.existing.is_empty()).then(|| {
        let links = p
            .existing
            .iter()
            .map(|(title, id)| {
                let href = format!("/subscription?customer={}&id={id}", p.customer_id);
                view! { <li><a href=href>{title.clone()}</a></li> }
            })
            .collect_view();
        view! {
            <div class="existing-subscriptions">
                <p class="muted small">
                    {format!("{} has these already; more licenses are added on the subscription's page:", p.customer)}
                </p>
                <ul class="plain-list">{links}</ul>
            </div>
        }
    });
    let body = if p.choices.is_empty() && !p.existing.is_empty() {
        view! { <p class="muted">"Nothing else is on offer."</p> }.into_any()
    } else if p.choices.is_empty() {
        view! {
            <p class="muted">
                "Nothing can be ordered yet: the service provider chooses the products on offer on the Catalog page."
            </p>
        }
        .into_any()
    } else if !p.may_order {
        view! { <p class="muted">"Your role can look but not order."</p> }.into_any()
    } else {
        let (form_id, customer_id) = (p.form_id.clone(), p.customer_id.clone());
        let options = p
            .choices
            .iter()
            .map(|c| view! { <option value=c.value.clone()>{c.label.clone()}</option> })
            .collect_view();
        let partner = if p.partner.is_empty() {
            "No indirect reseller is named on this order.".to_owned()
        } else {
            format!("Partner on record: {}.", p.partner)
        };
        view! {
            <ActionForm action=place attr:class="form-grid">
                <input type="hidden" name="form_id" value=form_id />
                <input type="hidden" name="customer" value=customer_id />
                <div class="field field-wide">
                    <label for="order-item">"Product, term and billing"</label>
                    <select class="select" id="order-item" name="item" required>
                        {options}
                    </select>
                </div>
                <div class="field">
                    <label for="order-quantity">"Quantity"</label>
                    <input class="input" id="order-quantity" name="quantity" type="number" min="1" max="100000" value="1" required />
                </div>
                <div class="field">
                    <label for="order-name">"Name (optional)"</label>
                    <input class="input" id="order-name" name="friendly_name" maxlength="64" autocomplete="off" />
                </div>
                <p class="muted small field-wide">
                    {partner}
                    " New commerce: a decrease or cancellation is possible only within 7 days of the purchase."
                </p>
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || !agreed || place.pending().get()
                >
                    {move || if place.pending().get() { "Placing the order…" } else { "Place order" }}
                </button>
                {(!agreed).then(|| view! {
                    <p class="muted small">"Record the customer's acceptance above to order."</p>
                })}
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="order-title">
            <h2 class="card-title" id="order-title">{format!("Order for {}", p.customer)}</h2>
            {body}
            {existing}
        </section>
    }
}

fn recent_orders(p: &OrderPageData) -> impl IntoView {
    (!p.recent.is_empty()).then(|| {
        let customer = p.customer_id.clone();
        view! {
            <section class="card card-flush card-scroll" aria-labelledby="recent-title">
                <h2 class="card-title card-title-padded" id="recent-title">"Recent orders"</h2>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">"Order"</th>
                            <th scope="col">"Status"</th>
                            <th scope="col">"Placed"</th>
                        </tr>
                    </thead>
                    <tbody>
                        {p.recent.iter().map(|o| {
                            let badge = match o.status.as_str() {
                                "placed" => "badge badge-success",
                                "failed" => "badge badge-danger",
                                _ => "badge badge-warning",
                            };
                            let link = (!o.subscription_id.is_empty()).then(|| {
                                let to = href("/subscription", &[("customer", &Some(customer.clone())), ("id", &Some(o.subscription_id.clone()))]);
                                view! { <a href=to>"Subscription"</a> }
                            });
                            view! {
                                <tr>
                                    <td>
                                        {o.what.clone()}
                                        {(!o.friendly_name.is_empty()).then(|| view! { <div class="muted small">{o.friendly_name.clone()}</div> })}
                                    </td>
                                    <td>
                                        <span class=badge>{capitalised(&o.status)}</span>
                                        " " {link}
                                        {(!o.message.is_empty()).then(|| view! { <div class="muted small">{o.message.clone()}</div> })}
                                    </td>
                                    <td class="nowrap">{o.placed_at.clone()}<div class="muted small">{o.placed_by.clone()}</div></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </section>
        }
    })
}
