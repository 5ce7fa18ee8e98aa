//! The page for an address that does not exist; answers with HTTP 404.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_location;

use crate::{
    components::{layout::PageReady, page_header::PageHeader},
    request_id::use_request_id,
};

/// Server HTML alone: nothing on it hydrates but the console's marker ([`PageReady`]).
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(http::StatusCode::NOT_FOUND);
    }
    let path = use_location().pathname;
    let request_id = use_request_id();
    view! {
        // Its own title: the layout's comes from the address, which names no page here.
        <Title text=tr!(not_found.title) />
        <PageReady />
        <PageHeader title=tr!(not_found.title) />
        <div class="card empty-state">
            <p class="empty-code" aria-hidden="true">"404"</p>
            <p>{tr!(not_found.no_page)} <code>{move || path.get()}</code> "."</p>
            <p>
                <a href="/" class="button button-primary">{tr!(not_found.go)}</a>
            </p>
            {request_id.map(|id| view! { <p class="muted small">{tr!(not_found.request_id)} <code>{id}</code></p> })}
        </div>
    }
}
