//! Seatwise's user interface: pages, components, and the server functions they call.
//!
//! Compiled twice: with `ssr` into the server (server functions run there) and with `hydrate`
//! into the browser's wasm (server functions become HTTP calls).

#![recursion_limit = "256"]

// First: its `tr!` macro is for every module after it.
#[macro_use]
pub mod language;
pub mod auth;
pub mod components;
#[cfg(feature = "ssr")]
pub mod door;
pub mod error;
pub mod page_data;
pub mod pages;
pub mod request_id;
pub mod serverfns;
#[cfg(feature = "ssr")]
pub mod state;
pub mod urls;

// The generated translations, `pub mod i18n` (`locales/`, loaded by build.rs): `Locale`,
// `use_i18n`, `t!`.
include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, MetaTags, Title};
use leptos_router::{
    components::{Route, Router, Routes},
    path, SsrMode,
};

use crate::{
    components::layout::Layout,
    i18n::I18nContextProvider,
    pages::{not_found::NotFound, sign_in::SignIn},
};

/// The HTML document around the app; rendered on the server only.
pub fn shell(options: LeptosOptions) -> impl IntoView {
    #[cfg(feature = "ssr")]
    security::set_content_security_policy(&options);
    view! {
        <!DOCTYPE html>
        // `lang` is set by the translations' provider: the language this page is in.
        <html>
            <head>
                <meta charset="utf-8" />
                <meta name="viewport" content="width=device-width, initial-scale=1" />
                <meta name="color-scheme" content="light" />
                <link rel="icon" type="image/svg+xml" href="/favicon.svg" />
                <HashedStylesheet options=options.clone() id="leptos" />
                <AutoReload options=options.clone() />
                <HydrationScripts options islands=true />
                <MetaTags />
            </head>
            <body>
                <App />
            </body>
        </html>
    }
}

#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    view! {
        <I18nContextProvider ssr_lang_header_getter=crate::language::provider_options()>
        <Title formatter=|page: String| {
            if page.is_empty() { "Seatwise".to_owned() } else { format!("{page} · Seatwise") }
        } />
        <Router>
            <Layout>
                <Routes fallback=NotFound>
                    // In order: pages with data render completely without JavaScript. A page
                    // island's code is its own wasm chunk, loaded when the page is opened
                    // (`pages/mod.rs`).
                    <Route path=path!("") view=pages::OverviewPage ssr=SsrMode::InOrder />
                    <Route path=path!("sign-in") view=SignIn />
                    <Route path=path!("set-password") view=pages::SetPasswordPage />
                    <Route path=path!("accounts") view=pages::AccountsPage ssr=SsrMode::InOrder />
                    <Route path=path!("account") view=pages::MyAccountPage />
                    <Route path=path!("customers") view=pages::CustomersPage ssr=SsrMode::InOrder />
                    <Route path=path!("customers/new") view=pages::NewCustomerPage ssr=SsrMode::InOrder />
                    <Route path=path!("connections") view=pages::ConnectionsPage ssr=SsrMode::InOrder />
                    <Route path=path!("catalog") view=pages::CatalogPage ssr=SsrMode::InOrder />
                    <Route path=path!("audit") view=pages::AuditLogPage ssr=SsrMode::InOrder />
                    <Route path=path!("outbox") view=pages::OutboxPage ssr=SsrMode::InOrder />
                    <Route path=path!("users") view=pages::UsersPage ssr=SsrMode::InOrder />
                    // Async: it may answer with a redirect, which must be known before the first byte is sent.
                    <Route path=path!("licenses") view=pages::LicensesPage ssr=SsrMode::Async />
                    <Route path=path!("bulk") view=pages::BulkPage ssr=SsrMode::InOrder />
                    <Route path=path!("templates") view=pages::TemplatesPage ssr=SsrMode::InOrder />
                    <Route path=path!("subscriptions") view=pages::SubscriptionsPage ssr=SsrMode::InOrder />
                    <Route path=path!("subscription") view=pages::SubscriptionPage ssr=SsrMode::InOrder />
                    <Route path=path!("subscriptions/new") view=pages::OrderPage ssr=SsrMode::InOrder />
                    <Route path=path!("history") view=pages::HistoryPage ssr=SsrMode::InOrder />
                    <Route path=path!("reconciliation") view=pages::ReconcilePage ssr=SsrMode::InOrder />
                    <Route path=path!("settings") view=pages::SettingsPage ssr=SsrMode::InOrder />
                    <Route path=path!("jobs") view=pages::JobsPage ssr=SsrMode::InOrder />
                    <Route path=path!("optimisation") view=pages::OptimisationPage ssr=SsrMode::InOrder />
                    <Route path=path!("status") view=pages::StatusPage ssr=SsrMode::InOrder />
                </Routes>
            </Layout>
        </Router>
        </I18nContextProvider>
    }
}

#[cfg(feature = "ssr")]
mod security {
    use http::{header::CONTENT_SECURITY_POLICY, HeaderValue};
    use leptos::{config::LeptosOptions, nonce::use_nonce, prelude::use_context};
    use leptos_axum::ResponseOptions;

    /// The page's Content-Security-Policy: scripts only from us, and inline scripts only with
    /// this response's nonce (the hydration bootstrap and streamed resources carry it).
    pub fn set_content_security_policy(options: &LeptosOptions) {
        let (Some(nonce), Some(response)) = (use_nonce(), use_context::<ResponseOptions>()) else {
            return;
        };
        // In development the auto-reload script talks to cargo-leptos over a websocket.
        let reload = match options.env {
            leptos::config::Env::DEV => {
                format!(" ws://{}:{}", options.site_addr.ip(), options.reload_port)
            }
            leptos::config::Env::PROD => String::new(),
        };
        let policy = format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; font-src 'self'; \
             connect-src 'self'{reload}; object-src 'none'; base-uri 'self'; \
             form-action 'self'; frame-ancestors 'none'"
        );
        if let Ok(value) = HeaderValue::from_str(&policy) {
            response.insert_header(CONTENT_SECURITY_POLICY, value);
        }
    }
}
