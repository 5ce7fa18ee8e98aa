//! Bulk work on one customer's users: a CSV file of new users, or one license swapped for
//! another on chosen users. A preview checks everything against the tenant as it is now and
//! sends nothing; starting queues a job (checked again), which runs with the rights of the
//! person who asked: the licenses missing for the whole run are bought first, one quantity
//! change per subscription (auto-increase), then the users are done a few at once, each
//! recorded as it finishes so that a run that stops goes on from there. A user already there
//! with the same names is never created again.

use std::{
    collections::{HashMap, HashSet},
    sync::Arc,
};

use futures_util::StreamExt;
use partner_center::{CustomerId, RoleId, SkuId, UserId};
use serde::{Deserialize, Serialize};

use super::{auto_increase::grow, Caller, ServiceError, Services};
use crate::{
    access::{AccountId, ChangeScope},
    audit::Outcome,
    bulk::{
        provision::{self, Checked, Plan},
        swap::{self, Swap, SwapRow},
        SkuFact, Tenant,
    },
    jobs::{BulkInput, Job, JobKind},
    subscriptions::auto_increase::{shortfalls, Increase, Shortfall},
    templates::{Template, TemplateId},
    time::now_millis,
    users::{NewUser, UserAdmin, UserEdit},
};

/// Users done at once by a bulk job.
const AT_ONCE: usize = 8;

/// Most users one swap may name.
pub const MOST_SWAP_USERS: usize = 2_000;

/// What a bulk job would do, checked now; nothing was sent.
#[derive(Debug, Clone)]
pub struct BulkPreview<R> {
    pub rows: Vec<R>,
    /// Subscriptions that grow first (auto-increase), one change each.
    pub increases: Vec<Increase>,
    /// Licenses missing that no subscription set to grow covers.
    pub missing: Vec<Shortfall>,
}

pub type ProvisionPreview = BulkPreview<Checked>;
pub type SwapPreview = BulkPreview<SwapRow>;

impl ProvisionPreview {
    /// Rows with a problem.
    pub fn problems(&self) -> usize {
        self.rows.iter().filter(|r| !r.errors.is_empty()).count()
    }

    /// Users to create.
    pub fn to_create(&self) -> usize {
        self.rows
            .iter()
            .filter(|r| r.errors.is_empty() && r.plan == Plan::Create)
            .count()
    }
}

impl SwapPreview {
    pub fn problems(&self) -> usize {
        self.rows.iter().filter(|r| r.error).count()
    }

    /// Users whose licenses change.
    pub fn changing(&self) -> usize {
        self.rows.iter().filter(|r| !r.error && r.changes()).count()
    }
}

/// What the bulk page offers for one customer.
pub struct BulkChoices {
    /// (SKU id, product name).
    pub skus: Vec<(String, String)>,
    /// (id, user name, display name) of the users to choose from.
    pub holders: Vec<(String, String, String)>,
}

/// A swap (or a template applied) as the job keeps it.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct SwapInput {
    from: String,
    to: String,
    /// A plan template's id ('' for a swap).
    #[serde(default)]
    template: String,
    users: Vec<String>,
}

/// What the result file says of a finished user.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
struct Done {
    outcome: String,
    user_name: String,
    /// What a success did, in words (a template applied), when there is more to say.
    #[serde(default)]
    note: String,
}

/// One line of a bulk job's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResultLine {
    /// The file's line (provisioning) or empty (a swap).
    pub line: String,
    pub user_name: String,
    /// `created`, `licenses added`, `done before`, `changed`, `left as it is`, `failed` or
    /// `not run`.
    pub outcome: String,
    pub detail: String,
    /// A created user's first password, while it is kept (a week).
    pub password: String,
}

/// A bulk job and its lines, for the person who started it (or anyone who may change the
/// customer's users).
pub struct BulkJob {
    pub job: Job,
    pub customer_name: String,
    pub lines: Vec<ResultLine>,
}

impl Caller {
    /// The customer's users to change in bulk (read-only roles refused).
    async fn bulk_admin(
        &self,
        customer: &CustomerId,
    ) -> Result<UserAdmin<ChangeScope>, ServiceError> {
        let access = self.services.store.access();
        let checked = access.authorize_change(&self.who, customer).await;
        let scope = self.checked(Some(customer), checked).await?;
        self.user_admin(scope).await
    }

    /// Checks a file of new users against the tenant now; sends nothing.
    pub async fn provision_preview(
        &self,
        customer: &CustomerId,
        text: &str,
    ) -> Result<ProvisionPreview, ServiceError> {
        let admin = self.bulk_admin(customer).await?;
        let rows = read_file(text)?;
        let (tenant, rows) = provision_check(&admin, rows).await?;
        preview(&admin, &tenant, rows).await
    }

    /// Queues the file as a job when every row is fine; answers the job's id.
    pub async fn provision_start(
        &self,
        customer: &CustomerId,
        text: &str,
    ) -> Result<String, ServiceError> {
        let preview = self.provision_preview(customer, text).await?;
        if preview.rows.is_empty() {
            return Err(ServiceError::field(
                "csv",
                "The file has no users: add a line per user under the header line.",
            ));
        }
        if preview.problems() > 0 {
            return Err(ServiceError::field(
                "csv",
                format!(
                    "{} row{} of the file {} a problem: correct the file and check it again.",
                    preview.problems(),
                    plural(preview.problems()),
                    if preview.problems() == 1 {
                        "has"
                    } else {
                        "have"
                    }
                ),
            ));
        }
        refuse_missing(&preview.missing)?;
        let detail = format!(
            "users from a file queued: {} rows, {} to create",
            preview.rows.len(),
            preview.to_create()
        );
        self.queue_bulk(customer, JobKind::Provision, text, detail)
            .await
    }

    /// Checks a swap (`from` replaced by `to`, SKU ids or product names, either may be empty)
    /// on `users` (ids) against the tenant now; sends nothing.
    pub async fn swap_preview(
        &self,
        customer: &CustomerId,
        from: &str,
        to: &str,
        template: Option<&TemplateId>,
        users: &[UserId],
    ) -> Result<SwapPreview, ServiceError> {
        let admin = self.bulk_admin(customer).await?;
        let input = swap_input(from, to, template, users)?;
        let template = self.swap_template(&input, customer).await?;
        let (tenant, rows) = swap_check(&admin, &input, template).await?;
        preview(&admin, &tenant, rows).await
    }

    /// The template a swap applies (one the caller may apply to this customer), if any.
    async fn swap_template(
        &self,
        input: &SwapInput,
        customer: &CustomerId,
    ) -> Result<Option<Arc<Template>>, ServiceError> {
        if input.template.is_empty() {
            return Ok(None);
        }
        let id = TemplateId::new(input.template.clone());
        Ok(Some(Arc::new(self.template_for(&id, customer).await?)))
    }

    /// Queues the swap as a job when every user is fine; answers the job's id.
    pub async fn swap_start(
        &self,
        customer: &CustomerId,
        from: &str,
        to: &str,
        template: Option<&TemplateId>,
        users: &[UserId],
    ) -> Result<String, ServiceError> {
        let preview = self
            .swap_preview(customer, from, to, template, users)
            .await?;
        if preview.problems() > 0 {
            return Err(ServiceError::field(
                "users",
                format!(
                    "{} of the users chosen cannot be changed: leave them out and check again.",
                    preview.problems()
                ),
            ));
        }
        if preview.changing() == 0 {
            return Err(ServiceError::field(
                "users",
                "Nothing would change for the users chosen.",
            ));
        }
        refuse_missing(&preview.missing)?;
        let input = swap_input(from, to, template, users)?;
        let text =
            serde_json::to_string(&input).map_err(|e| ServiceError::Internal(e.to_string()))?;
        let (kind, detail) = match template {
            Some(t) => (
                JobKind::Template,
                format!("plan template {t} queued for {} users", preview.changing()),
            ),
            None => (
                JobKind::Swap,
                format!(
                    "license swap queued: {} → {} for {} users",
                    or_none(from),
                    or_none(to),
                    preview.changing()
                ),
            ),
        };
        self.queue_bulk(customer, kind, &text, detail).await
    }

    async fn queue_bulk(
        &self,
        customer: &CustomerId,
        kind: JobKind,
        input: &str,
        detail: String,
    ) -> Result<String, ServiceError> {
        let bulk = BulkInput {
            customer_id: customer.as_str(),
            account_id: self.who.account.as_str(),
            input,
        };
        let result = self
            .services
            .store
            .jobs()
            .create_bulk(kind, &self.who.email, bulk)
            .await
            .map_err(ServiceError::from);
        let outcome = Outcome::of(usize::from(result.is_err()));
        self.record(Some(customer.as_str()), outcome, &detail).await;
        result
    }

    /// What the bulk page offers for `customer`: its licenses (read now, one call) and, when
    /// `find`, the users holding `from` (every user when empty) from the directory cache, read
    /// from Partner Center first unless it is fresh.
    pub async fn bulk_choices(
        &self,
        customer: &CustomerId,
        from: &str,
        find: bool,
    ) -> Result<BulkChoices, ServiceError> {
        let admin = self.bulk_admin(customer).await?;
        admin.refresh_seats().await?;
        let directory = self.services.store.directory();
        let skus = directory.sku_names(admin.scope_ref()).await?;
        if !find {
            return Ok(BulkChoices {
                skus,
                holders: Vec::new(),
            });
        }
        let selection = super::Selection {
            customer: Some(customer.clone()),
            reseller: None,
        };
        let mut read = std::pin::pin!(self.users(&selection).await?.refresh().await);
        while read.next().await.is_some() {}
        let from = skus
            .iter()
            .find(|(id, _)| id.eq_ignore_ascii_case(from.trim()))
            .map(|(id, _)| id.clone());
        let holders = directory
            .holders(admin.scope_ref(), from.as_deref(), MOST_SWAP_USERS as i64)
            .await?;
        Ok(BulkChoices { skus, holders })
    }

    /// The bulk jobs on the customers this person may change, newest first.
    pub async fn bulk_jobs(&self) -> Result<Vec<Job>, ServiceError> {
        if self.who.role.is_read_only() {
            return Ok(Vec::new());
        }
        let customers: Vec<String> = self
            .services
            .store
            .access()
            .visible_customers(&self.who)
            .await?
            .into_iter()
            .map(|c| c.id.as_str().to_lowercase())
            .collect();
        Ok(self
            .services
            .store
            .jobs()
            .recent_bulk(&customers, 20)
            .await?)
    }

    /// One bulk job with a line per user (for its progress, and with `passwords` the first
    /// passwords, for its result file), for those who may change its customer's users.
    pub async fn bulk_job(&self, id: &str, passwords: bool) -> Result<BulkJob, ServiceError> {
        // A job of a customer out of reach is answered like one that does not exist (the
        // refusal is audited all the same).
        let no_such = || ServiceError::NotFound("There is no such bulk job.".into());
        let jobs = self.services.store.jobs();
        let job = jobs
            .get(id)
            .await?
            .filter(|j| {
                matches!(
                    j.kind,
                    JobKind::Provision | JobKind::Swap | JobKind::Template
                )
            })
            .ok_or_else(no_such)?;
        let customer: CustomerId = job.customer_id.parse().map_err(|_| no_such())?;
        let admin = match self.bulk_admin(&customer).await {
            Err(ServiceError::Forbidden(_)) => return Err(no_such()),
            other => other?,
        };
        let input = jobs.input(&job.id).await?;
        let items: HashMap<String, crate::jobs::ItemRecord> = jobs
            .items(&job.id)
            .await?
            .into_iter()
            .map(|i| (i.item.clone(), i))
            .collect();
        let sealer = &self.services.sealer;
        let line_of = |key: &str, line: String, user_name: String| {
            let Some(item) = items.get(key) else {
                return ResultLine {
                    line,
                    user_name,
                    outcome: "not run".into(),
                    detail: String::new(),
                    password: String::new(),
                };
            };
            let done: Done = serde_json::from_str(&item.detail).unwrap_or_default();
            let password = if !passwords || item.secret.is_empty() {
                String::new()
            } else {
                sealer
                    .open(&item.secret, &format!("{}/{key}", job.id))
                    .ok()
                    .and_then(|p| String::from_utf8(p).ok())
                    .unwrap_or_default()
            };
            let user_name = if done.user_name.is_empty() {
                user_name
            } else {
                done.user_name.clone()
            };
            let (outcome, detail) = if item.error.is_empty() {
                (done.outcome, done.note)
            } else if done.outcome.is_empty() {
                ("failed".to_owned(), item.error.clone())
            } else {
                (done.outcome, item.error.clone())
            };
            ResultLine {
                line,
                user_name,
                outcome,
                detail,
                password,
            }
        };
        let lines = match job.kind {
            JobKind::Provision => provision::read(&input)
                .unwrap_or_default()
                .into_iter()
                .map(|r| line_of(&r.user_name, r.line.to_string(), r.user_name.clone()))
                .collect(),
            _ => {
                let swap: Option<SwapInput> = serde_json::from_str(&input).ok();
                swap.map(|s| s.users)
                    .unwrap_or_default()
                    .into_iter()
                    .map(|u| line_of(&u, String::new(), u.clone()))
                    .collect()
            }
        };
        Ok(BulkJob {
            customer_name: admin.customer_name(),
            job,
            lines,
        })
    }
}

/// The rows of a file, or the file's problem on the `csv` field.
fn read_file(text: &str) -> Result<Vec<provision::FileRow>, ServiceError> {
    if text.len() > 2_000_000 {
        return Err(ServiceError::field(
            "csv",
            "The file is too large (2 MB at most).",
        ));
    }
    provision::read(text).map_err(|e| ServiceError::field("csv", e.to_string()))
}

fn swap_input(
    from: &str,
    to: &str,
    template: Option<&TemplateId>,
    users: &[UserId],
) -> Result<SwapInput, ServiceError> {
    let (from, to) = (from.trim(), to.trim());
    if template.is_some() && !(from.is_empty() && to.is_empty()) {
        return Err(ServiceError::field(
            "template",
            "Apply a template, or swap licenses: not both at once.",
        ));
    }
    if template.is_none() && from.is_empty() && to.is_empty() {
        return Err(ServiceError::field(
            "to",
            "Choose the license to take, the one to give, or both.",
        ));
    }
    if template.is_none() && from.eq_ignore_ascii_case(to) {
        return Err(ServiceError::field("to", "Choose another license to give."));
    }
    if users.is_empty() {
        return Err(ServiceError::field("users", "Choose at least one user."));
    }
    if users.len() > MOST_SWAP_USERS {
        return Err(ServiceError::field(
            "users",
            format!("At most {MOST_SWAP_USERS} users at once."),
        ));
    }
    Ok(SwapInput {
        from: from.to_owned(),
        to: to.to_owned(),
        template: template
            .map(|t| t.as_str().to_lowercase())
            .unwrap_or_default(),
        users: users.iter().map(|u| u.as_str().to_lowercase()).collect(),
    })
}

fn refuse_missing(missing: &[Shortfall]) -> Result<(), ServiceError> {
    if missing.is_empty() {
        return Ok(());
    }
    let words: Vec<String> = missing
        .iter()
        .map(|m| {
            format!(
                "{} more {} license{}",
                m.missing,
                m.name,
                plural(m.missing as usize)
            )
        })
        .collect();
    Err(ServiceError::Conflict(format!(
        "Not enough licenses: {} {} needed. Free some, buy more, or turn auto-increase on for \
         the subscription.",
        words.join(", "),
        if missing.len() == 1 && missing[0].missing == 1 {
            "is"
        } else {
            "are"
        }
    )))
}

fn plural(n: usize) -> &'static str {
    if n == 1 {
        ""
    } else {
        "s"
    }
}

fn or_none(sku: &str) -> &str {
    if sku.is_empty() {
        "none"
    } else {
        sku
    }
}

/// The tenant read for `rows` (the users they name, with their licenses), and each row checked.
async fn provision_check(
    admin: &UserAdmin<ChangeScope>,
    rows: Vec<provision::FileRow>,
) -> Result<(Tenant, Vec<Checked>), ServiceError> {
    let named: HashSet<String> = rows.iter().map(|r| r.user_name.clone()).collect();
    let roles = rows.iter().any(|r| !r.role.is_empty());
    let tenant = admin
        .tenant(roles, |u| {
            u.user_principal_name
                .as_deref()
                .is_some_and(|n| named.contains(&n.to_lowercase()))
        })
        .await?;
    let rows = provision::check(rows, &tenant);
    Ok((tenant, rows))
}

/// The tenant read for a swap's users, and each user checked.
async fn swap_check(
    admin: &UserAdmin<ChangeScope>,
    input: &SwapInput,
    template: Option<Arc<Template>>,
) -> Result<(Tenant, Vec<SwapRow>), ServiceError> {
    let chosen: HashSet<&str> = input.users.iter().map(String::as_str).collect();
    let tenant = admin
        .tenant(false, |u| {
            u.id.as_ref()
                .is_some_and(|id| chosen.contains(id.as_str().to_lowercase().as_str()))
        })
        .await?;
    let sku = |named: &str, field: &'static str| -> Result<Option<SkuFact>, ServiceError> {
        if named.is_empty() {
            return Ok(None);
        }
        tenant
            .sku(named)
            .cloned()
            .map(Some)
            .ok_or_else(|| ServiceError::field(field, "Choose one of the customer's licenses."))
    };
    let swap = Swap {
        from: sku(&input.from, "from")?,
        to: sku(&input.to, "to")?,
        template,
        users: input.users.clone(),
    };
    let rows = swap::check(&swap, &tenant);
    Ok((tenant, rows))
}

/// Checked rows with the increases they need and what no subscription set to grow covers.
async fn preview<R: BulkRow>(
    admin: &UserAdmin<ChangeScope>,
    tenant: &Tenant,
    rows: Vec<R>,
) -> Result<BulkPreview<R>, ServiceError> {
    let short = shortfalls(&R::wanted(&rows), &tenant.free());
    let increases = admin.increases_for(&short).await?;
    let missing = short
        .into_iter()
        .filter(|s| !increases.iter().any(|i| i.sku_id == s.sku_id))
        .collect();
    Ok(BulkPreview {
        rows,
        increases,
        missing,
    })
}

impl Services {
    /// The caller a bulk job runs as (the account that asked, with its rights now) and the
    /// customer's users it changes.
    async fn bulk_caller(
        &self,
        job: &Job,
    ) -> Result<(Caller, UserAdmin<ChangeScope>), ServiceError> {
        let gone = || {
            ServiceError::Forbidden("The account that asked for this job can no longer sign in.")
        };
        let account: AccountId = job.account_id.parse().map_err(|_| gone())?;
        let who = self
            .store
            .access()
            .principal(&account)
            .await?
            .ok_or_else(gone)?;
        let customer: CustomerId = job
            .customer_id
            .parse()
            .map_err(|_| ServiceError::Internal("a bulk job without its customer".into()))?;
        let caller = Caller {
            services: self.clone(),
            who,
            action: "bulk.run",
            request_id: Some(job.id.clone()),
        };
        let admin = caller.bulk_admin(&customer).await?;
        Ok((caller, admin))
    }

    /// A file of new users as a job: one item per user name.
    pub(super) async fn run_provision(
        &self,
        job: &Job,
        instance: &str,
    ) -> Result<String, ServiceError> {
        let (caller, admin) = self.bulk_caller(job).await?;
        let rows = read_file(&self.store.jobs().input(&job.id).await?)?;
        let (tenant, rows) = provision_check(&admin, rows).await?;
        self.run_bulk(
            job,
            instance,
            BulkRun {
                caller,
                admin,
                tenant,
                rows,
                what: "users from a file",
            },
        )
        .await
    }

    /// A swap as a job: one item per user.
    pub(super) async fn run_swap(&self, job: &Job, instance: &str) -> Result<String, ServiceError> {
        let (caller, admin) = self.bulk_caller(job).await?;
        let input: SwapInput = serde_json::from_str(&self.store.jobs().input(&job.id).await?)
            .map_err(|e| ServiceError::Internal(format!("the swap cannot be read: {e}")))?;
        let template = caller.swap_template(&input, admin.customer_id()).await?;
        let what = if template.is_some() {
            "plan template"
        } else {
            "license swap"
        };
        let (tenant, rows) = swap_check(&admin, &input, template).await?;
        self.run_bulk(
            job,
            instance,
            BulkRun {
                caller,
                admin,
                tenant,
                rows,
                what,
            },
        )
        .await
    }

    /// The rows of a bulk job not finished before: the licenses they miss bought at once (one
    /// change per subscription), then each done as an item; the seats read again, the audit
    /// entry written, the summary answered.
    async fn run_bulk<R: BulkRow>(
        &self,
        job: &Job,
        instance: &str,
        run: BulkRun<R>,
    ) -> Result<String, ServiceError> {
        let BulkRun {
            caller,
            admin,
            tenant,
            rows,
            what,
        } = run;
        let jobs = self.store.jobs();
        let total = i64::try_from(rows.len()).unwrap_or(i64::MAX);
        if !jobs
            .heartbeat(&job.id, instance, total, now_millis())
            .await?
        {
            return Ok("Stopped before it started.".into());
        }
        let finished = jobs.finished_items(&job.id).await?;
        let left: Vec<R> = rows
            .into_iter()
            .filter(|r| !finished.contains(&r.key()))
            .collect();
        let short = shortfalls(&R::wanted(&left), &tenant.free());
        let increases = admin.increases_for(&short).await?;
        let for_whom = format!("{what} ({} users)", left.len());
        let grown = grow(&admin, increases, &caller.author(), &for_whom).await?;
        let (admin, tenant) = (Arc::new(admin), Arc::new(tenant));
        let work = left.into_iter().map(|row| {
            let key = row.key();
            (key, row.run(admin.clone(), tenant.clone()))
        });
        let counts = self.run_items(job, instance, work).await?;
        if let Err(e) = admin.refresh_seats().await {
            tracing::warn!(error = %e, "seats not read again after bulk work");
        }
        let summary = format!("{counts}{}", grown_words(&grown));
        let customer = admin.customer_id().as_str().to_owned();
        caller
            .record(
                Some(&customer),
                counts.outcome(),
                &format!("{what}: {summary}"),
            )
            .await;
        Ok(summary)
    }

    /// Runs each item (key, work) a few at once, each on a task of its own, recording it as it
    /// finishes (with its first password sealed to the job and item); stops starting new ones
    /// when asked to stop or when the run is taken over.
    async fn run_items<W>(
        &self,
        job: &Job,
        instance: &str,
        work: impl Iterator<Item = (String, W)> + Send,
    ) -> Result<Counts, ServiceError>
    where
        W: std::future::Future<Output = ItemResult> + Send + 'static,
    {
        let items = work.map(|(key, work)| {
            let (services, id, instance) = (self.clone(), job.id.clone(), instance.to_owned());
            async move {
                let result = work.await;
                let secret = match &result.password {
                    Some(p) => services
                        .sealer
                        .seal(p.as_bytes(), &format!("{id}/{key}"))
                        .unwrap_or_default(),
                    None => String::new(),
                };
                let detail = serde_json::to_string(&Done {
                    outcome: result.outcome.clone(),
                    user_name: result.user_name.clone(),
                    note: result.note.clone(),
                })
                .unwrap_or_default();
                let go_on = services
                    .store
                    .jobs()
                    .item_recorded(
                        &id,
                        &instance,
                        &key,
                        result.error.as_deref(),
                        &detail,
                        &secret,
                    )
                    .await;
                (result, go_on)
            }
        });
        let mut counts = Counts::default();
        counts.stopped = crate::tasks::each_detached(items, AT_ONCE, |r| counts.add(&r)).await?;
        Ok(counts)
    }
}

/// What happened to one user.
#[derive(Debug, Clone, Default)]
struct ItemResult {
    user_name: String,
    outcome: String,
    error: Option<String>,
    password: Option<String>,
    /// What a success did, when there is more to say than its outcome.
    note: String,
}

impl ItemResult {
    fn ok(outcome: &str) -> Self {
        ItemResult {
            outcome: outcome.into(),
            ..ItemResult::default()
        }
    }

    fn failed(outcome: &str, error: impl ToString) -> Self {
        ItemResult {
            outcome: outcome.into(),
            error: Some(error.to_string()),
            ..ItemResult::default()
        }
    }
}

#[derive(Debug, Default)]
struct Counts {
    by_outcome: Vec<(String, usize)>,
    failed: usize,
    stopped: bool,
}

impl Counts {
    fn add(&mut self, r: &ItemResult) {
        if r.error.is_some() {
            self.failed += 1;
        }
        let outcome = if r.error.is_some() && r.outcome.is_empty() {
            "failed"
        } else {
            r.outcome.as_str()
        };
        match self.by_outcome.iter_mut().find(|(o, _)| o == outcome) {
            Some((_, n)) => *n += 1,
            None => self.by_outcome.push((outcome.to_owned(), 1)),
        }
    }

    fn outcome(&self) -> Outcome {
        if self.failed > 0 {
            Outcome::Failed
        } else {
            Outcome::Succeeded
        }
    }
}

impl std::fmt::Display for Counts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.stopped {
            f.write_str("Stopped: ")?;
        }
        let parts: Vec<String> = self
            .by_outcome
            .iter()
            .map(|(o, n)| format!("{n} {o}"))
            .collect();
        if parts.is_empty() {
            f.write_str("nothing left to do")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

fn grown_words(grown: &[String]) -> String {
    if grown.is_empty() {
        String::new()
    } else {
        format!("; grown first: {}", grown.join("; "))
    }
}

/// A bulk job's run: who it runs as, the customer's users, the tenant as read at its start and
/// the rows checked against it.
struct BulkRun<R> {
    caller: Caller,
    admin: UserAdmin<ChangeScope>,
    tenant: Tenant,
    rows: Vec<R>,
    what: &'static str,
}

/// A row of a bulk job: its item key, the licenses rows like it want, and its work.
trait BulkRow: Send + 'static + Sized {
    fn key(&self) -> String;
    fn wanted(rows: &[Self]) -> HashMap<String, i64>;
    fn run(
        self,
        admin: Arc<UserAdmin<ChangeScope>>,
        tenant: Arc<Tenant>,
    ) -> impl std::future::Future<Output = ItemResult> + Send + 'static;
}

impl BulkRow for Checked {
    fn key(&self) -> String {
        self.row.user_name.clone()
    }

    fn wanted(rows: &[Self]) -> HashMap<String, i64> {
        provision::wanted(rows)
    }

    async fn run(self, admin: Arc<UserAdmin<ChangeScope>>, tenant: Arc<Tenant>) -> ItemResult {
        provision_row(&admin, &tenant, self).await
    }
}

impl BulkRow for SwapRow {
    fn key(&self) -> String {
        self.user_id.clone()
    }

    fn wanted(rows: &[Self]) -> HashMap<String, i64> {
        swap::wanted(rows)
    }

    async fn run(self, admin: Arc<UserAdmin<ChangeScope>>, tenant: Arc<Tenant>) -> ItemResult {
        let user_name = self.user_name.clone();
        ItemResult {
            user_name,
            ..swap_row(&admin, &tenant, self).await
        }
    }
}

/// One row of a file: created (with its licenses and role), or done before (its missing
/// licenses added), or its problem.
async fn provision_row(admin: &UserAdmin<ChangeScope>, tenant: &Tenant, c: Checked) -> ItemResult {
    if !c.errors.is_empty() {
        return ItemResult::failed("failed", c.errors.join(" "));
    }
    let skus = |ids: Vec<String>| ids.iter().map(SkuId::new).collect::<Vec<_>>();
    match &c.plan {
        Plan::Done => ItemResult::ok("done before"),
        Plan::AddLicenses(missing) => {
            let Some(there) = tenant.users.get(&c.row.user_name) else {
                return ItemResult::failed("failed", "The user is no longer there.");
            };
            let held = skus(there.licenses.clone());
            match admin
                .give_licenses(&UserId::new(&there.id), &held, &skus(missing.clone()), &[])
                .await
            {
                Ok(()) => ItemResult::ok("licenses added"),
                Err(e) => ItemResult::failed("failed", ServiceError::from(e)),
            }
        }
        Plan::Create => {
            let (local, domain) = c.row.user_name.split_once('@').unwrap_or_default();
            let new = NewUser {
                first_name: c.row.first_name.clone(),
                last_name: c.row.last_name.clone(),
                display_name: c.display_name.clone(),
                user_name: local.to_owned(),
                domain: domain.to_owned(),
                usage_location: c.row.usage_location.clone(),
                password: None,
                force_change: true,
            };
            let (user, password) = match admin.create(new, None).await {
                Ok(created) => created,
                Err(e) => return ItemResult::failed("failed", ServiceError::from(e)),
            };
            let created = |error: Option<String>| ItemResult {
                user_name: String::new(),
                outcome: "created".into(),
                error,
                password: Some(password.password.clone()),
                note: String::new(),
            };
            let Some(id) = user.id.clone() else {
                return created(Some("Created, but Partner Center gave no id.".into()));
            };
            let assign = skus(c.licenses.iter().map(|l| l.id.clone()).collect());
            if !assign.is_empty() {
                if let Err(e) = admin.give_licenses(&id, &[], &assign, &[]).await {
                    let e = ServiceError::from(e);
                    return created(Some(format!(
                        "Created, but its licenses were not given: {e}"
                    )));
                }
            }
            if let Some((role, _)) = &c.role {
                let edit = UserEdit {
                    first_name: c.row.first_name.clone(),
                    last_name: c.row.last_name.clone(),
                    display_name: c.display_name.clone(),
                    usage_location: c.row.usage_location.clone(),
                    role: Some(RoleId::new(role)),
                };
                if let Err(e) = admin.update(&id, edit).await {
                    let e = ServiceError::from(e);
                    return created(Some(format!("Created, but its role was not set: {e}")));
                }
            }
            created(None)
        }
    }
}

/// One user of a swap: its one license update, or why it is left as it is.
async fn swap_row(admin: &UserAdmin<ChangeScope>, tenant: &Tenant, row: SwapRow) -> ItemResult {
    if row.error {
        return ItemResult::failed("failed", row.note);
    }
    if !row.changes() {
        return ItemResult::ok("left as it is");
    }
    if let Some(t) = &row.template {
        return match admin.apply_template(&UserId::new(&row.user_id), t).await {
            Ok(said) => ItemResult {
                note: said,
                ..ItemResult::ok("changed")
            },
            Err(e) => ItemResult::failed("failed", ServiceError::from(e)),
        };
    }
    let held: Vec<SkuId> = tenant
        .users
        .get(&row.user_name)
        .map(|u| u.licenses.iter().map(SkuId::new).collect())
        .unwrap_or_default();
    let assign: Vec<SkuId> = row.assign.iter().map(SkuId::new).collect();
    let remove: Vec<SkuId> = row.remove.iter().map(SkuId::new).collect();
    match admin
        .give_licenses(&UserId::new(&row.user_id), &held, &assign, &remove)
        .await
    {
        Ok(()) => ItemResult::ok("changed"),
        Err(e) => ItemResult::failed("failed", ServiceError::from(e)),
    }
}
