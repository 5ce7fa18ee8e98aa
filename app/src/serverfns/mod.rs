//! Server functions, one module per page or feature, named like it. Each is thin: parse the
//! input, ask the door (`crate::door::caller`) for a handle, call it, convert the answer with
//! `From` and the error with `?`.

pub mod accounts;
pub mod audit_log;
pub mod bulk;
pub mod catalog;
pub mod connections;
pub mod customers;
pub mod customers_admin;
pub mod history;
pub mod jobs;
pub mod new_customer;
pub mod optimise;
pub mod orders;
pub mod outbox;
pub mod reconcile;
pub mod settings;
pub mod status;
pub mod subscriptions;
pub mod templates;
pub mod users;

/// Makes this server function's answer a CSV file to download as `name` (never cached: it
/// may hold what only its reader may see).
#[cfg(feature = "ssr")]
pub fn csv_download(name: &'static str) {
    use http::{header, HeaderValue};
    let Some(response) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() else {
        return;
    };
    response.insert_header(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    if let Ok(value) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        response.insert_header(header::CONTENT_DISPOSITION, value);
    }
    response.insert_header(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

/// A line of a streamed answer: the JSON with every non-ASCII character escaped (`\uXXXX`,
/// still valid JSON) and a newline. The browser decodes each network chunk as text on its own,
/// and a chunk boundary inside a multi-byte character would break it.
#[cfg(feature = "ssr")]
pub fn json_line(json: &str) -> String {
    let mut line = String::with_capacity(json.len() + 1);
    for c in json.chars() {
        if c.is_ascii() {
            line.push(c);
        } else {
            for unit in c.encode_utf16(&mut [0; 2]) {
                line.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    line.push('\n');
    line
}

/// Follows a streamed answer in the browser, a line at a time, each line one JSON `T`:
/// `apply` writes it into the page's `state` and answers whether the page should read its data
/// again (then `reread` runs). Answers `None` when the page is gone (its state disposed; dropping
/// the stream stops the work on the server), else how the stream ended (lines that do not parse
/// are skipped).
#[cfg(feature = "hydrate")]
pub async fn follow<T, S>(
    stream: leptos::server_fn::codec::TextStream<crate::error::AppError>,
    state: leptos::prelude::RwSignal<S>,
    mut apply: impl FnMut(&mut S, T) -> bool,
    reread: impl Fn(),
) -> Option<Result<(), crate::error::AppError>>
where
    T: serde::de::DeserializeOwned,
    S: Send + Sync + 'static,
{
    use futures_util::StreamExt;
    use leptos::prelude::Update;
    let mut stream = stream.into_inner();
    let mut buffer = String::new();
    while let Some(chunk) = stream.next().await {
        let chunk = match chunk {
            Ok(chunk) => chunk,
            Err(e) => return Some(Err(e)),
        };
        buffer.push_str(&chunk);
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            // From bytes, as server functions and page data decode (one decoder per type).
            let Ok(item) = serde_json::from_slice::<T>(line.trim().as_bytes()) else {
                continue;
            };
            if state.try_update(|s| apply(s, item))? {
                reread();
            }
        }
    }
    Some(Ok(()))
}
