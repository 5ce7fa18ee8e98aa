//! The licenses table of one customer: a row per product with active, assigned, available and
//! suspended seats as Partner Center reports them, a bar of assigned against active, the SKU
//! and subscriptions behind each product, and the latest license changes. It reads Partner
//! Center again whenever a change on the page moved the counts.

use leptos::prelude::*;

use crate::{
    pages::users::dialogs::UserDialog,
    serverfns::users::licenses::{licenses, LicensesData},
};

#[component]
pub fn LicensesPanel(
    customer: String,
    /// Bumped by the page after each change.
    changes: RwSignal<u32>,
    dialog: RwSignal<Option<UserDialog>>,
) -> impl IntoView {
    let data = {
        let customer = customer.clone();
        crate::page_data::load(move || changes.get(), move |_| licenses(customer.clone()))
    };
    let can_change = crate::auth::use_me().is_some_and(|m| m.can_change);
    view! {
        <section class="card card-flush" aria-labelledby="licenses-title">
            <div class="card-heading">
                <h2 class="card-title" id="licenses-title">{tr!(licenses.title)}</h2>
                <Transition fallback=|| ()>
                    {move || data.get().and_then(Result::ok).filter(|_| can_change).map(|d| {
                        let (customer, domains) = (customer.clone(), d.domains.clone());
                        view! {
                            <button
                                type="button"
                                class="button button-primary button-small"
                                on:click=move |_| dialog.set(Some(UserDialog::Create {
                                    customer: customer.clone(),
                                    domains: domains.clone(),
                                }))
                            >
                                {tr!(licenses.create_user)}
                            </button>
                        }
                    })}
                </Transition>
            </div>
            <Transition fallback=|| view! { <p class="card-note muted">{tr!(licenses.reading)}</p> }>
                {move || data.get().map(|r| match r {
                    Ok(d) => licenses_table(d).into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                })}
            </Transition>
        </section>
    }
}

fn licenses_table(d: LicensesData) -> impl IntoView {
    let note = tr!(licenses.note, at = d.read_at.as_str()).to_string();
    let changes = d.changes;
    let customer_id = d.customer_id.clone();
    view! {
        <table class="table" aria-label=tr!(licenses.table_label, customer = d.customer.as_str()).to_string()>
            <thead>
                <tr>
                    <th scope="col">{tr!(licenses.product)}</th>
                    <th scope="col" class="numeric">{tr!(licenses.active)}</th>
                    <th scope="col" class="numeric">{tr!(licenses.assigned)}</th>
                    <th scope="col" class="numeric">{tr!(licenses.available)}</th>
                    <th scope="col" class="numeric">{tr!(licenses.suspended)}</th>
                </tr>
            </thead>
            <tbody>
                {d.products.into_iter().map(|p| {
                    let bar_label = tr!(licenses.bar, assigned = p.assigned, active = p.active).to_string();
                    view! {
                        <tr>
                            <td>
                                <details class="info">
                                    <summary aria-label=tr!(licenses.details, name = p.name.as_str()).to_string()>{p.name.clone()}</summary>
                                    <dl class="facts sku-facts">
                                        <dt>{tr!(licenses.sku_id)}</dt>
                                        <dd class="mono">{p.sku_id.clone()}</dd>
                                        <dt>{tr!(licenses.subscription_ids)}</dt>
                                        <dd class="mono">
                                            {if p.subscriptions.is_empty() {
                                                tr!(licenses.none_found).into_any()
                                            } else {
                                                subscription_links(&customer_id, &p.subscriptions).into_any()
                                            }}
                                        </dd>
                                        <dt>{tr!(licenses.plans)}</dt>
                                        <dd>{if p.plans.is_empty() { tr!(licenses.none_listed).to_owned() } else { p.plans.join(", ") }}</dd>
                                    </dl>
                                </details>
                                {(p.users_with_plans_off > 0).then(|| view! {
                                    <div class="muted small">{plans_off_note(p.users_with_plans_off)}</div>
                                })}
                            </td>
                            <td class="numeric">{p.active}</td>
                            <td class="numeric">
                                {p.assigned}
                                <meter class="usage" min="0" max=p.active.max(1) value=p.assigned aria-label=bar_label.clone() title=bar_label></meter>
                            </td>
                            <td class="numeric">{p.available}</td>
                            <td class="numeric">{p.suspended}</td>
                        </tr>
                    }
                }).collect_view()}
            </tbody>
        </table>
        <p class="table-footnote muted">{note}</p>
        {(!changes.is_empty()).then(|| view! {
            <details class="card-note">
                <summary>{tr!(licenses.recent)}</summary>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{tr!(licenses.when)}</th>
                            <th scope="col">{tr!(licenses.user)}</th>
                            <th scope="col">{tr!(licenses.product_col)}</th>
                            <th scope="col">{tr!(licenses.subscription)}</th>
                            <th scope="col" class="numeric">{tr!(licenses.change)}</th>
                            <th scope="col">{tr!(licenses.why)}</th>
                            <th scope="col">{tr!(licenses.by)}</th>
                        </tr>
                    </thead>
                    <tbody>
                        {changes.into_iter().map(|c| view! {
                            <tr>
                                <td class="nowrap">{c.at}</td>
                                <td>{c.user_name}</td>
                                <td>{c.product}</td>
                                <td class="mono">{subscription_links(&customer_id, &c.subscriptions)}</td>
                                <td class="numeric">{if c.delta > 0 { format!("+{}", c.delta) } else { c.delta.to_string() }}</td>
                                <td>{c.reason}</td>
                                <td class="muted">{c.actor}</td>
                            </tr>
                        }).collect_view()}
                    </tbody>
                </table>
            </details>
        })}
    }
}

/// "2 users have plans off" under a product's name.
fn plans_off_note(users: i64) -> String {
    tr_n!(
        users,
        licenses.plans_off_single | licenses.plans_off_many,
        n = users
    )
}

/// Links to the subscriptions' pages, each shown by the start of its id (the whole id in its
/// title).
fn subscription_links(customer_id: &str, ids: &[String]) -> impl IntoView {
    ids.iter()
        .enumerate()
        .map(|(n, id)| {
            let href = format!("/subscription?customer={customer_id}&id={id}");
            let short: String = id.chars().take(8).collect();
            view! {
                {(n > 0).then_some(", ")}
                <a href=href title=id.clone()>{format!("{short}…")}</a>
            }
        })
        .collect_view()
}
