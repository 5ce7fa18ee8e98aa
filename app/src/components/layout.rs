//! The console frame: top bar, side navigation, and the main area the pages render into.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::components::A;

use crate::{
    components::{
        icon::{Icon, IconSvg},
        toast::Toaster,
    },
    i18n::td_string,
    language::Words,
};

/// A destination in the side navigation, named by its page's title.
struct NavItem {
    icon: Icon,
    href: &'static str,
    for_whom: Who,
}

/// Who sees a navigation item.
#[derive(Clone, Copy, PartialEq)]
enum Who {
    Everyone,
    ServiceProvider,
    /// Service provider admins and reseller admins.
    AccountAdmins,
    /// Everyone who may change things (not read-only roles).
    Changers,
    /// The partner's people: the service provider's staff and resellers' admins.
    Partner,
}

impl Who {
    fn sees(self, me: &crate::auth::Me) -> bool {
        match self {
            Who::Everyone => true,
            Who::ServiceProvider => me.service_provider,
            Who::AccountAdmins => me.manages_accounts,
            Who::Changers => me.can_change,
            Who::Partner => me.service_provider || me.manages_accounts,
        }
    }
}

const SECTIONS: &[(Words, &[NavItem])] = &[
    (
        |l| td_string!(l, nav.section_office),
        &[
            NavItem {
                icon: Icon::Users,
                href: "/users",
                for_whom: Who::Everyone,
            },
            NavItem {
                icon: Icon::Key,
                href: "/licenses",
                for_whom: Who::Everyone,
            },
            NavItem {
                icon: Icon::Layers,
                href: "/bulk",
                for_whom: Who::Changers,
            },
            NavItem {
                icon: Icon::Layers,
                href: "/templates",
                for_whom: Who::Partner,
            },
        ],
    ),
    (
        |l| td_string!(l, nav.section_pc),
        &[
            NavItem {
                icon: Icon::Repeat,
                href: "/subscriptions",
                for_whom: Who::Everyone,
            },
            NavItem {
                icon: Icon::Box,
                href: "/catalog",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Clock,
                href: "/history",
                for_whom: Who::Everyone,
            },
            NavItem {
                icon: Icon::Check,
                href: "/reconciliation",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Key,
                href: "/optimisation",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Link,
                href: "/connections",
                for_whom: Who::ServiceProvider,
            },
        ],
    ),
    (
        |l| td_string!(l, nav.section_admin),
        &[
            NavItem {
                icon: Icon::Users,
                href: "/customers",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Key,
                href: "/accounts",
                for_whom: Who::AccountAdmins,
            },
            NavItem {
                icon: Icon::Clock,
                href: "/audit",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Mail,
                href: "/outbox",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Layers,
                href: "/jobs",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Settings,
                href: "/settings",
                for_whom: Who::ServiceProvider,
            },
            NavItem {
                icon: Icon::Pulse,
                href: "/status",
                for_whom: Who::ServiceProvider,
            },
        ],
    ),
];

/// The console around every page, rendered on the server. Its interactive parts are islands:
/// [`Console`] (the frame, its notices and the person every page sees) and [`NavToggle`].
#[component]
pub fn Layout(children: Children) -> impl IntoView {
    let location = leptos_router::hooks::use_location();
    let title = move || crate::pages::title(&location.pathname.get());
    let me = crate::auth::signed_in();
    // The page is made inside the console island (its children), so it sees what the island
    // provides on the server as in the browser.
    view! {
        <Title text=title />
        <Console>
            {match me {
                Some(me) => signed_in(me, children).into_any(),
                // Signed out: the sign-in page (or a 404) alone, without the console around it.
                None => view! { <main id="main" class="content-bare">{children()}</main> }.into_any(),
            }}
        </Console>
    }
}

/// The frame every page hydrates in: it provides the signed-in person, the notices
/// ([`Toaster`]) and the navigation's state to the page islands inside it,
/// and marks itself `data-hydrated` once the page has hydrated.
///
/// The person comes with the page's data ([`SharedValue`], decoded as page data is) rather than
/// as the island's property: properties are decoded by a JSON reader of their own, which would
/// put a second decoder into the wasm.
#[island]
fn Console(children: Children) -> impl IntoView {
    let me = SharedValue::<_, crate::page_data::Json>::new_with_encoding(crate::auth::signed_in)
        .into_inner();
    let signed_in = me.is_some();
    crate::auth::provide_me(me);
    crate::components::toast::provide_toasts();
    let nav_open = RwSignal::new(true);
    provide_context(NavOpen(nav_open));
    // The marker tells tests (and curious humans) that the page is interactive: the page sets it
    // once it has hydrated itself ([`page_hydrated`]), after its lazily loaded code arrived.
    let hydrated = RwSignal::new(false);
    provide_context(Hydrated(hydrated));
    if signed_in {
        view! {
            <div
                class="app"
                class:nav-collapsed=move || !nav_open.get()
                data-hydrated=move || hydrated.get().then_some("true")
            >
                {children()}
                <Toaster />
            </div>
        }
        .into_any()
    } else {
        view! {
            {children()}
            <Toaster />
        }
        .into_any()
    }
}

#[derive(Clone, Copy)]
struct NavOpen(RwSignal<bool>);

/// The button that shows and hides the side navigation.
#[island]
fn NavToggle() -> impl IntoView {
    let nav_open = use_context::<NavOpen>()
        .map(|NavOpen(open)| open)
        .unwrap_or_else(|| RwSignal::new(true));
    view! {
        <button
            type="button"
            class="icon-button"
            aria-controls="sidenav"
            aria-expanded=move || nav_open.get().to_string()
            aria-label=move || {
                if nav_open.get() { tr!(layout.hide_nav) } else { tr!(layout.show_nav) }
            }
            on:click=move |_| nav_open.update(|open| *open = !*open)
        >
            <IconSvg icon=Icon::Menu />
        </button>
    }
}

fn signed_in(me: crate::auth::Me, children: Children) -> impl IntoView {
    let initials: String = me
        .display_name
        .split_whitespace()
        .filter_map(|w| w.chars().next())
        .take(2)
        .collect::<String>()
        .to_uppercase();
    let locale = crate::language::current();
    let visible: Vec<(&'static str, Vec<&'static NavItem>)> = SECTIONS
        .iter()
        .map(|(title, items)| {
            (
                title(locale),
                items.iter().filter(|i| i.for_whom.sees(&me)).collect(),
            )
        })
        .filter(|(_, items): &(&str, Vec<&NavItem>)| !items.is_empty())
        .collect();
    view! {
        <a class="skip-link" href="#main">{tr!(layout.skip)}</a>
        <header class="topbar">
            <NavToggle />
            <a href="/" class="brand">
                <span class="brand-mark" aria-hidden="true">"S"</span>
                <span class="brand-name">"Seatwise"</span>
            </a>
            <span class="badge badge-neutral" title=tr!(layout.connection)>
                {tr!(layout.sandbox)}
            </span>
            <div class="topbar-spacer"></div>
            <div class="topbar-context">
                <span class="avatar" aria-hidden="true">{initials}</span>
                <a class="context-text" href="/account" title=tr!(titles.my_account)>
                    <span class="context-name">{me.display_name.clone()}</span>
                    <span class="context-scope">{me.role.clone()}</span>
                </a>
                <form method="post" action="/auth/sign-out">
                    <button type="submit" class="button button-ghost button-on-dark">{tr!(layout.sign_out)}</button>
                </form>
            </div>
        </header>
        <nav id="sidenav" class="sidenav" aria-label=tr!(nav.main)>
            <A href="/" exact=true attr:class="nav-item">
                <IconSvg icon=Icon::Home />
                <span>{tr!(nav.overview)}</span>
            </A>
            {visible
                .into_iter()
                .map(|(title, items)| {
                    view! {
                        <div class="nav-section">
                            <div class="nav-section-title">{title}</div>
                            {items.into_iter().map(nav_item).collect_view()}
                        </div>
                    }
                })
                .collect_view()}
        </nav>
        <main id="main" class="content" tabindex="-1">
            {children()}
        </main>
    }
}

fn nav_item(item: &'static NavItem) -> AnyView {
    view! {
        <A href=item.href attr:class="nav-item">
            <IconSvg icon=item.icon />
            <span>{crate::pages::title(item.href)}</span>
        </A>
    }
    .into_any()
}

#[derive(Clone, Copy)]
struct Hydrated(RwSignal<bool>);

/// For a page with nothing to hydrate (all of it server HTML): marks the console hydrated once
/// the console is, with the least code in the wasm, as the pages that are islands do themselves.
#[island]
pub fn PageReady() -> impl IntoView {
    page_hydrated();
}

/// For every page: marks the console `data-hydrated` once this page has hydrated (effects run
/// only in the browser, after the view they belong to is hydrated).
pub fn page_hydrated() {
    if let Some(Hydrated(hydrated)) = use_context::<Hydrated>() {
        Effect::new(move |_| hydrated.set(true));
    }
}
