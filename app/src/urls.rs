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

#[cfg(test)]
mod tests {
    #[test]
    fn unreserved_characters_stay() {
        assert_eq!(super::component("a-b_c.d~e f/ü"), "a-b_c.d~e%20f%2F%C3%BC");
        assert_eq!(super::path("/users?x=1"), "/users%3Fx%3D1");
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
