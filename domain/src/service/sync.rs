//! The sync: every subscription of a customer, or of all customers, read from Partner Center
//! and stored, each difference from what was stored recorded in the history as made outside
//! Seatwise. The command line (`seatwise sync`) and jobs (the nightly schedule, whose time of day
//! is the `sync.nightly_at` setting, 02:00 UTC unless set, or on demand) run it; each customer is
//! one transaction, so a sync cut short and run again records each change once.

use futures_util::{stream, Stream, StreamExt};
use partner_center::CustomerId;

use super::{
    jobs::{CLEAN_UP_SCHEDULE, NIGHTLY_SCHEDULE, OPTIMISE_SCHEDULE},
    ProviderAdminDesk, ProviderDesk, ServiceError, Services,
};
use crate::{
    access::{Customer, ProviderAdmin},
    audit::{NewEntry, Outcome},
    connections::ConnectionId,
    jobs::JobKind,
};

/// Customers read at once (each is a tenant of its own for Partner Center's rate limit).
const AT_ONCE: usize = 32;

/// The setting that says when the nightly sync runs (`HH:MM`, UTC).
pub const NIGHTLY_AT: &str = "sync.nightly_at";
/// When it runs unless the setting says otherwise.
pub const NIGHTLY_DEFAULT: &str = "02:00";

/// When the nightly sync runs, and the day it was last queued.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NightlySync {
    /// `HH:MM`, UTC.
    pub at: String,
    /// `YYYY-MM-DD`: the last day it was queued for.
    pub last_day: Option<String>,
    /// The nightly optimisation makes its reductions without an approval.
    pub optimise_automatically: bool,
}

/// `HH:MM` (00:00 to 23:59), as the setting keeps it; anything else is refused.
pub fn parse_time_of_day(text: &str) -> Result<String, ServiceError> {
    let refused = || ServiceError::field("nightly_at", "Enter a time of day as HH:MM (UTC).");
    let text = text.trim();
    let (h, m) = text.split_once(':').ok_or_else(refused)?;
    let two_digits = |s: &str| s.len() == 2 && s.bytes().all(|b| b.is_ascii_digit());
    if !two_digits(h) || !two_digits(m) {
        return Err(refused());
    }
    let (h, m): (u8, u8) = (
        h.parse().map_err(|_| refused())?,
        m.parse().map_err(|_| refused())?,
    );
    if h > 23 || m > 59 {
        return Err(refused());
    }
    Ok(format!("{h:02}:{m:02}"))
}

impl ProviderDesk {
    pub async fn nightly_sync(&self) -> Result<NightlySync, ServiceError> {
        let settings = self.caller.services.store.settings();
        Ok(NightlySync {
            at: settings.get_or_insert(NIGHTLY_AT, NIGHTLY_DEFAULT).await?,
            last_day: self
                .caller
                .services
                .store
                .jobs()
                .schedule_slot(NIGHTLY_SCHEDULE)
                .await?,
            optimise_automatically: self.caller.services.optimise_automatically().await?,
        })
    }
}

impl ProviderAdminDesk {
    /// Sets when the nightly work runs (`HH:MM`, UTC) and whether its optimisation makes its
    /// reductions without an approval; audited.
    pub async fn set_nightly_sync(&self, at: &str, automatic: bool) -> Result<(), ServiceError> {
        let at = parse_time_of_day(at)?;
        let settings = self.caller.services.store.settings();
        let result = async {
            settings.set(NIGHTLY_AT, &at).await?;
            let value = if automatic { "on" } else { "off" };
            settings.set(super::optimise::AUTOMATIC, value).await
        }
        .await
        .map_err(ServiceError::from);
        let detail = format!(
            "nightly sync at {at} UTC, optimisation {}",
            if automatic {
                "made automatically"
            } else {
                "waits for approval"
            }
        );
        self.caller.finish(None, &detail, result).await
    }
}

/// What a sync does, as it happens.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncEvent {
    Started {
        customers: usize,
    },
    Synced {
        customer: String,
        subscriptions: usize,
        changes: usize,
    },
    Failed {
        customer: String,
        error: String,
    },
}

/// What a whole sync did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SyncSummary {
    pub customers: usize,
    pub subscriptions: usize,
    pub changes: usize,
    pub errors: usize,
}

impl SyncSummary {
    pub fn add(&mut self, event: &SyncEvent) {
        match event {
            SyncEvent::Started { .. } => {}
            SyncEvent::Synced {
                subscriptions,
                changes,
                ..
            } => {
                self.customers += 1;
                self.subscriptions += subscriptions;
                self.changes += changes;
            }
            SyncEvent::Failed { .. } => {
                self.customers += 1;
                self.errors += 1;
            }
        }
    }
}

impl std::fmt::Display for SyncSummary {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} customers, {} subscriptions seen, {} changes recorded, {} errors",
            self.customers, self.subscriptions, self.changes, self.errors
        )
    }
}

impl Services {
    /// A connection's id by its name (the command line names connections so).
    pub async fn connection_named(&self, name: &str) -> Result<ConnectionId, ServiceError> {
        Ok(self.store.connections(&self.sealer).named(name).await?.id)
    }

    /// The customers a sync covers: one (by id), those of one connection, or all.
    pub async fn sync_targets(
        &self,
        by: &ProviderAdmin,
        customer: Option<&CustomerId>,
        connection: Option<&ConnectionId>,
    ) -> Result<Vec<Customer>, ServiceError> {
        let all = self.store.access().all_customers(by).await?;
        let chosen: Vec<Customer> = all
            .into_iter()
            .filter(|c| customer.is_none_or(|id| c.id.as_str().eq_ignore_ascii_case(id.as_str())))
            .filter(|c| connection.is_none_or(|id| c.connection_id == *id))
            .collect();
        if customer.is_some() && chosen.is_empty() {
            return Err(ServiceError::NotFound(
                "No imported customer has that id.".into(),
            ));
        }
        Ok(chosen)
    }

    /// Syncs `customers`, an event per customer as it is done (several at once).
    pub fn sync(&self, customers: Vec<Customer>) -> impl Stream<Item = SyncEvent> + Send + 'static {
        let started = SyncEvent::Started {
            customers: customers.len(),
        };
        let services = self.clone();
        let each = stream::iter(customers)
            .map(move |c| {
                let services = services.clone();
                crate::tasks::detached(async move { services.sync_one(c).await })
            })
            .buffer_unordered(AT_ONCE);
        stream::iter([started]).chain(each)
    }

    pub(super) async fn sync_one(&self, c: Customer) -> SyncEvent {
        let work = async {
            let pc = self.client(&c.connection_id).await?;
            super::subscriptions::read_into_store(&pc, &self.store, &c.id).await
        };
        match work.await {
            Ok((subscriptions, changes)) => SyncEvent::Synced {
                customer: c.company_name,
                subscriptions,
                changes,
            },
            Err(e) => {
                tracing::warn!(customer = %c.id, error = %e, "sync failed for a customer");
                SyncEvent::Failed {
                    customer: c.company_name,
                    error: e.to_string(),
                }
            }
        }
    }

    /// The nightly sync, when it is due at `now` (unix milliseconds): past the set time of day
    /// (UTC) and not yet queued today. Queues it as a job of the schedule's (once a day however
    /// many instances ask; whichever instance claims it runs it) and answers the job's id, or
    /// `None` when it was not due.
    pub async fn nightly_sync_due(&self, now: i64) -> Result<Option<String>, ServiceError> {
        let at = self
            .store
            .settings()
            .get_or_insert(NIGHTLY_AT, NIGHTLY_DEFAULT)
            .await?;
        let stamp = crate::time::format_utc_datetime(now);
        let (today, time_of_day) = (&stamp[..10], &stamp[11..16]);
        if time_of_day < at.as_str() {
            return Ok(None);
        }
        let jobs = self.store.jobs();
        let sync = jobs
            .create_scheduled(NIGHTLY_SCHEDULE, today, JobKind::Sync, super::SCHEDULE)
            .await?;
        // Optimisation reads Partner Center itself; queued after the sync, run after it.
        jobs.create_scheduled(OPTIMISE_SCHEDULE, today, JobKind::Optimise, super::SCHEDULE)
            .await?;
        jobs.create_scheduled(CLEAN_UP_SCHEDULE, today, JobKind::CleanUp, super::SCHEDULE)
            .await?;
        Ok(sync)
    }

    /// Writes the audit entry of a whole sync, as `actor` (the command line, the schedule).
    pub async fn audit_sync(&self, actor: &str, summary: &SyncSummary) {
        let detail = summary.to_string();
        self.record(NewEntry {
            actor,
            customer_id: None,
            action: "subscriptions.sync",
            outcome: Outcome::of(summary.errors),
            detail: &detail,
            request_id: None,
        })
        .await;
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn times_of_day_are_hh_mm_within_the_day() {
        assert_eq!(super::parse_time_of_day(" 02:30 ").unwrap(), "02:30");
        assert_eq!(super::parse_time_of_day("23:59").unwrap(), "23:59");
        for bad in [
            "", "2:30", "24:00", "12:60", "12-30", "12:3", "+1:00", "ab:cd", "12:30:00",
        ] {
            assert!(super::parse_time_of_day(bad).is_err(), "{bad}");
        }
    }
}
