//! Typed identifiers in their documented forms. Partner Center mixes upper- and lower-case
//! GUIDs for the same object, so equality and hashing ignore ASCII case.
//!
//! Anything that comes from a person (a form field, a query string) enters through
//! [`str::parse`], which accepts only the documented form of that kind of id; `new` is for
//! values we already hold (our store, Partner Center's own answers). Paths are built from
//! percent-encoded segments either way (see `client::Call`), so no value can change a path.

/// The documented shape of a kind of id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdForm {
    /// `5f1c2a3b-0000-4000-8000-00000000abcd` (customers, users, subscriptions, roles, SKUs).
    Guid,
    /// An opaque token of letters, digits, `-` and `_`, up to 64 (carts, orders).
    Token,
    /// Letters and digits, up to 32 (`CFQ7TTC0LH18`, `0001`).
    Code,
}

impl IdForm {
    pub fn accepts(self, s: &str) -> bool {
        match self {
            IdForm::Guid => is_guid(s),
            IdForm::Token => {
                (1..=64).contains(&s.len())
                    && s.bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
            }
            IdForm::Code => {
                (1..=32).contains(&s.len()) && s.bytes().all(|b| b.is_ascii_alphanumeric())
            }
        }
    }

    /// What the form looks like, for messages.
    pub fn expected(self) -> &'static str {
        match self {
            IdForm::Guid => "a GUID like 5f1c2a3b-0000-4000-8000-00000000abcd",
            IdForm::Token => "letters, digits, '-' and '_' (at most 64)",
            IdForm::Code => "letters and digits (at most 32)",
        }
    }
}

fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

/// An id that is not in its documented form. The message is safe to show.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("That {kind} is not valid: expected {expected}.")]
pub struct IdError {
    pub kind: &'static str,
    pub expected: &'static str,
}

/// Declares typed ids: `Name: "kind for messages", Form`. One macro for every crate that
/// needs ids of its own (`domain` uses it too).
#[macro_export]
macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident: $kind:literal, $form:ident);+ $(;)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Eq, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            /// A value we already hold (our store, Partner Center's answers). Input from a
            /// person goes through `parse`.
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub const KIND: &'static str = $kind;
            pub const FORM: $crate::ids::IdForm = $crate::ids::IdForm::$form;
        }

        impl std::str::FromStr for $name {
            type Err = $crate::ids::IdError;

            /// Accepts only the documented form (surrounding spaces are trimmed).
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                let s = s.trim();
                if Self::FORM.accepts(s) {
                    Ok($name(s.to_owned()))
                } else {
                    Err($crate::ids::IdError { kind: $kind, expected: Self::FORM.expected() })
                }
            }
        }

        impl PartialEq for $name {
            fn eq(&self, other: &Self) -> bool {
                self.0.eq_ignore_ascii_case(&other.0)
            }
        }

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                for b in self.0.bytes() {
                    state.write_u8(b.to_ascii_lowercase());
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl From<&str> for $name {
            fn from(s: &str) -> Self {
                $name(s.to_owned())
            }
        }

        impl From<String> for $name {
            fn from(s: String) -> Self {
                $name(s)
            }
        }
    )+};
}

id_type!(
    /// A customer's Microsoft Entra tenant id (also its Partner Center customer id).
    CustomerId: "customer id", Guid;
    /// A user's directory object id.
    UserId: "user id", Guid;
    /// The licensing SKU id (a GUID, `productSku.id`), used to assign licenses.
    SkuId: "license SKU id", Guid;
    /// A service plan of a license SKU (`servicePlans[].id`), as sent in `excludedPlans`.
    ServicePlanId: "service plan id", Guid;
    SubscriptionId: "subscription id", Guid;
    /// A directory role's object id.
    RoleId: "role id", Guid;
    CartId: "cart id", Token;
    OrderId: "order id", Token;
    /// A catalog product id (`CFQ7TTC0LH18`).
    ProductId: "product id", Code;
    /// A catalog SKU id within a product (`0001`).
    CatalogSkuId: "catalog SKU id", Code;
    /// A catalog availability id (`CFQ7TTC0K971`).
    AvailabilityId: "availability id", Code;
);

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn ids_compare_without_case() {
        let a = SubscriptionId::new("A1B2C3D4-0000-0000-0000-000000000001");
        let b = SubscriptionId::new("a1b2c3d4-0000-0000-0000-000000000001");
        assert_eq!(a, b);
        let set: HashSet<_> = [a].into_iter().collect();
        assert!(set.contains(&b));
    }

    #[test]
    fn only_documented_forms_parse() {
        assert!("5F1C2A3B-0000-4000-8000-00000000ABCD"
            .parse::<UserId>()
            .is_ok());
        assert!(" 5f1c2a3b-0000-4000-8000-00000000abcd "
            .parse::<UserId>()
            .is_ok());
        for bad in [
            "",
            "..",
            "../../customers/x/users/y",
            "5f1c2a3b-0000-4000-8000-00000000abc/",
            "5f1c2a3b-0000-4000-8000-00000000abcg",
            "5f1c2a3b00000-4000-8000-00000000abcd",
            "%2e%2e",
            "5f1c2a3b-0000-4000-8000-00000000abcd?x",
        ] {
            let e = bad.parse::<UserId>().unwrap_err();
            assert_eq!(e.to_string(), "That user id is not valid: expected a GUID like 5f1c2a3b-0000-4000-8000-00000000abcd.");
        }
        assert!("Cs_jyTx-12".parse::<CartId>().is_ok());
        assert!("a/b".parse::<CartId>().is_err());
        assert!("x".repeat(65).parse::<OrderId>().is_err());
        assert!("CFQ7TTC0LH18".parse::<ProductId>().is_ok());
        assert!("0001".parse::<CatalogSkuId>().is_ok());
        assert!("00 1".parse::<CatalogSkuId>().is_err());
        assert!("CFQ7TTC0K971#".parse::<AvailabilityId>().is_err());
    }
}
