//! Licenses: the licenses table of one customer. With one customer in reach it opens that
//! customer's users page, where the table stands above the users; with several, it lists them.

use leptos::prelude::*;

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
    let customers = crate::page_data::load(|| (), |_| my_customers());
    view! {
        <PageHeader
            title=tr!(licenses.title)
            subtitle=tr!(licenses.subtitle)
        />
        <Transition fallback=|| view! { <p class="muted">{tr!(licenses.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || customers.get().map(|r| r.map(choose))}
            </ErrorBoundary>
        </Transition>
    }
}

fn choose(customers: Vec<CustomerSummary>) -> AnyView {
    if let [only] = customers.as_slice() {
        crate::urls::redirect(&licenses_of(&only.id));
        return ().into_any();
    }
    view! {
        <div class="card card-flush">
            {crate::pages::overview::customer_table(customers, Some(licenses_of))}
        </div>
    }
    .into_any()
}
