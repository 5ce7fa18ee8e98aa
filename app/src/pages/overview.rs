//! The landing page: where each part of the console stands and where to go next.

use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::{
        error_panel::ErrorPanel,
        icon::{Icon, IconSvg},
        page_header::PageHeader,
    },
    i18n::td_string,
    language::Words,
    serverfns::customers::{my_customers, CustomerSummary},
};

struct Area {
    icon: Icon,
    title: Words,
    text: Words,
    /// Where it is.
    href: &'static str,
}

const AREAS: &[Area] = &[
    Area {
        icon: Icon::Users,
        title: |l| td_string!(l, nav.users),
        text: |l| td_string!(l, overview.users_text),
        href: "/users",
    },
    Area {
        icon: Icon::Key,
        title: |l| td_string!(l, nav.licenses),
        text: |l| td_string!(l, overview.licenses_text),
        href: "/licenses",
    },
    Area {
        icon: Icon::Repeat,
        title: |l| td_string!(l, nav.subscriptions),
        text: |l| td_string!(l, overview.subscriptions_text),
        href: "/subscriptions",
    },
    Area {
        icon: Icon::Clock,
        title: |l| td_string!(l, nav.history),
        text: |l| td_string!(l, overview.history_text),
        href: "/history",
    },
];

#[component]
pub fn Overview() -> impl IntoView {
    let service_provider = use_me().is_some_and(|m| m.service_provider);
    let locale = crate::language::current();
    view! {
        <PageHeader
            title=tr!(nav.overview)
            subtitle=tr!(overview.subtitle)
        />
        <section class="card-grid" aria-label=tr!(overview.areas)>
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
                                    <a href=area.href>{(area.title)(locale)}</a>
                                </h2>
                                <p class="muted">{(area.text)(locale)}</p>
                            </div>
                        </article>
                    }
                })
                .collect_view()}
        </section>
        <Customers />
        {service_provider.then(|| view! {
            <section class="card">
                <h2 class="card-title">{tr!(overview.instance)}</h2>
                <p class="muted">
                    {tr!(overview.status_before)}
                    <a href="/status">{tr!(overview.status_link)}</a>
                    {tr!(overview.status_after)}
                </p>
            </section>
        })}
    }
}

/// The customers this person may manage.
#[component]
fn Customers() -> impl IntoView {
    let customers = crate::page_data::load(|| (), |_| my_customers());
    // The service provider's admins and resellers' admins create customer tenants.
    let creates = use_me().is_some_and(|m| m.manages_accounts);
    view! {
        <section class="card card-flush" aria-labelledby="customers-title">
            <h2 class="card-title card-title-padded" id="customers-title">{tr!(overview.customers)}</h2>
            {creates.then(|| view! {
                <p class="card-body"><a href="/customers/new">{tr!(overview.new_tenant)}</a></p>
            })}
            <Transition fallback=|| view! { <p class="muted card-body">{tr!(overview.loading)}</p> }>
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
            <p class="muted card-body">{tr!(overview.no_customers)}</p>
        }
        .into_any();
    }
    let count = rows.len();
    view! {
        <table class="table">
            <thead>
                <tr>
                    <th scope="col">{tr!(overview.company)}</th>
                    <th scope="col">{tr!(overview.domain)}</th>
                    <th scope="col">{tr!(overview.reseller)}</th>
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
                                <td>{c.reseller.unwrap_or_else(|| tr!(overview.direct).into())}</td>
                            </tr>
                        }
                    })
                    .collect_view()}
            </tbody>
        </table>
        <p class="table-footnote muted">{tr_n!(count, overview.count_single | overview.count_many, n = count)}</p>
    }
    .into_any()
}
