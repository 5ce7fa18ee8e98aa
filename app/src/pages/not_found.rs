//! The page for an address that does not exist; answers with HTTP 404.

use leptos::prelude::*;
use leptos_router::{components::A, hooks::use_location};

use crate::{components::page_header::PageHeader, request_id::use_request_id};

#[component]
pub fn NotFound() -> impl IntoView {
    crate::components::layout::page_hydrated();
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let path = use_location().pathname;
    let request_id = use_request_id();
    view! {
        <PageHeader title=tr!(not_found.title) />
        <div class="card empty-state">
            <p class="empty-code" aria-hidden="true">"404"</p>
            <p>{tr!(not_found.no_page)} <code>{move || path.get()}</code> "."</p>
            <p>
                <A href="/" attr:class="button button-primary">{tr!(not_found.go)}</A>
            </p>
            {request_id.map(|id| view! { <p class="muted small">{tr!(not_found.request_id)} <code>{id}</code></p> })}
        </div>
    }
}
