//! One module per page.

pub mod accounts;
pub mod audit_log;
pub mod customers_admin;
pub mod licenses;
pub mod not_found;
pub mod outbox;
pub mod overview;
pub mod sign_in;
pub mod status;
pub mod users;

use leptos::prelude::*;
use leptos_router::{lazy_route, LazyRoute};

/// A route whose page is loaded on demand: its code is a wasm chunk of its own (`--split`),
/// fetched when the page is first opened, so nobody downloads the pages they never visit. The
/// page's title is registered before the page itself loads, so the server's `<head>` has it.
macro_rules! lazy_page {
    ($($route:ident($title:literal) => $page:path;)*) => {$(
        pub struct $route;

        #[lazy_route]
        impl LazyRoute for $route {
            fn data() -> Self {
                #[cfg(feature = "ssr")]
                let _ = leptos_meta::Title(leptos_meta::TitleProps::builder().text($title).build());
                $route
            }

            fn view(_this: Self) -> AnyView {
                crate::components::layout::page_hydrated();
                $page().into_any()
            }
        }
    )*};
}

lazy_page! {
    OverviewPage("Overview") => overview::Overview;
    SetPasswordPage("Choose your password") => accounts::SetPassword;
    AccountsPage("Accounts") => accounts::Accounts;
    MyAccountPage("My account") => accounts::MyAccount;
    CustomersPage("Customers") => customers_admin::CustomersAdmin;
    AuditLogPage("Audit log") => audit_log::AuditLog;
    OutboxPage("Outbox") => outbox::Outbox;
    UsersPage("Users") => users::Users;
    LicensesPage("Licenses") => licenses::Licenses;
    StatusPage("System status") => status::Status;
}
