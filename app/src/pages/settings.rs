//! Settings: when the nightly sync reads every subscription from Partner Center (recording what
//! changed outside Seatwise in the history).

use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::settings::{settings, SaveSettings, SettingsData},
};

#[component]
pub fn Settings() -> impl IntoView {
    let admin = use_me().is_some_and(|m| m.admin);
    let save = ServerAction::<SaveSettings>::new();
    let data = Resource::new(move || save.version().get(), |_| settings());
    let said = move || {
        save.value().get().map(|r| match r {
            Ok(()) => {
                view! { <div class="alert alert-success" role="status">"Saved."</div> }.into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    view! {
        <PageHeader title="Settings" subtitle="How Seatwise keeps its record of Partner Center." />
        {said}
        <Transition fallback=|| view! { <p class="muted">"Loading the settings…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|d| nightly(d, admin, save)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn nightly(d: SettingsData, admin: bool, save: ServerAction<SaveSettings>) -> impl IntoView {
    let last = if d.nightly_last.is_empty() {
        "It has not run yet.".to_owned()
    } else {
        format!("It last ran on {}.", d.nightly_last)
    };
    view! {
        <section class="card" aria-labelledby="nightly-title">
            <h2 class="card-title" id="nightly-title">"Every night: sync and optimisation"</h2>
            <p class="muted small">
                "Once a day, after this time, every subscription of every customer is read from Partner Center (what changed outside Seatwise goes into the history), then license optimisation plans what to give back: it waits for approval on the Optimisation page unless you tick the box. "
                {last}
            </p>
            <ActionForm action=save attr:class="filters">
                <div class="field">
                    <label for="nightly-at">"Time of day (UTC)"</label>
                    <input class="input" type="time" id="nightly-at" name="nightly_at" value=d.nightly_at required disabled=!admin />
                </div>
                <label class="choice">
                    <input type="checkbox" name="optimise_automatic" value="on" checked=d.optimise_automatically disabled=!admin />
                    " Then give back unused licenses without waiting for approval"
                </label>
                {admin.then(|| view! {
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>"Save"</button>
                })}
            </ActionForm>
            {(!admin).then(|| view! { <p class="muted small">"Only service provider admins can change it."</p> })}
        </section>
    }
}
