//! Subscriptions of every customer the signed-in person may see: product, quantity, status,
//! billing and term, commitment, auto-renew and the change scheduled at renewal, with the
//! marketplace (ISV SaaS) ones on a tab of their own. The page says when its data was read and
//! reads Partner Center again on demand.

use crate::urls::use_query_map;
use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::subscriptions::{
        subscriptions_view, SetSubscriptionsLoadMode, SubscriptionItem, SubscriptionsFilter,
        SubscriptionsPage,
    },
};

#[component]
pub fn Subscriptions() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let get = |key: &str| q.get(key).filter(|v| !v.is_empty());
            SubscriptionsFilter {
                customer: get("customer"),
                search: get("search"),
                status: get("status"),
                tab: get("tab"),
                page: get("page"),
                read: get("read"),
            }
        })
    });
    let set_mode = ServerAction::<SetSubscriptionsLoadMode>::new();
    // The page itself shows the store at once (`read` absent means "the store" here, unlike the
    // server function's own default); reading Partner Center happens in the browser, streamed,
    // or through the Read link's `read=1` without JavaScript.
    let data = crate::page_data::load(
        move || {
            let f = filter.get();
            SubscriptionsFilter {
                read: f.read.or(Some("0".into())),
                ..f
            }
        },
        subscriptions_view,
    );
    let admin = use_me().is_some_and(|m| m.admin);
    let can_order = use_me().is_some_and(|m| m.can_change);
    let reading = RwSignal::new(Reading::default());
    let start = move || {
        let customer = filter.get_untracked().customer.unwrap_or_default();
        start_read(customer, reading, move || data.refetch());
    };
    // In live mode (or while some customer was never read) the page reads Partner Center once,
    // as soon as it runs in the browser; links within the page (`read=0`) do not.
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if let Some(Ok(p)) = data.get() {
            let asked = filter.get_untracked().read.is_some();
            if (p.live || p.never_read > 0) && !asked && !started.get_value() {
                started.set_value(true);
                start();
            }
        }
    });
    // The tabs and filters apart from the rows: a read of Partner Center re-reads the rows as
    // customers answer, and a form rebuilt with them would drop what the user was choosing or
    // typing. The form is rebuilt only when the customers in view or the address change.
    let customers =
        Memo::new(move |_| data.with(|r| Some(r.as_ref()?.as_ref().ok()?.customers.clone())));
    view! {
        <PageHeader
            title=tr!(p_subscriptions.subscriptions)
            subtitle=tr!(p_subscriptions.microsoft_cloud_subscriptions_of_every)
        >
            {can_order.then(|| {
                let to = move || {
                    let customer = filter.get().customer;
                    crate::urls::href("/subscriptions/new", &[("customer", &customer)])
                };
                view! { <a class="button button-primary" href=to>{tr!(p_subscriptions.add_subscription)}</a> }
            })}
        </PageHeader>
        <Transition fallback=|| view! { <p class="muted">{tr!(p_subscriptions.reading_subscriptions_from_partner_center)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || customers.get().map(|c| filter_form(&c, filter.get()))}
                {move || data.get().map(|r| r.map(|p| view! {
                    {subscription_table(&p, filter.get_untracked(), reading, start)}
                    {admin.then(|| mode_form(p.live, set_mode))}
                }))}
            </ErrorBoundary>
        </Transition>
    }
}

fn href(f: &SubscriptionsFilter) -> String {
    let params = [
        ("customer", &f.customer),
        ("search", &f.search),
        ("status", &f.status),
        ("tab", &f.tab),
        ("page", &f.page),
        ("read", &f.read),
    ];
    crate::urls::href("/subscriptions", &params)
}

/// A link within the page: it reads the store; only the Read button (and the first visit in
/// live mode) asks Partner Center.
fn store_link(filter: &SubscriptionsFilter, change: &dyn Fn(&mut SubscriptionsFilter)) -> String {
    let mut f = filter.clone();
    f.read = Some("0".into());
    change(&mut f);
    href(&f)
}

/// The tabs and the filters, from the customers in view and the address.
fn filter_form(customers: &[(String, String)], filter: SubscriptionsFilter) -> impl IntoView {
    let link = |change: &dyn Fn(&mut SubscriptionsFilter)| store_link(&filter, change);
    let marketplace = filter.tab.as_deref() == Some("marketplace");
    let tabs = view! {
        <nav class="tabs" aria-label=tr!(p_subscriptions.kind_of_subscription)>
            <a class="tab" href=link(&|f| { f.tab = None; f.page = None; }) aria-current=(!marketplace).then_some("page")>{tr!(p_subscriptions.microsoft)}</a>
            <a class="tab" href=link(&|f| { f.tab = Some("marketplace".into()); f.page = None; }) aria-current=marketplace.then_some("page")>{tr!(p_subscriptions.marketplace)}</a>
        </nav>
    };
    let selected = filter.customer.clone().unwrap_or_default().to_lowercase();
    let status = filter.status.clone().unwrap_or_default();
    let several = customers.len() > 1;
    let customers = customers
        .iter()
        .map(|(id, name)| {
            let chosen = id.to_lowercase() == selected;
            view! { <option value=id.clone() selected=chosen>{name.clone()}</option> }
        })
        .collect_view();
    let statuses = ["active", "suspended", "pending", "expired", "deleted"]
        .into_iter()
        .map(|s| view! { <option value=s selected=s == status>{capitalised(s)}</option> })
        .collect_view();
    let (tab, search) = (
        filter.tab.clone().unwrap_or_default(),
        filter.search.clone().unwrap_or_default(),
    );
    let any_status = filter.status.as_deref().unwrap_or_default().is_empty();
    let filters = view! {
        <form method="GET" action="/subscriptions" class="filters">
            <input type="hidden" name="read" value="0" />
            <input type="hidden" name="tab" value=tab />
            <div class="field" class:hidden=!several>
                <label for="customer">{tr!(p_subscriptions.customer)}</label>
                <select class="select" id="customer" name="customer">
                    <option value="" selected=selected.is_empty()>{tr!(p_subscriptions.all_customers)}</option>
                    {customers}
                </select>
            </div>
            <div class="field">
                <label for="status">{tr!(p_subscriptions.status)}</label>
                <select class="select" id="status" name="status">
                    <option value="" selected=any_status>{tr!(p_subscriptions.all)}</option>
                    {statuses}
                </select>
            </div>
            <div class="field">
                <label for="search">{tr!(p_subscriptions.search)}</label>
                <input class="input" id="search" name="search" type="search" placeholder=tr!(p_subscriptions.product_name_or_id) value=search />
            </div>
            <button type="submit" class="button button-secondary">{tr!(p_subscriptions.show)}</button>
        </form>
    };
    view! {
        {tabs}
        {filters}
    }
}

fn subscription_table(
    p: &SubscriptionsPage,
    filter: SubscriptionsFilter,
    reading: RwSignal<Reading>,
    start: impl Fn() + Copy + Send + Sync + 'static,
) -> impl IntoView {
    let link = |change: &dyn Fn(&mut SubscriptionsFilter)| store_link(&filter, change);
    let marketplace = filter.tab.as_deref() == Some("marketplace");
    let several = p.customers.len() > 1;
    let read_note = if p.never_read > 0 {
        tr_n!(
            p.never_read,
            p_subscriptions.never_read_single | p_subscriptions.never_read_many,
            n = p.never_read
        )
    } else {
        tr!(p_subscriptions.read_at, at = p.read_at.as_str()).to_string()
    };
    let read_href = link(&|f| f.read = Some("1".into()));
    let failures = (!p.failures.is_empty()).then(|| {
        view! {
            <div class="alert alert-warning" role="alert">
                {tr!(p_subscriptions.failures, who = p.failures.join(", ")).to_string()}
            </div>
        }
    });
    let rows = p
        .rows
        .iter()
        .map(|s| subscription_row(s, several, marketplace))
        .collect_view();
    let prev = (p.page > 1).then(|| link(&|f| f.page = Some((p.page - 1).to_string())));
    let next = (p.page < p.pages).then(|| link(&|f| f.page = Some((p.page + 1).to_string())));
    let summary = tr_n!(
        p.matching,
        p_subscriptions.summary_single | p_subscriptions.summary_many,
        n = p.matching,
        page = p.page,
        pages = p.pages
    );
    // Nothing stored yet is not "nothing matches".
    let empty_text = if p.never_read > 0 {
        tr!(p_subscriptions.nothing_read)
    } else {
        tr!(p_subscriptions.none_match)
    };
    let empty = p
        .rows
        .is_empty()
        .then(|| view! { <p class="muted card-body">{empty_text}</p> });
    view! {
        {failures}
        <div class="refresh-bar" role="status" aria-live="polite" aria-label=tr!(p_subscriptions.partner_center_read)>
            {move || reading_status(reading.get(), read_note.clone())}
            <a
                class="button button-ghost button-small"
                href=read_href
                on:click=move |ev| {
                    ev.prevent_default();
                    start();
                }
            >
                {tr!(p_subscriptions.read_from_partner_center)}
            </a>
        </div>
        <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label=tr!(p_subscriptions.subscriptions)>
            <table class="table">
                <thead>
                    <tr>
                        {several.then(|| view! { <th scope="col">{tr!(p_subscriptions.customer)}</th> })}
                        <th scope="col">{if marketplace { tr!(p_subscriptions.offer) } else { tr!(p_subscriptions.product) }}</th>
                        <th scope="col" class="numeric">{tr!(p_subscriptions.quantity)}</th>
                        <th scope="col">{tr!(p_subscriptions.status)}</th>
                        <th scope="col">{tr!(p_subscriptions.term)}</th>
                        <th scope="col">{tr!(p_subscriptions.commitment)}</th>
                        <th scope="col">{tr!(p_subscriptions.at_renewal)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            {empty}
            <div class="table-footnote muted pager">
                <span>{summary}</span>
                {prev.map(|h| view! { <a href=h>{tr!(p_subscriptions.previous)}</a> })}
                {next.map(|h| view! { <a href=h>{tr!(p_subscriptions.next)}</a> })}
            </div>
        </div>
    }
}

fn subscription_row(s: &SubscriptionItem, several: bool, marketplace: bool) -> impl IntoView {
    let (badge, status) = match s.status.as_str() {
        "active" => (
            "badge badge-success",
            tr!(p_subscriptions.active).to_owned(),
        ),
        "suspended" => (
            "badge badge-warning",
            tr!(p_subscriptions.suspended).to_owned(),
        ),
        "pending" if marketplace => (
            "badge badge-warning",
            tr!(p_subscriptions.action_needed).to_owned(),
        ),
        "deleted" => (
            "badge badge-neutral",
            tr!(p_subscriptions.deleted).to_owned(),
        ),
        "expired" => (
            "badge badge-neutral",
            tr!(p_subscriptions.expired).to_owned(),
        ),
        other => ("badge badge-info", capitalised(other)),
    };
    // Where the commitment stands: renews or ends on its end date, since its start.
    let ends = match (s.commitment_end.as_str(), s.auto_renew) {
        ("", _) => String::new(),
        (end, true) => tr!(p_subscriptions.renews, end).to_string(),
        (end, false) => tr!(p_subscriptions.ends, end).to_string(),
    };
    let since = (!s.start.is_empty())
        .then(|| tr!(p_subscriptions.since, start = s.start.as_str()).to_string());
    let cancel = (!s.cancel_until.is_empty())
        .then(|| tr!(p_subscriptions.cancel_until, end = s.cancel_until.as_str()).to_string());
    let name_line = if marketplace {
        s.publisher.clone()
    } else {
        s.friendly_name.clone()
    };
    view! {
        <tr>
            {several.then(|| view! {
                <td>
                    {s.customer.clone()}
                    <div class="muted small">{s.connection.clone()}</div>
                </td>
            })}
            <td>
                <a href=crate::urls::href("/subscription", &[("customer", &Some(s.customer_id.clone())), ("id", &Some(s.id.clone()))])>
                    {s.product.clone()}
                </a>
                {s.add_on.then(|| view! { " " <span class="badge badge-neutral">{tr!(p_subscriptions.add_on)}</span> })}
                {(!name_line.is_empty() && name_line != s.product).then(|| view! { <div class="muted small">{name_line}</div> })}
            </td>
            <td class="numeric">{s.quantity}</td>
            <td><span class=badge>{status}</span></td>
            <td>
                <span class="nowrap">{s.term.clone()}</span>
                <div class="muted small nowrap">{tr!(p_subscriptions.billed, cycle = billed(&s.billing)).to_string()}</div>
            </td>
            <td>
                <span class="nowrap">{ends}</span>
                {since.map(|c| view! { <div class="muted small nowrap">{c}</div> })}
                {cancel.map(|c| view! { <div class="muted small">{c}</div> })}
            </td>
            <td>
                {if s.next_term.is_empty() {
                    view! { <span class="muted">{tr!(p_subscriptions.no_change)}</span> }.into_any()
                } else {
                    view! { <span>{s.next_term.clone()}</span> }.into_any()
                }}
            </td>
        </tr>
    }
}

/// How often it is billed, as people say it, from the page's "Monthly", "Annual", "One time".
pub(crate) fn billed(billing: &str) -> String {
    super::catalog::billed(&billing.to_lowercase().replace(' ', "_")).to_owned()
}

pub(crate) fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// The service provider admin's setting: read Partner Center when the page opens, or not.
fn mode_form(live: bool, action: ServerAction<SetSubscriptionsLoadMode>) -> impl IntoView {
    view! {
        <section class="card" aria-labelledby="subscriptions-mode">
            <h2 class="card-title" id="subscriptions-mode">{tr!(p_subscriptions.when_someone_opens_this_page)}</h2>
            <ActionForm action=action>
                <fieldset class="choices">
                    <legend>{tr!(p_subscriptions.subscriptions_are)}</legend>
                    <label class="choice">
                        <input type="radio" name="mode" value="live" checked=live />
                        {tr!(p_subscriptions.read_live_from_partner_center)}
                    </label>
                    <label class="choice">
                        <input type="radio" name="mode" value="cache" checked=!live />
                        {tr!(p_subscriptions.shown_as_last_stored_with)}
                    </label>
                </fieldset>
                <button type="submit" class="button button-secondary">{tr!(p_subscriptions.save)}</button>
            </ActionForm>
        </section>
    }
}

/// A read from Partner Center running in the browser.
#[derive(Debug, Clone, Default, PartialEq)]
struct Reading {
    running: bool,
    total: usize,
    done: usize,
    failed: Vec<String>,
    error: Option<String>,
}

fn reading_status(r: Reading, note: String) -> impl IntoView {
    let text = if let Some(error) = &r.error {
        tr!(p_subscriptions.read_stopped, error = error.as_str()).to_string()
    } else if r.running && r.total == 0 {
        tr!(users.asking).to_owned()
    } else if r.running {
        tr!(p_subscriptions.reading, done = r.done, total = r.total).to_string()
    } else if !r.failed.is_empty() {
        tr!(
            p_subscriptions.failed_note,
            note = note.as_str(),
            who = r.failed.join(", ")
        )
        .to_string()
    } else {
        note
    };
    view! {
        {r.running.then(|| view! {
            <progress class="progress" max=r.total.max(1) value=r.done aria-label=tr!(p_subscriptions.customers_read)></progress>
        })}
        <span class="muted">{text}</span>
    }
}

/// Streams the read of `customer` (empty: every visible one), counting customers as they
/// answer; `refetch` reads the table again at the first customer, about every tenth, and at
/// the end.
fn start_read(customer: String, reading: RwSignal<Reading>, refetch: impl Fn() + 'static) {
    if reading.get_untracked().running {
        return;
    }
    reading.set(Reading {
        running: true,
        ..Reading::default()
    });
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(async move {
        use crate::serverfns::subscriptions::{read_subscriptions, ReadUpdate};

        let stream = match read_subscriptions(customer).await {
            Ok(stream) => stream,
            Err(e) => {
                reading.update(|r| {
                    r.running = false;
                    r.error = Some(e.message);
                });
                return;
            }
        };
        let apply = |r: &mut Reading, update: ReadUpdate| {
            match update {
                ReadUpdate::Started { customers } => r.total = customers,
                ReadUpdate::Read => r.done += 1,
                ReadUpdate::Failed { customer } => {
                    r.done += 1;
                    r.failed.push(customer);
                }
                ReadUpdate::Finished => return false,
            }
            let step = (r.total / 10).max(1);
            r.done == 1 || r.done.is_multiple_of(step)
        };
        let Some(read) = crate::serverfns::follow(stream, reading, apply, &refetch).await else {
            return;
        };
        if let Err(e) = read {
            reading.update(|r| r.error = Some(e.message));
        }
        reading.update(|r| r.running = false);
        refetch();
    });
    #[cfg(not(feature = "hydrate"))]
    let _ = (customer, refetch);
}
