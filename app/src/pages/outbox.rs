//! The service provider's outbox: every password notice and whether it was sent (never its text).

use leptos::prelude::*;

use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::outbox::{outbox, OutboxMail},
};

#[component]
pub fn Outbox() -> impl IntoView {
    let mails = crate::page_data::load(|| (), |_| outbox());
    view! {
        <PageHeader
            title=tr!(p_outbox.outbox)
            subtitle=tr!(p_outbox.password_notices_and_whether_they)
        />
        <Transition fallback=|| view! { <p class="muted">{tr!(p_outbox.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || mails.get().map(|r| r.map(mail_table))}
            </ErrorBoundary>
        </Transition>
    }
}

fn mail_table(mails: Vec<OutboxMail>) -> impl IntoView {
    if mails.is_empty() {
        return view! { <p class="muted">{tr!(p_outbox.no_mail_yet)}</p> }.into_any();
    }
    view! {
        <div class="card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_outbox.when_utc)}</th>
                        <th scope="col">{tr!(p_outbox.to)}</th>
                        <th scope="col">{tr!(p_outbox.subject)}</th>
                        <th scope="col">{tr!(p_outbox.status)}</th>
                    </tr>
                </thead>
                <tbody>
                    {mails
                        .into_iter()
                        .map(|m| {
                            let badge = if m.sent { "badge badge-success" } else { "badge badge-warning" };
                            view! {
                                <tr>
                                    <td class="nowrap">{m.at}</td>
                                    <td>{m.recipient}</td>
                                    <td>{m.subject}</td>
                                    <td><span class=badge>{m.status}</span></td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}
