//! Add subscription: order from the curated catalog for one customer, once the customer's
//! acceptance of the Microsoft Customer Agreement is recorded (a reseller or the service
//! provider confirms it for the customer). The order form carries an id of its own, so a double
//! click or a retry after a lost answer is one order.

use crate::urls::use_query_map;
use leptos::prelude::*;

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
    let data = crate::page_data::load(
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
                let again = p.earlier.then_some(tr!(p_order.placed_already));
                view! {
                    <div class="alert alert-info" role="status">
                        {format!("{}.", p.words)} {again} " "
                        {(!p.subscription_id.is_empty()).then(|| view! { <a href=link>{tr!(p_order.open_the_subscription)}</a> })}
                    </div>
                }
                .into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
        })
    };
    view! {
        <PageHeader title=tr!(p_order.add_subscription) subtitle=tr!(p_order.order_from_the_catalog_your) />
        <p><a href="/subscriptions?read=0">{tr!(p_order.all_subscriptions)}</a></p>
        {recorded}
        {ordered}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_order.loading)}</p> }>
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
        return view! { <p class="muted">{tr!(p_order.you_have_no_customers_to)}</p> }.into_any();
    }
    let chooser = (p.customers.len() > 1).then(|| {
        let current = p.customer_id.clone();
        view! {
            <form method="get" class="filters" aria-label=tr!(p_order.customer)>
                <div class="field">
                    <label for="order-customer">{tr!(p_order.customer)}</label>
                    <select class="select" id="order-customer" name="customer">
                        {p.customers.iter().map(|(id, name)| view! {
                            <option value=id.clone() selected=*id == current>{name.clone()}</option>
                        }).collect_view()}
                    </select>
                </div>
                <button type="submit" class="button button-secondary">{tr!(p_order.show)}</button>
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
                {tr!(
                    p_order.accepted,
                    name = a.name.as_str(),
                    on = a.agreed_on.as_str(),
                    email = a.email.as_str(),
                    by = a.recorded_by.as_str()
                )
                .to_string()}
            </p>
        }
        .into_any(),
        None if !p.may_order => view! {
            <p class="muted">{tr!(p_order.not_recorded_yet_someone_who)}</p>
        }
        .into_any(),
        None => {
            let (today, customer, customer_id) =
                (p.today.clone(), p.customer.clone(), p.customer_id.clone());
            view! {
                <p>
                    {tr!(p_order.waits_until, customer = customer.as_str()).to_string()}
                    <a href="https://aka.ms/customeragreement" rel="noopener">{tr!(p_order.microsoft_customer_agreement)}</a>
                    {tr!(p_order.is_recorded_enter_the_person)}
                </p>
                <ActionForm action=record attr:class="form-grid">
                    <input type="hidden" name="customer" value=customer_id />
                    <div class="field">
                        <label for="agreement-first">{tr!(p_order.first_name)}</label>
                        <input class="input" id="agreement-first" name="first_name" required maxlength="64" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-last">{tr!(p_order.last_name)}</label>
                        <input class="input" id="agreement-last" name="last_name" required maxlength="64" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-email">{tr!(p_order.e_mail)}</label>
                        <input class="input" id="agreement-email" name="email" type="email" required maxlength="254" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-phone">{tr!(p_order.phone_optional)}</label>
                        <input class="input" id="agreement-phone" name="phone" type="tel" maxlength="30" autocomplete="off" />
                    </div>
                    <div class="field">
                        <label for="agreement-date">{tr!(p_order.accepted_on)}</label>
                        <input class="input" id="agreement-date" name="agreed_on" type="date" required value=today />
                    </div>
                    <label class="choice">
                        <input type="checkbox" name="confirmed" required />
                        {tr!(p_order.the_customer_accepted_the_microsoft)}
                    </label>
                    <button type="submit" class="button button-primary" disabled=move || record.pending().get()>
                        {tr!(p_order.record_acceptance)}
                    </button>
                </ActionForm>
            }
            .into_any()
        }
    };
    view! {
        <section class="card" aria-labelledby="agreement-title">
            <h2 class="card-title" id="agreement-title">{tr!(p_order.microsoft_customer_agreement)}</h2>
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
                    {tr!(p_order.has_these, customer = p.customer.as_str()).to_string()}
                </p>
                <ul class="plain-list">{links}</ul>
            </div>
        }
    });
    let body = if p.choices.is_empty() && !p.existing.is_empty() {
        view! { <p class="muted">{tr!(p_order.nothing_else_is_on_offer)}</p> }.into_any()
    } else if p.choices.is_empty() {
        view! {
            <p class="muted">
                {tr!(p_order.nothing_can_be_ordered_yet)}
            </p>
        }
        .into_any()
    } else if !p.may_order {
        view! { <p class="muted">{tr!(p_order.your_role_can_look_but)}</p> }.into_any()
    } else {
        let (form_id, customer_id) = (p.form_id.clone(), p.customer_id.clone());
        let options = p
            .choices
            .iter()
            .map(|c| view! { <option value=c.value.clone()>{c.label.clone()}</option> })
            .collect_view();
        let partner = if p.partner.is_empty() {
            tr!(p_order.no_partner).to_owned()
        } else {
            tr!(p_order.partner, partner = p.partner.as_str()).to_string()
        };
        view! {
            <ActionForm action=place attr:class="form-grid">
                <input type="hidden" name="form_id" value=form_id />
                <input type="hidden" name="customer" value=customer_id />
                <div class="field field-wide">
                    <label for="order-item">{tr!(p_order.product_term_and_billing)}</label>
                    <select class="select" id="order-item" name="item" required>
                        {options}
                    </select>
                </div>
                <div class="field">
                    <label for="order-quantity">{tr!(p_order.quantity)}</label>
                    <input class="input" id="order-quantity" name="quantity" type="number" min="1" max="100000" value="1" required />
                </div>
                <div class="field">
                    <label for="order-name">{tr!(p_order.name_optional)}</label>
                    <input class="input" id="order-name" name="friendly_name" maxlength="64" autocomplete="off" />
                </div>
                <p class="muted small field-wide">
                    {partner}
                    {tr!(p_order.new_commerce_a_decrease_or)}
                </p>
                <button
                    type="submit"
                    class="button button-primary"
                    disabled=move || !agreed || place.pending().get()
                >
                    {move || if place.pending().get() { tr!(p_order.placing) } else { tr!(p_order.place) }}
                </button>
                {(!agreed).then(|| view! {
                    <p class="muted small">{tr!(p_order.record_the_customer_s_acceptance)}</p>
                })}
            </ActionForm>
        }
        .into_any()
    };
    view! {
        <section class="card" aria-labelledby="order-title">
            <h2 class="card-title" id="order-title">{tr!(p_order.order_for, customer = p.customer.as_str()).to_string()}</h2>
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
                <h2 class="card-title card-title-padded" id="recent-title">{tr!(p_order.recent_orders)}</h2>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{tr!(p_order.order)}</th>
                            <th scope="col">{tr!(p_order.status)}</th>
                            <th scope="col">{tr!(p_order.placed)}</th>
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
                                view! { <a href=to>{tr!(p_order.subscription)}</a> }
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
