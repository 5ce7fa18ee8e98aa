//! Sign-in: a plain form posted to the server, so it works before (and without) JavaScript.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::components::page_header::PageHeader;

#[component]
pub fn SignIn() -> impl IntoView {
    crate::components::layout::page_hydrated();
    let query = use_query_map();
    let get = move |key: &str| query.with_untracked(|q| q.get(key));
    let wait = get("wait")
        .and_then(|w| w.parse::<u64>().ok())
        .map(|s| {
            if s >= 90 {
                format!("{} minutes", s.div_ceil(60))
            } else {
                format!("{s} seconds")
            }
        })
        .unwrap_or_else(|| "a minute".into());
    let message: Option<(&str, String)> = match get("error").as_deref() {
        Some("invalid") => Some(("alert-error", "Wrong email address or password.".into())),
        Some("throttled") => Some((
            "alert-error",
            format!("Too many attempts. Wait {wait} and try again."),
        )),
        Some("busy") => Some((
            "alert-error",
            "Many people are signing in right now. Try again in a moment.".into(),
        )),
        Some("unavailable") => Some((
            "alert-error",
            "Signing in is not possible right now. Try again in a moment.".into(),
        )),
        Some("link_invalid") => Some((
            "alert-error",
            "That workspace link is not valid. Open Seatwise again from your marketplace.".into(),
        )),
        Some("link_expired") => Some((
            "alert-error",
            "That workspace link has expired: links work for a few minutes only. \
             Open Seatwise again from your marketplace."
                .into(),
        )),
        Some("link_used") => Some((
            "alert-error",
            "That workspace link was already used: each link works once. \
             Open Seatwise again from your marketplace."
                .into(),
        )),
        _ if get("signed_out").is_some() => Some(("alert-info", "You have signed out.".into())),
        _ if get("password_set").is_some() => Some((
            "alert-info",
            "Your password is set. Sign in with it.".into(),
        )),
        _ => None,
    };
    let next = get("next").unwrap_or_else(|| "/".into());
    view! {
        <div class="auth-page">
            <div class="card auth-card">
                <PageHeader title="Sign in" subtitle="Seatwise for Microsoft cloud services" />
                {message.map(|(class, text)| view! { <div class=format!("alert {class}") role="alert">{text}</div> })}
                <form method="post" action="/auth/sign-in">
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="email">"Email address"</label>
                        <input class="input" id="email" name="email" type="email" autocomplete="username" required autofocus />
                    </div>
                    <div class="field">
                        <label for="password">"Password"</label>
                        <input class="input" id="password" name="password" type="password" autocomplete="current-password" required />
                    </div>
                    <button type="submit" class="button button-primary button-block">"Sign in"</button>
                </form>
                <p class="muted small auth-hint">
                    "Customers usually arrive from their marketplace through a workspace link and need no password."
                </p>
            </div>
        </div>
    }
}
