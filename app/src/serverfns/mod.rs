//! Server functions, one module per page or feature, named like it. Each is thin: parse the
//! input, ask the door (`crate::door::caller`) for a handle, call it, convert the answer with
//! `From` and the error with `?`.

pub mod accounts;
pub mod audit_log;
pub mod catalog;
pub mod connections;
pub mod customers;
pub mod customers_admin;
pub mod outbox;
pub mod status;
pub mod subscriptions;
pub mod users;

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

/// Reads a streamed answer in the browser a line at a time, each line one JSON `T`, until the
/// stream ends or `each` answers false (dropping the stream then stops the work on the server).
/// Lines that do not parse are skipped; a broken stream is the error.
#[cfg(feature = "hydrate")]
pub async fn each_line<T: serde::de::DeserializeOwned>(
    stream: leptos::server_fn::codec::TextStream<crate::error::AppError>,
    mut each: impl FnMut(T) -> bool,
) -> Result<(), crate::error::AppError> {
    use futures_util::StreamExt;
    let mut stream = stream.into_inner();
    let mut buffer = String::new();
    while let Some(chunk) = stream.next().await {
        buffer.push_str(&chunk?);
        while let Some(end) = buffer.find('\n') {
            let line: String = buffer.drain(..=end).collect();
            if let Ok(item) = serde_json::from_str::<T>(line.trim()) {
                if !each(item) {
                    return Ok(());
                }
            }
        }
    }
    Ok(())
}
