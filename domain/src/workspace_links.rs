//! Workspace links: how a marketplace sends a customer (or reseller) into Seatwise. A link
//! carries a compact HS256-signed token (a JWT) with a shared secret; Seatwise checks the
//! signature, the audience, the expiry (at most ten minutes after issue) and that the token's
//! id was never used before. The format is documented in `docs/workspace-links.md`.

use jsonwebtoken::{
    decode, encode, errors::ErrorKind, Algorithm, DecodingKey, EncodingKey, Header, Validation,
};
use partner_center::CustomerId;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::ResellerId;

/// The longest a link may live.
pub const MAX_TTL_SECS: i64 = 600;
pub const DEFAULT_AUDIENCE: &str = "seatwise";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LinkClaims {
    /// Who issued it (the marketplace's name), for the audit log.
    pub iss: String,
    pub aud: String,
    /// The person's email address.
    pub sub: String,
    #[serde(default)]
    pub name: String,
    /// The customer's tenant id (a customer link) ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// ... or the reseller's id (a reseller link).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reseller: Option<String>,
    pub iat: i64,
    pub exp: i64,
    /// Unique per link; a second use is refused.
    pub jti: String,
}

/// Where a valid link sends the person.
#[derive(Debug, Clone, PartialEq)]
pub enum LinkTarget {
    Customer(CustomerId),
    Reseller(ResellerId),
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LinkError {
    #[error("the link has expired")]
    Expired,
    #[error("the link was already used")]
    Used,
    #[error("the link is not valid")]
    Invalid,
}

impl LinkClaims {
    pub fn target(&self) -> Result<LinkTarget, LinkError> {
        match (&self.customer, &self.reseller) {
            (Some(c), None) if !c.trim().is_empty() => {
                Ok(LinkTarget::Customer(CustomerId::new(c.trim())))
            }
            (None, Some(r)) if !r.trim().is_empty() => {
                Ok(LinkTarget::Reseller(ResellerId::new(r.trim())))
            }
            _ => Err(LinkError::Invalid),
        }
    }
}

/// What a new link says.
pub struct NewLink<'a> {
    pub issuer: &'a str,
    pub audience: &'a str,
    pub target: &'a LinkTarget,
    pub email: &'a str,
    pub name: &'a str,
    pub ttl_secs: i64,
}

/// Mints a link token (for the marketplace side and `seatwise workspace-link`).
pub fn mint(secret: &[u8], link: &NewLink<'_>, now: i64) -> Result<String, LinkError> {
    let NewLink {
        issuer,
        audience,
        target,
        email,
        name,
        ttl_secs,
    } = *link;
    if !(1..=MAX_TTL_SECS).contains(&ttl_secs) {
        return Err(LinkError::Invalid);
    }
    let (customer, reseller) = match target {
        LinkTarget::Customer(c) => (Some(c.to_string()), None),
        LinkTarget::Reseller(r) => (None, Some(r.to_string())),
    };
    let claims = LinkClaims {
        iss: issuer.to_owned(),
        aud: audience.to_owned(),
        sub: email.to_owned(),
        name: name.to_owned(),
        customer,
        reseller,
        iat: now,
        exp: now + ttl_secs,
        jti: Uuid::new_v4().to_string(),
    };
    encode(
        &Header::new(Algorithm::HS256),
        &claims,
        &EncodingKey::from_secret(secret),
    )
    .map_err(|_| LinkError::Invalid)
}

/// Checks signature (HS256 only), audience, expiry and lifetime. Single use is the caller's
/// second step, against the store.
pub fn verify(
    secret: &[u8],
    audience: &str,
    token: &str,
    now: i64,
) -> Result<LinkClaims, LinkError> {
    let mut validation = Validation::new(Algorithm::HS256);
    validation.set_audience(&[audience]);
    validation.set_required_spec_claims(&["exp", "aud", "sub"]);
    validation.leeway = 30;
    // Expiry is checked below against our clock (tests move it).
    validation.validate_exp = false;
    let claims = decode::<LinkClaims>(token, &DecodingKey::from_secret(secret), &validation)
        .map_err(|e| match e.kind() {
            ErrorKind::ExpiredSignature => LinkError::Expired,
            _ => LinkError::Invalid,
        })?
        .claims;
    if claims.exp - claims.iat > MAX_TTL_SECS || claims.iat > now + 30 {
        return Err(LinkError::Invalid);
    }
    if now > claims.exp + 30 {
        return Err(LinkError::Expired);
    }
    claims.target()?;
    Ok(claims)
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"a shared secret of at least thirty-two bytes";
    const NOW: i64 = 1_800_000_000;

    fn link(ttl: i64) -> String {
        mint(
            SECRET,
            &NewLink {
                issuer: "contoso-market",
                audience: DEFAULT_AUDIENCE,
                target: &LinkTarget::Customer(CustomerId::new(
                    "11111111-2222-3333-4444-555555555555",
                )),
                email: "ann@contoso.example",
                name: "Ann Lee",
                ttl_secs: ttl,
            },
            NOW,
        )
        .unwrap()
    }

    #[test]
    fn a_fresh_link_verifies() {
        let claims = verify(SECRET, DEFAULT_AUDIENCE, &link(300), NOW + 10).unwrap();
        assert_eq!(claims.sub, "ann@contoso.example");
        assert_eq!(
            claims.target().unwrap(),
            LinkTarget::Customer(CustomerId::new("11111111-2222-3333-4444-555555555555"))
        );
    }

    #[test]
    fn forged_expired_and_wrong_audience_links_are_refused() {
        let token = link(300);
        assert_eq!(
            verify(
                b"another secret, also long enough....",
                DEFAULT_AUDIENCE,
                &token,
                NOW
            ),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify(SECRET, "someone-else", &token, NOW),
            Err(LinkError::Invalid)
        );
        assert_eq!(
            verify(SECRET, DEFAULT_AUDIENCE, &token, NOW + 400),
            Err(LinkError::Expired)
        );
        // A changed payload breaks the signature.
        let mut parts: Vec<String> = token.split('.').map(str::to_owned).collect();
        parts[1] = parts[1].chars().rev().collect();
        assert_eq!(
            verify(SECRET, DEFAULT_AUDIENCE, &parts.join("."), NOW),
            Err(LinkError::Invalid)
        );
        // "alg": "none" is not accepted.
        let none = format!(
            "eyJhbGciOiJub25lIiwidHlwIjoiSldUIn0.{}.",
            token.split('.').nth(1).unwrap()
        );
        assert_eq!(
            verify(SECRET, DEFAULT_AUDIENCE, &none, NOW),
            Err(LinkError::Invalid)
        );
        assert!(
            mint(
                SECRET,
                &NewLink {
                    issuer: "m",
                    audience: "a",
                    target: &LinkTarget::Reseller(ResellerId::new("r")),
                    email: "e@x.y",
                    name: "",
                    ttl_secs: 3600
                },
                NOW
            )
            .is_err(),
            "at most ten minutes"
        );
    }
}
