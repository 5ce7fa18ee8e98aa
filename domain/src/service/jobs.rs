//! Running jobs: each instance of the server asks for work every few seconds and runs what it
//! claims (see [`crate::jobs`] for the lease); the service provider's staff see every job, and
//! its admins start a full sync, cancel a job, or resume one that failed or was cancelled.

use super::{ProviderAdminDesk, ProviderDesk, ServiceError, Services, SyncEvent, SyncSummary};
use crate::{
    access::ProviderAdmin,
    jobs::{ItemError, Job, JobKind},
    time::now_millis,
};

/// Customers synced at once by a job.
const AT_ONCE: usize = 32;

/// The schedule of the nightly sync (one job a day).
pub const NIGHTLY_SCHEDULE: &str = "nightly-sync";

/// The schedule of the nightly optimisation (one job a day, after the sync is queued).
pub const OPTIMISE_SCHEDULE: &str = "nightly-optimise";

/// The schedule of the nightly clean-up (one job a day, with the sync).
pub const CLEAN_UP_SCHEDULE: &str = "nightly-clean-up";

/// How long before a subscription ends without renewing its people are told (a week).
pub const RENEWAL_NOTICE_MS: i64 = 7 * 24 * 3_600_000;

/// The schedule of the catalog refresh (queued on a day some catalog is a month old).
pub const CATALOG_SCHEDULE: &str = "catalog-refresh";

impl Services {
    /// Claims and runs jobs, one after another, until none is waiting (or left by an instance
    /// that stopped); answers how many it ran. `instance` names this process.
    pub async fn run_due_jobs(&self, instance: &str) -> Result<usize, ServiceError> {
        let mut ran = 0;
        while let Some(job) = self
            .store
            .jobs()
            .claim_with_lease(instance, now_millis(), self.job_lease_ms)
            .await?
        {
            tracing::info!(job = %job.id, kind = job.kind.as_str(), "job started");
            let run = match job.kind {
                JobKind::Sync => self.run_sync(&job, instance).await,
                JobKind::Optimise => self.run_optimise(&job, instance).await,
                JobKind::Provision => self.run_provision(&job, instance).await,
                JobKind::Swap | JobKind::Template => self.run_swap(&job, instance).await,
                JobKind::CatalogRefresh => Ok(self.run_catalog_refresh().await),
                JobKind::CleanUp => self.run_clean_up().await,
            };
            match run {
                Ok(summary) => {
                    self.store
                        .jobs()
                        .finish(&job.id, instance, &summary)
                        .await?;
                    tracing::info!(job = %job.id, %summary, "job finished");
                }
                // Recorded as failed, to be resumed; if even that cannot be written, the lease
                // runs out and another run takes it over.
                Err(e) => {
                    tracing::warn!(job = %job.id, error = %e, "job failed");
                    let why = format!("Stopped by an error: {e}");
                    self.store.jobs().fail(&job.id, instance, &why).await?;
                }
            }
            ran += 1;
        }
        Ok(ran)
    }

    /// A sync as a job: one item per customer; a resumed run skips the customers done before.
    async fn run_sync(&self, job: &Job, instance: &str) -> Result<String, ServiceError> {
        let jobs = self.store.jobs();
        let customers = self
            .sync_targets(&ProviderAdmin::command_line(), None, None)
            .await?;
        let total = i64::try_from(customers.len()).unwrap_or(i64::MAX);
        if !jobs
            .heartbeat(&job.id, instance, total, now_millis())
            .await?
        {
            return Ok("Stopped before it started.".into());
        }
        let finished = jobs.finished_items(&job.id).await?;
        let left: Vec<_> = customers
            .into_iter()
            .filter(|c| !finished.contains(&c.id.as_str().to_lowercase()))
            .collect();
        // Each customer's read and its record are a task of their own: a transaction never
        // waits on this loop (a stream that is not polled would hold SQLite's write lock).
        // Asked to stop (or taken over): no customer is started, those under way finish.
        let items = left.into_iter().map(|c| {
            let (services, id, instance) = (self.clone(), job.id.clone(), instance.to_owned());
            async move {
                let key = c.id.as_str().to_lowercase();
                let event = services.sync_one(c).await;
                let error = match &event {
                    SyncEvent::Failed { error, .. } => Some(error.as_str()),
                    _ => None,
                };
                let go_on = services
                    .store
                    .jobs()
                    .item_done(&id, &instance, &key, error)
                    .await;
                (event, go_on)
            }
        });
        let mut summary = SyncSummary::default();
        let stopped =
            crate::tasks::each_detached(items, AT_ONCE, |event| summary.add(&event)).await?;
        if stopped {
            return Ok(format!("Stopped: {summary}"));
        }
        self.audit_sync(&job.requested_by, &summary).await;
        // The subscriptions are fresh: those ending within a week without renewing are told.
        if let Err(e) =
            crate::notifications::renewals_due(self.store.pool(), now_millis(), RENEWAL_NOTICE_MS)
                .await
        {
            tracing::warn!(error = %e, "renewal notices not queued");
        }
        Ok(summary.to_string())
    }
}

impl Services {
    /// Optimisation as a job: one item per customer, planned and (when the setting says so)
    /// made; otherwise the report waits for a service provider's approval.
    async fn run_optimise(&self, job: &Job, instance: &str) -> Result<String, ServiceError> {
        let jobs = self.store.jobs();
        let automatic = self.optimise_automatically().await?;
        let report = self.optimisation().await?;
        let total = i64::try_from(report.customers.len()).unwrap_or(i64::MAX);
        if !jobs
            .heartbeat(&job.id, instance, total, now_millis())
            .await?
        {
            return Ok("Stopped before it started.".into());
        }
        let author = crate::history::Author {
            email: job.requested_by.clone(),
            role: "schedule".into(),
            request_id: job.id.clone(),
        };
        let done = if automatic {
            self.apply_optimisation(report, &author).await
        } else {
            report
        };
        for (customer, outcome) in &done.customers {
            let key = customer.id.as_str().to_lowercase();
            let error = outcome.as_ref().err().map(String::as_str);
            if !jobs.item_done(&job.id, instance, &key, error).await? {
                return Ok(format!("Stopped: {done}"));
            }
        }
        if !automatic {
            self.tell_optimisation_waits(&done).await;
        }
        Ok(if automatic {
            done.to_string()
        } else {
            format!("{done}; waiting for approval on the Optimisation page")
        })
    }
}

impl Services {
    /// Mails the service provider's admins who chose it that reductions wait for approval
    /// (nothing when none was planned). A mail that cannot be queued is logged, not a failure.
    async fn tell_optimisation_waits(&self, report: &crate::service::Optimisation) {
        let waiting: Vec<(String, usize)> = report
            .customers
            .iter()
            .filter_map(|(c, planned)| {
                let n = planned.as_ref().ok()?.len();
                (n > 0).then(|| (c.company_name.clone(), n))
            })
            .collect();
        if waiting.is_empty() {
            return;
        }
        let mail = crate::mails::Mail::OptimisationWaiting {
            customers: &waiting,
        };
        if let Err(e) = crate::notifications::notify_now(
            self.store.pool(),
            crate::notifications::Notice::Optimisation,
            None,
            &mail,
        )
        .await
        {
            tracing::warn!(error = %e, "optimisation notice not queued");
        }
    }
}

impl Services {
    /// The nightly clean-up as a job: expired sessions and workspace link records, first
    /// passwords of bulk work kept for a week, the shared request budget's old slots.
    async fn run_clean_up(&self) -> Result<String, ServiceError> {
        let now = now_millis();
        let sessions = self.store.sessions().delete_expired().await?;
        let links = self.store.sessions().forget_used_links(now).await?;
        let passwords = self
            .store
            .jobs()
            .forget_secrets(now - 7 * 24 * 3_600_000)
            .await?;
        let slots = crate::budget::sweep(self.store.pool(), now - 120_000).await?;
        Ok(format!(
            "{sessions} expired sessions, {links} used workspace links, {passwords} first \
             passwords and {slots} request budget slots removed"
        ))
    }

    /// The catalog refresh as a job: every catalog a month old read again.
    async fn run_catalog_refresh(&self) -> String {
        match self.refresh_catalogs_due(now_millis()).await {
            0 => "No catalog was due.".into(),
            1 => "1 catalog read again.".into(),
            n => format!("{n} catalogs read again."),
        }
    }
}

/// The jobs page: the newest jobs, and the first failures of each that has some.
pub struct JobsView {
    pub jobs: Vec<(Job, Vec<ItemError>)>,
}

impl ProviderDesk {
    pub async fn jobs(&self) -> Result<JobsView, ServiceError> {
        let store = self.caller.services.store.jobs();
        let mut jobs = Vec::new();
        for job in store.recent(50).await? {
            let errors = if job.errors > 0 {
                store.errors(&job.id, 5).await?
            } else {
                Vec::new()
            };
            jobs.push((job, errors));
        }
        Ok(JobsView { jobs })
    }
}

impl ProviderAdminDesk {
    /// Queues a job (an instance starts it within seconds); answers its id.
    pub async fn start_job(&self, kind: JobKind) -> Result<String, ServiceError> {
        let by = self.caller.who.email.clone();
        let result = self
            .caller
            .services
            .store
            .jobs()
            .create(kind, &by)
            .await
            .map_err(ServiceError::from);
        let detail = format!("{} queued", kind.words());
        self.caller.finish(None, &detail, result).await
    }

    /// Asks a job to stop (the items finished stay finished).
    pub async fn cancel_job(&self, id: &str) -> Result<(), ServiceError> {
        let result = match self.caller.services.store.jobs().cancel(id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ServiceError::Conflict(
                "This job has already finished.".into(),
            )),
            Err(e) => Err(e.into()),
        };
        self.caller
            .finish(None, &format!("job {id} asked to stop"), result)
            .await
    }

    /// Queues a failed or cancelled job again: it goes on from its last finished item.
    pub async fn resume_job(&self, id: &str) -> Result<(), ServiceError> {
        let result = match self.caller.services.store.jobs().resume(id).await {
            Ok(true) => Ok(()),
            Ok(false) => Err(ServiceError::Conflict(
                "Only a job that failed or was cancelled can be resumed.".into(),
            )),
            Err(e) => Err(e.into()),
        };
        self.caller
            .finish(None, &format!("job {id} resumed"), result)
            .await
    }
}

/// Whether a job id is well formed (a UUID): anything else is refused before the store sees it.
pub fn parse_job_id(text: &str) -> Result<String, ServiceError> {
    uuid::Uuid::parse_str(text.trim())
        .map(|u| u.to_string())
        .map_err(|_| ServiceError::field("job", "A job is named by its id."))
}
