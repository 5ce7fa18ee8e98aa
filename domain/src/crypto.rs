//! Sealing secrets at rest with the instance's master key: XChaCha20-Poly1305 with a random
//! 24-byte nonce per value, bound to the row it belongs to through associated data.

use base64::{engine::general_purpose::STANDARD, Engine as _};
use chacha20poly1305::{
    aead::{Aead, AeadCore, KeyInit, OsRng, Payload},
    XChaCha20Poly1305, XNonce,
};

use crate::StoreError;

#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer([redacted])")
    }
}

impl Sealer {
    /// `key` is the 32-byte master key.
    pub fn new(key: &[u8]) -> Result<Self, StoreError> {
        let cipher = XChaCha20Poly1305::new_from_slice(key)
            .map_err(|_| StoreError::Invalid("the master key must be 32 bytes".into()))?;
        Ok(Sealer { cipher })
    }

    pub fn seal(&self, plaintext: &[u8], bound_to: &str) -> Result<String, StoreError> {
        let nonce = XChaCha20Poly1305::generate_nonce(&mut OsRng);
        let sealed = self
            .cipher
            .encrypt(
                &nonce,
                Payload {
                    msg: plaintext,
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| StoreError::Invalid("could not seal a secret".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        Ok(STANDARD.encode(out))
    }

    pub fn open(&self, sealed: &str, bound_to: &str) -> Result<Vec<u8>, StoreError> {
        let unreadable = || {
            StoreError::Invalid(
                "a stored secret cannot be read: wrong master key, or the value was tampered with"
                    .into(),
            )
        };
        let bytes = STANDARD.decode(sealed).map_err(|_| unreadable())?;
        if bytes.len() < 24 {
            return Err(unreadable());
        }
        let (nonce, ciphertext) = bytes.split_at(24);
        self.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: bound_to.as_bytes(),
                },
            )
            .map_err(|_| unreadable())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seals_and_opens_only_with_the_same_key_and_row() {
        let sealer = Sealer::new(&[7u8; 32]).unwrap();
        let sealed = sealer.seal(b"client-secret", "row-1").unwrap();
        assert!(!sealed.contains("client-secret"));
        assert_eq!(sealer.open(&sealed, "row-1").unwrap(), b"client-secret");
        assert!(sealer.open(&sealed, "row-2").is_err(), "bound to its row");
        assert!(Sealer::new(&[8u8; 32])
            .unwrap()
            .open(&sealed, "row-1")
            .is_err());
        assert_ne!(
            sealer.seal(b"x", "r").unwrap(),
            sealer.seal(b"x", "r").unwrap(),
            "fresh nonce"
        );
        assert!(Sealer::new(&[1u8; 16]).is_err());
    }
}
