//! The audit log for the service provider: every write and every refusal, newest first.

use crate::urls::use_query_map;
use leptos::prelude::*;

use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::audit_log::{audit_log, AuditRow},
};

#[component]
pub fn AuditLog() -> impl IntoView {
    let query = use_query_map();
    let param = move |key: &'static str| query.with(|q| q.get(key)).filter(|v| !v.is_empty());
    let entries = crate::page_data::load(
        move || (param("actor"), param("outcome"), param("before")),
        |(actor, outcome, before)| audit_log(actor, outcome, before),
    );
    let actor = param("actor").unwrap_or_default();
    let outcome = param("outcome").unwrap_or_default();
    view! {
        <PageHeader title=tr!(p_audit_log.audit_log) subtitle=tr!(p_audit_log.every_change_and_every_refusal) />
        <form method="get" action="/audit" class="filters">
            <div class="field">
                <label for="actor">{tr!(p_audit_log.who_email)}</label>
                <input class="input" id="actor" name="actor" type="search" value=actor />
            </div>
            <div class="field">
                <label for="outcome">{tr!(p_audit_log.outcome)}</label>
                <select class="select" id="outcome" name="outcome">
                    {[("", tr!(p_audit_log.any)), ("succeeded", tr!(p_audit_log.succeeded)), ("refused", tr!(p_audit_log.refused)), ("failed", tr!(p_audit_log.failed))]
                        .into_iter()
                        .map(|(value, label)| view! { <option value=value selected=outcome == value>{label}</option> })
                        .collect_view()}
                </select>
            </div>
            <button type="submit" class="button button-secondary">{tr!(p_audit_log.filter)}</button>
        </form>
        <Transition fallback=|| view! { <p class="muted">{tr!(p_audit_log.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || entries.get().map(|r| r.map(|rows| entry_table(rows, param("actor"), param("outcome"))))}
            </ErrorBoundary>
        </Transition>
    }
}

fn entry_table(
    rows: Vec<AuditRow>,
    actor: Option<String>,
    outcome: Option<String>,
) -> impl IntoView {
    let older = (rows.len() == 50).then(|| {
        let last = rows.last().map(|r| r.id.clone()).unwrap_or_default();
        format!(
            "/audit?actor={}&outcome={}&before={last}",
            actor.unwrap_or_default(),
            outcome.unwrap_or_default()
        )
    });
    let empty = rows.is_empty();
    view! {
        <div class="card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_audit_log.when)}</th>
                        <th scope="col">{tr!(p_audit_log.who)}</th>
                        <th scope="col">{tr!(p_audit_log.what)}</th>
                        <th scope="col">{tr!(p_audit_log.outcome)}</th>
                        <th scope="col">{tr!(p_audit_log.details)}</th>
                    </tr>
                </thead>
                <tbody>
                    {rows
                        .into_iter()
                        .map(|r| {
                            let (badge, outcome) = match r.outcome.as_str() {
                                "succeeded" => ("badge badge-success", tr!(p_audit_log.succeeded)),
                                "refused" => ("badge badge-warning", tr!(p_audit_log.refused)),
                                _ => ("badge badge-danger", tr!(p_audit_log.failed)),
                            };
                            view! {
                                <tr>
                                    <td class="nowrap muted">{r.at}</td>
                                    <td>{r.actor}</td>
                                    <td><code>{r.action}</code></td>
                                    <td><span class=badge>{outcome}</span></td>
                                    <td>
                                        {r.detail}
                                        {r.request_id.map(|id| view! { <div class="muted small">{tr!(p_audit_log.request)} <code>{id}</code></div> })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="table-footnote muted">
                {if empty { tr!(p_audit_log.nothing) } else { tr!(p_audit_log.newest) }}
                " "
                {older.map(|href| view! { <a href=href>{tr!(p_audit_log.older_entries)}</a> })}
            </p>
        </div>
    }
}
