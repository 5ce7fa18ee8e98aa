//! Sign-in, sessions and the request-level guards: sessions kept in our database through
//! tower-sessions ([`sessions`]), the signed-in [`Principal`](domain::access::Principal)
//! attached to every request and the other guards ([`guard`]), sign-in with its rate limits
//! ([`sign_in`]), and workspace links ([`links`]).

mod guard;
mod links;
mod sessions;
mod sign_in;

use std::time::Duration;

pub use self::{
    guard::{attach_principal, check_origin, require_sign_in, safe_next},
    links::{workspace, LinkQuery, LinkSettings},
    sessions::{cookie_name, session_layer, DbSessionStore},
    sign_in::{
        set_password, sign_in, sign_out, start_session, ClientAddress, SetPasswordForm, SignInForm,
    },
};

/// How long a session lives without activity, and at most.
pub const IDLE: time::Duration = time::Duration::hours(8);
pub const ABSOLUTE: Duration = Duration::from_secs(7 * 24 * 3600);

pub(crate) const ACCOUNT: &str = "account";
pub(crate) const SIGNED_IN_AT: &str = "signed_in_at";
pub(crate) const SEEN_AT: &str = "seen_at";
/// Activity moves the idle expiry forward at most this often (one session write each time),
/// instead of a database write on every request.
pub(crate) const TOUCH_EVERY_MS: i64 = 5 * 60 * 1000;
