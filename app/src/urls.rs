//! Percent-encoding for the links and query strings Seatwise writes: one encoder (the
//! percent-encoding crate) with the two sets it needs, in the browser and on the server alike.

use percent_encoding::{utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but RFC 3986's unreserved characters: a query value or a path segment.
pub const COMPONENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// As [`COMPONENT`], keeping `/`: a local path carried in a query value (`?next=/users`).
pub const PATH: &AsciiSet = &COMPONENT.remove(b'/');

pub fn component(text: &str) -> String {
    utf8_percent_encode(text, COMPONENT).to_string()
}

pub fn path(text: &str) -> String {
    utf8_percent_encode(text, PATH).to_string()
}

/// `path?k=v&…` of the parameters that have a value (each value encoded); `path` alone when
/// none has.
pub fn href(path: &str, params: &[(&str, &Option<String>)]) -> String {
    let query = params
        .iter()
        .filter_map(|(k, v)| {
            v.as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| format!("{k}={}", component(v)))
        })
        .collect::<Vec<_>>()
        .join("&");
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// This page's query parameters, for a page island. Every page is loaded whole from the
/// server (its interactive parts hydrate as islands; there is no navigation in the browser), so
/// they do not change while the page is open: the server's router knows them, the browser reads
/// them from its address once.
pub fn use_query_map() -> leptos::prelude::Memo<leptos_router::params::ParamsMap> {
    #[cfg(not(feature = "hydrate"))]
    {
        leptos_router::hooks::use_query_map()
    }
    #[cfg(feature = "hydrate")]
    {
        let search = web_sys::window()
            .and_then(|w| w.location().search().ok())
            .unwrap_or_default();
        // As the server's router does: the map takes the decoded pairs.
        let query: leptos_router::params::ParamsMap = parse_query(&search).into_iter().collect();
        leptos::prelude::Memo::new(move |_| query.clone())
    }
}

/// The parameters of a query string (`?a=1&b=x+y`), decoded as a form sends them. Written here
/// rather than taken from the router: the browser has no router (pages are islands), and its
/// reader of addresses would come into the wasm for this alone.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
fn parse_query(search: &str) -> Vec<(String, String)> {
    let decode = |text: &str| {
        let text = text.replace('+', " ");
        percent_encoding::percent_decode_str(&text)
            .decode_utf8_lossy()
            .into_owned()
    };
    search
        .trim_start_matches('?')
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (decode(key), decode(value))
        })
        .collect()
}

/// Opens `href` (a page of ours) in place of this one, from a page island.
pub fn go(href: &str) {
    #[cfg(feature = "hydrate")]
    if let Some(window) = web_sys::window() {
        let _ = window.location().set_href(href);
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = href;
}

/// Sends the reader to `href` (a page of ours) instead of this page: the server answers with a
/// redirect (its route must render with `SsrMode::Async`, so that the answer's status waits for
/// the page's data); a page island that finds it in the browser opens it.
pub fn redirect(href: &str) {
    #[cfg(feature = "ssr")]
    leptos_axum::redirect(href);
    go(href);
}

#[cfg(test)]
mod tests {
    #[test]
    fn unreserved_characters_stay() {
        assert_eq!(super::component("a-b_c.d~e f/ü"), "a-b_c.d~e%20f%2F%C3%BC");
        assert_eq!(super::path("/users?x=1"), "/users%3Fx%3D1");
    }

    #[test]
    fn a_query_string_is_read_as_a_form_writes_it() {
        let pairs = |search: &str| super::parse_query(search);
        let owned = |k: &str, v: &str| (k.to_owned(), v.to_owned());
        assert_eq!(
            pairs("?search=a+b%26c&customer=&sku=%C3%BC&flag"),
            vec![
                owned("search", "a b&c"),
                owned("customer", ""),
                owned("sku", "ü"),
                owned("flag", ""),
            ]
        );
        assert_eq!(pairs(""), vec![]);
        assert_eq!(pairs("?"), vec![]);
    }

    #[test]
    fn links_carry_only_the_parameters_given() {
        let (a, none, empty) = (Some("a b".to_owned()), None, Some(String::new()));
        assert_eq!(
            super::href("/x", &[("a", &a), ("b", &none), ("c", &empty)]),
            "/x?a=a%20b"
        );
        assert_eq!(super::href("/x", &[("b", &none)]), "/x");
    }
}
