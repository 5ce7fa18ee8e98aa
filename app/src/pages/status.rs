//! System status: is this instance healthy, and on what is it running.

use leptos::{ev::SubmitEvent, prelude::*};

use crate::{
    components::{
        error_panel::ErrorPanel,
        page_header::PageHeader,
        toast::{use_toasts, ToastKind},
    },
    serverfns::status::{system_status, StatusReport},
};

#[component]
pub fn Status() -> impl IntoView {
    let checks = RwSignal::new(0u32);
    let status = crate::page_data::load(move || checks.get(), |_| system_status());
    let toasts = use_toasts();

    // Announce the result of a check the user asked for (not of the first load).
    Effect::new(move |_| {
        if let Some(result) = status.get() {
            if checks.get_untracked() > 0 {
                match result {
                    Ok(s) => toasts.push(
                        ToastKind::Success,
                        tr!(p_status.checked_at, at = s.checked_at.as_str()).to_string(),
                    ),
                    Err(e) => toasts.push(ToastKind::Error, e.to_string()),
                }
            }
        }
    });

    // Without JavaScript the form reloads the page, which checks again.
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        checks.update(|n| *n += 1);
    };

    view! {
        <PageHeader title=tr!(p_status.system_status) subtitle=tr!(p_status.health_of_this_seatwise_instance)>
            <form method="get" action="/status" on:submit=on_submit>
                <button type="submit" class="button button-secondary">
                    {tr!(p_status.check_again)}
                </button>
            </form>
        </PageHeader>
        <Transition fallback=|| view! { <p class="muted">{tr!(p_status.checking)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || status.get().map(|result| result.map(status_table))}
            </ErrorBoundary>
        </Transition>
    }
}

fn status_table(s: StatusReport) -> impl IntoView {
    let migrations_ok = s.migrations_applied as usize == s.migrations_known;
    let uptime = format_uptime(s.uptime_seconds);
    view! {
        <div class="card card-flush">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_status.check)}</th>
                        <th scope="col">{tr!(p_status.state)}</th>
                        <th scope="col">{tr!(p_status.details)}</th>
                    </tr>
                </thead>
                <tbody>
                    <tr>
                        <td class="nowrap">{tr!(p_status.database)}</td>
                        <td>
                            <span class="badge badge-success">{tr!(p_status.reachable)}</span>
                        </td>
                        <td>{s.database}</td>
                    </tr>
                    <tr>
                        <td class="nowrap">{tr!(p_status.migrations)}</td>
                        <td>
                            {if migrations_ok {
                                view! { <span class="badge badge-success">{tr!(p_status.up_to_date)}</span> }
                            } else {
                                view! { <span class="badge badge-warning">{tr!(p_status.pending)}</span> }
                            }}
                        </td>
                        <td>{tr!(p_status.migrations_applied, applied = s.migrations_applied, known = s.migrations_known).to_string()}</td>
                    </tr>
                    <tr>
                        <td class="nowrap">{tr!(p_status.partner_center)}</td>
                        {match s.partner_center {
                            Some(pc) => {
                                view! {
                                    <td>
                                        <span class="badge badge-success">{tr!(p_status.configured)}</span>
                                    </td>
                                    <td>
                                        {{
                                            let sandbox = if pc.sandbox { tr!(p_status.built_in_emulator) } else { "" };
                                            let (name, url, n) = (pc.name.as_str(), pc.api_url.as_str(), pc.connections);
                                            tr_n!(n, p_status.connections_single | p_status.connections_many, name, sandbox, url, n)
                                        }}
                                    </td>
                                }
                                    .into_any()
                            }
                            None => {
                                view! {
                                    <td>
                                        <span class="badge badge-neutral">{tr!(p_status.not_configured)}</span>
                                    </td>
                                    <td>{tr!(p_status.no_default_connection_yet)}</td>
                                }
                                    .into_any()
                            }
                        }}
                    </tr>
                </tbody>
            </table>
            <p class="table-footnote muted">
                {tr!(p_status.footer, version = s.version.as_str(), uptime = uptime.as_str(), at = s.checked_at.as_str()).to_string()}
            </p>
        </div>
    }
}

fn format_uptime(seconds: u64) -> String {
    match seconds {
        s if s < 60 => format!("{s} s"),
        s if s < 3600 => format!("{} min", s / 60),
        s if s < 86_400 => format!("{} h {} min", s / 3600, (s % 3600) / 60),
        s => tr!(p_status.days_hours, d = s / 86_400, h = (s % 86_400) / 3600).to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::format_uptime;

    #[test]
    fn uptime_reads_naturally() {
        assert_eq!(format_uptime(5), "5 s");
        assert_eq!(format_uptime(125), "2 min");
        assert_eq!(format_uptime(3 * 3600 + 7 * 60), "3 h 7 min");
        assert_eq!(format_uptime(2 * 86_400 + 5 * 3600), "2 d 5 h");
    }
}
