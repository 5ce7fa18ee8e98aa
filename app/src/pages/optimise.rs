//! Optimisation: licenses bought and not assigned, read from Partner Center when asked, and the
//! reductions that would give them back (made now inside the 7-day window, at renewal outside
//! it, never below what is assigned). Nothing changes until an admin approves the chosen ones.

use crate::urls::use_query_map;
use leptos::prelude::*;

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
    let data = crate::page_data::load(
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
            title=tr!(p_optimise.optimisation)
            subtitle=tr!(p_optimise.licenses_bought_and_not_assigned)
        />
        <form method="GET" action="/optimisation" class="filters">
            <input type="hidden" name="run" value="1" />
            <button type="submit" class="button button-primary">{tr!(p_optimise.read_partner_center)}</button>
        </form>
        {move || work.apply.value().get().map(|r| match r {
            Ok(done) => {
                let made = done.made.len();
                let said = tr_n!(made, p_optimise.made_single | p_optimise.made_many, n = made);
                let stale = (done.stale > 0).then(|| tr!(p_optimise.stale, n = done.stale).to_string());
                let failures = done.failures.iter().map(|(c, e)| view! { <div class="alert alert-error" role="alert">{format!("{c}: {e}")}</div> }).collect_view();
                view! {
                    <div class="alert alert-success" role="status">
                        {said}{stale}" "<a href="/history?kind=change">{tr!(p_optimise.see_the_history)}</a>
                    </div>
                    {failures}
                }.into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
        })}
        <Transition fallback=|| view! { <p class="muted" role="status">{tr!(p_optimise.reading_every_customer_s_licenses)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|p| report(p, work)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn report(p: OptimisationPage, work: Work) -> impl IntoView {
    if !p.ran {
        return view! { <p class="muted">{tr!(p_optimise.read_partner_center_to_see)}</p> }
            .into_any();
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
            tr!(p_optimise.choose_every).to_owned(),
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
                0 => tr!(p_optimise.tick).to_owned(),
                n => tr_n!(n, p_optimise.chosen_single | p_optimise.chosen_many, n),
            }}</span>
            <button
                type="button"
                class="button button-primary"
                disabled=move || count() == 0 || work.apply.pending().get()
                on:click=move |_| {
                    work.apply.dispatch(ApplyOptimisation { reductions: work.selected.get_untracked().join("\n") });
                }
            >
                {move || if work.apply.pending().get() { tr!(p_optimise.making) } else { tr!(p_optimise.approve) }}
            </button>
        </div>
    });
    view! {
        {failures}
        <p class="muted" role="status">{p.summary.clone()}</p>
        {bar}
        <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label=tr!(p_optimise.reductions)>
            <table class="table">
                <thead>
                    <tr>
                        {work.admin.then(|| view! { <th scope="col" class="col-check">{select_all}</th> })}
                        <th scope="col">{tr!(p_optimise.customer)}</th>
                        <th scope="col">{tr!(p_optimise.subscription)}</th>
                        <th scope="col">{tr!(p_optimise.licenses)}</th>
                        <th scope="col">{tr!(p_optimise.when)}</th>
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
    let label = tr!(
        p_optimise.approve_label,
        product = r.product.as_str(),
        customer = r.customer.as_str(),
        from = r.from,
        to = r.to
    )
    .to_string();
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
