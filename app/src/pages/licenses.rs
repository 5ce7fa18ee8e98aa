//! Licenses: the licenses table of one customer. With one customer in reach it opens that
//! customer's users page, where the table stands above the users; with several, it lists them.

use leptos::prelude::*;
use leptos_router::components::Redirect;

use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::customers::{my_customers, CustomerSummary},
};

/// Where a customer's licenses table is.
fn licenses_of(id: &str) -> String {
    format!("/users?customer={}", crate::urls::component(id))
}

#[component]
pub fn Licenses() -> impl IntoView {
    let customers = Resource::new(|| (), |_| my_customers());
    view! {
        <PageHeader
            title="Licenses"
            subtitle="Active, assigned, available and suspended seats per product, and who holds them. Choose a customer."
        />
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || customers.get().map(|r| r.map(choose))}
            </ErrorBoundary>
        </Transition>
    }
}

fn choose(customers: Vec<CustomerSummary>) -> AnyView {
    if let [only] = customers.as_slice() {
        return view! { <Redirect path=licenses_of(&only.id) /> }.into_any();
    }
    if customers.is_empty() {
        return view! { <p class="muted">"No customers yet."</p> }.into_any();
    }
    view! {
        <div class="card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Domain"</th>
                        <th scope="col">"Reseller"</th>
                    </tr>
                </thead>
                <tbody>
                    {customers
                        .into_iter()
                        .map(|c| {
                            let href = licenses_of(&c.id);
                            view! {
                                <tr>
                                    <td><a href=href>{c.company_name}</a></td>
                                    <td class="muted">{c.default_domain}</td>
                                    <td>{c.reseller.unwrap_or_else(|| "Direct".into())}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
