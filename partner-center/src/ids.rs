//! Typed identifiers. Partner Center mixes upper- and lower-case GUIDs for the same object, so
//! equality and hashing ignore ASCII case.

use serde::{Deserialize, Serialize};

macro_rules! id_type {
    ($($(#[$meta:meta])* $name:ident),+ $(,)?) => {$(
        $(#[$meta])*
        #[derive(Debug, Clone, Default, Eq, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(transparent)]
        pub struct $name(String);

        impl $name {
            pub fn new(id: impl Into<String>) -> Self {
                $name(id.into())
            }

            pub fn as_str(&self) -> &str {
                &self.0
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
    CustomerId,
    /// A user's directory object id.
    UserId,
    /// The licensing SKU id (a GUID, `productSku.id`), used to assign licenses.
    SkuId,
    SubscriptionId,
    /// A directory role's object id.
    RoleId,
    CartId,
    OrderId,
    /// A catalog product id (`CFQ7TTC0LH18`).
    ProductId,
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
}
