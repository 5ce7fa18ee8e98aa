//! E-mail notifications through the outbox: a subscription ordered or changed, an optimisation
//! report waiting for approval, a subscription close to renewal with auto-renew off, a job that
//! failed. Each account chooses which it receives (none until it chooses); a mail goes only to
//! accounts that may see the customer it is about, in the transaction of the change it tells.

use serde::{Deserialize, Serialize};
use sqlx::{Any, AnyPool, Transaction};

use crate::{access::AccountId, history, language::Language, mails::Mail, outbox, StoreError};

/// What an account can be told about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Notice {
    /// A subscription ordered or changed (through Seatwise, or found changed outside it).
    Subscription,
    /// The nightly optimisation planned reductions that wait for approval.
    Optimisation,
    /// A subscription renews within a week and will not renew by itself.
    Renewal,
    /// A job ended as failed.
    JobFailed,
}

impl Notice {
    pub const ALL: [Notice; 4] = [
        Notice::Subscription,
        Notice::Optimisation,
        Notice::Renewal,
        Notice::JobFailed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Notice::Subscription => "subscription",
            Notice::Optimisation => "optimisation",
            Notice::Renewal => "renewal",
            Notice::JobFailed => "job-failed",
        }
    }

    pub fn parse(s: &str) -> Option<Notice> {
        Notice::ALL.into_iter().find(|n| n.as_str() == s.trim())
    }

    /// What the account is told, in words for the choice.
    pub fn label(self) -> &'static str {
        match self {
            Notice::Subscription => "A subscription is ordered or changed",
            Notice::Optimisation => "An optimisation report waits for approval",
            Notice::Renewal => "A subscription renews within a week with auto-renew off",
            Notice::JobFailed => "A job failed",
        }
    }

    /// The roles the notice is for (`sp_admin`, …): only those who can act on it.
    fn roles(self) -> &'static [&'static str] {
        match self {
            Notice::Subscription | Notice::Renewal | Notice::JobFailed => {
                &["sp_admin", "sp_support", "reseller_admin", "customer_admin"]
            }
            Notice::Optimisation => &["sp_admin"],
        }
    }

    /// Whether an account of `role` may choose it.
    pub fn for_role(self, role: &str) -> bool {
        self.roles().contains(&role)
    }
}

pub struct Notifications<'a> {
    pool: &'a AnyPool,
}

impl<'a> Notifications<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Notifications { pool }
    }

    /// The notices the account chose.
    pub async fn chosen(&self, account: &AccountId) -> Result<Vec<Notice>, StoreError> {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT notice FROM account_notices WHERE account_id = $1")
                .bind(account.as_str())
                .fetch_all(self.pool)
                .await?;
        Ok(Notice::ALL
            .into_iter()
            .filter(|n| rows.iter().any(|(r,)| r == n.as_str()))
            .collect())
    }

    /// Replaces the account's choice (notices not meant for its role are left out).
    pub async fn choose(
        &self,
        account: &AccountId,
        role: &str,
        notices: &[Notice],
    ) -> Result<(), StoreError> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("DELETE FROM account_notices WHERE account_id = $1")
            .bind(account.as_str())
            .execute(&mut *tx)
            .await?;
        for n in Notice::ALL
            .into_iter()
            .filter(|n| notices.contains(n) && n.for_role(role))
        {
            sqlx::query("INSERT INTO account_notices (account_id, notice) VALUES ($1, $2)")
                .bind(account.as_str())
                .bind(n.as_str())
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// Mails `notice` to every enabled account that chose it and may see `customer` (the service
/// provider's staff see every customer; a reseller's admins its customers; a customer's admins
/// their own), in the caller's transaction. Without a customer, only the service provider's.
/// Answers how many were queued.
pub(crate) async fn notify(
    tx: &mut Transaction<'_, Any>,
    notice: Notice,
    customer: Option<&str>,
    mail: &Mail<'_>,
) -> Result<usize, sqlx::Error> {
    let customer = customer.map(str::to_lowercase);
    let rows: Vec<(String, String, Option<String>)> = sqlx::query_as(
        "SELECT a.email, a.role, a.language FROM portal_accounts a JOIN account_notices n \
         ON n.account_id = a.id AND n.notice = $1 \
         WHERE a.disabled = 0 AND (a.role IN ('sp_admin', 'sp_support') \
         OR (a.role = 'reseller_admin' AND a.reseller_id IS NOT NULL AND a.reseller_id = \
         (SELECT c.reseller_id FROM customers c WHERE c.id = $2)) \
         OR (a.role = 'customer_admin' AND a.customer_id = $2)) \
         ORDER BY a.email",
    )
    .bind(notice.as_str())
    .bind(customer.clone().unwrap_or_default())
    .fetch_all(&mut **tx)
    .await?;
    let customer_id = customer.as_deref().map(partner_center::CustomerId::new);
    let mut sent = 0;
    for (email, _, language) in rows.iter().filter(|(_, role, _)| notice.for_role(role)) {
        // In the language the account chose; English when it chose none (a mail has no browser).
        let language = language.as_deref().and_then(Language::from_code);
        let letter = mail.letter(language.unwrap_or(Language::English));
        outbox::enqueue(
            tx,
            customer_id.as_ref(),
            email,
            &letter.subject,
            &letter.body,
        )
        .await?;
        sent += 1;
    }
    Ok(sent)
}

/// [`notify`] in a transaction of its own, for news that records nothing else. Its first
/// statement writes (and changes nothing), so SQLite never has to turn a read into a write.
pub(crate) async fn notify_now(
    pool: &AnyPool,
    notice: Notice,
    customer: Option<&str>,
    mail: &Mail<'_>,
) -> Result<usize, sqlx::Error> {
    let mut tx = pool.begin().await?;
    sqlx::query("UPDATE account_notices SET notice = notice WHERE account_id = ''")
        .execute(&mut *tx)
        .await?;
    let sent = notify(&mut tx, notice, customer, mail).await?;
    tx.commit().await?;
    Ok(sent)
}

/// The mails about subscriptions ordered or changed among history entries just written in the
/// caller's transaction: one per subscription, listing what changed.
pub(crate) async fn subscription_news(
    tx: &mut Transaction<'_, Any>,
    entries: &[history::Entry],
) -> Result<(), sqlx::Error> {
    // Ordered, grown or changed (through Seatwise or found changed outside); not what a first
    // read discovers, what disappears, or a reconciliation's own corrections.
    let told = |e: &&history::Entry| {
        matches!(
            e.kind,
            history::Kind::Order | history::Kind::Increase | history::Kind::Change
        )
    };
    let mut subscriptions: Vec<(&str, &str)> = Vec::new();
    for e in entries.iter().filter(told) {
        let key = (e.customer_id.as_str(), e.subscription_id.as_str());
        if !subscriptions.contains(&key) {
            subscriptions.push(key);
        }
    }
    for (customer, subscription) in subscriptions {
        let of_it: Vec<&history::Entry> = entries
            .iter()
            .filter(told)
            .filter(|e| e.customer_id == customer && e.subscription_id == subscription)
            .collect();
        let first = of_it[0];
        let company: Option<(String,)> =
            sqlx::query_as("SELECT company_name FROM customers WHERE id = $1")
                .bind(customer)
                .fetch_optional(&mut **tx)
                .await?;
        let company = company.map(|(c,)| c).unwrap_or_else(|| customer.to_owned());
        let ordered = of_it.iter().any(|e| e.kind == history::Kind::Order);
        let lines: Vec<String> = of_it
            .iter()
            .map(|e| {
                if e.field.is_empty() {
                    e.new_value.clone()
                } else {
                    format!("{}: {} → {}", e.field, e.old_value, e.new_value)
                }
            })
            .collect();
        let mail = Mail::SubscriptionNews {
            company: &company,
            product: &first.product,
            subscription,
            ordered,
            by: first.in_seatwise.then_some(first.actor.as_str()),
            lines: &lines,
        };
        notify(tx, Notice::Subscription, Some(customer), &mail).await?;
    }
    Ok(())
}

/// Tells about subscriptions that renew within `within_ms` of `now` with auto-renew off, once
/// per subscription and term end; answers how many subscriptions were told about.
pub async fn renewals_due(pool: &AnyPool, now: i64, within_ms: i64) -> Result<usize, StoreError> {
    type Row = (String, String, String, i64, String);
    let due: Vec<Row> = sqlx::query_as(
        "SELECT s.customer_id, s.id, s.offer_name, s.commitment_end_at, c.company_name \
         FROM subscriptions s JOIN customers c ON c.id = s.customer_id \
         WHERE s.auto_renew = 0 AND s.status = 'active' AND s.commitment_end_at IS NOT NULL \
         AND s.commitment_end_at >= $1 AND s.commitment_end_at <= $2 \
         AND NOT EXISTS (SELECT 1 FROM renewal_notices r WHERE r.customer_id = s.customer_id \
         AND r.subscription_id = s.id AND r.commitment_end_at = s.commitment_end_at) \
         ORDER BY s.commitment_end_at",
    )
    .bind(now)
    .bind(now + within_ms)
    .fetch_all(pool)
    .await?;
    for (customer, id, product, end, company) in &due {
        let mut tx = pool.begin().await?;
        // Written first: the mark and the mails go together, and only once.
        let marked = sqlx::query(
            "INSERT INTO renewal_notices (customer_id, subscription_id, commitment_end_at, \
             sent_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(customer)
        .bind(id)
        .bind(end)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        if marked.rows_affected() == 1 {
            let day = crate::time::format_utc_date(*end);
            let mail = Mail::RenewalDue {
                company,
                product,
                subscription: id,
                day: &day,
            };
            notify(&mut tx, Notice::Renewal, Some(customer), &mail).await?;
        }
        tx.commit().await?;
    }
    Ok(due.len())
}
