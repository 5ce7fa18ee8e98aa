//! Reconciliation: what the store says of a customer's subscriptions against what Partner Center
//! says now, as findings (missing on either side, a field that differs), each with the
//! corrective action that makes the store agree; and applying chosen actions, as a dry run (the
//! same work, rolled back) or for good, with a history entry each.

use partner_center::{wire::Subscription as Wire, CustomerId, SubscriptionId};

use super::{insert_rows, stored_for_writing, stored_of, StoredSubscription, Subscriptions};
use crate::{
    history::{self, Author, Difference},
    sql::key,
    StoreError,
};

/// What is wrong, for one subscription of one customer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Partner Center has it; the store does not.
    MissingHere,
    /// The store has it (not ended); Partner Center no longer lists it.
    MissingThere,
    /// A field the history follows differs (`quantity`, `status`, `term_duration`,
    /// `auto_renew`, `next_term`, …).
    Differs(&'static str),
}

/// What makes the store agree with Partner Center.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Store the subscription Partner Center lists.
    Import,
    /// Mark the stored subscription as cancelled (`deleted`).
    MarkCancelled,
    /// Take Partner Center's value of the field.
    TakePartnerCenter,
}

impl Action {
    pub fn words(self) -> &'static str {
        match self {
            Action::Import => "Import it",
            Action::MarkCancelled => "Mark it as cancelled",
            Action::TakePartnerCenter => "Take Partner Center's value",
        }
    }
}

/// One difference between the store and Partner Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub customer_id: CustomerId,
    pub subscription_id: String,
    pub product: String,
    pub problem: Problem,
    /// The store's value and Partner Center's, in the history's words (a summary of the whole
    /// subscription when one side has none).
    pub ours: String,
    pub theirs: String,
}

impl Finding {
    pub fn action(&self) -> Action {
        match self.problem {
            Problem::MissingHere => Action::Import,
            Problem::MissingThere => Action::MarkCancelled,
            Problem::Differs(_) => Action::TakePartnerCenter,
        }
    }

    /// What names this finding when someone chooses it: `customer/subscription/what`, `what`
    /// being `import`, `cancel` or the field.
    pub fn key(&self) -> String {
        let what = match self.problem {
            Problem::MissingHere => "import",
            Problem::MissingThere => "cancel",
            Problem::Differs(field) => field,
        };
        format!("{}/{}/{what}", key(&self.customer_id), self.subscription_id)
    }

    /// What is wrong, in words.
    pub fn problem_words(&self) -> String {
        match self.problem {
            Problem::MissingHere => "Not in Seatwise".to_owned(),
            Problem::MissingThere => "No longer in Partner Center".to_owned(),
            Problem::Differs(field) => format!("{} differs", capitalised(&field.replace('_', " "))),
        }
    }

    /// What applying it changes in the store, in words.
    pub fn change_words(&self) -> String {
        match self.problem {
            Problem::MissingHere => format!("Add to the store: {}", self.theirs),
            Problem::MissingThere => format!(
                "Mark as cancelled: {} (status {} → deleted)",
                self.ours,
                self.ours.rsplit(", ").next().unwrap_or_default()
            ),
            Problem::Differs(field) => format!(
                "{}: {} → {}",
                field.replace('_', " "),
                shown(&self.ours),
                shown(&self.theirs)
            ),
        }
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

fn shown(v: &str) -> &str {
    if v.is_empty() {
        "none"
    } else {
        v
    }
}

/// A chosen finding, parsed: which customer, which subscription, what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Choice {
    pub customer_id: CustomerId,
    pub subscription_id: SubscriptionId,
    pub problem: Problem,
}

impl std::str::FromStr for Choice {
    type Err = &'static str;

    /// `customer/subscription/what`, as [`Finding::key`] writes it.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        const BAD: &str = "A finding is named customer/subscription/what.";
        let mut parts = s.trim().split('/');
        let (Some(customer), Some(subscription), Some(what), None) =
            (parts.next(), parts.next(), parts.next(), parts.next())
        else {
            return Err(BAD);
        };
        let customer_id = customer
            .parse::<CustomerId>()
            .map_err(|_| "A finding names a customer by its tenant id.")?;
        let subscription_id = subscription
            .parse::<SubscriptionId>()
            .map_err(|_| "A finding names a subscription by its id.")?;
        let problem = match what {
            "import" => Problem::MissingHere,
            "cancel" => Problem::MissingThere,
            field => Problem::Differs(
                history::FIELDS
                    .into_iter()
                    .find(|f| *f == field)
                    .ok_or("A finding's change is import, cancel or a field of the history.")?,
            ),
        };
        Ok(Choice {
            customer_id,
            subscription_id,
            problem,
        })
    }
}

impl Choice {
    fn is(&self, f: &Finding) -> bool {
        self.problem == f.problem
            && key(&self.customer_id) == key(&f.customer_id)
            && key(&self.subscription_id) == f.subscription_id
    }
}

/// The findings for one customer: `stored` against `live` (Partner Center's list now).
pub fn compare(
    customer: &CustomerId,
    stored: &[StoredSubscription],
    live: &[Wire],
) -> Vec<Finding> {
    let live: Vec<StoredSubscription> = live
        .iter()
        .map(|w| StoredSubscription::from_wire(customer, w))
        .collect();
    let finding = |s: &StoredSubscription, problem, ours: String, theirs: String| Finding {
        customer_id: customer.clone(),
        subscription_id: s.id.clone(),
        product: s.offer_name.clone(),
        problem,
        ours,
        theirs,
    };
    let mut found = Vec::new();
    for now in &live {
        match stored.iter().find(|s| s.id == now.id) {
            Some(ours) => found.extend(
                history::differences(ours, now)
                    .into_iter()
                    .map(|d| finding(now, Problem::Differs(d.field), d.old, d.new)),
            ),
            None => found.push(finding(
                now,
                Problem::MissingHere,
                String::new(),
                history::summary(now),
            )),
        }
    }
    for ours in stored {
        let ended = matches!(ours.status.as_str(), "deleted" | "expired");
        if !ended && !live.iter().any(|l| l.id == ours.id) {
            found.push(finding(
                ours,
                Problem::MissingThere,
                history::summary(ours),
                String::new(),
            ));
        }
    }
    found.sort_by(|a, b| (&a.product, &a.subscription_id).cmp(&(&b.product, &b.subscription_id)));
    found
}

/// What applying chosen findings of one customer did (or, in a dry run, would do).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// The findings acted on.
    pub done: Vec<Finding>,
    /// The chosen ones that no longer hold (the store and Partner Center agree on them now).
    pub gone: Vec<Choice>,
}

impl Subscriptions<'_> {
    /// The findings for a customer whose list Partner Center answered as `live`.
    pub async fn findings(
        &self,
        customer: &CustomerId,
        live: &[Wire],
    ) -> Result<Vec<Finding>, StoreError> {
        let mut tx = self.pool.begin().await?;
        let stored = stored_of(&mut tx, &key(customer)).await?;
        tx.rollback().await?;
        Ok(compare(customer, &stored, live))
    }

    /// Applies the `chosen` findings of one customer against Partner Center's list `live`,
    /// found again now (a choice that no longer holds is skipped), with a history entry each by
    /// `author`, in one transaction; a dry run does the same work and rolls it back.
    pub async fn reconcile(
        &self,
        customer: &CustomerId,
        live: &[Wire],
        chosen: &[Choice],
        author: &Author,
        at: i64,
        dry_run: bool,
    ) -> Result<Applied, StoreError> {
        let customer_key = key(customer);
        let mut tx = self.pool.begin().await?;
        let stored = stored_for_writing(&mut tx, &customer_key, None).await?;
        let findings = compare(customer, &stored, live);
        let mut applied = Applied::default();
        let mut entries = Vec::new();
        for choice in chosen {
            let Some(f) = findings.iter().find(|f| choice.is(f)) else {
                applied.gone.push(choice.clone());
                continue;
            };
            let row = |id: &str| stored.iter().find(|s| s.id == id);
            match f.problem {
                Problem::MissingHere => {
                    let wire = live
                        .iter()
                        .find(|w| w.id.as_str().eq_ignore_ascii_case(&f.subscription_id));
                    if let Some(w) = wire {
                        insert_rows(&mut tx, &customer_key, &[w]).await?;
                        let now = StoredSubscription::from_wire(customer, w);
                        entries.push(entry(author, at, &now, "", "", &f.theirs));
                    }
                }
                Problem::MissingThere => {
                    sqlx::query(
                        "UPDATE subscriptions SET status = 'deleted' \
                         WHERE customer_id = $1 AND id = $2",
                    )
                    .bind(&customer_key)
                    .bind(&f.subscription_id)
                    .execute(&mut *tx)
                    .await?;
                    if let Some(was) = row(&f.subscription_id) {
                        entries.push(entry(author, at, was, "status", &was.status, "deleted"));
                    }
                }
                Problem::Differs(field) => {
                    take_value(&mut tx, &customer_key, &f.subscription_id, field, &f.theirs)
                        .await?;
                    if let Some(was) = row(&f.subscription_id) {
                        entries.push(entry(author, at, was, field, &f.ours, &f.theirs));
                    }
                }
            }
            applied.done.push(f.clone());
        }
        history::append(&mut tx, &entries).await?;
        if dry_run {
            tx.rollback().await?;
        } else {
            tx.commit().await?;
        }
        Ok(applied)
    }
}

fn entry(
    author: &Author,
    at: i64,
    s: &StoredSubscription,
    field: &'static str,
    old: &str,
    new: &str,
) -> history::Entry {
    history::Entry::by(
        author,
        at,
        s,
        history::Kind::Reconcile,
        Difference {
            field,
            old: old.to_owned(),
            new: new.to_owned(),
        },
    )
}

/// Sets one followed field of a stored subscription to Partner Center's value (in the history's
/// words: `on`/`off` for auto-renew).
async fn take_value(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    customer: &str,
    id: &str,
    field: &'static str,
    value: &str,
) -> Result<(), sqlx::Error> {
    // `field` is one of the history's fields (a fixed list, the columns' names), never text
    // from a request.
    let sql = format!("UPDATE subscriptions SET {field} = $1 WHERE customer_id = $2 AND id = $3");
    let query = match field {
        "quantity" => sqlx::query(&sql).bind(value.parse::<i64>().unwrap_or_default()),
        "auto_renew" => sqlx::query(&sql).bind(i64::from(value == "on")),
        _ => sqlx::query(&sql).bind(value.to_owned()),
    };
    query
        .bind(customer.to_owned())
        .bind(id.to_owned())
        .execute(&mut **tx)
        .await?;
    Ok(())
}
