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

#[cfg(test)]
mod tests {
    #[test]
    fn unreserved_characters_stay() {
        assert_eq!(super::component("a-b_c.d~e f/ü"), "a-b_c.d~e%20f%2F%C3%BC");
        assert_eq!(super::path("/users?x=1"), "/users%3Fx%3D1");
    }
}
