//! Reading JSON the way Partner Center writes it: an optional UTF-8 BOM, keys in camelCase,
//! PascalCase or snake_case (all accepted), enum values in any case, numbers sometimes quoted,
//! unknown fields ignored. Writing is plain camelCase via serde attributes on the wire types.

use serde::{de::DeserializeOwned, Deserialize, Deserializer};
use serde_json::{Map, Value};

const BOM: &[u8] = b"\xEF\xBB\xBF";

pub fn strip_bom(bytes: &[u8]) -> &[u8] {
    bytes.strip_prefix(BOM).unwrap_or(bytes)
}

/// Parses a body into `T`, tolerating everything listed in the module doc.
pub fn from_slice<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let value: Value = serde_json::from_slice(strip_bom(bytes))?;
    from_value(value)
}

pub fn from_value<T: DeserializeOwned>(value: Value) -> Result<T, serde_json::Error> {
    serde_json::from_value(normalize_keys(value))
}

/// Rewrites every object key to snake_case, the form the wire types deserialize from.
pub fn normalize_keys(value: Value) -> Value {
    match value {
        Value::Object(map) => Value::Object(
            map.into_iter()
                .map(|(k, v)| (snake_case(&k), normalize_keys(v)))
                .collect::<Map<_, _>>(),
        ),
        Value::Array(items) => Value::Array(items.into_iter().map(normalize_keys).collect()),
        other => other,
    }
}

/// `userPrincipalName`, `UserPrincipalName`, `user_principal_name` → `user_principal_name`;
/// runs of capitals stay one word (`MSRequestId` → `ms_request_id`).
pub fn snake_case(key: &str) -> String {
    let chars: Vec<char> = key.chars().collect();
    let mut out = String::with_capacity(key.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if c == '-' || c == ' ' {
            out.push('_');
            continue;
        }
        if c.is_uppercase() && i > 0 {
            let prev = chars[i - 1];
            let next_is_lower = chars.get(i + 1).is_some_and(|n| n.is_lowercase());
            if (prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_is_lower))
                && !out.ends_with('_')
            {
                out.push('_');
            }
        }
        out.extend(c.to_lowercase());
    }
    out
}

/// Compares enum values the way the service does: case- and underscore-insensitively.
pub fn enum_key(value: &str) -> String {
    value
        .chars()
        .filter(|c| *c != '_' && *c != '-' && *c != ' ')
        .flat_map(char::to_lowercase)
        .collect()
}

/// Declares a wire enum: known values with their canonical spelling, plus `Other` so that a
/// value the service adds tomorrow does not break parsing today.
#[macro_export]
macro_rules! wire_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $($variant,)+
            /// A value this client does not know, kept as sent.
            Other(String),
        }

        impl $name {
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $text,)+
                    $name::Other(s) => s.as_str(),
                }
            }

            pub fn parse(value: &str) -> Self {
                let key = $crate::json::enum_key(value);
                $(if key == $crate::json::enum_key($text) { return $name::$variant; })+
                $name::Other(value.to_owned())
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let value = serde_json::Value::deserialize(d)?;
                Ok(match value {
                    serde_json::Value::String(s) => $name::parse(&s),
                    other => $name::Other(other.to_string()),
                })
            }
        }
    };
}

/// An integer that may arrive as a JSON number or as a string of digits.
pub fn flexible_i64<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
    match Value::deserialize(d)? {
        Value::Number(n) => n
            .as_i64()
            .or_else(|| n.as_f64().map(|f| f as i64))
            .ok_or_else(|| serde::de::Error::custom("number out of range")),
        Value::String(s) => s
            .trim()
            .parse()
            .map_err(|_| serde::de::Error::custom(format!("{s:?} is not a number"))),
        Value::Null => Ok(0),
        other => Err(serde::de::Error::custom(format!("{other} is not a number"))),
    }
}

/// Like [`flexible_i64`] for an optional field.
pub fn flexible_opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
    match Value::deserialize(d)? {
        Value::Null => Ok(None),
        other => flexible_i64(other)
            .map(Some)
            .map_err(serde::de::Error::custom),
    }
}

/// A string that may arrive as a JSON string or number (error codes: `"2002"` or `60012`).
pub fn flexible_string<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_become_snake_case() {
        for (from, to) in [
            ("userPrincipalName", "user_principal_name"),
            ("UserPrincipalName", "user_principal_name"),
            ("user_principal_name", "user_principal_name"),
            ("LicensesToAssign", "licenses_to_assign"),
            ("objectType", "object_type"),
            ("MSRequestId", "ms_request_id"),
            ("id", "id"),
            ("skuId", "sku_id"),
            ("ext_expires_in", "ext_expires_in"),
            ("creationTimeStamp", "creation_time_stamp"),
            ("line1", "line1"),
            ("addressLine1", "address_line1"),
        ] {
            assert_eq!(snake_case(from), to, "{from}");
        }
    }

    #[test]
    fn bom_is_tolerated() {
        let v: serde_json::Value = from_slice(b"\xEF\xBB\xBF{\"A\":1}").unwrap();
        assert_eq!(v["a"], 1);
    }

    crate::wire_enum!(Cycle { Monthly = "monthly", OneTime = "one_time" });

    #[test]
    fn enums_are_case_insensitive_and_open() {
        assert_eq!(Cycle::parse("Monthly"), Cycle::Monthly);
        assert_eq!(Cycle::parse("ONETIME"), Cycle::OneTime);
        assert_eq!(Cycle::parse("one_time"), Cycle::OneTime);
        assert_eq!(Cycle::parse("weekly"), Cycle::Other("weekly".into()));
        assert_eq!(
            serde_json::to_string(&Cycle::OneTime).unwrap(),
            "\"one_time\""
        );
    }
}
