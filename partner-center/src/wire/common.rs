//! Shapes shared by every resource: links, attributes, collections, item types, times, errors.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_with::skip_serializing_none;
use time::{format_description::well_known::Rfc3339, OffsetDateTime, PrimitiveDateTime};

use crate::json::{flexible_opt_i64, flexible_string};

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct LinkHeader {
    pub key: String,
    pub value: String,
}

/// A link; live responses have been seen without a `uri`.
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Link {
    pub uri: Option<String>,
    pub method: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub headers: Vec<LinkHeader>,
}

impl Link {
    pub fn get(uri: impl Into<String>) -> Self {
        Link {
            uri: Some(uri.into()),
            method: Some("GET".into()),
            headers: Vec::new(),
        }
    }
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Links {
    #[serde(rename = "self")]
    pub self_link: Option<Link>,
    pub next: Option<Link>,
    pub previous: Option<Link>,
    /// Resource-specific links (`product`, `sku`, `availability`, `offer`, …).
    #[serde(flatten)]
    pub other: BTreeMap<String, Link>,
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct Attributes {
    pub object_type: Option<String>,
    pub etag: Option<String>,
}

impl Attributes {
    pub fn of(object_type: &str) -> Option<Self> {
        Some(Attributes {
            object_type: Some(object_type.to_owned()),
            etag: None,
        })
    }
}

/// A collection; seek-based ones carry `links.next` and a `continuationToken` when more follow.
#[skip_serializing_none]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(
    rename_all(serialize = "camelCase"),
    default,
    bound(deserialize = "T: Deserialize<'de>")
)]
pub struct Collection<T> {
    #[serde(deserialize_with = "flexible_opt_i64")]
    pub total_count: Option<i64>,
    pub items: Vec<T>,
    pub links: Option<Links>,
    pub continuation_token: Option<String>,
    pub attributes: Option<Attributes>,
}

/// A list answered as a collection or, as the swagger types some (agreements), a bare array.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged, bound(deserialize = "T: Deserialize<'de>"))]
pub enum Listing<T> {
    Bare(Vec<T>),
    Page(Box<Collection<T>>),
}

impl<T> Listing<T> {
    pub fn into_items(self) -> Vec<T> {
        match self {
            Listing::Bare(items) => items,
            Listing::Page(page) => page.items,
        }
    }
}

impl<T> Default for Collection<T> {
    fn default() -> Self {
        Collection {
            total_count: None,
            items: Vec::new(),
            links: None,
            continuation_token: None,
            attributes: None,
        }
    }
}

impl<T> Collection<T> {
    pub fn of(items: Vec<T>) -> Self {
        Collection {
            total_count: Some(items.len() as i64),
            items,
            links: None,
            continuation_token: None,
            attributes: Attributes::of("Collection"),
        }
    }

    pub fn next_link(&self) -> Option<&Link> {
        self.links
            .as_ref()?
            .next
            .as_ref()
            .filter(|l| l.uri.is_some())
    }
}

#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct ItemType {
    pub id: String,
    pub display_name: Option<String>,
    pub sub_type: Option<Box<ItemType>>,
}

/// Partner Center's error body (`code` arrives as a number or a string).
#[skip_serializing_none]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct ApiError {
    #[serde(deserialize_with = "flexible_string")]
    pub code: String,
    pub description: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<serde_json::Value>,
    pub source: Option<String>,
}

/// The API gateway's 429 body, which is not the usual error shape.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all(serialize = "camelCase"), default)]
pub struct ThrottleBody {
    pub status_code: i64,
    pub message: String,
}

/// A timestamp as Partner Center writes it: RFC 3339 with 0–7 fractional digits, sometimes
/// a space for the `T` or no zone (read as UTC). Written back as RFC 3339 UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WireTime(pub OffsetDateTime);

impl WireTime {
    pub fn parse(text: &str) -> Option<Self> {
        let text = text.trim().replacen(' ', "T", 1);
        if let Ok(t) = OffsetDateTime::parse(&text, &Rfc3339) {
            return Some(WireTime(t));
        }
        // No zone: read as UTC.
        let format = time::macros::format_description!(
            "[year]-[month]-[day]T[hour]:[minute]:[second][optional [.[subsecond]]]"
        );
        if let Ok(t) = PrimitiveDateTime::parse(&text, &format) {
            return Some(WireTime(t.assume_utc()));
        }
        let date = time::macros::format_description!("[year]-[month]-[day]");
        time::Date::parse(&text, &date)
            .ok()
            .map(|d| WireTime(d.midnight().assume_utc()))
    }

    pub fn format(&self) -> String {
        self.0
            .to_offset(time::UtcOffset::UTC)
            .format(&Rfc3339)
            .unwrap_or_default()
    }
}

impl Serialize for WireTime {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.format())
    }
}

impl<'de> Deserialize<'de> for WireTime {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        WireTime::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date-time")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_in_every_seen_shape() {
        for text in [
            "2021-01-14T16:57:15Z",
            "2021-01-14T16:57:15.4Z",
            "2021-01-14T16:57:15.71Z",
            "2021-01-14T16:57:15.1234567Z",
            "2021-01-14 16:57:15Z",
            "2021-01-14T16:57:15",
            "2021-01-14T16:57:15+02:00",
            "9999-12-31T00:00:00Z",
            "2021-01-14",
        ] {
            assert!(WireTime::parse(text).is_some(), "{text}");
        }
        assert_eq!(
            WireTime::parse("2021-01-14T16:57:15.4Z").unwrap().format(),
            "2021-01-14T16:57:15.4Z"
        );
        assert!(WireTime::parse("yesterday").is_none());
    }
}
