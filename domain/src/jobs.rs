//! Jobs: long work that runs inside the server (a full sync, later optimisation and bulk
//! provisioning), recorded from start to end with its progress and each item that failed. Any
//! number of instances share one database: a job is run by the instance that holds its lease (a
//! heartbeat renewed while it runs); a run whose heartbeat stops (its instance died) is taken
//! over by another, which skips the items already finished. A scheduled job is created once per
//! slot (a day, a month) however many instances ask.

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use uuid::Uuid;

use crate::{language::Language, time::now_millis, StoreError};

/// How long a lease lasts without a heartbeat (unless the server sets another): a running job
/// whose instance has not renewed it for this long is taken over.
pub const LEASE_MS: i64 = 60_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobKind {
    /// Every subscription of every customer read and compared (the nightly sync, or on demand).
    Sync,
    /// License optimisation planned for every customer of the partner's own connections (each
    /// night), and made when the setting says so.
    Optimise,
    /// Users of one customer created from a CSV file.
    Provision,
    /// One license swapped for another on chosen users of one customer.
    Swap,
    /// A plan template applied to chosen users of one customer.
    Template,
    /// The catalogs in use read again (those last read a month ago).
    CatalogRefresh,
    /// Expired sessions and workspace links, first passwords kept a week, old budget slots.
    CleanUp,
}

impl JobKind {
    pub fn as_str(self) -> &'static str {
        match self {
            JobKind::Sync => "sync",
            JobKind::Optimise => "optimise",
            JobKind::Provision => "provision",
            JobKind::Swap => "swap",
            JobKind::Template => "template",
            JobKind::CatalogRefresh => "catalog-refresh",
            JobKind::CleanUp => "clean-up",
        }
    }

    pub fn parse(s: &str) -> Option<JobKind> {
        match s {
            "sync" => Some(JobKind::Sync),
            "optimise" => Some(JobKind::Optimise),
            "provision" => Some(JobKind::Provision),
            "swap" => Some(JobKind::Swap),
            "template" => Some(JobKind::Template),
            "catalog-refresh" => Some(JobKind::CatalogRefresh),
            "clean-up" => Some(JobKind::CleanUp),
            _ => None,
        }
    }

    /// The jobs a service provider admin may start on the Jobs page (bulk work is started on
    /// the Bulk work page, for one customer).
    pub const STARTABLE: [JobKind; 4] = [
        JobKind::Sync,
        JobKind::Optimise,
        JobKind::CatalogRefresh,
        JobKind::CleanUp,
    ];

    pub fn words(self) -> &'static str {
        self.words_in(Language::English)
    }

    /// The kind of job in `language` (pages and mails name it the same way).
    pub fn words_in(self, language: Language) -> &'static str {
        match (language, self) {
            (Language::English, JobKind::Sync) => "Sync of every subscription",
            (Language::English, JobKind::Optimise) => "License optimisation",
            (Language::English, JobKind::Provision) => "Users from a file",
            (Language::English, JobKind::Swap) => "License swap",
            (Language::English, JobKind::Template) => "Plan template on users",
            (Language::English, JobKind::CatalogRefresh) => "Catalog refresh (monthly)",
            (Language::English, JobKind::CleanUp) => {
                "Clean-up of sessions, links and kept passwords"
            }
            (Language::French, JobKind::Sync) => "Synchronisation de tous les abonnements",
            (Language::French, JobKind::Optimise) => "Optimisation des licences",
            (Language::French, JobKind::Provision) => "Utilisateurs à partir d'un fichier",
            (Language::French, JobKind::Swap) => "Échange de licences",
            (Language::French, JobKind::Template) => "Modèle de plans appliqué à des utilisateurs",
            (Language::French, JobKind::CatalogRefresh) => {
                "Actualisation des catalogues (mensuelle)"
            }
            (Language::French, JobKind::CleanUp) => {
                "Nettoyage des sessions, liens et mots de passe conservés"
            }
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum JobStatus {
    Queued,
    Running,
    Succeeded,
    /// Finished, some items failed.
    Failed,
    Cancelled,
}

impl JobStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            JobStatus::Queued => "queued",
            JobStatus::Running => "running",
            JobStatus::Succeeded => "succeeded",
            JobStatus::Failed => "failed",
            JobStatus::Cancelled => "cancelled",
        }
    }

    fn parse(s: &str) -> JobStatus {
        match s {
            "queued" => JobStatus::Queued,
            "running" => JobStatus::Running,
            "succeeded" => JobStatus::Succeeded,
            "cancelled" => JobStatus::Cancelled,
            _ => JobStatus::Failed,
        }
    }

    pub fn finished(self) -> bool {
        matches!(
            self,
            JobStatus::Succeeded | JobStatus::Failed | JobStatus::Cancelled
        )
    }
}

/// A job as recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: String,
    pub kind: JobKind,
    pub status: JobStatus,
    /// Who asked: an account's e-mail, or the schedule.
    pub requested_by: String,
    pub created_at: i64,
    pub started_at: Option<i64>,
    pub finished_at: Option<i64>,
    /// Items to do, done (succeeded or failed) and failed.
    pub total: i64,
    pub done: i64,
    pub errors: i64,
    /// The instance running it (while it runs).
    pub owner: String,
    pub cancel_requested: bool,
    /// What it did, in words, once finished.
    pub summary: String,
    /// The customer a bulk job works on, and the account whose rights it runs with (empty for
    /// the others).
    pub customer_id: String,
    pub account_id: String,
}

/// A finished item as recorded: why it failed (empty when it did not), what happened, and a
/// sealed secret (a first password) while it is kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemRecord {
    pub item: String,
    pub error: String,
    pub detail: String,
    pub secret: String,
}

/// What a bulk job works on.
pub struct BulkInput<'a> {
    pub customer_id: &'a str,
    pub account_id: &'a str,
    pub input: &'a str,
}

/// An item that failed, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemError {
    pub item: String,
    pub error: String,
}

pub struct Jobs<'a> {
    pool: &'a AnyPool,
}

/// Writes a job waiting to run (through the pool or a transaction); answers its id.
async fn queue<'e>(
    on: impl sqlx::Executor<'e, Database = sqlx::Any>,
    kind: JobKind,
    requested_by: &str,
    bulk: Option<BulkInput<'_>>,
) -> Result<String, sqlx::Error> {
    let id = Uuid::now_v7().to_string();
    let bulk = bulk.unwrap_or(BulkInput {
        customer_id: "",
        account_id: "",
        input: "",
    });
    sqlx::query(
        "INSERT INTO jobs (id, kind, status, requested_by, created_at, total, done, errors, \
         owner, heartbeat_at, cancel_requested, summary, customer_id, account_id, input) \
         VALUES ($1, $2, 'queued', $3, $4, 0, 0, 0, '', 0, 0, '', $5, $6, $7)",
    )
    .bind(&id)
    .bind(kind.as_str())
    .bind(requested_by)
    .bind(now_millis())
    .bind(bulk.customer_id.to_lowercase())
    .bind(bulk.account_id.to_owned())
    .bind(bulk.input.to_owned())
    .execute(on)
    .await?;
    Ok(id)
}

const COLUMNS: &str = "id, kind, status, requested_by, created_at, started_at, finished_at, \
     total, done, errors, owner, cancel_requested, summary, customer_id, account_id";

type Row = (
    String,
    String,
    String,
    String,
    i64,
    Option<i64>,
    Option<i64>,
    i64,
    i64,
    i64,
    String,
    i64,
    String,
    String,
    String,
);

fn to_job(r: Row) -> Job {
    Job {
        id: r.0,
        kind: JobKind::parse(&r.1).unwrap_or(JobKind::Sync),
        status: JobStatus::parse(&r.2),
        requested_by: r.3,
        created_at: r.4,
        started_at: r.5,
        finished_at: r.6,
        total: r.7,
        done: r.8,
        errors: r.9,
        owner: r.10,
        cancel_requested: r.11 != 0,
        summary: r.12,
        customer_id: r.13,
        account_id: r.14,
    }
}

impl<'a> Jobs<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Jobs { pool }
    }

    /// Queues a job; answers its id.
    pub async fn create(&self, kind: JobKind, requested_by: &str) -> Result<String, StoreError> {
        Ok(queue(self.pool, kind, requested_by, None).await?)
    }

    /// Queues a bulk job on one customer's users; answers its id.
    pub async fn create_bulk(
        &self,
        kind: JobKind,
        requested_by: &str,
        bulk: BulkInput<'_>,
    ) -> Result<String, StoreError> {
        Ok(queue(self.pool, kind, requested_by, Some(bulk)).await?)
    }

    /// What a bulk job works on (its file, or its swap).
    pub async fn input(&self, id: &str) -> Result<String, StoreError> {
        let row: Option<(String,)> = sqlx::query_as("SELECT input FROM jobs WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool)
            .await?;
        Ok(row.map(|r| r.0).unwrap_or_default())
    }

    /// Queues a scheduled job once for `slot` (a day, a month): of any number of instances
    /// asking for the same schedule and slot, exactly one gets the job's id.
    pub async fn create_scheduled(
        &self,
        schedule: &str,
        slot: &str,
        kind: JobKind,
        requested_by: &str,
    ) -> Result<Option<String>, StoreError> {
        let mut tx = self.pool.begin().await?;
        // One row per schedule; the slot only moves forward, and only one writer moves it.
        sqlx::query(
            "INSERT INTO job_schedules (name, slot) VALUES ($1, '') ON CONFLICT (name) DO NOTHING",
        )
        .bind(schedule)
        .execute(&mut *tx)
        .await?;
        let moved = sqlx::query("UPDATE job_schedules SET slot = $1 WHERE name = $2 AND slot < $1")
            .bind(slot)
            .bind(schedule)
            .execute(&mut *tx)
            .await?
            .rows_affected();
        if moved == 0 {
            tx.rollback().await?;
            return Ok(None);
        }
        let id = queue(&mut *tx, kind, requested_by, None).await?;
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Takes the oldest job waiting, or one whose lease ran out (its instance stopped), for
    /// `owner` at `now`: exactly one instance gets each.
    pub async fn claim(&self, owner: &str, now: i64) -> Result<Option<Job>, StoreError> {
        self.claim_with_lease(owner, now, LEASE_MS).await
    }

    /// [`Self::claim`] with a lease of `lease_ms` (the server's setting).
    pub async fn claim_with_lease(
        &self,
        owner: &str,
        now: i64,
        lease_ms: i64,
    ) -> Result<Option<Job>, StoreError> {
        let stale = now - lease_ms;
        let candidates: Vec<(String,)> = sqlx::query_as(
            "SELECT id FROM jobs WHERE status = 'queued' \
             OR (status = 'running' AND heartbeat_at < $1) ORDER BY created_at LIMIT 5",
        )
        .bind(stale)
        .fetch_all(self.pool)
        .await?;
        for (id,) in candidates {
            // Only one update can match: the row changes status or heartbeat as it is taken.
            let taken = sqlx::query(
                "UPDATE jobs SET status = 'running', owner = $1, heartbeat_at = $2, \
                 started_at = COALESCE(started_at, $2) WHERE id = $3 \
                 AND (status = 'queued' OR (status = 'running' AND heartbeat_at < $4))",
            )
            .bind(owner)
            .bind(now)
            .bind(&id)
            .bind(stale)
            .execute(self.pool)
            .await?
            .rows_affected();
            if taken == 1 {
                return self.get(&id).await;
            }
        }
        Ok(None)
    }

    /// Renews `owner`'s lease and records the count of items to do; answers whether the job is
    /// still its own and not asked to stop (false: stop now).
    pub async fn heartbeat(
        &self,
        id: &str,
        owner: &str,
        total: i64,
        now: i64,
    ) -> Result<bool, StoreError> {
        let kept = sqlx::query(
            "UPDATE jobs SET heartbeat_at = $1, total = $2 WHERE id = $3 AND owner = $4 \
             AND status = 'running' AND cancel_requested = 0",
        )
        .bind(now)
        .bind(total)
        .bind(id)
        .bind(owner)
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(kept == 1)
    }

    /// The items of a job already finished (by any run of it): a resumed run skips them.
    pub async fn finished_items(
        &self,
        id: &str,
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        let rows: Vec<(String,)> = sqlx::query_as("SELECT item FROM job_items WHERE job_id = $1")
            .bind(id)
            .fetch_all(self.pool)
            .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }

    /// Records one item finished (`error`: why it failed) and counts it, once however often it
    /// is recorded, while the job is `owner`'s (an instance whose run was taken over records
    /// nothing). Answers whether to go on: false when the job is no longer its own or was asked
    /// to stop (the item is recorded all the same: its work is done).
    pub async fn item_done(
        &self,
        id: &str,
        owner: &str,
        item: &str,
        error: Option<&str>,
    ) -> Result<bool, StoreError> {
        self.item_recorded(id, owner, item, error, "", "").await
    }

    /// [`Self::item_done`] with what happened (`detail`) and a sealed secret kept for a while.
    pub async fn item_recorded(
        &self,
        id: &str,
        owner: &str,
        item: &str,
        error: Option<&str>,
        detail: &str,
        secret: &str,
    ) -> Result<bool, StoreError> {
        let now = now_millis();
        let mut tx = self.pool.begin().await?;
        // A write first (SQLite's lock), which is also the check that the run is still its own.
        let owned = sqlx::query(
            "UPDATE jobs SET heartbeat_at = $1 WHERE id = $2 AND owner = $3 AND status = 'running'",
        )
        .bind(now)
        .bind(id)
        .bind(owner)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if owned == 0 {
            tx.rollback().await?;
            return Ok(false);
        }
        let added = sqlx::query(
            "INSERT INTO job_items (job_id, item, error, at, detail, secret) \
             VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (job_id, item) DO NOTHING",
        )
        .bind(id)
        .bind(item)
        .bind(error.unwrap_or_default())
        .bind(now)
        .bind(detail)
        .bind(secret)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let (cancel,): (i64,) = sqlx::query_as(
            "UPDATE jobs SET done = done + $1, errors = errors + $2 WHERE id = $3 \
             RETURNING cancel_requested",
        )
        .bind(i64::try_from(added).unwrap_or(0))
        .bind(i64::from(error.is_some() && added == 1))
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(cancel == 0)
    }

    /// Ends `owner`'s run: succeeded (failed when an item failed), or cancelled when it was
    /// asked to stop; `summary` says what it did.
    pub async fn finish(&self, id: &str, owner: &str, summary: &str) -> Result<(), StoreError> {
        self.end(
            "UPDATE jobs SET status = CASE WHEN cancel_requested = 1 THEN 'cancelled' \
             WHEN errors > 0 THEN 'failed' ELSE 'succeeded' END, finished_at = $1, summary = $2 \
             WHERE id = $3 AND owner = $4 AND status = 'running'",
            id,
            owner,
            summary,
        )
        .await
    }

    /// Ends `owner`'s run as failed (the run itself could not go on: `why`); it may be resumed.
    pub async fn fail(&self, id: &str, owner: &str, why: &str) -> Result<(), StoreError> {
        self.end(
            "UPDATE jobs SET status = 'failed', finished_at = $1, summary = $2 \
             WHERE id = $3 AND owner = $4 AND status = 'running'",
            id,
            owner,
            why,
        )
        .await
    }

    /// Ends a run with `update`; a run that ended as failed is mailed, in the same transaction,
    /// to those who chose to be told.
    async fn end(
        &self,
        update: &str,
        id: &str,
        owner: &str,
        summary: &str,
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        let ended = sqlx::query(update)
            .bind(now_millis())
            .bind(summary)
            .bind(id)
            .bind(owner)
            .execute(&mut *tx)
            .await?;
        let row: Option<(String, String, String, String)> = sqlx::query_as(
            "SELECT kind, status, customer_id, requested_by FROM jobs WHERE id = $1",
        )
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        if let (1, Some((kind, status, customer, by))) = (ended.rows_affected(), row) {
            if JobStatus::parse(&status) == JobStatus::Failed {
                let mail = crate::mails::Mail::JobFailed {
                    kind: JobKind::parse(&kind),
                    raw_kind: &kind,
                    by: &by,
                    summary,
                };
                let customer = Some(customer.as_str()).filter(|c| !c.is_empty());
                crate::notifications::notify(
                    &mut tx,
                    crate::notifications::Notice::JobFailed,
                    customer,
                    &mail,
                )
                .await?;
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Asks a waiting or running job to stop (a waiting one stops at once); false when it had
    /// already finished.
    pub async fn cancel(&self, id: &str) -> Result<bool, StoreError> {
        let now = now_millis();
        let waiting = sqlx::query(
            "UPDATE jobs SET status = 'cancelled', cancel_requested = 1, finished_at = $1, \
             summary = 'Cancelled before it started.' WHERE id = $2 AND status = 'queued'",
        )
        .bind(now)
        .bind(id)
        .execute(self.pool)
        .await?
        .rows_affected();
        let running = sqlx::query(
            "UPDATE jobs SET cancel_requested = 1 WHERE id = $1 AND status = 'running'",
        )
        .bind(id)
        .execute(self.pool)
        .await?
        .rows_affected();
        Ok(waiting + running > 0)
    }

    /// Queues a finished job again (failed or cancelled): its next run skips the items already
    /// done and tries the failed ones again. False when it is not finished, or succeeded.
    pub async fn resume(&self, id: &str) -> Result<bool, StoreError> {
        let mut tx = self.pool.begin().await?;
        let queued = sqlx::query(
            "UPDATE jobs SET status = 'queued', cancel_requested = 0, owner = '', \
             finished_at = NULL, summary = '', done = done - errors, errors = 0 \
             WHERE id = $1 AND status IN ('failed', 'cancelled')",
        )
        .bind(id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if queued == 1 {
            sqlx::query("DELETE FROM job_items WHERE job_id = $1 AND error <> ''")
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(queued == 1)
    }

    /// The last slot a schedule queued a job for.
    pub async fn schedule_slot(&self, schedule: &str) -> Result<Option<String>, StoreError> {
        let row: Option<(String,)> =
            sqlx::query_as("SELECT slot FROM job_schedules WHERE name = $1")
                .bind(schedule)
                .fetch_optional(self.pool)
                .await?;
        Ok(row.map(|r| r.0).filter(|s| !s.is_empty()))
    }

    pub async fn get(&self, id: &str) -> Result<Option<Job>, StoreError> {
        let row: Option<Row> = sqlx::query_as(&format!("SELECT {COLUMNS} FROM jobs WHERE id = $1"))
            .bind(id)
            .fetch_optional(self.pool)
            .await?;
        Ok(row.map(to_job))
    }

    /// The newest jobs first.
    pub async fn recent(&self, limit: i64) -> Result<Vec<Job>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM jobs ORDER BY created_at DESC, id DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(to_job).collect())
    }

    /// The newest bulk jobs on `customers` (lower-case ids).
    pub async fn recent_bulk(
        &self,
        customers: &[String],
        limit: i64,
    ) -> Result<Vec<Job>, StoreError> {
        if customers.is_empty() {
            return Ok(Vec::new());
        }
        let sql = format!(
            "SELECT {COLUMNS} FROM jobs WHERE customer_id IN {} \
             ORDER BY created_at DESC, id DESC LIMIT {limit}",
            crate::sql::placeholders(1, customers.len())
        );
        let mut query = sqlx::query_as::<_, Row>(&sql);
        for c in customers {
            query = query.bind(c.clone());
        }
        Ok(query
            .fetch_all(self.pool)
            .await?
            .into_iter()
            .map(to_job)
            .collect())
    }

    /// Every finished item of a job.
    pub async fn items(&self, id: &str) -> Result<Vec<ItemRecord>, StoreError> {
        let rows: Vec<(String, String, String, String)> = sqlx::query_as(
            "SELECT item, error, detail, secret FROM job_items WHERE job_id = $1 ORDER BY at, item",
        )
        .bind(id)
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(item, error, detail, secret)| ItemRecord {
                item,
                error,
                detail,
                secret,
            })
            .collect())
    }

    /// Forgets the secrets of items finished before `before` (unix ms); answers how many.
    pub async fn forget_secrets(&self, before: i64) -> Result<u64, StoreError> {
        Ok(
            sqlx::query("UPDATE job_items SET secret = '' WHERE secret <> '' AND at < $1")
                .bind(before)
                .execute(self.pool)
                .await?
                .rows_affected(),
        )
    }

    /// The items of a job that failed, and why.
    pub async fn errors(&self, id: &str, limit: i64) -> Result<Vec<ItemError>, StoreError> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT item, error FROM job_items WHERE job_id = $1 AND error <> '' \
             ORDER BY at, item LIMIT $2",
        )
        .bind(id)
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(item, error)| ItemError { item, error })
            .collect())
    }
}
