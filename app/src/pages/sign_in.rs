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
                tr!(sign_in.minutes, n = s.div_ceil(60)).to_string()
            } else {
                tr!(sign_in.seconds, n = s).to_string()
            }
        })
        .unwrap_or_else(|| tr!(sign_in.a_minute).into());
    let message: Option<(&str, String)> = match get("error").as_deref() {
        Some("invalid") => Some(("alert-error", tr!(sign_in.invalid).into())),
        Some("throttled") => Some((
            "alert-error",
            tr!(sign_in.throttled, wait = wait.as_str()).to_string(),
        )),
        Some("busy") => Some(("alert-error", tr!(sign_in.busy).into())),
        Some("unavailable") => Some(("alert-error", tr!(sign_in.unavailable).into())),
        Some("link_invalid") => Some(("alert-error", tr!(sign_in.link_invalid).into())),
        Some("link_expired") => Some(("alert-error", tr!(sign_in.link_expired).into())),
        Some("link_used") => Some(("alert-error", tr!(sign_in.link_used).into())),
        _ if get("signed_out").is_some() => Some(("alert-info", tr!(sign_in.signed_out).into())),
        _ if get("password_set").is_some() => {
            Some(("alert-info", tr!(sign_in.password_set).into()))
        }
        _ => None,
    };
    let next = get("next").unwrap_or_else(|| "/".into());
    view! {
        <div class="auth-page">
            <div class="card auth-card">
                <PageHeader title=tr!(sign_in.title) subtitle=tr!(sign_in.subtitle) />
                {message.map(|(class, text)| view! { <div class=format!("alert {class}") role="alert">{text}</div> })}
                <form method="post" action="/auth/sign-in">
                    <input type="hidden" name="next" value=next />
                    <div class="field">
                        <label for="email">{tr!(sign_in.email)}</label>
                        <input class="input" id="email" name="email" type="email" autocomplete="username" required autofocus />
                    </div>
                    <div class="field">
                        <label for="password">{tr!(sign_in.password)}</label>
                        <input class="input" id="password" name="password" type="password" autocomplete="current-password" required />
                    </div>
                    <button type="submit" class="button button-primary button-block">{tr!(sign_in.submit)}</button>
                </form>
                <p class="muted small auth-hint">
                    {tr!(sign_in.hint)}
                </p>
            </div>
        </div>
    }
}
