//! The subscription history: every change made through Seatwise (license assignments
//! included) and every change Partner Center showed that was made outside it, for the customers
//! the person may see; filters,
//! paging, a CSV of what is filtered, and for one subscription its quantity over time (an SVG
//! drawn on the server, readable without JavaScript).

use crate::urls::use_query_map;
use leptos::prelude::*;

use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::history::{history, HistoryFilter, HistoryPageData},
};

#[component]
pub fn History() -> impl IntoView {
    let query = use_query_map();
    let filter = move || {
        query.with(|q| HistoryFilter {
            customer: q.get("customer"),
            subscription: q.get("subscription"),
            who: q.get("who"),
            kind: q.get("kind"),
            source: q.get("source"),
            from: q.get("from"),
            to: q.get("to"),
            page: q.get("page"),
        })
    };
    let data = crate::page_data::load(filter, history);
    view! {
        <PageHeader
            title=tr!(p_history.history)
            subtitle=tr!(p_history.every_subscription_change_made_through)
        />
        <Transition fallback=|| view! { <p class="muted">{tr!(p_history.loading_the_history)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|d| page(d, filter())))}
            </ErrorBoundary>
        </Transition>
    }
}

/// The address of this page with the filters, `change` applied.
fn link(f: &HistoryFilter, change: &dyn Fn(&mut HistoryFilter)) -> String {
    let mut f = f.clone();
    change(&mut f);
    crate::urls::href(
        "/history",
        &[
            ("customer", &f.customer),
            ("subscription", &f.subscription),
            ("who", &f.who),
            ("kind", &f.kind),
            ("source", &f.source),
            ("from", &f.from),
            ("to", &f.to),
            ("page", &f.page),
        ],
    )
}

fn page(d: HistoryPageData, f: HistoryFilter) -> impl IntoView {
    let value = |v: &Option<String>| v.clone().unwrap_or_default();
    let chosen = value(&f.customer);
    let customers = d
        .customers
        .iter()
        .map(|(id, name)| view! { <option value=id.clone() selected=*id == chosen>{name.clone()}</option> })
        .collect_view();
    let select = |options: &[(&'static str, &'static str)], current: String| {
        options
            .iter()
            .map(|(v, label)| view! { <option value=*v selected=*v == current>{*label}</option> })
            .collect_view()
    };
    let kinds = select(
        &[
            ("", tr!(p_history.any)),
            ("change", tr!(p_history.k_change)),
            ("order", tr!(p_history.k_order)),
            ("discovered", tr!(p_history.k_discovered)),
            ("gone", tr!(p_history.k_gone)),
            ("license", tr!(p_history.k_license)),
            ("reconcile", tr!(p_history.k_reconcile)),
            ("increase", tr!(p_history.k_increase)),
        ],
        value(&f.kind),
    );
    let sources = select(
        &[
            ("", tr!(p_history.anywhere)),
            ("seatwise", tr!(p_history.in_seatwise)),
            ("outside", tr!(p_history.outside_seatwise)),
        ],
        value(&f.source),
    );
    let csv = link(&f, &|f| f.page = None).replacen("/history", "/api/history-csv", 1);
    let summary = tr_n!(
        d.matching,
        p_history.summary_single | p_history.summary_many,
        n = d.matching,
        page = d.page,
        pages = d.pages
    );
    let prev = (d.page > 1).then(|| link(&f, &|x| x.page = Some((d.page - 1).to_string())));
    let next = (d.page < d.pages).then(|| link(&f, &|x| x.page = Some((d.page + 1).to_string())));
    let rows = d
        .rows
        .iter()
        .map(|r| {
            let only = link(&f, &|x| {
                x.subscription = Some(r.subscription_id.clone());
                x.customer = Some(r.customer_id.clone());
                x.page = None;
            });
            let by = link(&f, &|x| {
                x.who = Some(r.actor.clone());
                x.page = None;
            });
            let (badge, made) = if r.in_seatwise {
                ("badge badge-info", tr!(p_history.in_seatwise))
            } else {
                ("badge badge-neutral", tr!(p_history.outside))
            };
            view! {
                <tr>
                    <td class="nowrap small">{r.at.clone()}</td>
                    <td>{r.customer.clone()}</td>
                    <td>
                        <a href=only title=tr!(p_history.this_subscription_s_history)>{r.product.clone()}</a>
                        <div class="muted small mono">{r.subscription_id.clone()}</div>
                    </td>
                    <td>{r.what.clone()}</td>
                    <td>
                        <span class=badge>{made}</span>
                        <div class="small"><a href=by title=tr!(p_history.only_this_person_s_entries)>{r.actor_words.clone()}</a></div>
                        {(!r.request_id.is_empty()).then(|| view! { <div class="muted small mono">{r.request_id.clone()}</div> })}
                    </td>
                </tr>
            }
        })
        .collect_view();
    let empty = d
        .rows
        .is_empty()
        .then(|| view! { <p class="muted card-body">{tr!(p_history.no_entries_match)}</p> });
    view! {
        <form method="GET" action="/history" class="filters">
            <div class="field">
                <label for="history-customer">{tr!(p_history.customer)}</label>
                <select class="select" id="history-customer" name="customer">
                    <option value="">{tr!(p_history.all_customers)}</option>
                    {customers}
                </select>
            </div>
            <div class="field">
                <label for="history-subscription">{tr!(p_history.subscription_id)}</label>
                <input class="input" id="history-subscription" name="subscription" value=value(&f.subscription) maxlength="36" />
            </div>
            <div class="field">
                <label for="history-who">{tr!(p_history.who)}</label>
                <input class="input" id="history-who" name="who" value=value(&f.who) placeholder=tr!(p_history.e_mail_address_or_part) maxlength="200" />
            </div>
            <div class="field">
                <label for="history-kind">{tr!(p_history.kind)}</label>
                <select class="select" id="history-kind" name="kind">{kinds}</select>
            </div>
            <div class="field">
                <label for="history-source">{tr!(p_history.made)}</label>
                <select class="select" id="history-source" name="source">{sources}</select>
            </div>
            <div class="field">
                <label for="history-from">{tr!(p_history.from)}</label>
                <input class="input" id="history-from" name="from" type="date" value=value(&f.from) />
            </div>
            <div class="field">
                <label for="history-to">{tr!(p_history.to)}</label>
                <input class="input" id="history-to" name="to" type="date" value=value(&f.to) />
            </div>
            <button type="submit" class="button button-secondary">{tr!(p_history.show)}</button>
        </form>
        {(!d.quantities.is_empty()).then(|| chart(&d.quantities))}
        <div class="refresh-bar">
            <span class="muted">{summary}</span>
            <a class="button button-ghost button-small" href=csv download="subscription-history.csv">{tr!(p_history.download_csv)}</a>
        </div>
        <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label=tr!(p_history.history)>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_history.when_utc)}</th>
                        <th scope="col">{tr!(p_history.customer)}</th>
                        <th scope="col">{tr!(p_history.subscription)}</th>
                        <th scope="col">{tr!(p_history.what)}</th>
                        <th scope="col">{tr!(p_history.who)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {empty}
        </div>
        <nav class="pager" aria-label=tr!(p_history.pages)>
            {prev.map(|href| view! { <a class="button button-secondary button-small" href=href>{tr!(p_history.previous)}</a> })}
            {next.map(|href| view! { <a class="button button-secondary button-small" href=href>{tr!(p_history.next)}</a> })}
        </nav>
    }
}

/// The quantity over time as a step line, drawn as SVG (readable without JavaScript).
fn chart(points: &[(i64, i64)]) -> impl IntoView {
    const W: f64 = 640.0;
    const H: f64 = 160.0;
    const PAD: f64 = 28.0;
    let first = points.first().map_or(0, |p| p.0);
    let last = points.last().map_or(0, |p| p.0).max(first + 1);
    let top = points.iter().map(|p| p.1).max().unwrap_or(1).max(1) as f64;
    let x = |at: i64| PAD + (at - first) as f64 / (last - first) as f64 * (W - 2.0 * PAD);
    let y = |q: i64| H - PAD - q as f64 / top * (H - 2.0 * PAD);
    let mut path = String::new();
    for (n, (at, q)) in points.iter().enumerate() {
        if n == 0 {
            path.push_str(&format!("M{:.1},{:.1}", x(*at), y(*q)));
        } else {
            path.push_str(&format!(" H{:.1} V{:.1}", x(*at), y(*q)));
        }
    }
    // The last quantity holds until now: the line runs on to the right edge.
    path.push_str(&format!(" H{:.1}", W - PAD));
    let now_q = points.last().map_or(0, |p| p.1);
    let label = tr!(
        p_history.chart,
        from = points.first().map_or(0, |p| p.1),
        to = now_q,
        steps = points.len()
    )
    .to_string();
    let dots = points
        .iter()
        .map(|(at, q)| {
            view! {
                <circle cx=format!("{:.1}", x(*at)) cy=format!("{:.1}", y(*q)) r="3"><title>{tr!(p_history.point, q = *q).to_string()}</title></circle>
            }
        })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="chart-title">
            <h2 class="card-title" id="chart-title">{tr!(p_history.quantity_over_time)}</h2>
            <svg class="history-chart" viewBox=format!("0 0 {W} {H}") role="img" aria-label=label>
                <line x1=PAD y1=H - PAD x2=W - PAD y2=H - PAD class="axis" />
                <text x=PAD y=PAD - 10.0 class="axis-label">{format!("{} licenses", top as i64)}</text>
                <text x=PAD y=H - PAD + 16.0 class="axis-label">"0"</text>
                <text x=W - PAD y=H - PAD + 16.0 class="axis-label" text-anchor="end">"now"</text>
                <path d=path class="line" />
                {dots}
            </svg>
        </section>
    }
}
