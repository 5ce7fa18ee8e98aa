//! Subscriptions as Partner Center last showed them: the model, the store that keeps each
//! customer's list (replaced whole on every read, with the time it was read), and the query
//! behind the subscriptions page; [`change`] plans a change of one. Calling Partner Center is
//! the service layer's job.

pub mod auto_increase;
pub mod change;
pub mod reconcile;

use partner_center::{
    wire::{Subscription as Wire, WireTime},
    CustomerId,
};
use sqlx::AnyPool;

use crate::{
    access::CustomerScope,
    history,
    settings::Settings,
    sql::{count, escape_like, key, placeholders},
    users::directory::LoadMode,
    StoreError,
};

/// What kind of subscription: new commerce, legacy license-based, a marketplace (ISV SaaS)
/// offer, or anything else Partner Center sells.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Nce,
    Legacy,
    Marketplace,
    Other,
}

impl Kind {
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Nce => "nce",
            Kind::Legacy => "legacy",
            Kind::Marketplace => "marketplace",
            Kind::Other => "other",
        }
    }

    fn parse(s: &str) -> Kind {
        match s {
            "nce" => Kind::Nce,
            "legacy" => Kind::Legacy,
            "marketplace" => Kind::Marketplace,
            _ => Kind::Other,
        }
    }

    fn of(w: &Wire) -> Kind {
        if w.is_nce() {
            return Kind::Nce;
        }
        let product_type = w.product_type.as_ref().map(|t| t.id.to_lowercase());
        match product_type.as_deref() {
            Some("saas") => Kind::Marketplace,
            _ if w.is_microsoft_product == Some(false) => Kind::Marketplace,
            Some("onlineservices") | None => Kind::Legacy,
            Some(_) => Kind::Other,
        }
    }
}

/// A subscription of a customer, as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct StoredSubscription {
    pub customer_id: CustomerId,
    pub customer_name: String,
    pub connection_name: String,
    pub id: String,
    pub offer_id: String,
    pub offer_name: String,
    pub friendly_name: String,
    pub quantity: i64,
    /// `active`, `suspended`, `pending`, `expired`, `deleted`, …
    pub status: String,
    /// `monthly`, `annual`, `triennial`, `one_time`, `none`, …
    pub billing_cycle: String,
    /// ISO 8601 duration (`P1M`, `P1Y`, `P3Y`), empty when Partner Center gives none.
    pub term_duration: String,
    pub start_at: Option<i64>,
    pub commitment_end_at: Option<i64>,
    /// Until when a decrease or cancellation is still allowed (new commerce).
    pub cancel_until_at: Option<i64>,
    pub auto_renew: bool,
    /// The change scheduled for renewal, in words; empty when none.
    pub next_term: String,
    pub kind: Kind,
    pub publisher: String,
    pub partner_id: String,
    pub order_id: String,
    pub parent_id: String,
}

impl StoredSubscription {
    /// What is kept of a subscription Partner Center answered (the customer's and the
    /// connection's names are the store's to fill).
    pub fn from_wire(customer: &CustomerId, w: &Wire) -> Self {
        let text = |v: &Option<String>| v.clone().unwrap_or_default();
        let at = |t: &Option<WireTime>| t.as_ref().map(|t| crate::time::to_millis(t.0));
        StoredSubscription {
            customer_id: customer.clone(),
            customer_name: String::new(),
            connection_name: String::new(),
            id: w.id.as_str().to_lowercase(),
            offer_id: text(&w.offer_id),
            offer_name: w.offer_name.clone().unwrap_or_else(|| text(&w.offer_id)),
            friendly_name: text(&w.friendly_name),
            quantity: w.quantity,
            status: w.status.as_ref().map_or("none", |s| s.as_str()).to_owned(),
            billing_cycle: w
                .billing_cycle
                .as_ref()
                .map_or("none", |s| s.as_str())
                .to_owned(),
            term_duration: text(&w.term_duration),
            start_at: at(&w.effective_start_date),
            commitment_end_at: at(&w.commitment_end_date),
            cancel_until_at: change::cancel_until(w),
            auto_renew: w.auto_renew_enabled.unwrap_or(false),
            next_term: next_term(w),
            kind: Kind::of(w),
            publisher: text(&w.publisher_name),
            partner_id: text(&w.partner_id),
            order_id: w
                .order_id
                .as_ref()
                .map(|o| o.to_string())
                .unwrap_or_default(),
            parent_id: w
                .parent_subscription_id
                .as_ref()
                .map(|p| p.as_str().to_lowercase())
                .unwrap_or_default(),
        }
    }
}

/// Which subscriptions a page shows.
#[derive(Debug, Clone, Default)]
pub struct SubscriptionQuery {
    /// Part of the product or friendly name, or the subscription id.
    pub search: String,
    /// Only this status (`active`, `suspended`, …); empty for all.
    pub status: String,
    /// Only marketplace subscriptions, or only the others.
    pub marketplace: bool,
    pub page: usize,
    pub per_page: usize,
}

pub struct SubscriptionPage {
    pub rows: Vec<StoredSubscription>,
    pub matching: usize,
    pub page: usize,
    pub pages: usize,
    /// When the oldest of the selected customers' lists was read (None: one never was).
    pub oldest_read_at: Option<i64>,
    /// Selected customers whose list was never read.
    pub never_read: usize,
}

pub struct Subscriptions<'a> {
    pool: &'a AnyPool,
}

const LOAD_MODE_SETTING: &str = "subscriptions.load_mode";

const COLUMNS: usize = 19;

impl<'a> Subscriptions<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Subscriptions { pool }
    }

    /// Whether the subscriptions page reads Partner Center when it opens (`Live`, the default)
    /// or shows the store until someone asks (`Cache`).
    pub async fn load_mode(&self) -> Result<LoadMode, StoreError> {
        let stored = Settings::new(self.pool).get(LOAD_MODE_SETTING).await?;
        Ok(stored
            .as_deref()
            .and_then(LoadMode::parse)
            .unwrap_or_default())
    }

    pub async fn set_load_mode(&self, mode: LoadMode) -> Result<(), StoreError> {
        Settings::new(self.pool)
            .set(LOAD_MODE_SETTING, mode.as_str())
            .await
    }

    /// Replaces a customer's stored list with what Partner Center answered, in one transaction,
    /// with the history of what changed since the last read; answers how many history entries
    /// it recorded.
    pub async fn replace(
        &self,
        customer: &CustomerId,
        list: &[Wire],
        read_at: i64,
    ) -> Result<usize, StoreError> {
        let customer_id = customer;
        let customer = key(customer);
        let mut tx = self.pool.begin().await?;
        // Writing first takes SQLite's write lock at once (waiting its turn): a transaction
        // that read first could not take it later while another writer holds it.
        sqlx::query(
            "INSERT INTO subscription_reads (customer_id, read_at) VALUES ($1, $2) \
             ON CONFLICT (customer_id) DO UPDATE SET read_at = excluded.read_at",
        )
        .bind(&customer)
        .bind(read_at)
        .execute(&mut *tx)
        .await?;
        let before = stored_of(&mut tx, &customer).await?;
        let known = history::known(&mut tx, &customer).await?;
        sqlx::query("DELETE FROM subscriptions WHERE customer_id = $1")
            .bind(&customer)
            .execute(&mut *tx)
            .await?;
        // A list can repeat a subscription across its pages: the last one wins.
        let mut seen = std::collections::HashSet::new();
        let unique: Vec<&Wire> = list
            .iter()
            .rev()
            .filter(|w| seen.insert(w.id.as_str().to_lowercase()))
            .collect();
        // What changed since the last read was done outside Seatwise (Seatwise's own changes
        // updated the stored rows when they were made).
        let mut found = Vec::new();
        for w in &unique {
            let now = StoredSubscription::from_wire(customer_id, w);
            match before.iter().find(|b| b.id == now.id) {
                Some(was) => found.extend(
                    history::differences(was, &now)
                        .into_iter()
                        .map(|d| history::Entry::outside(read_at, &now, history::Kind::Change, d)),
                ),
                None if !known.contains(&now.id) => {
                    let whole = history::Difference::whole(&now);
                    found.push(history::Entry::outside(
                        read_at,
                        &now,
                        history::Kind::Discovered,
                        whole,
                    ));
                }
                None => {}
            }
        }
        // One already cancelled (by Partner Center, or marked so by a reconciliation) that is
        // no longer listed is not news.
        let unlisted = |b: &&StoredSubscription| !seen.contains(&b.id) && b.status != "deleted";
        for gone in before.iter().filter(unlisted) {
            let whole = history::Difference {
                field: "",
                old: history::summary(gone),
                new: String::new(),
            };
            found.push(history::Entry::outside(
                read_at,
                gone,
                history::Kind::Gone,
                whole,
            ));
        }
        history::append(&mut tx, &found).await?;
        insert_rows(&mut tx, &customer, &unique).await?;
        tx.commit().await?;
        Ok(found.len())
    }

    /// What licensing needs of a customer's stored subscriptions (ended ones left out).
    pub async fn grants(&self, customer: &CustomerId) -> Result<Vec<Grant>, StoreError> {
        let rows: Vec<(String, String, String)> = sqlx::query_as(
            "SELECT id, offer_id, offer_name FROM subscriptions WHERE customer_id = $1 \
             AND status NOT IN ('deleted', 'expired') ORDER BY id",
        )
        .bind(key(customer))
        .fetch_all(self.pool)
        .await?;
        Ok(rows
            .into_iter()
            .map(|(id, offer_id, offer_name)| Grant {
                id,
                offer_id,
                offer_name,
            })
            .collect())
    }

    /// Records a change made through Seatwise that Partner Center accepted, with the
    /// subscription as Partner Center answered it: the history entries (each field that changed,
    /// or the whole subscription when it is new to the store) and its stored row, in one
    /// transaction, so that the next read finds nothing changed outside.
    pub async fn record_change(
        &self,
        customer: &CustomerId,
        after: &Wire,
        author: &history::Author,
        kind: history::Kind,
        at: i64,
    ) -> Result<(), StoreError> {
        let stored_key = key(customer);
        let now = StoredSubscription::from_wire(customer, after);
        let mut tx = self.pool.begin().await?;
        let before = stored_for_writing(&mut tx, &stored_key, Some(&now.id))
            .await?
            .into_iter()
            .find(|b| b.id == now.id);
        let entries: Vec<history::Entry> = match &before {
            Some(was) => history::differences(was, &now)
                .into_iter()
                .map(|d| history::Entry::by(author, at, &now, kind, d))
                .collect(),
            None => vec![history::Entry::by(
                author,
                at,
                &now,
                kind,
                history::Difference::whole(&now),
            )],
        };
        history::append(&mut tx, &entries).await?;
        sqlx::query("DELETE FROM subscriptions WHERE customer_id = $1 AND id = $2")
            .bind(&stored_key)
            .bind(&now.id)
            .execute(&mut *tx)
            .await?;
        insert_rows(&mut tx, &stored_key, &[after]).await?;
        tx.commit().await?;
        Ok(())
    }

    /// One page of the stored subscriptions of the customers in `scopes`, by customer, then
    /// product.
    pub async fn query(
        &self,
        scopes: &[CustomerScope],
        q: &SubscriptionQuery,
    ) -> Result<SubscriptionPage, StoreError> {
        let per_page = q.per_page.clamp(1, 500);
        if scopes.is_empty() {
            return Ok(SubscriptionPage {
                rows: Vec::new(),
                matching: 0,
                page: 1,
                pages: 1,
                oldest_read_at: None,
                never_read: 0,
            });
        }
        let mut binds: Vec<String> = scopes.iter().map(|s| key(&s.customer().id)).collect();
        let customers = placeholders(1, binds.len());
        let (oldest, read): (Option<i64>, i64) = {
            let sql = format!(
                "SELECT MIN(read_at), COUNT(*) FROM subscription_reads WHERE customer_id IN {customers}"
            );
            let mut q = sqlx::query_as(&sql);
            for b in &binds {
                q = q.bind(b.clone());
            }
            q.fetch_one(self.pool).await?
        };
        let never_read = scopes.len() - usize::try_from(read).unwrap_or_default();
        let mut filter = format!("s.customer_id IN {customers}");
        filter.push_str(if q.marketplace {
            " AND s.kind = 'marketplace'"
        } else {
            " AND s.kind <> 'marketplace'"
        });
        let status = q.status.trim().to_lowercase();
        if !status.is_empty() {
            binds.push(status);
            filter.push_str(&format!(" AND s.status = ${}", binds.len()));
        }
        let needle = q.search.trim().to_lowercase();
        if !needle.is_empty() {
            binds.push(format!("%{}%", escape_like(&needle)));
            let n = binds.len();
            filter.push_str(&format!(
                " AND (LOWER(s.offer_name) LIKE ${n} ESCAPE '\\' \
                 OR LOWER(s.friendly_name) LIKE ${n} ESCAPE '\\' OR s.id LIKE ${n} ESCAPE '\\')"
            ));
        }
        let count_sql = format!("SELECT COUNT(*) FROM subscriptions s WHERE {filter}");
        let matching = count(self.pool, &count_sql, &binds).await?;
        let pages = matching.div_ceil(per_page).max(1);
        let page = q.page.clamp(1, pages);
        let sql = format!(
            "SELECT s.customer_id, c.company_name, n.name, {STORED_COLUMNS} \
             FROM subscriptions s JOIN customers c ON c.id = s.customer_id \
             JOIN connections n ON n.id = c.connection_id \
             WHERE {filter} \
             ORDER BY LOWER(c.company_name), LOWER(s.offer_name), s.id \
             LIMIT {per_page} OFFSET {}",
            (page - 1) * per_page
        );
        let mut select = sqlx::query(&sql);
        for b in &binds {
            select = select.bind(b.clone());
        }
        let rows = select
            .fetch_all(self.pool)
            .await?
            .into_iter()
            .map(|r| stored_row(&r))
            .collect::<Result<Vec<_>, sqlx::Error>>()?;
        Ok(SubscriptionPage {
            rows,
            matching,
            page,
            pages,
            oldest_read_at: if never_read > 0 { None } else { oldest },
            never_read,
        })
    }
}

/// The change scheduled for renewal, in words (`12 licenses, a 3 years term`), or empty.
fn next_term(w: &Wire) -> String {
    let Some(next) = &w.scheduled_next_term_instructions else {
        return String::new();
    };
    let mut parts = Vec::new();
    if let Some(q) = next.quantity {
        parts.push(format!("{q} licenses"));
    }
    if let Some(p) = &next.product {
        // Only what differs from today's term and billing.
        if let Some(term) = p
            .term_duration
            .as_ref()
            .filter(|t| Some(*t) != w.term_duration.as_ref())
        {
            parts.push(format!("a {} term", term_words(term)));
        }
        if let Some(cycle) = p
            .billing_cycle
            .as_ref()
            .filter(|c| Some(*c) != w.billing_cycle.as_ref())
        {
            parts.push(format!("billed {}", cycle_words(cycle.as_str())));
        }
        let same_product = p.product_id.as_ref().map(|id| id.as_str()) == w.product_id();
        if !same_product {
            if let Some(sku) = &p.sku_id {
                parts.push(format!("SKU {sku}"));
            }
        }
    }
    if parts.is_empty() {
        "A change is scheduled".to_owned()
    } else {
        parts.join(", ")
    }
}

/// Inserts stored rows for a customer's subscriptions, in the caller's transaction.
async fn insert_rows(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    customer: &str,
    list: &[&Wire],
) -> Result<(), sqlx::Error> {
    for chunk in list.chunks(50) {
        let sql = format!(
            "INSERT INTO subscriptions (customer_id, id, offer_id, offer_name, friendly_name, \
             quantity, status, billing_cycle, term_duration, start_at, commitment_end_at, \
             cancel_until_at, auto_renew, next_term, kind, publisher, partner_id, order_id, \
             parent_id) VALUES {}",
            placeholders(chunk.len(), COLUMNS)
        );
        let mut insert = sqlx::query(&sql);
        for w in chunk {
            let s = StoredSubscription::from_wire(&CustomerId::new(customer), w);
            insert = insert
                .bind(customer.to_owned())
                .bind(s.id)
                .bind(s.offer_id)
                .bind(s.offer_name)
                .bind(s.friendly_name)
                .bind(s.quantity)
                .bind(s.status)
                .bind(s.billing_cycle)
                .bind(s.term_duration)
                .bind(s.start_at)
                .bind(s.commitment_end_at)
                .bind(s.cancel_until_at)
                .bind(i64::from(s.auto_renew))
                .bind(s.next_term)
                .bind(s.kind.as_str())
                .bind(s.publisher)
                .bind(s.partner_id)
                .bind(s.order_id)
                .bind(s.parent_id);
        }
        insert.execute(&mut **tx).await?;
    }
    Ok(())
}

/// The stored subscription's own columns, as [`stored_row`] reads them after the customer's id
/// and the customer's and connection's names.
const STORED_COLUMNS: &str = "s.id, s.offer_id, s.offer_name, s.friendly_name, s.quantity, \
     s.status, s.billing_cycle, s.term_duration, s.start_at, s.commitment_end_at, \
     s.cancel_until_at, s.auto_renew, s.next_term, s.kind, s.publisher, s.partner_id, \
     s.order_id, s.parent_id";

/// Reads a row: the customer's id, its and the connection's names, then [`STORED_COLUMNS`].
fn stored_row(r: &sqlx::any::AnyRow) -> Result<StoredSubscription, sqlx::Error> {
    use sqlx::Row;
    Ok(StoredSubscription {
        customer_id: CustomerId::new(r.try_get::<String, _>(0)?),
        customer_name: r.try_get(1)?,
        connection_name: r.try_get(2)?,
        id: r.try_get(3)?,
        offer_id: r.try_get(4)?,
        offer_name: r.try_get(5)?,
        friendly_name: r.try_get(6)?,
        quantity: r.try_get(7)?,
        status: r.try_get(8)?,
        billing_cycle: r.try_get(9)?,
        term_duration: r.try_get(10)?,
        start_at: r.try_get(11)?,
        commitment_end_at: r.try_get(12)?,
        cancel_until_at: r.try_get(13)?,
        auto_renew: r.try_get::<i64, _>(14)? != 0,
        next_term: r.try_get(15)?,
        kind: Kind::parse(&r.try_get::<String, _>(16)?),
        publisher: r.try_get(17)?,
        partner_id: r.try_get(18)?,
        order_id: r.try_get(19)?,
        parent_id: r.try_get(20)?,
    })
}

/// The stored subscriptions of one customer (`only` one of them: the others are read, not
/// locked), in the caller's transaction, after a write to them: SQLite's write lock is taken
/// before any read (a transaction that read first could not take it later while another writer
/// holds it), and PostgreSQL locks the rows about to change.
async fn stored_for_writing(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    customer: &str,
    only: Option<&str>,
) -> Result<Vec<StoredSubscription>, sqlx::Error> {
    sqlx::query(
        "UPDATE subscriptions SET quantity = quantity \
         WHERE customer_id = $1 AND ($2 = '' OR id = $2)",
    )
    .bind(customer)
    .bind(only.unwrap_or_default().to_owned())
    .execute(&mut **tx)
    .await?;
    stored_of(tx, customer).await
}

/// The stored subscriptions of one customer, in the caller's transaction.
async fn stored_of(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    customer: &str,
) -> Result<Vec<StoredSubscription>, sqlx::Error> {
    let sql = format!(
        "SELECT s.customer_id, '', '', {STORED_COLUMNS} \
         FROM subscriptions s WHERE s.customer_id = $1"
    );
    let rows = sqlx::query(&sql)
        .bind(customer)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter().map(stored_row).collect()
}

/// A subscription as far as licensing goes: its id, catalog item id and product name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub offer_id: String,
    pub offer_name: String,
}

impl From<&Wire> for Grant {
    fn from(w: &Wire) -> Self {
        Grant {
            id: w.id.as_str().to_lowercase(),
            offer_id: w.offer_id.clone().unwrap_or_default(),
            offer_name: w.offer_name.clone().unwrap_or_default(),
        }
    }
}

/// The subscriptions behind a licensing SKU (`sku_id`, named `sku_name` by Partner Center): those
/// whose catalog SKU grants it, by the catalog's record (`grants`: `PRODUCT:SKU` → licensing SKU,
/// from [`crate::catalog::Catalog::licensing_skus`]); for a SKU the catalog has not read, those
/// whose product name is the SKU's (Partner Center reports the same name for both).
pub fn granting<'a>(
    sku_id: &str,
    sku_name: &str,
    subscriptions: &'a [Grant],
    grants: &std::collections::HashMap<String, String>,
) -> Vec<&'a Grant> {
    subscriptions
        .iter()
        .filter(|s| {
            let mut parts = s.offer_id.split(':');
            let key = match (parts.next(), parts.next()) {
                (Some(product), Some(sku)) => format!("{product}:{sku}").to_uppercase(),
                _ => String::new(),
            };
            match grants.get(&key) {
                Some(grant) => grant.eq_ignore_ascii_case(sku_id),
                None => !sku_name.is_empty() && s.offer_name.eq_ignore_ascii_case(sku_name),
            }
        })
        .collect()
}

/// `P1M` → "1 month", `P1Y` → "1 year", `P3Y` → "3 years"; anything else as it is.
pub fn term_words(term: &str) -> &str {
    match term {
        "P1M" => "1 month",
        "P1Y" => "1 year",
        "P3Y" => "3 years",
        other => other,
    }
}

/// `annual` → "annually"; `monthly` stays.
pub fn cycle_words(cycle: &str) -> &str {
    match cycle {
        "annual" => "annually",
        "triennial" => "every 3 years",
        "one_time" => "once",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    #[test]
    fn subscriptions_grant_licenses_by_the_catalog_else_by_name() {
        let sub = |id: &str, offer: &str, name: &str| Grant {
            id: id.into(),
            offer_id: offer.into(),
            offer_name: name.into(),
        };
        let subs = [
            sub("a", "CFQ7TTC0LCHC:0003:X", "Microsoft 365 Business Premium"),
            sub("b", "cfq7ttc0lchc:0003:Y", "Renamed by Microsoft"),
            sub("c", "CFQ7TTC0LF8Q:0001:Z", "Office 365 E3"),
            sub("d", "OTHER:0001:Z", "Office 365 E3"),
        ];
        let grants: HashMap<String, String> = [
            ("CFQ7TTC0LCHC:0003".to_owned(), "cbdc14ab".to_owned()),
            ("CFQ7TTC0LF8Q:0001".to_owned(), "6fd2c87f".to_owned()),
        ]
        .into();
        let ids = |found: Vec<&Grant>| found.iter().map(|g| g.id.clone()).collect::<Vec<_>>();
        // By the catalog, whatever the names say (and in any case).
        assert_eq!(
            ids(granting("CBDC14AB", "Business Premium", &subs, &grants)),
            ["a", "b"]
        );
        // The catalog names another grant for c; d is unknown to it and matches by name.
        assert_eq!(
            ids(granting("aaaa", "Office 365 E3", &subs, &grants)),
            ["d"]
        );
        assert!(granting("aaaa", "", &subs, &HashMap::new()).is_empty());
    }
}
