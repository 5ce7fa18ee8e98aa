//! How a page loads its data: a resource over a server function, rendered on the server and
//! handed to the browser in the page. The browser decodes it with the same JSON decoder the
//! server functions use for their answers (`serde_json::from_slice`): Leptos's default codec
//! decodes with `from_str`, which would compile a second decoder of every page type into the
//! wasm (the two differ only in the reader type, so nothing is shared between them).

use leptos::{
    prelude::*,
    server::codee::{Decoder, Encoder},
};
use serde::{de::DeserializeOwned, Serialize};
use std::future::Future;

/// JSON as server functions answer it.
pub struct Json;

impl<T: Serialize> Encoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = String;

    fn encode(value: &T) -> Result<String, serde_json::Error> {
        serde_json::to_string(value)
    }
}

impl<T: DeserializeOwned> Decoder<T> for Json {
    type Error = serde_json::Error;
    type Encoded = str;

    fn decode(text: &str) -> Result<T, serde_json::Error> {
        serde_json::from_slice(text.as_bytes())
    }
}

/// A page's data: what `fetch` answers for the current `source`.
pub type PageData<T> = Resource<T, Json>;

/// [`Resource::new`] with the [`Json`] codec: `fetch` runs again whenever `source` changes.
#[track_caller]
pub fn load<S, T, Fut>(
    source: impl Fn() -> S + Send + Sync + 'static,
    fetch: impl Fn(S) -> Fut + Send + Sync + 'static,
) -> PageData<T>
where
    S: PartialEq + Clone + Send + Sync + 'static,
    T: Serialize + DeserializeOwned + Send + Sync + 'static,
    Fut: Future<Output = T> + Send + 'static,
{
    Resource::new_with_options(source, fetch, false)
}
