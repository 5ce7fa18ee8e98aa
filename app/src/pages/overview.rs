//! The landing page: where each part of the console stands and where to go next.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::components::{
    icon::{Icon, IconSvg},
    page_header::PageHeader,
};

struct Area {
    icon: Icon,
    title: &'static str,
    text: &'static str,
}

const AREAS: &[Area] = &[
    Area {
        icon: Icon::Users,
        title: "Users",
        text: "Create Office 365 users, edit them, reset passwords, delete and restore within 30 days.",
    },
    Area {
        icon: Icon::Key,
        title: "Licenses",
        text: "Assign and remove licenses with a switch; see active, assigned, available and suspended seats per product.",
    },
    Area {
        icon: Icon::Repeat,
        title: "Subscriptions",
        text: "View, add, change and sync subscriptions on every Partner Center connection.",
    },
    Area {
        icon: Icon::Clock,
        title: "History",
        text: "Every subscription change, including those made directly in Partner Center.",
    },
];

#[component]
pub fn Overview() -> impl IntoView {
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
                                    {area.title} <span class="badge badge-neutral">"Coming soon"</span>
                                </h2>
                                <p class="muted">{area.text}</p>
                            </div>
                        </article>
                    }
                })
                .collect_view()}
        </section>
        <section class="card">
            <h2 class="card-title">"This instance"</h2>
            <p class="muted">
                "Database, migrations and uptime are on the "
                <A href="/status">"system status"</A>
                " page."
            </p>
        </section>
    }
}
