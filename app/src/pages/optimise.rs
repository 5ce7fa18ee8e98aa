//! Optimisation: licenses bought and not assigned, read from Partner Center when asked, and the
//! reductions that would give them back (made now inside the 7-day window, at renewal outside
//! it, never below what is assigned). Nothing changes until an admin approves the chosen ones.

use leptos::prelude::*;
use leptos_router::{components::Form, hooks::use_query_map};

use crate::{
    auth::use_me,
    components::{choice_box::choice_box, error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::optimise::{optimisation, ApplyOptimisation, OptimisationPage, ReductionRow},
};

#[derive(Clone, Copy)]
struct Work {
    selected: RwSignal<Vec<String>>,
    apply: ServerAction<ApplyOptimisation>,
    admin: bool,
}

#[component]
pub fn Optimisation() -> impl IntoView {
    let query = use_query_map();
    let work = Work {
        selected: RwSignal::new(Vec::new()),
        apply: ServerAction::new(),
        admin: use_me().is_some_and(|m| m.admin),
    };
    let data = Resource::new(
        move || {
            (
                query.with(|q| q.get("run").unwrap_or_default()),
                work.apply.version().get(),
            )
        },
        |(run, _)| optimisation(run),
    );
    Effect::new(move |_| {
        if work.apply.version().get() > 0 {
            work.selected.set(Vec::new());
        }
    });
    view! {
        <PageHeader
            title="Optimisation"
            subtitle="Licenses bought and not assigned, on your own connections, and what giving them back would change. Nothing changes until you approve."
        />
        <Form method="GET" action="/optimisation" attr:class="filters">
            <input type="hidden" name="run" value="1" />
            <button type="submit" class="button button-primary">"Read Partner Center"</button>
        </Form>
        {move || work.apply.value().get().map(|r| match r {
            Ok(done) => {
                let said = match done.made.len() {
                    1 => "Made 1 reduction.".to_owned(),
                    n => format!("Made {n} reductions."),
                };
                let stale = (done.stale > 0).then(|| format!(" {} approved no longer held: Partner Center changed since the report.", done.stale));
                let failures = done.failures.iter().map(|(c, e)| view! { <div class="alert alert-error" role="alert">{format!("{c}: {e}")}</div> }).collect_view();
                view! {
                    <div class="alert alert-success" role="status">
                        {said}{stale}" "<a href="/history?kind=change">"See the history"</a>
                    </div>
                    {failures}
                }.into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="muted" role="status">"Reading every customer's licenses from Partner Center…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|p| report(p, work)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn report(p: OptimisationPage, work: Work) -> impl IntoView {
    if !p.ran {
        return view! { <p class="muted">"Read Partner Center to see which licenses are bought and not assigned."</p> }.into_any();
    }
    let failures = p
        .failures
        .iter()
        .map(|(c, e)| view! { <div class="alert alert-warning" role="alert">{format!("{c}: Partner Center did not answer ({e}).")}</div> })
        .collect_view();
    if p.reductions.is_empty() {
        return view! {
            {failures}
            <p class="muted" role="status">{format!("Every license is assigned: nothing to give back. ({})", p.summary)}</p>
        }
        .into_any();
    }
    let keys: Vec<String> = p.reductions.iter().map(|r| r.key.clone()).collect();
    let select_all = work.admin.then(|| {
        choice_box(
            work.selected,
            keys.clone(),
            "Choose every reduction".to_owned(),
            || {},
        )
    });
    let rows = p
        .reductions
        .into_iter()
        .map(|r| row(r, work))
        .collect_view();
    let count = move || work.selected.with(Vec::len);
    let bar = work.admin.then(|| view! {
        <div class="refresh-bar">
            <span class="muted">{move || match count() {
                0 => "Tick the reductions to approve.".to_owned(),
                1 => "1 reduction chosen.".to_owned(),
                n => format!("{n} reductions chosen."),
            }}</span>
            <button
                type="button"
                class="button button-primary"
                disabled=move || count() == 0 || work.apply.pending().get()
                on:click=move |_| {
                    work.apply.dispatch(ApplyOptimisation { reductions: work.selected.get_untracked().join("\n") });
                }
            >
                {move || if work.apply.pending().get() { "Making the reductions…" } else { "Approve the chosen reductions" }}
            </button>
        </div>
    });
    view! {
        {failures}
        <p class="muted" role="status">{p.summary.clone()}</p>
        {bar}
        <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label="Reductions">
            <table class="table">
                <thead>
                    <tr>
                        {work.admin.then(|| view! { <th scope="col" class="col-check">{select_all}</th> })}
                        <th scope="col">"Customer"</th>
                        <th scope="col">"Subscription"</th>
                        <th scope="col">"Licenses"</th>
                        <th scope="col">"When"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn row(r: ReductionRow, work: Work) -> impl IntoView {
    let href = format!(
        "/subscription?customer={}&id={}",
        crate::urls::component(&r.customer_id),
        crate::urls::component(&r.subscription_id)
    );
    let label = format!(
        "Approve: {} of {}, {} to {}",
        r.product, r.customer, r.from, r.to
    );
    let check = work.admin.then(|| {
        let choose = choice_box(work.selected, vec![r.key.clone()], label, || {});
        view! { <td class="col-check">{choose}</td> }
    });
    let when = if r.at_renewal {
        "At renewal (after the 7-day window)"
    } else {
        "Now (inside the 7-day window)"
    };
    view! {
        <tr>
            {check}
            <td>{r.customer.clone()}</td>
            <td>
                <a href=href>{r.product.clone()}</a>
                <div class="muted small mono">{r.subscription_id.clone()}</div>
            </td>
            <td class="nowrap">{format!("{} → {}", r.from, r.to)}<div class="muted small">{format!("{} given back", r.from - r.to)}</div></td>
            <td class="small">{when}</td>
        </tr>
    }
}
