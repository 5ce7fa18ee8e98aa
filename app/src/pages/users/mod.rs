//! Users across customers: one table for every customer the person may manage, with a
//! customer column, state, licenses and roles, filters, search, sort and paging. The table is a
//! page of our cache (so it renders without JavaScript); in the browser a refresh streams from
//! Partner Center customer by customer and the table follows it.

pub mod dialogs;
pub mod licenses_panel;

use crate::urls::use_query_map;
use leptos::prelude::*;

use self::{
    dialogs::{Target, UserDialog, UserDialogs},
    licenses_panel::LicensesPanel,
};
use crate::{
    components::{
        error_panel::load_failed,
        page_header::PageHeader,
        toast::{use_toasts, ToastKind},
    },
    serverfns::users::{users_view, LicenseTag, UserItem, UsersFilter, UsersPage},
};

/// Where a streamed refresh is.
#[derive(Debug, Clone, Default, PartialEq)]
struct Progress {
    running: bool,
    total: usize,
    users_done: usize,
    details_done: usize,
    failures: Vec<(String, String)>,
    /// The stream itself broke (network, session ended).
    error: Option<String>,
}

#[component]
pub fn Users() -> impl IntoView {
    let query = use_query_map();
    let filter = Memo::new(move |_| {
        query.with(|q| {
            let get = |key: &str| q.get(key).filter(|v| !v.is_empty());
            UsersFilter {
                customer: get("customer"),
                reseller: get("reseller"),
                sku: get("sku"),
                state: get("state"),
                search: get("search"),
                sort: get("sort"),
                dir: get("dir"),
                page: get("page"),
                wait: get("wait"),
            }
        })
    });
    let view_data = crate::page_data::load(move || filter.get(), users_view);
    let progress = RwSignal::new(Progress::default());
    let start = move || start_refresh(filter.get_untracked(), progress, view_data);
    // In live mode (or when some customer was never read) the page refreshes itself once, as
    // soon as it runs in the browser.
    let started = StoredValue::new(false);
    Effect::new(move |_| {
        if let Some(Ok(v)) = view_data.get() {
            let missing = v.customers_loaded < v.customers_total;
            if (v.live || missing) && !started.get_value() {
                started.set_value(true);
                start();
            }
        }
    });
    let dialog = RwSignal::new(None::<UserDialog>);
    // Bumped after every change, so the licenses table reads its counts again.
    let changes = RwSignal::new(0u32);
    let toasts = use_toasts();
    let done = Callback::new(move |message: String| {
        toasts.push(ToastKind::Success, message);
        changes.update(|n| *n += 1);
        view_data.refetch();
    });
    // One customer in view (the customer filter, or a customer admin's own): its licenses
    // table and the Create user button. Known from the address and the session alone, so the
    // server and the browser agree on it before any data arrives.
    let own_customer = crate::auth::use_me().and_then(|m| m.customer);
    let single_customer = Memo::new(move |_| {
        filter
            .get()
            .customer
            .map(|c| c.to_lowercase())
            .or_else(|| own_customer.clone())
    });
    // Made here, in the island's body, not in a closure that runs as the view renders: the
    // server numbers the data it hands to the browser only while it runs an island's body, and
    // the panel's data would not be found. The address does not change while a page is open.
    let licenses_panel = single_customer
        .get_untracked()
        .map(|customer| view! { <LicensesPanel customer changes dialog /> });
    // The filters apart from the rows: a refresh re-reads the rows as customers answer, and a
    // form rebuilt with them would drop what the user was choosing or typing. The form is
    // rebuilt only when its choices or the address change.
    let choices = Memo::new(move |_| {
        view_data.with(|r| {
            let v = r.as_ref()?.as_ref().ok()?;
            Some(FilterChoices {
                customers: v.customers.clone(),
                resellers: v.resellers.clone(),
                skus: v.skus.clone(),
            })
        })
    });
    view! {
        <PageHeader title=tr!(users.title) subtitle=tr!(users.subtitle) />
        {licenses_panel}
        <Transition fallback=|| view! { <p class="muted">{tr!(users.asking)}</p> }>
            {move || choices.get().map(|c| filter_form(c, filter.get()))}
            {move || {
                view_data.get().map(|r| match r {
                    Ok(v) => users_table(v, filter.get_untracked(), progress, start, dialog).into_any(),
                    Err(e) => load_failed(&e).into_any(),
                })
            }}
        </Transition>
        <UserDialogs open=dialog done closed=Callback::new(move |_| view_data.refetch()) />
    }
}

/// Starts a refresh of the customers in the current customer/reseller filter (one at a time).
fn start_refresh(
    filter: UsersFilter,
    progress: RwSignal<Progress>,
    view_data: crate::page_data::PageData<Result<UsersPage, crate::error::AppError>>,
) {
    if progress.get_untracked().running {
        return;
    }
    progress.set(Progress {
        running: true,
        ..Progress::default()
    });
    #[cfg(feature = "hydrate")]
    leptos::task::spawn_local(refresh(filter, progress, view_data));
    #[cfg(not(feature = "hydrate"))]
    let _ = (filter, view_data);
}

/// Streams the refresh, re-reading the table as customers answer (a bounded number of times,
/// not once per customer). In a wasm chunk of its own (`#[lazy]`), fetched when a refresh
/// starts: reading a stream takes code the page's first load does without.
#[cfg(feature = "hydrate")]
#[lazy]
async fn refresh(
    filter: UsersFilter,
    progress: RwSignal<Progress>,
    view_data: crate::page_data::PageData<Result<UsersPage, crate::error::AppError>>,
) {
    use crate::serverfns::users::{refresh_users, RefreshUpdate};

    let stream = match refresh_users(filter.customer, filter.reseller).await {
        Ok(stream) => stream,
        Err(e) => {
            progress.update(|p| {
                p.running = false;
                p.error = Some(e.message);
            });
            return;
        }
    };
    // Re-read the table at the first customer, then about every tenth, then at the end of
    // each stage.
    let reread = |done: usize, total: usize| {
        done == 1 || done == total || done.is_multiple_of((total / 10).max(1))
    };
    let apply = |p: &mut Progress, update: RefreshUpdate| match update {
        RefreshUpdate::Started { customers } => {
            p.total = customers;
            false
        }
        RefreshUpdate::Users { .. } => {
            p.users_done += 1;
            reread(p.users_done, p.total)
        }
        RefreshUpdate::Details { .. } => {
            p.details_done += 1;
            reread(p.details_done, p.total)
        }
        RefreshUpdate::Failed { customer, message } => {
            p.failures.push((customer, message));
            false
        }
        RefreshUpdate::Finished => {
            p.running = false;
            true
        }
    };
    let refetch = move || view_data.refetch();
    let Some(read) = crate::serverfns::follow(stream, progress, apply, refetch).await else {
        return;
    };
    if let Err(e) = read {
        progress.update(|p| p.error = Some(e.message));
    }
    progress.update(|p| p.running = false);
}

/// What the filters offer: the customers, resellers and licenses in view.
#[derive(Clone, PartialEq)]
struct FilterChoices {
    customers: Vec<(String, String)>,
    resellers: Vec<(String, String)>,
    skus: Vec<(String, String)>,
}

fn filter_form(c: FilterChoices, filter: UsersFilter) -> impl IntoView {
    let selected = customer_param(&c.customers, filter.customer.as_deref().unwrap_or_default());
    let reseller = filter.reseller.clone().unwrap_or_default();
    let reseller_filter = (!c.resellers.is_empty()).then(|| {
        let (label, all) = (tr!(users.reseller), tr!(users.all_resellers));
        select_field("reseller", label, all, &c.resellers, &reseller, false)
    });
    let sku = filter.sku.clone().unwrap_or_default().to_lowercase();
    let state = filter.state.clone().unwrap_or_default();
    let (sort_param, dir_param) = (
        filter.sort.clone().unwrap_or_default(),
        filter.dir.clone().unwrap_or_default(),
    );
    let search_param = filter.search.clone().unwrap_or_default();
    // One customer only (a customer admin): no customer filter.
    let several = c.customers.len() > 1;
    view! {
        <form method="GET" action="/users" class="filters">
            {select_field("customer", tr!(users.customer), tr!(users.all_customers), &c.customers, &selected, !several)}
            {reseller_filter}
            {select_field("sku", tr!(users.license), tr!(users.any_license), &c.skus, &sku, false)}
            <div class="field">
                <label for="state">{tr!(users.status)}</label>
                <select class="select" id="state" name="state">
                    <option value="" selected=state.is_empty()>{tr!(users.all)}</option>
                    <option value="active" selected=state == "active">{tr!(users.active)}</option>
                    <option value="deleted" selected=state == "deleted">{tr!(users.deleted)}</option>
                </select>
            </div>
            <div class="field">
                <label for="search">{tr!(users.search)}</label>
                <input class="input" id="search" name="search" type="search" placeholder=tr!(users.search_placeholder) value=search_param />
            </div>
            <input type="hidden" name="sort" value=sort_param />
            <input type="hidden" name="dir" value=dir_param />
            <button type="submit" class="button button-secondary">{tr!(users.show)}</button>
        </form>
    }
}

/// A filter's `<select>` with its label: `all` (the empty value) first, then one option per
/// (id, name) of `choices`, the `selected` id marked. `hidden` keeps it in the form, unseen.
fn select_field(
    name: &'static str,
    label: &'static str,
    all: &'static str,
    choices: &[(String, String)],
    selected: &str,
    hidden: bool,
) -> impl IntoView {
    let options = choices
        .iter()
        .map(|(id, name)| view! { <option value=id.clone() selected=id == selected>{name.clone()}</option> })
        .collect_view();
    view! {
        <div class="field" class:hidden=hidden>
            <label for=name>{label}</label>
            <select class="select" id=name name=name>
                <option value="" selected=selected.is_empty()>{all}</option>
                {options}
            </select>
        </div>
    }
}

fn users_table(
    v: UsersPage,
    filter: UsersFilter,
    progress: RwSignal<Progress>,
    start: impl Fn() + Copy + Send + Sync + 'static,
    dialog: RwSignal<Option<UserDialog>>,
) -> impl IntoView {
    let selected = customer_param(&v.customers, filter.customer.as_deref().unwrap_or_default());
    let link = {
        let filter = filter.clone();
        move |change: &dyn Fn(&mut UsersFilter)| {
            let mut f = filter.clone();
            change(&mut f);
            users_href(&f)
        }
    };
    let header = |label: &'static str, key: &'static str| {
        let current = filter.sort.clone().unwrap_or_else(|| "customer".into());
        let descending = filter.dir.as_deref() == Some("desc");
        let sorted = current == key;
        let href = link(&|f: &mut UsersFilter| {
            f.sort = Some(key.into());
            f.dir = (sorted && !descending).then(|| "desc".into());
            f.page = None;
        });
        let aria = match (sorted, descending) {
            (false, _) => None,
            (true, false) => Some("ascending"),
            (true, true) => Some("descending"),
        };
        view! {
            <th scope="col" aria-sort=aria>
                <a class="sort-link" href=href>{label}</a>
            </th>
        }
    };
    let reseller = filter.reseller.clone().unwrap_or_default();
    let prev =
        (v.page > 1).then(|| link(&|f: &mut UsersFilter| f.page = Some((v.page - 1).to_string())));
    let next = (v.page < v.pages)
        .then(|| link(&|f: &mut UsersFilter| f.page = Some((v.page + 1).to_string())));
    let locale = crate::language::current();
    let (count, loaded, total, page, pages) = (
        crate::language::number(locale, v.matching as i64),
        v.customers_loaded,
        v.customers_total,
        v.page,
        v.pages,
    );
    let summary = tr_n!(
        v.matching,
        users.summary_single | users.summary_many,
        count,
        loaded,
        total,
        page,
        pages
    );
    let fetched = fetched_text(v.fetched_secs_ago, v.details_missing);
    let failures = v.failures.clone();
    let (refresh_customer, refresh_reseller) = (selected.clone(), reseller.clone());
    // One customer only (a customer admin): no customer filter or column.
    let several = v.customers.len() > 1;
    view! {
        <div class="refresh-bar" role="status" aria-live="polite" aria-label=tr!(users.refresh_label)>
            {move || refresh_status(progress.get(), fetched.clone())}
            // Without JavaScript the button reloads the page with `wait`, which reads Partner
            // Center before answering; in the browser it streams instead.
            <form
                method="get"
                action="/users"
                class="refresh-form"
                on:submit=move |ev| {
                    ev.prevent_default();
                    start();
                }
            >
                <input type="hidden" name="customer" value=refresh_customer />
                <input type="hidden" name="reseller" value=refresh_reseller />
                <input type="hidden" name="wait" value="1" />
                <button
                    type="submit"
                    class="button button-ghost button-small"
                    disabled=move || progress.with(|p| p.running)
                >
                    {tr!(users.refresh)}
                </button>
            </form>
        </div>
        {move || {
            let mut all = failures.iter().map(|f| (f.customer.clone(), f.message.clone())).collect::<Vec<_>>();
            all.extend(progress.with(|p| p.failures.clone()));
            all.dedup();
            (!all.is_empty()).then(|| view! {
                <div class="alert alert-error" role="alert">
                    <strong>{tr!(users.some_failed)}</strong>
                    <ul>
                        {all.into_iter().map(|(c, m)| view! { <li>{format!("{c}: {m}")}</li> }).collect_view()}
                    </ul>
                </div>
            })
        }}
        <div class="card card-flush card-scroll">
            <table class="table table-dense">
                <thead>
                    <tr>
                        {several.then(|| header(tr!(users.customer), "customer"))}
                        {header(tr!(users.name), "name")}
                        {header(tr!(users.status), "state")}
                        <th scope="col">{tr!(users.assign)}</th>
                        <th scope="col">{tr!(users.role)}</th>
                        {header(tr!(users.location), "location")}
                        <th scope="col"><span class="visually-hidden">{tr!(users.actions)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {v.rows.into_iter().map(|u| user_row(u, several, dialog)).collect_view()}
                </tbody>
            </table>
            <p class="table-footnote muted">
                {summary}
                " "
                {prev.map(|href| view! { <a href=href>{tr!(users.previous)}</a> })}
                " "
                {next.map(|href| view! { <a href=href>{tr!(users.next)}</a> })}
            </p>
        </div>
    }
}

fn user_row(u: UserItem, several: bool, dialog: RwSignal<Option<UserDialog>>) -> impl IntoView {
    let target = Target {
        customer: u.customer_id.clone(),
        user: u.id.clone(),
        name: u.display_name.clone(),
        user_name: u.user_principal_name.clone(),
    };
    // Read-only roles (service provider support) get no actions.
    let can_change = crate::auth::use_me().is_some_and(|m| m.can_change);
    let actions = if !can_change {
        view! { <span class="muted small">{tr!(users.read_only)}</span> }.into_any()
    } else if u.deleted {
        let restore = target.clone();
        view! {
            <button
                type="button"
                class="button button-secondary button-small"
                aria-label=tr!(users.restore_who, name = u.display_name.as_str()).to_string()
                on:click=move |_| dialog.set(Some(UserDialog::Restore(restore.clone())))
            >
                {tr!(users.restore)}
            </button>
        }
        .into_any()
    } else {
        actions_menu(target, dialog).into_any()
    };
    let status = if u.deleted {
        view! { <span class="badge badge-neutral">{tr!(users.deleted)}</span> }
    } else {
        view! { <span class="badge badge-success">{tr!(users.active)}</span> }
    };
    let details_read = u.licenses.is_some();
    let licenses = match (u.deleted, u.licenses) {
        (true, _) => view! { <span class="muted">"—"</span> }.into_any(),
        (false, None) => view! { <span class="muted">{tr!(users.reading)}</span> }.into_any(),
        (false, Some(l)) if l.is_empty() => {
            view! { <span class="muted">{tr!(users.unlicensed)}</span> }.into_any()
        }
        (false, Some(l)) => view! {
            <ul class="chips">
                {l.into_iter().map(license_chip).collect_view()}
            </ul>
        }
        .into_any(),
    };
    let role = match (u.deleted, details_read, u.roles.is_empty()) {
        (true, _, _) => view! { <span class="muted">"—"</span> }.into_any(),
        (false, false, _) => view! { <span class="muted">{tr!(users.reading)}</span> }.into_any(),
        (false, true, true) => view! { <span>{tr!(users.user_role)}</span> }.into_any(),
        (false, true, false) => view! { <span>{u.roles.join(", ")}</span> }.into_any(),
    };
    view! {
        <tr class:is-muted=u.deleted>
            {several.then(|| view! { <td class="nowrap">{u.customer}</td> })}
            <td>
                <div class="nowrap">{u.display_name}</div>
                <div class="muted small user-name">{u.user_principal_name}</div>
            </td>
            <td>{status}</td>
            <td>{licenses}</td>
            <td>{role}</td>
            <td>{u.usage_location.unwrap_or_else(|| tr!(users.not_set).into())}</td>
            <td class="actions-cell">{actions}</td>
        </tr>
    }
}

/// A license on a user's row; the service plans the user has off are named on it.
fn license_chip(l: LicenseTag) -> impl IntoView {
    let off = match l.plans_off.as_slice() {
        [] => None,
        [one] => Some(tr!(users.plan_off, plan = one.as_str()).to_string()),
        many => Some(tr!(users.plans_off, count = many.len()).to_string()),
    };
    let title = (!l.plans_off.is_empty())
        .then(|| tr!(users.off_list, plans = l.plans_off.join(", ")).to_string());
    let partial = off.is_some();
    view! {
        <li class="chip" class:chip-partial=partial title=title>
            {l.name}
            {off.map(|off| view! { <span class="chip-note">{off}</span> })}
        </li>
    }
}

/// The "…" menu of an active user. Escape or a choice closes it.
fn actions_menu(target: Target, dialog: RwSignal<Option<UserDialog>>) -> impl IntoView {
    let open = RwSignal::new(false);
    let label = tr!(users.actions_for, name = target.name.as_str()).to_string();
    let item = move |text: &'static str, make: fn(Target) -> UserDialog| {
        let target = target.clone();
        view! {
            <button
                type="button"
                role="menuitem"
                class="menu-item"
                on:click=move |_| {
                    open.set(false);
                    dialog.set(Some(make(target.clone())));
                }
            >
                {text}
            </button>
        }
    };
    view! {
        <div class="menu-anchor" on:keydown=move |ev| if ev.key() == "Escape" { open.set(false) }>
            <button
                type="button"
                class="icon-button"
                aria-label=label
                aria-haspopup="menu"
                aria-expanded=move || if open.get() { "true" } else { "false" }
                on:click=move |_| open.update(|o| *o = !*o)
            >
                "…"
            </button>
            <Show when=move || open.get()>
                <div class="menu" role="menu">
                    {item(tr!(users.menu_edit), UserDialog::Edit)}
                    {item(tr!(users.menu_licenses), UserDialog::Licenses)}
                    {item(tr!(users.menu_password), UserDialog::Password)}
                    {item(tr!(users.menu_delete), UserDialog::Delete)}
                </div>
            </Show>
        </div>
    }
}

fn refresh_status(p: Progress, fetched: String) -> impl IntoView {
    let text = if let Some(error) = &p.error {
        tr!(users.refresh_stopped, error = error.as_str()).to_string()
    } else if p.running && p.total == 0 {
        tr!(users.asking).to_owned()
    } else if p.running && p.users_done + count_failed(&p) < p.total {
        tr!(users.loading_users, done = p.users_done, total = p.total).to_string()
    } else if p.running {
        tr!(
            users.loading_details,
            done = p.details_done,
            total = p.users_done
        )
        .to_string()
    } else if p.total > 0 {
        tr!(users.up_to_date, done = p.users_done, total = p.total).to_string()
    } else {
        fetched
    };
    let (value, max) = if p.users_done < p.total {
        (p.users_done, p.total)
    } else {
        (p.details_done, p.users_done.max(1))
    };
    view! {
        {p.running.then(|| view! {
            <progress class="progress" max=max value=value aria-label=tr!(users.customers_loaded)></progress>
        })}
        <span>{text}</span>
    }
}

fn count_failed(p: &Progress) -> usize {
    p.failures.len()
}

fn fetched_text(secs: Option<i64>, details_missing: usize) -> String {
    let Some(secs) = secs else {
        return tr!(users.never_fetched).into();
    };
    let age = match secs {
        s if s < 60 => tr!(users.age_now).to_owned(),
        s if s < 120 => tr!(users.age_minute).to_owned(),
        s if s < 3600 => tr!(users.age_minutes, n = s / 60).to_string(),
        s if s < 7200 => tr!(users.age_hour).to_owned(),
        s if s < 86_400 => tr!(users.age_hours, n = s / 3600).to_string(),
        s => tr!(users.age_days, n = s / 86_400).to_string(),
    };
    if details_missing > 0 {
        tr!(
            users.fetched_missing,
            age = age.as_str(),
            n = details_missing
        )
        .to_string()
    } else {
        tr!(users.fetched, age = age.as_str()).to_string()
    }
}

fn users_href(f: &UsersFilter) -> String {
    let params = [
        ("customer", &f.customer),
        ("reseller", &f.reseller),
        ("sku", &f.sku),
        ("state", &f.state),
        ("search", &f.search),
        ("sort", &f.sort),
        ("dir", &f.dir),
        ("page", &f.page),
    ];
    // `wait` is not carried over: paging reads the cache.
    crate::urls::href("/users", &params)
}

fn customer_param(customers: &[(String, String)], wanted: &str) -> String {
    customers
        .iter()
        .find(|(id, _)| id.eq_ignore_ascii_case(wanted))
        .map(|(id, _)| id.clone())
        .unwrap_or_default()
}
