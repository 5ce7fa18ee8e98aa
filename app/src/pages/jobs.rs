//! Jobs: long work the server runs (the nightly sync, a full sync on demand), each with its
//! progress, who asked, when it ran and what failed. The list asks again every two seconds
//! while a job is waiting or running. Admins start a full sync, cancel a job, or resume one
//! that failed or was cancelled (it goes on from its last finished item).

use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::jobs::{jobs, CancelJob, JobRow, JobsPage, ResumeJob, StartJob},
};

#[derive(Clone, Copy)]
struct Actions {
    start: ServerAction<StartJob>,
    cancel: ServerAction<CancelJob>,
    resume: ServerAction<ResumeJob>,
    admin: bool,
}

#[component]
pub fn Jobs() -> impl IntoView {
    let actions = Actions {
        start: ServerAction::new(),
        cancel: ServerAction::new(),
        resume: ServerAction::new(),
        admin: use_me().is_some_and(|m| m.admin),
    };
    let tick = RwSignal::new(0u32);
    let data = crate::page_data::load(
        move || {
            (
                tick.get(),
                actions.start.version().get(),
                actions.cancel.version().get(),
                actions.resume.version().get(),
            )
        },
        |_| jobs(),
    );
    // While something waits or runs, ask again every two seconds.
    Effect::new(move |_| {
        let busy = data.get().and_then(Result::ok).is_some_and(|p| p.busy());
        if busy {
            set_timeout(
                move || tick.update(|t| *t += 1),
                std::time::Duration::from_secs(2),
            );
        }
    });
    let failure = move || {
        let error = actions
            .start
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| actions.cancel.value().get().and_then(Result::err))
            .or_else(|| actions.resume.value().get().and_then(Result::err));
        error.map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })
    };
    view! {
        <PageHeader title=tr!(p_jobs.jobs) subtitle=tr!(p_jobs.long_work_seatwise_runs_for)>
            {actions.admin.then(|| view! {
                <ActionForm action=actions.start attr:class="inline-form">
                    <label class="visually-hidden" for="job-kind">{tr!(p_jobs.job_to_run_now)}</label>
                    <select class="select select-fit" id="job-kind" name="kind">
                        <option value="sync">{tr!(p_jobs.sync_every_subscription)}</option>
                        <option value="optimise">{tr!(p_jobs.license_optimisation)}</option>
                        <option value="catalog-refresh">{tr!(p_jobs.catalog_refresh_those_a_month)}</option>
                        <option value="clean-up">{tr!(p_jobs.clean_up)}</option>
                    </select>
                    <button type="submit" class="button button-primary">{tr!(p_jobs.run_now)}</button>
                </ActionForm>
            })}
        </PageHeader>
        {failure}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_jobs.loading_the_jobs)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|p| table(p, actions)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn table(p: JobsPage, actions: Actions) -> impl IntoView {
    if p.jobs.is_empty() {
        return view! { <p class="muted">{tr!(p_jobs.no_job_has_run_yet)}</p> }.into_any();
    }
    let rows = p.jobs.into_iter().map(|j| row(j, actions)).collect_view();
    view! {
        <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label=tr!(p_jobs.jobs)>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_jobs.job)}</th>
                        <th scope="col">{tr!(p_jobs.status)}</th>
                        <th scope="col">{tr!(p_jobs.progress)}</th>
                        <th scope="col">{tr!(p_jobs.when)}</th>
                        {actions.admin.then(|| view! { <th scope="col"><span class="visually-hidden">{tr!(p_jobs.actions)}</span></th> })}
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
    .into_any()
}

fn row(j: JobRow, actions: Actions) -> impl IntoView {
    let (badge, status) = match (j.status.as_str(), j.stopping) {
        (_, true) => ("badge badge-warning", tr!(p_jobs.stopping)),
        ("queued", _) => ("badge badge-neutral", tr!(p_jobs.waiting)),
        ("running", _) => ("badge badge-info", tr!(p_jobs.running)),
        ("succeeded", _) => ("badge badge-success", tr!(p_jobs.succeeded)),
        ("cancelled", _) => ("badge badge-neutral", tr!(p_jobs.cancelled)),
        _ => ("badge badge-danger", tr!(p_jobs.failed)),
    };
    let label = tr!(
        p_jobs.progress_of,
        what = j.what.as_str(),
        when = j.created.as_str()
    )
    .to_string();
    let counts = j.counts();
    let failures = j
        .failures
        .iter()
        .map(|(item, why)| view! { <li class="small">{format!("{item}: {why}")}</li> })
        .collect_view();
    let when = match (j.started.is_empty(), j.finished.is_empty()) {
        (true, _) => tr!(p_jobs.asked, when = j.created.as_str()).to_string(),
        (false, true) => tr!(p_jobs.started, when = j.started.as_str()).to_string(),
        (false, false) => tr!(p_jobs.finished, when = j.finished.as_str()).to_string(),
    };
    let buttons = actions.admin.then(|| {
        let id = j.id.clone();
        let cancellable = matches!(j.status.as_str(), "queued" | "running") && !j.stopping;
        let resumable = matches!(j.status.as_str(), "failed" | "cancelled");
        let (cancel_label, resume_label) = (
            tr!(p_jobs.cancel_who, what = label.as_str()).to_string(),
            tr!(p_jobs.resume_who, what = label.as_str()).to_string(),
        );
        view! {
            <td class="nowrap">
                {cancellable.then(|| {
                    let id = id.clone();
                    view! {
                        <ActionForm action=actions.cancel>
                            <input type="hidden" name="job" value=id />
                            <button type="submit" class="button button-ghost button-small" aria-label=cancel_label>{tr!(p_jobs.cancel)}</button>
                        </ActionForm>
                    }
                })}
                {resumable.then(|| view! {
                    <ActionForm action=actions.resume>
                        <input type="hidden" name="job" value=id.clone() />
                        <button type="submit" class="button button-secondary button-small" aria-label=resume_label>{tr!(p_jobs.resume)}</button>
                    </ActionForm>
                })}
            </td>
        }
    });
    view! {
        <tr>
            <td>
                {j.what.clone()}
                <div class="muted small">{tr!(p_jobs.asked_by, who = j.requested_by.as_str()).to_string()}</div>
                {(!j.summary.is_empty()).then(|| view! { <div class="small">{j.summary.clone()}</div> })}
                {(!j.failures.is_empty()).then(|| view! { <ul class="job-failures">{failures}</ul> })}
            </td>
            <td><span class=badge>{status}</span></td>
            <td>
                <progress class="progress" max=j.total.max(1) value=j.done aria-label=label></progress>
                <div class="muted small">{counts}</div>
            </td>
            <td class="small nowrap">{when}</td>
            {buttons}
        </tr>
    }
}
