//! Reconciliation: Seatwise's store against Partner Center, per connection, read live when
//! asked. Each finding offers a corrective action; the chosen ones are previewed first (a dry
//! run: exactly what would change, nothing written), then applied (admins), each recorded in
//! the history.

use crate::urls::use_query_map;
use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::{choice_box::choice_box, error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::reconcile::{
        reconciliation, ApplyResult, ConnectionSection, FindingRow, ReconcileApply, ReconcilePage,
    },
};

/// The page's choices and actions, shared by its parts.
#[derive(Clone, Copy)]
struct Work {
    /// The chosen findings' keys.
    selected: RwSignal<Vec<String>>,
    preview: ServerAction<ReconcileApply>,
    apply: ServerAction<ReconcileApply>,
    admin: bool,
}

#[component]
pub fn Reconciliation() -> impl IntoView {
    let query = use_query_map();
    let work = Work {
        selected: RwSignal::new(Vec::new()),
        preview: ServerAction::new(),
        apply: ServerAction::new(),
        admin: use_me().is_some_and(|m| m.admin),
    };
    let data = crate::page_data::load(
        move || {
            (
                query.with(|q| {
                    (
                        q.get("connection").unwrap_or_default(),
                        q.get("run").unwrap_or_default(),
                    )
                }),
                work.apply.version().get(),
            )
        },
        |((connection, run), _)| reconciliation(connection, run),
    );
    view! {
        <PageHeader
            title=tr!(p_reconcile.reconciliation)
            subtitle=tr!(p_reconcile.seatwise_s_record_of_every)
        />
        <Transition fallback=|| view! { <p class="muted" role="status">{tr!(p_reconcile.reading_every_customer_s_subscriptions)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|p| page(p, work)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn page(p: ReconcilePage, work: Work) -> impl IntoView {
    let query = use_query_map();
    let chosen = query.with_untracked(|q| q.get("connection").unwrap_or_default());
    let options = p
        .connections
        .iter()
        .map(|(id, name)| view! { <option value=id.clone() selected=*id == chosen>{name.clone()}</option> })
        .collect_view();
    let report = match p.report {
        None => view! {
            <p class="muted">{tr!(p_reconcile.compare_to_read_every_customer)}</p>
        }
        .into_any(),
        Some(r) => {
            let summary = match r.findings {
                0 => tr!(p_reconcile.agree).to_owned(),
                n => tr_n!(
                    n,
                    p_reconcile.findings_single | p_reconcile.findings_many,
                    n
                ),
            };
            let sections = r
                .sections
                .into_iter()
                .map(|s| section(s, work))
                .collect_view();
            view! {
                <p class="muted" role="status">{summary}</p>
                {work.admin.then(|| actions(work, r.findings > 0))}
                {sections}
            }
            .into_any()
        }
    };
    view! {
        <form method="GET" action="/reconciliation" class="filters">
            <div class="field">
                <label for="reconcile-connection">{tr!(p_reconcile.connection)}</label>
                <select class="select" id="reconcile-connection" name="connection">
                    <option value="">{tr!(p_reconcile.all_connections)}</option>
                    {options}
                </select>
            </div>
            <input type="hidden" name="run" value="1" />
            <button type="submit" class="button button-primary">{tr!(p_reconcile.compare_with_partner_center)}</button>
        </form>
        {report}
    }
}

/// What the last corrections did; with findings, the chosen ones' preview, then apply.
fn actions(work: Work, findings: bool) -> impl IntoView {
    let Work {
        selected,
        preview,
        apply,
        ..
    } = work;
    let count = move || selected.with(Vec::len);
    let dispatch = move |action: ServerAction<ReconcileApply>, mode: &str| {
        action.dispatch(ReconcileApply {
            findings: selected.get_untracked().join("\n"),
            mode: mode.to_owned(),
        });
    };
    let previewed = move || {
        preview.value().get().map(|r| match r {
            Ok(result) => preview_card(result, move || dispatch(apply, "apply"), apply).into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    let done = move || {
        apply.value().get().map(|r| match r {
            Ok(result) => applied_note(result).into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    // A new report: the choices and the preview were for the old one.
    Effect::new(move |_| {
        if apply.version().get() > 0 {
            selected.set(Vec::new());
            preview.value().set(None);
        }
    });
    let bar = findings.then(|| view! {
        <div class="refresh-bar">
            <span class="muted">{move || match count() {
                0 => tr!(p_reconcile.tick).to_owned(),
                n => tr_n!(n, p_reconcile.chosen_single | p_reconcile.chosen_many, n),
            }}</span>
            <button
                type="button"
                class="button button-secondary"
                disabled=move || count() == 0 || preview.pending().get()
                on:click=move |_| dispatch(preview, "preview")
            >
                {move || if preview.pending().get() { tr!(p_reconcile.previewing) } else { tr!(p_reconcile.preview) }}
            </button>
        </div>
    });
    view! {
        {done}
        {bar}
        {previewed}
    }
}

/// What the chosen corrections would change, and the button that applies them.
fn preview_card(
    result: ApplyResult,
    confirm: impl Fn() + 'static,
    apply: ServerAction<ReconcileApply>,
) -> impl IntoView {
    let n = result.changes.len();
    let rows = changes_table(&result);
    view! {
        <section class="card" aria-labelledby="preview-title">
            <h2 class="card-title" id="preview-title">{tr!(p_reconcile.preview_what_would_change)}</h2>
            <p class="muted small">{tr!(p_reconcile.a_dry_run_nothing_has)}</p>
            {notes(&result)}
            {rows}
            {(n > 0).then(|| view! {
                <button
                    type="button"
                    class="button button-primary"
                    disabled=move || apply.pending().get()
                    on:click=move |_| confirm()
                >
                    {move || if apply.pending().get() {
                        tr!(p_reconcile.applying).to_owned()
                    } else if n == 1 {
                        tr!(p_reconcile.apply_single).to_owned()
                    } else {
                        tr!(p_reconcile.apply_many, n).to_string()
                    }}
                </button>
            })}
        </section>
    }
}

fn applied_note(result: ApplyResult) -> impl IntoView {
    let n = result.changes.len();
    let said = tr_n!(n, p_reconcile.applied_single | p_reconcile.applied_many, n);
    view! {
        <div class="alert alert-success" role="status">
            {said}
            " "
            <a href="/history?kind=reconcile">{if n == 1 { "See it in the history" } else { "See them in the history" }}</a>
        </div>
        {notes(&result)}
    }
}

/// Chosen findings that no longer hold, and customers that could not be corrected.
fn notes(result: &ApplyResult) -> impl IntoView {
    let skipped = (result.skipped > 0).then(|| {
        view! {
            <p class="muted small">{format!("{} chosen finding{} no longer differ{}: left alone.", result.skipped, if result.skipped == 1 { "" } else { "s" }, if result.skipped == 1 { "s" } else { "" })}</p>
        }
    });
    let failures = result
        .failures
        .iter()
        .map(|(customer, why)| {
            view! { <div class="alert alert-error" role="alert">{format!("{customer}: {why}")}</div> }
        })
        .collect_view();
    view! { {skipped} {failures} }
}

fn changes_table(result: &ApplyResult) -> impl IntoView {
    let rows = result
        .changes
        .iter()
        .map(|(customer, product, id, change)| {
            view! {
                <tr>
                    <td>{customer.clone()}</td>
                    <td>{product.clone()}<div class="muted small mono">{id.clone()}</div></td>
                    <td>{change.clone()}</td>
                </tr>
            }
        })
        .collect_view();
    (!result.changes.is_empty()).then(|| {
        view! {
            <table class="table" aria-label=tr!(p_reconcile.changes)>
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_reconcile.customer)}</th>
                        <th scope="col">{tr!(p_reconcile.subscription)}</th>
                        <th scope="col">{tr!(p_reconcile.change_to_seatwise_s_record)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        }
    })
}

fn section(s: ConnectionSection, work: Work) -> impl IntoView {
    let title_id = format!("connection-{}", s.id);
    let facts = tr!(
        p_reconcile.facts,
        customers = s.customers,
        agree = s.in_agreement,
        findings = s.findings.len(),
        down = s.unreachable.len()
    )
    .to_string();
    let unreachable = s
        .unreachable
        .iter()
        .map(|(customer, why)| {
            view! {
                <div class="alert alert-warning" role="alert">
                    {tr!(p_reconcile.unreachable, customer = customer.as_str(), why = why.as_str()).to_string()}
                </div>
            }
        })
        .collect_view();
    let keys: Vec<String> = s.findings.iter().map(|f| f.key.clone()).collect();
    let all_label = tr!(p_reconcile.choose_every, name = s.name.as_str()).to_string();
    let select_all = work.admin.then(|| {
        choice_box(work.selected, keys.clone(), all_label, move || {
            work.preview.value().set(None)
        })
    });
    let rows = s
        .findings
        .into_iter()
        .map(|f| finding_row(f, work))
        .collect_view();
    let table = (!keys.is_empty()).then(|| {
        view! {
            <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label=format!("Findings of {}", s.name)>
                <table class="table">
                    <thead>
                        <tr>
                            {work.admin.then(|| view! { <th scope="col" class="col-check">{select_all}</th> })}
                            <th scope="col">{tr!(p_reconcile.customer)}</th>
                            <th scope="col">{tr!(p_reconcile.subscription)}</th>
                            <th scope="col">{tr!(p_reconcile.finding)}</th>
                            <th scope="col">{tr!(p_reconcile.in_seatwise)}</th>
                            <th scope="col">{tr!(p_reconcile.in_partner_center)}</th>
                            <th scope="col">{tr!(p_reconcile.correction)}</th>
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        }
    });
    let heading = tr!(p_reconcile.heading, name = s.name.as_str()).to_string();
    let labelled_by = title_id.clone();
    view! {
        <section class="reconcile-section" aria-labelledby=labelled_by>
            <h2 id=title_id>{heading}</h2>
            <p class="muted small">{facts}</p>
            {unreachable}
            {table}
        </section>
    }
}

fn finding_row(f: FindingRow, work: Work) -> impl IntoView {
    let shown = |v: &str| {
        if v.is_empty() {
            "—".to_owned()
        } else {
            v.to_owned()
        }
    };
    let href = format!(
        "/subscription?customer={}&id={}",
        crate::urls::component(&f.customer_id),
        crate::urls::component(&f.subscription_id)
    );
    let label = tr!(
        p_reconcile.correct,
        problem = f.problem.as_str(),
        product = f.product.as_str(),
        customer = f.customer.as_str()
    )
    .to_string();
    let check = work.admin.then(|| {
        let choose = choice_box(work.selected, vec![f.key.clone()], label, move || {
            work.preview.value().set(None)
        });
        view! { <td class="col-check">{choose}</td> }
    });
    let missing_here = f.ours.is_empty();
    view! {
        <tr>
            {check}
            <td>{f.customer.clone()}</td>
            <td>
                {if missing_here {
                    view! { <span>{f.product.clone()}</span> }.into_any()
                } else {
                    view! { <a href=href>{f.product.clone()}</a> }.into_any()
                }}
                <div class="muted small mono">{f.subscription_id.clone()}</div>
            </td>
            <td>{f.problem.clone()}</td>
            <td>{shown(&f.ours)}</td>
            <td>{shown(&f.theirs)}</td>
            <td class="small">{f.action.clone()}</td>
        </tr>
    }
}
