//! Users across customers: one table for every customer the person may manage, with a
//! customer column, filters, search and paging. Filters are a plain GET form, so the page
//! works without JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::users::{users_view, UsersPage},
};

#[component]
pub fn Users() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &'static str| query.with(|q| q.get(key)).filter(|v| !v.is_empty());
    let view_data = Resource::new(
        move || {
            (
                param("customer"),
                param("reseller"),
                param("search"),
                param("page"),
            )
        },
        |(customer, reseller, search, page)| {
            users_view(
                customer,
                reseller,
                search,
                page.and_then(|p| p.parse().ok()),
            )
        },
    );
    view! {
        <PageHeader title="Users" subtitle="Office 365 users of every customer you manage, live from Partner Center." />
        <Transition fallback=|| view! { <p class="muted">"Asking Partner Center…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || {
                    view_data
                        .get()
                        .map(|r| {
                            r.map(|v| users_table(v, param("customer"), param("reseller"), param("search")))
                        })
                }}
            </ErrorBoundary>
        </Transition>
    }
}

fn users_table(
    v: UsersPage,
    customer: Option<String>,
    reseller: Option<String>,
    search: Option<String>,
) -> impl IntoView {
    let reseller = reseller.unwrap_or_default();
    let selected = customer_param(&v.customers, &customer.unwrap_or_default());
    let search_text = search.clone().unwrap_or_default();
    let link = {
        let (selected, reseller) = (selected.clone(), reseller.clone());
        move |page: usize| {
            format!(
                "/users?customer={selected}&reseller={}&search={}&page={page}",
                encode(&reseller),
                encode(&search_text)
            )
        }
    };
    let reseller_filter = (!v.resellers.is_empty()).then(|| {
        view! {
            <div class="field">
                <label for="reseller">"Reseller"</label>
                <select class="select" id="reseller" name="reseller">
                    <option value="" selected=reseller.is_empty()>"All resellers"</option>
                    {v.resellers
                        .iter()
                        .map(|(id, name)| view! { <option value=id.clone() selected=*id == reseller>{name.clone()}</option> })
                        .collect_view()}
                </select>
            </div>
        }
    });
    let prev = (v.page > 1).then(|| link(v.page - 1));
    let next = (v.page < v.pages).then(|| link(v.page + 1));
    let summary = format!(
        "{} user{} · {} of {} customers loaded · page {} of {}",
        v.matching,
        if v.matching == 1 { "" } else { "s" },
        v.customers_loaded,
        v.customers_total,
        v.page,
        v.pages
    );
    view! {
        <form method="get" action="/users" class="filters">
            <div class="field">
                <label for="customer">"Customer"</label>
                <select class="select" id="customer" name="customer">
                    <option value="" selected=selected.is_empty()>"All customers"</option>
                    {v.customers
                        .iter()
                        .map(|(id, name)| view! { <option value=id.clone() selected=*id == selected>{name.clone()}</option> })
                        .collect_view()}
                </select>
            </div>
            {reseller_filter}
            <div class="field">
                <label for="search">"Search"</label>
                <input class="input" id="search" name="search" type="search" placeholder="Name or user name" value=search.unwrap_or_default() />
            </div>
            <button type="submit" class="button button-secondary">"Show"</button>
        </form>
        {(!v.failures.is_empty()).then(|| view! {
            <div class="alert alert-error" role="alert">
                <strong>"Some customers could not be loaded."</strong>
                <ul>
                    {v.failures.into_iter().map(|f| view! { <li>{format!("{}: {}", f.customer, f.message)}</li> }).collect_view()}
                </ul>
            </div>
        })}
        <div class="card card-flush card-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Display name"</th>
                        <th scope="col">"User name"</th>
                        <th scope="col">"Location"</th>
                    </tr>
                </thead>
                <tbody>
                    {v.rows
                        .into_iter()
                        .map(|u| view! {
                            <tr>
                                <td class="nowrap">{u.customer}</td>
                                <td class="nowrap">{u.display_name}</td>
                                <td class="muted">{u.user_principal_name}</td>
                                <td>{u.usage_location.unwrap_or_else(|| "Not set".into())}</td>
                            </tr>
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="table-footnote muted">
                {summary}
                " "
                {prev.map(|href| view! { <a href=href>"Previous"</a> })}
                " "
                {next.map(|href| view! { <a href=href>"Next"</a> })}
            </p>
        </div>
    }
}

fn customer_param(customers: &[(String, String)], wanted: &str) -> String {
    customers
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(wanted))
        .map(|(id, _)| id.clone())
        .unwrap_or_default()
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}
