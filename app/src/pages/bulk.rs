//! Bulk work on one customer's users: users created from a CSV file, and one license swapped
//! for another on chosen users. Each is checked first (every row against the tenant as it is
//! now, nothing sent, problems named on their row); then it runs as a job whose progress the
//! page follows, with a result file to download (what happened to each user, and the first
//! password of each user created).

use crate::urls::use_query_map;
use leptos::prelude::*;

use crate::{
    components::{choice_box::choice_box, error_panel::ErrorPanel, page_header::PageHeader},
    error::AppError,
    serverfns::{
        bulk::{
            bulk_data, bulk_job, BulkJobPage, BulkPreview, BulkStart, BulkView, CheckedBulk,
            SwapPreview, SwapStart,
        },
        jobs::JobRow,
    },
};

#[component]
pub fn Bulk() -> impl IntoView {
    let query = use_query_map();
    let param = move |name: &'static str| move || query.with(|q| q.get(name).unwrap_or_default());
    let (customer, from, find, job) = (
        param("customer"),
        param("from"),
        param("find"),
        param("job"),
    );
    // Bumped when the job shown finishes, so the list of recent work shows it finished.
    let finished = RwSignal::new(0u32);
    let data = crate::page_data::load(
        move || (customer(), from(), find(), finished.get()),
        |(c, f, find, _)| bulk_data(c, f, find),
    );
    // Made in the island's body (see the users page's licenses panel): the address does not
    // change while the page is open.
    let job_panel = {
        let id = untrack(job);
        (!id.is_empty()).then(|| view! { <JobPanel id finished /> })
    };
    view! {
        <PageHeader
            title=tr!(p_bulk.bulk_work)
            subtitle=tr!(p_bulk.create_many_users_from_a)
        />
        {job_panel}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_bulk.loading)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(page))}
            </ErrorBoundary>
        </Transition>
    }
}

fn page(v: BulkView) -> impl IntoView {
    if v.customers.is_empty() {
        return view! { <p class="muted">{tr!(p_bulk.your_role_can_look_but)}</p> }.into_any();
    }
    let options = v
        .customers
        .iter()
        .map(|(id, name)| view! { <option value=id.clone() selected=*id == v.customer>{name.clone()}</option> })
        .collect_view();
    let work = (!v.customer.is_empty()).then(|| {
        view! {
            <FileCard customer=v.customer.clone() />
            <SwapCard customer=v.customer.clone() skus=v.skus.clone() holders=v.holders.clone() templates=v.templates.clone() />
        }
    });
    let (none_chosen, recent) = (v.customer.is_empty(), recent(v.jobs, &v.customer));
    view! {
        <form method="GET" action="/bulk" class="filters">
            <div class="field">
                <label for="bulk-customer">{tr!(p_bulk.customer)}</label>
                <select class="select" id="bulk-customer" name="customer">
                    <option value="" selected=none_chosen>{tr!(p_bulk.choose_a_customer)}</option>
                    {options}
                </select>
            </div>
            <button type="submit" class="button button-secondary">{tr!(p_bulk.choose)}</button>
        </form>
        {work}
        {recent}
    }
    .into_any()
}

/// Users from a CSV file: pick or paste it, check it, then create them.
#[component]
fn FileCard(customer: String) -> impl IntoView {
    let text = RwSignal::new(String::new());
    let check = ServerAction::<BulkPreview>::new();
    let start = ServerAction::<BulkStart>::new();
    open_when_started(start, customer.clone());
    let (check_for, start_for) = (customer.clone(), customer);
    let run_check = move || {
        start.value().set(None);
        check.dispatch(BulkPreview {
            customer: check_for.clone(),
            csv: text.get_untracked(),
        });
    };
    let run_start = move || {
        start.dispatch(BulkStart {
            customer: start_for.clone(),
            csv: text.get_untracked(),
        });
    };
    let checked = checked(check, create_words, run_start, start);
    let start_error = failure(start);
    view! {
        <section class="card" aria-labelledby="file-title">
            <h2 class="card-title" id="file-title">{tr!(p_bulk.create_users_from_a_file)}</h2>
            <p class="muted">{tr!(p_bulk.a_csv_file_with_a)}<a href="/bulk-users-template.csv" download="seatwise-users.csv">{tr!(p_bulk.download_a_template)}</a>"."</p>
            <div class="field">
                <label for="bulk-file">{tr!(p_bulk.file)}</label>
                <input class="input" id="bulk-file" type="file" accept=".csv,text/csv" on:change=move |ev| read_file(ev, text) />
            </div>
            <div class="field">
                <label for="bulk-csv">{tr!(p_bulk.or_its_text_edit_it)}</label>
                <textarea class="input mono" id="bulk-csv" rows="8" spellcheck="false"
                    prop:value=move || text.get()
                    on:input=move |ev| { text.set(event_target_value(&ev)); check.value().set(None); }
                ></textarea>
            </div>
            <button
                type="button"
                class="button button-primary"
                disabled=move || check.pending().get() || text.with(|t| t.trim().is_empty())
                on:click=move |_| run_check()
            >
                {move || if check.pending().get() { tr!(p_bulk.checking) } else { tr!(p_bulk.check_file) }}
            </button>
            {start_error}
            {checked}
        </section>
    }
}

/// Puts the chosen file's text in `text` (in the browser).
fn read_file(ev: leptos::ev::Event, text: RwSignal<String>) {
    #[cfg(feature = "hydrate")]
    {
        use leptos::wasm_bindgen::JsCast;
        let Some(input) = ev
            .target()
            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
        else {
            return;
        };
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        leptos::task::spawn_local(async move {
            if let Ok(read) = wasm_bindgen_futures::JsFuture::from(file.text()).await {
                text.set(read.as_string().unwrap_or_default());
            }
        });
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ev, text);
}

/// One license for another on chosen users.
#[component]
fn SwapCard(
    customer: String,
    skus: Vec<(String, String)>,
    holders: Vec<(String, String, String)>,
    templates: Vec<(String, String)>,
) -> impl IntoView {
    let query = use_query_map();
    let (from, to, template) = query.with_untracked(|q| {
        (
            q.get("from").unwrap_or_default(),
            q.get("to").unwrap_or_default(),
            q.get("template").unwrap_or_default(),
        )
    });
    let choose = |name: &'static str, chosen: &str, none: &'static str| {
        let options = skus
            .iter()
            .map(|(id, label)| {
                let selected = id.eq_ignore_ascii_case(chosen);
                view! { <option value=id.clone() selected=selected>{label.clone()}</option> }
            })
            .collect_view();
        view! {
            <select class="select select-wide" id=format!("swap-{name}") name=name>
                <option value="" selected=chosen.is_empty()>{none}</option>
                {options}
            </select>
        }
    };
    let (take, give) = (
        choose("from", &from, tr!(p_bulk.only_give)),
        choose("to", &to, tr!(p_bulk.only_take)),
    );
    let apply = (!templates.is_empty()).then(|| {
        let options = templates
            .iter()
            .map(|(id, name)| view! { <option value=id.clone() selected=*id == template>{name.clone()}</option> })
            .collect_view();
        view! {
            <div class="field">
                <label for="swap-template">{tr!(p_bulk.or_apply_a_plan_template)}</label>
                <select class="select select-wide" id="swap-template" name="template">
                    <option value="" selected=template.is_empty()>{tr!(p_bulk.no_template)}</option>
                    {options}
                </select>
            </div>
        }
    });
    let found = query.with_untracked(|q| q.get("find").is_some());
    let users = found.then(|| view! { <SwapUsers customer=customer.clone() from=from.clone() to=to.clone() template=template.clone() holders /> });
    view! {
        <section class="card" aria-labelledby="swap-title">
            <h2 class="card-title" id="swap-title">{tr!(p_bulk.swap_licenses_or_apply_a)}</h2>
            <p class="muted">{tr!(p_bulk.replace_one_license_with_another)}</p>
            <form method="GET" action="/bulk" class="filters">
                <input type="hidden" name="customer" value=customer.clone() />
                <input type="hidden" name="find" value="1" />
                <div class="field">
                    <label for="swap-from">{tr!(p_bulk.take)}</label>
                    {take}
                </div>
                <div class="field">
                    <label for="swap-to">{tr!(p_bulk.give)}</label>
                    {give}
                </div>
                {apply}
                <button type="submit" class="button button-secondary">{tr!(p_bulk.find_the_users)}</button>
            </form>
            {users}
        </section>
    }
}

#[component]
fn SwapUsers(
    customer: String,
    from: String,
    to: String,
    template: String,
    holders: Vec<(String, String, String)>,
) -> impl IntoView {
    if holders.is_empty() {
        return view! { <p class="muted" role="status">{tr!(p_bulk.no_user_holds_that_license)}</p> }
            .into_any();
    }
    let all: Vec<String> = holders.iter().map(|h| h.0.clone()).collect();
    let chosen = RwSignal::new(all.clone());
    let check = ServerAction::<SwapPreview>::new();
    let start = ServerAction::<SwapStart>::new();
    let forget = move || check.value().set(None);
    open_when_started(start, customer.clone());
    let request = {
        let (customer, from, to, template) =
            (customer.clone(), from.clone(), to.clone(), template.clone());
        move || {
            (
                customer.clone(),
                from.clone(),
                to.clone(),
                template.clone(),
                chosen.get_untracked().join(","),
            )
        }
    };
    let run_check = {
        let request = request.clone();
        move || {
            let (customer, from, to, template, users) = request();
            check.dispatch(SwapPreview {
                customer,
                from,
                to,
                template,
                users,
            });
        }
    };
    let run_start = move || {
        let (customer, from, to, template, users) = request();
        start.dispatch(SwapStart {
            customer,
            from,
            to,
            template,
            users,
        });
    };
    let rows = holders
        .into_iter()
        .map(|(id, name, display)| {
            let label = tr!(p_bulk.choose_who, name = display.as_str()).to_string();
            view! {
                <tr>
                    <td>{choice_box(chosen, vec![id], label, forget)}</td>
                    <td>{display}</td>
                    <td class="mono small">{name}</td>
                </tr>
            }
        })
        .collect_view();
    let count = move || chosen.with(Vec::len);
    let verb: StartWords = if template.is_empty() {
        swap_words
    } else {
        apply_words
    };
    let checked = checked(check, verb, run_start, start);
    let start_error = failure(start);
    view! {
        <div class="card card-flush card-scroll table-short" tabindex="0" role="region" aria-label=tr!(p_bulk.users_to_choose)>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{choice_box(chosen, all, tr!(p_bulk.choose_every).into(), forget)}</th>
                        <th scope="col">{tr!(p_bulk.name)}</th>
                        <th scope="col">{tr!(p_bulk.user_name)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        <div class="refresh-bar">
            <span class="muted">{move || format!("{} chosen.", count())}</span>
            <button
                type="button"
                class="button button-primary"
                disabled=move || count() == 0 || check.pending().get()
                on:click=move |_| run_check()
            >
                {move || if check.pending().get() { tr!(p_bulk.checking) } else { tr!(p_bulk.check) }}
            </button>
        </div>
        {start_error}
        {checked}
    }
    .into_any()
}

/// Once `start` answers with a job's id, the page opens that job.
fn open_when_started<A>(start: ServerAction<A>, customer: String)
where
    A: leptos::server_fn::ServerFn<Output = String, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    Effect::new(move |_| {
        if let Some(Ok(job)) = start.value().get() {
            let (customer, job) = (Some(customer.clone()), Some(job));
            crate::urls::go(&crate::urls::href(
                "/bulk",
                &[("customer", &customer), ("job", &job)],
            ));
        }
    });
}

/// The refusal `action` last answered, if any.
fn failure<A>(action: ServerAction<A>) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Clone + Send + Sync + 'static,
{
    move || {
        action.value().get().and_then(Result::err).map(|e| {
            view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any()
        })
    }
}

/// The words of a start button for a number of users.
type StartWords = fn(usize) -> String;

fn create_words(n: usize) -> String {
    tr_n!(n, p_bulk.create_single | p_bulk.create_many, n)
}

fn swap_words(n: usize) -> String {
    tr_n!(n, p_bulk.swap_single | p_bulk.swap_many, n)
}

fn apply_words(n: usize) -> String {
    tr_n!(n, p_bulk.apply_single | p_bulk.apply_many, n)
}

/// What `check` last answered: the preview (with `start`'s button), or its refusal.
fn checked<C, A>(
    check: ServerAction<C>,
    verb: StartWords,
    run: impl Fn() + Clone + Send + Sync + 'static,
    start: ServerAction<A>,
) -> impl Fn() -> Option<AnyView> + Send + Sync + 'static
where
    C: leptos::server_fn::ServerFn<Output = CheckedBulk, Error = AppError>
        + Clone
        + Send
        + Sync
        + 'static,
    A: leptos::server_fn::ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
{
    move || {
        check.value().get().map(|r| match r {
            Ok(p) => preview(p, verb, run.clone(), start).into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    }
}

/// A checked file or swap: what would happen to each user, problems on their rows, and the
/// button that starts it when nothing stops it.
fn preview<A>(
    p: CheckedBulk,
    verb: StartWords,
    run: impl Fn() + Clone + Send + Sync + 'static,
    start: ServerAction<A>,
) -> impl IntoView
where
    A: leptos::server_fn::ServerFn + Clone + Send + Sync + 'static,
    A::Output: Send + Sync + 'static,
    A::Error: Send + Sync + 'static,
{
    let runnable = p.runnable();
    let summary = match (p.problems, p.to_do) {
        (0, 0) => tr!(p_bulk.nothing_to_do).to_owned(),
        (0, n) => tr_n!(n, p_bulk.ready_single | p_bulk.ready_many, n),
        (e, _) => tr_n!(e, p_bulk.problems_single | p_bulk.problems_many, n = e),
    };
    let grows = p
        .increases
        .iter()
        .map(|i| view! { <li>{i.clone()}</li> })
        .collect_view();
    let missing = p
        .missing
        .iter()
        .map(|m| view! { <div class="alert alert-error" role="alert">{m.clone()}</div> })
        .collect_view();
    let file = p.rows.iter().any(|r| !r.line.is_empty());
    let rows = p
        .rows
        .into_iter()
        .map(|r| {
            let bad = !r.errors.is_empty();
            let errors = r
                .errors
                .into_iter()
                .map(|e| view! { <li>{e}</li> })
                .collect_view();
            view! {
                <tr class:row-error=bad>
                    {file.then(|| view! { <td>{r.line.clone()}</td> })}
                    <td>{r.display_name}<div class="mono small">{r.user_name}</div></td>
                    {file.then(|| view! { <td class="small">{r.licenses.clone()}{(!r.role.is_empty()).then(|| format!("; role: {}", r.role))}</td> })}
                    <td class="small">{r.action}{bad.then(|| view! { <ul class="row-problems">{errors}</ul> })}</td>
                </tr>
            }
        })
        .collect_view();
    let to_do = p.to_do;
    view! {
        <div role="status" class=if runnable { "alert alert-info" } else { "alert alert-warning" }>{summary}</div>
        {(!p.increases.is_empty()).then(|| view! {
            <p class="small">{tr!(p_bulk.licenses_bought_first_one_change)}</p>
            <ul class="small">{grows}</ul>
        })}
        {missing}
        <div class="card card-flush card-scroll table-short" tabindex="0" role="region" aria-label=tr!(p_bulk.what_would_happen)>
            <table class="table">
                <thead>
                    <tr>
                        {file.then(|| view! { <th scope="col">{tr!(p_bulk.line)}</th> })}
                        <th scope="col">{tr!(p_bulk.user)}</th>
                        {file.then(|| view! { <th scope="col">{tr!(p_bulk.licenses)}</th> })}
                        <th scope="col">{tr!(p_bulk.what_happens)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
        {runnable.then(|| view! {
            <button
                type="button"
                class="button button-primary"
                disabled=move || start.pending().get()
                on:click=move |_| run()
            >
                {move || if start.pending().get() {
                    tr!(p_bulk.starting).to_owned()
                } else {
                    verb(to_do)
                }}
            </button>
        })}
    }
}

/// A bulk job: its progress (asked again every second while it waits or runs), a line per
/// user, and its result file.
#[component]
fn JobPanel(id: String, finished: RwSignal<u32>) -> impl IntoView {
    let tick = RwSignal::new(0u32);
    let key = id.clone();
    let data = crate::page_data::load(move || (key.clone(), tick.get()), |(id, _)| bulk_job(id));
    Effect::new(move |_| {
        let busy = data
            .get()
            .and_then(Result::ok)
            .is_some_and(|p| matches!(p.job.status.as_str(), "queued" | "running"));
        if busy {
            set_timeout(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_secs(1),
            );
        } else if tick.get_untracked() > 0 {
            // It finished while the page watched it.
            finished.update(|n| *n += 1);
        }
    });
    view! {
        <Transition fallback=|| view! { <p class="muted">{tr!(p_bulk.loading_the_job)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(job_card))}
            </ErrorBoundary>
        </Transition>
    }
}

/// What happened to a user, in words (the result file keeps the codes).
fn outcome_words(outcome: &str) -> String {
    crate::language::outcome_words(outcome)
        .unwrap_or(outcome)
        .to_owned()
}

/// A job's status in words.
fn status_words(status: &str) -> &'static str {
    match status {
        "queued" => tr!(p_bulk.queued),
        "running" => tr!(p_bulk.running),
        "succeeded" => tr!(p_bulk.succeeded),
        "cancelled" => tr!(p_bulk.cancelled),
        _ => tr!(p_bulk.failures),
    }
}

fn job_card(p: BulkJobPage) -> impl IntoView {
    let j = &p.job;
    let running = matches!(j.status.as_str(), "queued" | "running");
    let status = status_words(&j.status);
    let counts = j.counts();
    let rows = p
        .lines
        .iter()
        .map(|l| {
            let bad = l.outcome == "failed" || !l.detail.is_empty();
            view! {
                <tr class:row-error=bad>
                    <td>{l.line.clone()}</td>
                    <td class="mono small">{l.user_name.clone()}</td>
                    <td>{outcome_words(&l.outcome)}</td>
                    <td class="small">{l.detail.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    let more = (p.more > 0).then(|| {
        view! { <p class="muted small">{tr!(p_bulk.more, n = p.more).to_string()}</p> }
    });
    view! {
        <section class="card" aria-labelledby="job-title">
            <h2 class="card-title" id="job-title">{format!("{}: {}", j.what, p.customer)}</h2>
            <p role="status"><strong>{status}</strong>" · "{counts.clone()}</p>
            <progress class="progress progress-wide" max=j.total.max(1) value=j.done aria-label=tr!(p_bulk.progress_of, counts = counts.as_str()).to_string()></progress>
            {(!j.summary.is_empty()).then(|| view! { <p class="small">{j.summary.clone()}</p> })}
            {(!running).then(|| view! {
                <p>
                    <a class="button button-secondary" href=format!("/api/bulk-result?job={}", j.id) download="seatwise-bulk-result.csv">
                        {tr!(p_bulk.download_the_result_csv)}
                    </a>
                    <span class="muted small">{tr!(p_bulk.what_happened_to_each_user)}</span>
                </p>
            })}
            <div class="card card-flush card-scroll table-short" tabindex="0" role="region" aria-label=tr!(p_bulk.each_user)>
                <table class="table">
                    <thead>
                        <tr>
                            <th scope="col">{tr!(p_bulk.line)}</th>
                            <th scope="col">{tr!(p_bulk.user_name)}</th>
                            <th scope="col">{tr!(p_bulk.outcome)}</th>
                            <th scope="col">{tr!(p_bulk.detail)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            {more}
        </section>
    }
}

/// The newest bulk jobs, each opening its panel.
fn recent(jobs: Vec<JobRow>, customer: &str) -> impl IntoView {
    if jobs.is_empty() {
        return None;
    }
    let rows = jobs
        .into_iter()
        .map(|j| {
            let href = format!("/bulk?customer={customer}&job={}", j.id);
            view! {
                <tr>
                    <td><a href=href>{j.what.clone()}</a><div class="muted small">{tr!(p_jobs.asked_by, who = j.requested_by.as_str()).to_string()}</div></td>
                    <td class="small">{status_words(&j.status)}<div class="muted">{j.counts()}</div></td>
                    <td class="small nowrap">{j.created.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    Some(view! {
        <section class="card card-flush" aria-labelledby="recent-title">
            <h2 class="card-title card-title-padded" id="recent-title">{tr!(p_bulk.recent_bulk_work)}</h2>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_bulk.job)}</th>
                        <th scope="col">{tr!(p_bulk.progress)}</th>
                        <th scope="col">{tr!(p_bulk.asked)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    })
}
