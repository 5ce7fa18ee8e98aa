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
    let data = crate::page_data::load(move || save.version().get(), |_| settings());
    let said = move || {
        save.value().get().map(|r| match r {
            Ok(()) => {
                view! { <div class="alert alert-success" role="status">{tr!(p_settings.saved)}</div> }.into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    view! {
        <PageHeader title=tr!(p_settings.settings) subtitle=tr!(p_settings.how_seatwise_keeps_its_record) />
        {said}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_settings.loading_the_settings)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|d| nightly(d, admin, save)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn nightly(d: SettingsData, admin: bool, save: ServerAction<SaveSettings>) -> impl IntoView {
    let last = if d.nightly_last.is_empty() {
        tr!(p_settings.not_run).to_owned()
    } else {
        tr!(p_settings.last_ran, day = d.nightly_last.as_str()).to_string()
    };
    view! {
        <section class="card" aria-labelledby="nightly-title">
            <h2 class="card-title" id="nightly-title">{tr!(p_settings.every_night_sync_and_optimisation)}</h2>
            <p class="muted small">
                "Once a day, after this time, every subscription of every customer is read from Partner Center (what changed outside Seatwise goes into the history), then license optimisation plans what to give back: it waits for approval on the Optimisation page unless you tick the box. "
                {last}
            </p>
            <ActionForm action=save attr:class="filters">
                <div class="field">
                    <label for="nightly-at">{tr!(p_settings.time_of_day_utc)}</label>
                    <input class="input" type="time" id="nightly-at" name="nightly_at" value=d.nightly_at required disabled=!admin />
                </div>
                <label class="choice">
                    <input type="checkbox" name="optimise_automatic" value="on" checked=d.optimise_automatically disabled=!admin />
                    {tr!(p_settings.then_give_back_unused_licenses)}
                </label>
                {admin.then(|| view! {
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{tr!(p_settings.save)}</button>
                })}
            </ActionForm>
            {(!admin).then(|| view! { <p class="muted small">{tr!(p_settings.only_service_provider_admins_can)}</p> })}
        </section>
    }
}
