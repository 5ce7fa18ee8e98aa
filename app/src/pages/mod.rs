//! One module per page.

pub mod accounts;
pub mod audit_log;
pub mod bulk;
pub mod catalog;
pub mod connections;
pub mod customers_admin;
pub mod history;
pub mod jobs;
pub mod licenses;
pub mod new_customer;
pub mod not_found;
pub mod optimise;
pub mod order;
pub mod outbox;
pub mod overview;
pub mod reconcile;
pub mod settings;
pub mod sign_in;
pub mod status;
pub mod subscription;
pub mod subscriptions;
pub mod templates;
pub mod users;

use leptos::prelude::*;

/// The title of the page at `path` (empty for an unknown one: the page sets its own).
pub fn title(path: &str) -> &'static str {
    match path.trim_end_matches('/') {
        "" => tr!(nav.overview),
        "/sign-in" => tr!(titles.sign_in),
        "/set-password" => tr!(titles.set_password),
        "/accounts" => tr!(nav.accounts),
        "/account" => tr!(titles.my_account),
        "/customers" => tr!(nav.customers),
        "/customers/new" => tr!(titles.new_customer),
        "/connections" => tr!(nav.connections),
        "/catalog" => tr!(nav.catalog),
        "/audit" => tr!(nav.audit),
        "/outbox" => tr!(nav.outbox),
        "/users" => tr!(nav.users),
        "/licenses" => tr!(nav.licenses),
        "/bulk" => tr!(nav.bulk),
        "/templates" => tr!(nav.templates),
        "/subscriptions" => tr!(nav.subscriptions),
        "/subscription" => tr!(titles.subscription),
        "/subscriptions/new" => tr!(titles.add_subscription),
        "/status" => tr!(nav.status),
        "/history" => tr!(nav.history),
        "/reconciliation" => tr!(nav.reconciliation),
        "/settings" => tr!(nav.settings),
        "/jobs" => tr!(nav.jobs),
        "/optimisation" => tr!(nav.optimisation),
        _ => "",
    }
}

/// A page that hydrates on its own (an island) and whose code is a wasm chunk of its own
/// (`--split`), fetched when the page is opened, so nobody downloads the pages they never
/// visit. Everything around it (the console's navigation, the header) is HTML from the server.
macro_rules! lazy_page {
    ($($route:ident => $page:path;)*) => {$(
        #[island(lazy)]
        pub fn $route() -> impl IntoView {
            crate::components::layout::page_hydrated();
            $page()
        }
    )*};
}

/// The users page, in the main module rather than a chunk of its own: a customer's workspace
/// link opens it, and as a lazy page it came with some 240 small chunks of code it shares with
/// other pages, each fetched on its own (80 KB more than the same code in one file).
#[island]
pub fn UsersPage() -> impl IntoView {
    crate::components::layout::page_hydrated();
    users::Users()
}

/// A page with nothing interactive on it: server HTML alone, so no island and no wasm chunk;
/// [`PageReady`](crate::components::layout::PageReady) marks the console hydrated.
macro_rules! server_page {
    ($($route:ident => $page:path;)*) => {$(
        #[component]
        pub fn $route() -> impl IntoView {
            use crate::components::layout::PageReady;
            view! {
                <PageReady />
                {$page()}
            }
        }
    )*};
}

server_page! {
    OverviewPage => overview::Overview;
    HistoryPage => history::History;
    AuditLogPage => audit_log::AuditLog;
    OutboxPage => outbox::Outbox;
    LicensesPage => licenses::Licenses;
}

lazy_page! {
    SetPasswordPage => accounts::SetPassword;
    AccountsPage => accounts::Accounts;
    MyAccountPage => accounts::MyAccount;
    CustomersPage => customers_admin::CustomersAdmin;
    NewCustomerPage => new_customer::NewCustomer;
    ConnectionsPage => connections::Connections;
    CatalogPage => catalog::Catalog;
    BulkPage => bulk::Bulk;
    TemplatesPage => templates::Templates;
    SubscriptionsPage => subscriptions::Subscriptions;
    SubscriptionPage => subscription::Subscription;
    OrderPage => order::Order;
    StatusPage => status::Status;
    ReconcilePage => reconcile::Reconciliation;
    SettingsPage => settings::Settings;
    JobsPage => jobs::Jobs;
    OptimisationPage => optimise::Optimisation;
}
