//! The id of the request that rendered this page, shown on error pages so that support can find
//! the matching log lines.

use leptos::prelude::*;

/// The header that carries the request id in and out of the server.
pub const HEADER: &str = "x-request-id";

/// This page's request id, rendered on the server and carried over to the client on hydration.
pub fn use_request_id() -> Option<String> {
    SharedValue::<_, crate::page_data::Json>::new_with_encoding(current).into_inner()
}

#[cfg(feature = "ssr")]
pub fn current() -> Option<String> {
    use_context::<http::request::Parts>()
        .and_then(|parts| parts.headers.get(HEADER)?.to_str().ok().map(str::to_owned))
}

#[cfg(not(feature = "ssr"))]
pub fn current() -> Option<String> {
    None
}
