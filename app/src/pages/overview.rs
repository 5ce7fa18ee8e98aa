//! The landing page: where each part of the console stands and where to go next.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::{
    auth::use_me,
    components::{
        error_panel::ErrorPanel,
        icon::{Icon, IconSvg},
        page_header::PageHeader,
    },
    serverfns::customers::{my_customers, CustomerSummary},
};

struct Area {
    icon: Icon,
    title: &'static str,
    text: &'static str,
    /// Where it is.
    href: &'static str,
}

const AREAS: &[Area] = &[
    Area {
        icon: Icon::Users,
        title: "Users",
        text: "Create Office 365 users, edit them, reset passwords, delete and restore within 30 days.",
        href: "/users",
    },
    Area {
        icon: Icon::Key,
        title: "Licenses",
        text: "Assign and remove licenses with a switch; see active, assigned, available and suspended seats per product.",
        href: "/licenses",
    },
    Area {
        icon: Icon::Repeat,
        title: "Subscriptions",
        text: "Subscriptions of every customer you manage, on every Partner Center connection.",
        href: "/subscriptions",
    },
    Area {
        icon: Icon::Clock,
        title: "History",
        text: "Every subscription change, including those made directly in Partner Center.",
        href: "/history",
    },
];

#[component]
pub fn Overview() -> impl IntoView {
    let service_provider = use_me().is_some_and(|m| m.service_provider);
    view! {
        <PageHeader
            title="Overview"
            subtitle="Manage Microsoft cloud services for your customers without Partner Center or the Microsoft 365 admin center."
        />
        <section class="card-grid" aria-label="Areas">
            {AREAS
                .iter()
                .map(|area| {
                    view! {
                        <article class="card area-card">
                            <div class="area-icon">
                                <IconSvg icon=area.icon />
                            </div>
                            <div>
                                <h2 class="card-title">
                                    <A href=area.href>{area.title}</A>
                                </h2>
                                <p class="muted">{area.text}</p>
                            </div>
                        </article>
                    }
                })
                .collect_view()}
        </section>
        <Customers />
        {service_provider.then(|| view! {
            <section class="card">
                <h2 class="card-title">"This instance"</h2>
                <p class="muted">
                    "Database, migrations and uptime are on the "
                    <A href="/status">"system status"</A>
                    " page."
                </p>
            </section>
        })}
    }
}

/// The customers this person may manage.
#[component]
fn Customers() -> impl IntoView {
    let customers = Resource::new(|| (), |_| my_customers());
    // The service provider's admins and resellers' admins create customer tenants.
    let creates = use_me().is_some_and(|m| m.manages_accounts);
    view! {
        <section class="card card-flush" aria-labelledby="customers-title">
            <h2 class="card-title card-title-padded" id="customers-title">"Customers"</h2>
            {creates.then(|| view! {
                <p class="card-body"><a href="/customers/new">"Create a new customer tenant"</a></p>
            })}
            <Transition fallback=|| view! { <p class="muted card-body">"Loading…"</p> }>
                <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                    {move || customers.get().map(|r| r.map(|rows| customer_table(rows, None)))}
                </ErrorBoundary>
            </Transition>
        </section>
    }
}

/// The customers as a table; `link` makes each name a link (to that customer's page).
pub(crate) fn customer_table(
    rows: Vec<CustomerSummary>,
    link: Option<fn(&str) -> String>,
) -> AnyView {
    if rows.is_empty() {
        return view! {
            <p class="muted card-body">"No customers yet. The service provider imports them from Partner Center."</p>
        }
        .into_any();
    }
    let count = rows.len();
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">"Company"</th>
                    <th scope="col">"Domain"</th>
                    <th scope="col">"Reseller"</th>
                </tr>
            </thead>
            <tbody>
                {rows
                    .into_iter()
                    .map(|c| {
                        let name = match link {
                            Some(link) => view! { <a href=link(&c.id)>{c.company_name}</a> }.into_any(),
                            None => c.company_name.into_any(),
                        };
                        view! {
                            <tr>
                                <td>{name}</td>
                                <td class="muted">{c.default_domain}</td>
                                <td>{c.reseller.unwrap_or_else(|| "Direct".into())}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="table-footnote muted">{format!("{count} customer{}", if count == 1 { "" } else { "s" })}</p>
    }
    .into_any()
}
