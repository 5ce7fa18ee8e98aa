//! The Jobs page: every job with its progress (the service provider's staff), and starting,
//! cancelling or resuming one (admins).

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

use crate::error::AppError;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobRow {
    pub id: String,
    /// "Sync of every subscription", …
    pub what: String,
    /// `queued`, `running`, `succeeded`, `failed`, `cancelled`.
    pub status: String,
    pub requested_by: String,
    /// `YYYY-MM-DD HH:MM UTC`; empty when not yet.
    pub created: String,
    pub started: String,
    pub finished: String,
    pub total: i64,
    pub done: i64,
    pub errors: i64,
    pub stopping: bool,
    pub summary: String,
    /// The first items that failed: (item, why).
    pub failures: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobsPage {
    pub jobs: Vec<JobRow>,
}

impl JobRow {
    /// "3 of 10 done, 1 failed" (empty before it knows how many).
    pub fn counts(&self) -> String {
        if self.total == 0 && self.done == 0 {
            return String::new();
        }
        let (done, total) = (self.done, self.total);
        match self.errors {
            0 => tr!(p_jobs.counts, done, total).to_string(),
            n => tr!(p_jobs.counts_failed, done, total, n).to_string(),
        }
    }
}

impl JobsPage {
    /// Whether a job is waiting or running (the page then asks again every few seconds).
    pub fn busy(&self) -> bool {
        self.jobs
            .iter()
            .any(|j| j.status == "queued" || j.status == "running")
    }
}

#[server(prefix = "/api", endpoint = "jobs", input = GetUrl)]
pub async fn jobs() -> Result<JobsPage, AppError> {
    let provider = crate::door::caller("jobs.read").await?.provider().await?;
    Ok(provider.jobs().await?.into())
}

/// Queues a job (`kind`: `sync`, `optimise`, `catalog-refresh` or `clean-up`).
#[server(prefix = "/api", endpoint = "job-start")]
pub async fn start_job(kind: String) -> Result<String, AppError> {
    let admin = crate::door::caller("jobs.start")
        .await?
        .provider_admin()
        .await?;
    use domain::jobs::JobKind;
    let kind = JobKind::parse(kind.trim())
        .filter(|k| JobKind::STARTABLE.contains(k))
        .ok_or_else(|| {
            AppError::field(
                "kind",
                "Choose a job: sync, optimise, catalog-refresh or clean-up.",
            )
        })?;
    Ok(admin.start_job(kind).await?)
}

/// Asks a job to stop.
#[server(prefix = "/api", endpoint = "job-cancel")]
pub async fn cancel_job(job: String) -> Result<(), AppError> {
    let admin = crate::door::caller("jobs.cancel")
        .await?
        .provider_admin()
        .await?;
    let id = domain::service::parse_job_id(&job)?;
    Ok(admin.cancel_job(&id).await?)
}

/// Queues a failed or cancelled job again, to go on from its last finished item.
#[server(prefix = "/api", endpoint = "job-resume")]
pub async fn resume_job(job: String) -> Result<(), AppError> {
    let admin = crate::door::caller("jobs.resume")
        .await?
        .provider_admin()
        .await?;
    let id = domain::service::parse_job_id(&job)?;
    Ok(admin.resume_job(&id).await?)
}

#[cfg(feature = "ssr")]
impl From<domain::service::JobsView> for JobsPage {
    fn from(v: domain::service::JobsView) -> Self {
        JobsPage {
            jobs: v
                .jobs
                .into_iter()
                .map(|(j, errors)| JobRow::new(j, errors))
                .collect(),
        }
    }
}

#[cfg(feature = "ssr")]
impl JobRow {
    pub fn new(j: domain::jobs::Job, errors: Vec<domain::jobs::ItemError>) -> Self {
        let when = |t: Option<i64>| {
            t.map(|t| crate::language::date(&domain::time::format_utc_datetime(t)))
                .unwrap_or_default()
        };
        JobRow {
            what: crate::language::job_words(j.kind).to_owned(),
            status: j.status.as_str().to_owned(),
            requested_by: j.requested_by,
            created: when(Some(j.created_at)),
            started: when(j.started_at),
            finished: when(j.finished_at),
            total: j.total,
            done: j.done,
            errors: j.errors,
            stopping: j.cancel_requested && !j.status.finished(),
            summary: crate::language::message(&j.summary),
            failures: errors
                .into_iter()
                .map(|e| (e.item, crate::language::message(&e.error)))
                .collect(),
            id: j.id,
        }
    }
}
