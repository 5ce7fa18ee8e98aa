//! The subscription history: what changed, when, by whom, and whether it happened in Seatwise
//! or outside it. Append-only and kept forever. Entries are written in the transaction that
//! changes what they describe: a change made through Seatwise with the stored subscription it
//! updates (after Partner Center accepted it), and the differences a read of Partner Center
//! finds with the stored list it replaces ([`crate::subscriptions::Subscriptions::replace`]).

use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyPool, Transaction};
use uuid::Uuid;

use crate::{
    sql::{count, escape_like, placeholders},
    subscriptions::StoredSubscription,
    StoreError,
};

/// Who the history names for what a read of Partner Center found changed.
pub const OUTSIDE: &str = "Partner Center (outside Seatwise)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Kind {
    /// One field changed.
    Change,
    /// Bought through Seatwise.
    Order,
    /// Seen for the first time by a read (bought elsewhere, or before Seatwise).
    Discovered,
    /// No longer listed by Partner Center.
    Gone,
    /// A license given to or taken from a user through Seatwise (user administration).
    License,
    /// The store made to agree with Partner Center by a reconciliation's corrective action.
    Reconcile,
    /// A subscription grown because licenses were assigned and none was free (auto-increase).
    Increase,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Change => "change",
            Kind::Order => "order",
            Kind::Discovered => "discovered",
            Kind::Gone => "gone",
            Kind::License => "license",
            Kind::Reconcile => "reconcile",
            Kind::Increase => "increase",
        }
    }

    fn parse(s: &str) -> Kind {
        Kind::from_name(s).unwrap_or(Kind::Change)
    }
}

/// Who made a change through Seatwise (the request's person), for its history entries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Author {
    pub email: String,
    /// `sp_admin`, `reseller_admin`, …
    pub role: String,
    pub request_id: String,
}

/// One entry of the history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub at: i64,
    pub customer_id: String,
    pub subscription_id: String,
    pub product: String,
    pub kind: Kind,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
    /// Made through Seatwise (else found by a read of Partner Center).
    pub in_seatwise: bool,
    pub actor: String,
    pub role: String,
    pub request_id: String,
}

impl Entry {
    /// An entry found by a read of Partner Center.
    pub fn outside(at: i64, s: &StoredSubscription, kind: Kind, change: Difference) -> Entry {
        Entry {
            at,
            customer_id: s.customer_id.as_str().to_lowercase(),
            subscription_id: s.id.clone(),
            product: s.offer_name.clone(),
            kind,
            field: change.field.to_owned(),
            old_value: change.old,
            new_value: change.new,
            in_seatwise: false,
            actor: OUTSIDE.to_owned(),
            role: String::new(),
            request_id: String::new(),
        }
    }

    /// An entry for a change made through Seatwise.
    pub fn by(
        author: &Author,
        at: i64,
        s: &StoredSubscription,
        kind: Kind,
        change: Difference,
    ) -> Entry {
        Entry {
            in_seatwise: true,
            actor: author.email.clone(),
            role: author.role.clone(),
            request_id: author.request_id.clone(),
            ..Entry::outside(at, s, kind, change)
        }
    }
}

/// One field's change, in the words the history keeps.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    pub field: &'static str,
    pub old: String,
    pub new: String,
}

impl Difference {
    /// An entry about the whole subscription (ordered, discovered, gone): its summary.
    pub fn whole(s: &StoredSubscription) -> Difference {
        Difference {
            field: "",
            old: String::new(),
            new: summary(s),
        }
    }
}

/// "5 × Office 365 E3, P1Y monthly, active".
pub fn summary(s: &StoredSubscription) -> String {
    format!(
        "{} × {}, {} {}, {}",
        s.quantity, s.offer_name, s.term_duration, s.billing_cycle, s.status
    )
}

/// The fields the history follows (each a column of the stored subscription).
pub const FIELDS: [&str; 8] = [
    "quantity",
    "status",
    "friendly_name",
    "auto_renew",
    "billing_cycle",
    "term_duration",
    "next_term",
    "partner_id",
];

/// The fields the history follows that differ between two snapshots of one subscription.
pub fn differences(before: &StoredSubscription, after: &StoredSubscription) -> Vec<Difference> {
    let flag = |b: bool| if b { "on" } else { "off" }.to_owned();
    let pairs = [
        (
            "quantity",
            before.quantity.to_string(),
            after.quantity.to_string(),
        ),
        ("status", before.status.clone(), after.status.clone()),
        (
            "friendly_name",
            before.friendly_name.clone(),
            after.friendly_name.clone(),
        ),
        (
            "auto_renew",
            flag(before.auto_renew),
            flag(after.auto_renew),
        ),
        (
            "billing_cycle",
            before.billing_cycle.clone(),
            after.billing_cycle.clone(),
        ),
        (
            "term_duration",
            before.term_duration.clone(),
            after.term_duration.clone(),
        ),
        (
            "next_term",
            before.next_term.clone(),
            after.next_term.clone(),
        ),
        (
            "partner_id",
            before.partner_id.clone(),
            after.partner_id.clone(),
        ),
    ];
    pairs
        .into_iter()
        .filter(|(_, old, new)| old != new)
        .map(|(field, old, new)| Difference { field, old, new })
        .collect()
}

/// Appends entries in the caller's transaction, with the mails of those who chose to be told.
pub async fn append(tx: &mut Transaction<'_, Any>, entries: &[Entry]) -> Result<(), sqlx::Error> {
    for e in entries {
        sqlx::query(
            "INSERT INTO subscription_history (id, at, customer_id, subscription_id, product, \
             kind, field, old_value, new_value, source, actor, role, request_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(Uuid::now_v7().to_string())
        .bind(e.at)
        .bind(&e.customer_id)
        .bind(&e.subscription_id)
        .bind(&e.product)
        .bind(e.kind.as_str())
        .bind(e.field.clone())
        .bind(&e.old_value)
        .bind(&e.new_value)
        .bind(if e.in_seatwise { "seatwise" } else { "outside" })
        .bind(&e.actor)
        .bind(&e.role)
        .bind(&e.request_id)
        .execute(&mut **tx)
        .await?;
    }
    crate::notifications::subscription_news(tx, entries).await
}

/// The subscriptions of a customer the history has entries for (ordered through Seatwise or
/// seen before), in the caller's transaction: one query however many the customer has.
pub(crate) async fn known(
    tx: &mut Transaction<'_, Any>,
    customer: &str,
) -> Result<std::collections::HashSet<String>, sqlx::Error> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT subscription_id FROM subscription_history WHERE customer_id = $1",
    )
    .bind(customer)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|r| r.0).collect())
}

pub struct History<'a> {
    pool: &'a AnyPool,
}

/// Which entries the history page shows.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct HistoryQuery {
    /// The customers the person may see (ids, any case); nothing else is shown, unless
    /// `every_customer`.
    pub customers: Vec<String>,
    /// The service provider's staff: every entry, those of customers no longer in Seatwise too.
    pub every_customer: bool,
    /// One of them.
    pub customer: Option<String>,
    pub subscription: String,
    /// Who made it: an e-mail address (exactly, any case), or part of one.
    pub who: String,
    pub kind: Option<Kind>,
    /// Made through Seatwise (`true`) or found outside it (`false`).
    pub in_seatwise: Option<bool>,
    /// From and before (unix milliseconds).
    pub from: Option<i64>,
    pub before: Option<i64>,
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

/// One page of entries, newest first.
#[derive(Debug, Clone, PartialEq)]
pub struct HistoryPage {
    pub rows: Vec<Entry>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
}

impl Kind {
    /// `change`, `order`, `discovered`, `gone`, `license` or `reconcile`; anything else is
    /// none.
    pub fn from_name(s: &str) -> Option<Kind> {
        match s {
            "change" => Some(Kind::Change),
            "order" => Some(Kind::Order),
            "discovered" => Some(Kind::Discovered),
            "gone" => Some(Kind::Gone),
            "license" => Some(Kind::License),
            "reconcile" => Some(Kind::Reconcile),
            "increase" => Some(Kind::Increase),
            _ => None,
        }
    }
}

/// An entry's columns as [`COLUMNS`] lists them, its id last.
type Row = (
    i64,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
    String,
);

/// What [`Row`] reads.
const COLUMNS: &str = "at, customer_id, subscription_id, product, kind, field, old_value, \
     new_value, source, actor, role, request_id, id";

impl<'a> History<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        History { pool }
    }

    /// Records a change made through Seatwise that is not a stored subscription's new state
    /// (an order whose subscription is not read yet): one entry, in its own transaction.
    pub async fn record(&self, entry: &Entry) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        append(&mut tx, std::slice::from_ref(entry)).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of the entries `q` selects, newest first.
    pub async fn query(&self, q: &HistoryQuery) -> Result<HistoryPage, StoreError> {
        let Some((filter, binds)) = selection(q) else {
            return Ok(HistoryPage {
                rows: Vec::new(),
                matching: 0,
                page: 1,
                pages: 1,
            });
        };
        let matching = count(
            self.pool,
            &format!("SELECT COUNT(*) FROM subscription_history WHERE {filter}"),
            &binds,
        )
        .await?;
        let per_page = q.per_page.max(1);
        let pages = matching.div_ceil(per_page).max(1);
        let page = q.page.clamp(1, pages);
        let rows = self
            .select(
                &filter,
                &binds,
                &format!(" LIMIT {per_page} OFFSET {}", (page - 1) * per_page),
            )
            .await?;
        Ok(HistoryPage {
            rows: rows.into_iter().map(|(_, e)| e).collect(),
            matching,
            page,
            pages,
        })
    }

    /// The next `size` entries `q` selects after `after` (the last one of the previous batch:
    /// its time and id), newest first, each with its id: an export of any length reads the
    /// history a batch at a time.
    pub async fn batch(
        &self,
        q: &HistoryQuery,
        after: Option<&(i64, String)>,
        size: usize,
    ) -> Result<Vec<(String, Entry)>, StoreError> {
        let Some((mut filter, mut binds)) = selection(q) else {
            return Ok(Vec::new());
        };
        if let Some((at, id)) = after {
            binds.push(id.clone());
            filter.push_str(&format!(
                " AND (at < {at} OR (at = {at} AND id < ${}))",
                binds.len()
            ));
        }
        self.select(&filter, &binds, &format!(" LIMIT {}", size.max(1)))
            .await
    }

    async fn select(
        &self,
        filter: &str,
        binds: &[String],
        limit: &str,
    ) -> Result<Vec<(String, Entry)>, StoreError> {
        let sql = format!(
            "SELECT {COLUMNS} FROM subscription_history \
             WHERE {filter} ORDER BY at DESC, id DESC{limit}"
        );
        let mut select = sqlx::query_as::<_, Row>(&sql);
        for b in binds {
            select = select.bind(b.clone());
        }
        let rows = select.fetch_all(self.pool).await?;
        Ok(rows
            .into_iter()
            .map(|r| (r.12.clone(), to_entry(r)))
            .collect())
    }

    /// A customer's entries, oldest first.
    pub async fn of_customer(&self, customer: &str) -> Result<Vec<Entry>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM subscription_history WHERE customer_id = $1 ORDER BY at, id"
        ))
        .bind(customer.to_lowercase())
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(to_entry).collect())
    }
}

/// The condition and binds for the entries `q` selects; `None` when it selects none (no
/// customer to see).
fn selection(q: &HistoryQuery) -> Option<(String, Vec<String>)> {
    let mut customers: Vec<String> = q.customers.iter().map(|c| c.to_lowercase()).collect();
    let mut binds: Vec<String> = Vec::new();
    let mut filter = match (&q.customer, q.every_customer) {
        (Some(one), true) => {
            binds.push(one.to_lowercase());
            "customer_id = $1".to_owned()
        }
        // No condition on the customer: the newest entries come straight from the index
        // on time.
        (None, true) => "1 = 1".to_owned(),
        (one, false) => {
            if let Some(one) = one {
                let one = one.to_lowercase();
                customers.retain(|c| *c == one);
            }
            if customers.is_empty() {
                return None;
            }
            for c in customers {
                binds.push(c);
            }
            format!("customer_id IN {}", placeholders(1, binds.len()))
        }
    };
    // Each filter has an index; only the narrowest one present is left for the planner to
    // use (a customer, a subscription, a person, then a kind or where it was made): the
    // broader ones are written so that no index matches them (`column || ''`, the same
    // value in SQLite and PostgreSQL). Left to itself, SQLite would count a customer's
    // changes by reading every change of every customer.
    let mut narrowed = !binds.is_empty();
    let mut column = |name: &str| {
        let written = if narrowed {
            format!("{name} || ''")
        } else {
            name.to_owned()
        };
        narrowed = true;
        written
    };
    if !q.subscription.trim().is_empty() {
        binds.push(q.subscription.trim().to_lowercase());
        let c = column("subscription_id");
        filter.push_str(&format!(" AND {c} = ${}", binds.len()));
    }
    let who = q.who.trim();
    if who.contains('@') || who.eq_ignore_ascii_case(OUTSIDE) {
        // One person (or Partner Center): the index finds their entries, as written or in
        // lower case (portal accounts' e-mails are kept so).
        binds.push(who.to_owned());
        binds.push(who.to_lowercase());
        let c = column("actor");
        filter.push_str(&format!(
            " AND {c} IN (${}, ${})",
            binds.len() - 1,
            binds.len()
        ));
    } else if !who.is_empty() {
        // Part of a name: every entry is read.
        binds.push(format!("%{}%", escape_like(&who.to_lowercase())));
        filter.push_str(&format!(
            " AND LOWER(actor) LIKE ${} ESCAPE '\\'",
            binds.len()
        ));
    }
    if let Some(kind) = q.kind {
        binds.push(kind.as_str().to_owned());
        let c = column("kind");
        filter.push_str(&format!(" AND {c} = ${}", binds.len()));
    }
    if let Some(inside) = q.in_seatwise {
        binds.push(if inside { "seatwise" } else { "outside" }.to_owned());
        let c = column("source");
        filter.push_str(&format!(" AND {c} = ${}", binds.len()));
    }
    // Numbers the caller parsed: written in, not bound (the binds are text).
    if let Some(from) = q.from {
        filter.push_str(&format!(" AND at >= {from}"));
    }
    if let Some(before) = q.before {
        filter.push_str(&format!(" AND at < {before}"));
    }
    Some((filter, binds))
}

fn to_entry(r: Row) -> Entry {
    Entry {
        at: r.0,
        customer_id: r.1,
        subscription_id: r.2,
        product: r.3,
        kind: Kind::parse(&r.4),
        field: r.5,
        old_value: r.6,
        new_value: r.7,
        in_seatwise: r.8 == "seatwise",
        actor: r.9,
        role: r.10,
        request_id: r.11,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_followed_fields_that_changed_are_differences() {
        let before = StoredSubscription {
            customer_id: partner_center::CustomerId::new("c"),
            customer_name: String::new(),
            connection_name: String::new(),
            id: "s".into(),
            offer_id: "P:1:A".into(),
            offer_name: "Office 365 E3".into(),
            friendly_name: "Sales".into(),
            quantity: 5,
            status: "active".into(),
            billing_cycle: "monthly".into(),
            term_duration: "P1Y".into(),
            start_at: Some(1),
            commitment_end_at: Some(2),
            cancel_until_at: Some(3),
            auto_renew: true,
            next_term: String::new(),
            kind: crate::subscriptions::Kind::Nce,
            publisher: String::new(),
            partner_id: String::new(),
            order_id: String::new(),
            parent_id: String::new(),
        };
        assert!(differences(&before, &before).is_empty());
        let after = StoredSubscription {
            quantity: 7,
            auto_renew: false,
            // Dates move at every renewal; the history follows what people change.
            commitment_end_at: Some(9),
            ..before.clone()
        };
        let found = differences(&before, &after);
        assert_eq!(
            found,
            [
                Difference {
                    field: "quantity",
                    old: "5".into(),
                    new: "7".into()
                },
                Difference {
                    field: "auto_renew",
                    old: "on".into(),
                    new: "off".into()
                },
            ]
        );
        assert_eq!(summary(&after), "7 × Office 365 E3, P1Y monthly, active");
    }
}
