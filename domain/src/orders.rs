//! Orders placed through Seatwise and the customer agreement they wait for. An order's id comes
//! from the form it was placed with, so the same form sent twice is one order: the second
//! sending finds the first (placed: its subscription; still being placed: said so). An order
//! whose answer was lost is sent again with the same cart and request id, which Partner Center
//! answers with the first outcome instead of buying twice.

use partner_center::CustomerId;
use sqlx::AnyPool;
pub use uuid::Uuid;

use crate::{
    sql::key,
    subscriptions::{cycle_words, term_words},
    StoreError,
};

/// An order placed and not finished after this long was cut off (the process stopped): it is
/// taken over as unconfirmed.
pub const ABANDONED_AFTER_MS: i64 = 2 * 60 * 1000;

/// Who recorded an acceptance that was found in Partner Center rather than entered here.
pub const FOUND_IN_PARTNER_CENTER: &str = "Partner Center";

/// The person at the customer who accepted the Microsoft Customer Agreement, and when.
#[derive(Debug, Clone, PartialEq)]
pub struct Acceptance {
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Optional ('' when not given).
    pub phone: String,
    pub agreed_at: i64,
}

impl Acceptance {
    /// Checks every field, naming the first that is wrong (`field: message`).
    pub fn validate(&self, now: i64) -> Result<(), StoreError> {
        for (field, value) in [
            ("first_name", &self.first_name),
            ("last_name", &self.last_name),
        ] {
            let n = value.trim().chars().count();
            if n == 0 || n > 64 || value.chars().any(char::is_control) {
                return Err(StoreError::Invalid(format!(
                    "{field}: enter the name (at most 64 characters)"
                )));
            }
        }
        let email = self.email.trim();
        let well_formed = email.len() <= 254
            && email.split_once('@').is_some_and(|(user, domain)| {
                !user.is_empty() && domain.contains('.') && !domain.starts_with('.')
            })
            && !email.chars().any(|c| c.is_whitespace() || c.is_control());
        if !well_formed {
            return Err(StoreError::Invalid(
                "email: enter the e-mail address of the person who accepted".into(),
            ));
        }
        let phone = self.phone.trim();
        if phone.len() > 30
            || !phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        {
            return Err(StoreError::Invalid(
                "phone: use digits, spaces and + - ( ) only".into(),
            ));
        }
        // 2019-01-01: the agreement did not exist before.
        if self.agreed_at > now || self.agreed_at < 1_546_300_800_000 {
            return Err(StoreError::Invalid(
                "agreed_on: the date of acceptance cannot be in the future".into(),
            ));
        }
        Ok(())
    }
}

/// A recorded acceptance.
#[derive(Debug, Clone, PartialEq)]
pub struct AgreementRecord {
    pub acceptance: Acceptance,
    /// The account that recorded it, or [`FOUND_IN_PARTNER_CENTER`].
    pub recorded_by: String,
    pub recorded_at: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OrderStatus {
    Placing,
    Placed,
    Failed,
    /// Sent; Partner Center's answer was lost.
    Unconfirmed,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            OrderStatus::Placing => "placing",
            OrderStatus::Placed => "placed",
            OrderStatus::Failed => "failed",
            OrderStatus::Unconfirmed => "unconfirmed",
        }
    }

    fn parse(s: &str) -> OrderStatus {
        match s {
            "placed" => OrderStatus::Placed,
            "failed" => OrderStatus::Failed,
            "unconfirmed" => OrderStatus::Unconfirmed,
            _ => OrderStatus::Placing,
        }
    }
}

/// What an order asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRequest {
    pub id: Uuid,
    pub customer_id: CustomerId,
    pub product_id: String,
    pub sku_id: String,
    pub title: String,
    pub quantity: i64,
    pub term_duration: String,
    pub billing_cycle: String,
    pub friendly_name: String,
    pub partner_id: String,
    pub placed_by: String,
}

impl OrderRequest {
    /// "3 × Premium (1 year, billed monthly)".
    pub fn summary(&self) -> String {
        format!(
            "{} × {} ({}, billed {})",
            self.quantity,
            self.title,
            term_words(&self.term_duration),
            cycle_words(&self.billing_cycle)
        )
    }
}

/// An order as stored.
#[derive(Debug, Clone, PartialEq)]
pub struct OrderRecord {
    pub request: OrderRequest,
    pub placed_at: i64,
    pub status: OrderStatus,
    pub cart_id: String,
    pub request_id: String,
    pub pc_order_id: String,
    pub subscription_id: String,
    /// Why it failed, or what to do when unconfirmed.
    pub message: String,
}

/// The outcome of claiming an order id.
#[derive(Debug, Clone, PartialEq)]
pub enum Claim {
    /// This request places it (new, or taken over after a failure or a lost answer).
    Mine(OrderRecord),
    /// Another request placed it or is placing it now.
    Theirs(OrderRecord),
}

/// How an order ended.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    pub status: OrderStatus,
    pub pc_order_id: String,
    pub subscription_id: String,
    pub message: String,
}

pub struct Orders<'a> {
    pool: &'a AnyPool,
}

const COLUMNS: &str = "id, customer_id, product_id, sku_id, title, quantity, term_duration, \
                       billing_cycle, friendly_name, partner_id, placed_by, placed_at, status, \
                       cart_id, request_id, pc_order_id, subscription_id, message";

#[derive(sqlx::FromRow)]
struct Row {
    id: String,
    customer_id: String,
    product_id: String,
    sku_id: String,
    title: String,
    quantity: i64,
    term_duration: String,
    billing_cycle: String,
    friendly_name: String,
    partner_id: String,
    placed_by: String,
    placed_at: i64,
    status: String,
    cart_id: String,
    request_id: String,
    pc_order_id: String,
    subscription_id: String,
    message: String,
}

impl<'a> Orders<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Orders { pool }
    }

    /// The latest acceptance recorded for the customer.
    pub async fn agreement(
        &self,
        customer: &CustomerId,
    ) -> Result<Option<AgreementRecord>, StoreError> {
        let row: Option<(String, String, String, String, i64, String, i64)> = sqlx::query_as(
            "SELECT first_name, last_name, email, phone, agreed_at, recorded_by, recorded_at \
             FROM agreements WHERE customer_id = $1 ORDER BY recorded_at DESC LIMIT 1",
        )
        .bind(key(customer))
        .fetch_optional(self.pool)
        .await?;
        Ok(row.map(
            |(first_name, last_name, email, phone, agreed_at, recorded_by, recorded_at)| {
                AgreementRecord {
                    acceptance: Acceptance {
                        first_name,
                        last_name,
                        email,
                        phone,
                        agreed_at,
                    },
                    recorded_by,
                    recorded_at,
                }
            },
        ))
    }

    /// Appends an acceptance (validated again here: nothing unchecked is kept).
    pub async fn record_agreement(
        &self,
        customer: &CustomerId,
        acceptance: &Acceptance,
        recorded_by: &str,
        now: i64,
    ) -> Result<(), StoreError> {
        acceptance.validate(now)?;
        sqlx::query(
            "INSERT INTO agreements (id, customer_id, first_name, last_name, email, phone, \
             agreed_at, recorded_by, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(Uuid::new_v4().to_string())
        .bind(key(customer))
        .bind(acceptance.first_name.trim())
        .bind(acceptance.last_name.trim())
        .bind(acceptance.email.trim())
        .bind(acceptance.phone.trim())
        .bind(acceptance.agreed_at)
        .bind(recorded_by)
        .bind(now)
        .execute(self.pool)
        .await?;
        Ok(())
    }

    /// Takes the order id for this request: a new order, or one that failed, lost its answer
    /// or was abandoned. A failed one starts over (a new cart and request id); an unconfirmed or
    /// abandoned one keeps its cart and request id, so sending it again cannot buy twice. The
    /// same id with another order's contents is refused.
    pub async fn claim(&self, order: &OrderRequest, now: i64) -> Result<Claim, StoreError> {
        let fresh_request = Uuid::new_v4().to_string();
        let inserted = sqlx::query(
            "INSERT INTO orders (id, customer_id, product_id, sku_id, title, quantity, \
             term_duration, billing_cycle, friendly_name, partner_id, placed_by, placed_at, \
             status, cart_id, request_id, pc_order_id, subscription_id, message) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, 'placing', '', $13, \
             '', '', '') ON CONFLICT (id) DO NOTHING",
        )
        .bind(order.id.to_string())
        .bind(key(&order.customer_id))
        .bind(&order.product_id)
        .bind(&order.sku_id)
        .bind(&order.title)
        .bind(order.quantity)
        .bind(&order.term_duration)
        .bind(&order.billing_cycle)
        .bind(&order.friendly_name)
        .bind(&order.partner_id)
        .bind(&order.placed_by)
        .bind(now)
        .bind(&fresh_request)
        .execute(self.pool)
        .await?
        .rows_affected();
        let existing = self
            .get(&order.id)
            .await?
            .ok_or_else(|| StoreError::Invalid("order: the order was not stored".into()))?;
        if inserted == 1 {
            return Ok(Claim::Mine(existing));
        }
        let same = key(&existing.request.customer_id) == key(&order.customer_id)
            && existing.request.product_id == order.product_id
            && existing.request.sku_id == order.sku_id
            && existing.request.quantity == order.quantity
            && existing.request.term_duration == order.term_duration
            && existing.request.billing_cycle == order.billing_cycle;
        if !same {
            return Err(StoreError::Invalid(
                "order: this order form was already used for another order; open Add \
                 subscription again"
                    .into(),
            ));
        }
        let abandoned = existing.status == OrderStatus::Placing
            && existing.placed_at < now - ABANDONED_AFTER_MS;
        let (cart, request) = match existing.status {
            OrderStatus::Failed => (String::new(), fresh_request),
            OrderStatus::Unconfirmed => (existing.cart_id.clone(), existing.request_id.clone()),
            OrderStatus::Placing if abandoned => {
                (existing.cart_id.clone(), existing.request_id.clone())
            }
            _ => return Ok(Claim::Theirs(existing)),
        };
        // Only one request takes it over: the update names the state it saw.
        let taken = sqlx::query(
            "UPDATE orders SET status = 'placing', placed_at = $1, cart_id = $2, \
             request_id = $3, message = '' WHERE id = $4 AND status = $5 AND placed_at = $6",
        )
        .bind(now)
        .bind(&cart)
        .bind(&request)
        .bind(order.id.to_string())
        .bind(existing.status.as_str())
        .bind(existing.placed_at)
        .execute(self.pool)
        .await?
        .rows_affected();
        let current = self
            .get(&order.id)
            .await?
            .ok_or_else(|| StoreError::Invalid("order: the order was not stored".into()))?;
        Ok(if taken == 1 {
            Claim::Mine(current)
        } else {
            Claim::Theirs(current)
        })
    }

    /// The cart created for the order (kept so that a retry checks out the same one).
    pub async fn set_cart(&self, id: &Uuid, cart_id: &str) -> Result<(), StoreError> {
        sqlx::query("UPDATE orders SET cart_id = $1 WHERE id = $2")
            .bind(cart_id)
            .bind(id.to_string())
            .execute(self.pool)
            .await?;
        Ok(())
    }

    pub async fn finish(&self, id: &Uuid, outcome: &Outcome, now: i64) -> Result<(), StoreError> {
        sqlx::query(
            "UPDATE orders SET status = $1, pc_order_id = $2, subscription_id = $3, \
             message = $4, finished_at = $5 WHERE id = $6",
        )
        .bind(outcome.status.as_str())
        .bind(&outcome.pc_order_id)
        .bind(&outcome.subscription_id)
        .bind(&outcome.message)
        .bind(now)
        .bind(id.to_string())
        .execute(self.pool)
        .await?;
        Ok(())
    }

    pub async fn get(&self, id: &Uuid) -> Result<Option<OrderRecord>, StoreError> {
        let row: Option<Row> =
            sqlx::query_as(&format!("SELECT {COLUMNS} FROM orders WHERE id = $1"))
                .bind(id.to_string())
                .fetch_optional(self.pool)
                .await?;
        Ok(row.map(to_record))
    }

    /// A customer's latest orders, newest first.
    pub async fn recent(
        &self,
        customer: &CustomerId,
        limit: i64,
    ) -> Result<Vec<OrderRecord>, StoreError> {
        let rows: Vec<Row> = sqlx::query_as(&format!(
            "SELECT {COLUMNS} FROM orders WHERE customer_id = $1 \
             ORDER BY placed_at DESC, id LIMIT $2"
        ))
        .bind(key(customer))
        .bind(limit)
        .fetch_all(self.pool)
        .await?;
        Ok(rows.into_iter().map(to_record).collect())
    }
}

fn to_record(r: Row) -> OrderRecord {
    OrderRecord {
        request: OrderRequest {
            id: Uuid::parse_str(&r.id).unwrap_or_default(),
            customer_id: CustomerId::new(r.customer_id),
            product_id: r.product_id,
            sku_id: r.sku_id,
            title: r.title,
            quantity: r.quantity,
            term_duration: r.term_duration,
            billing_cycle: r.billing_cycle,
            friendly_name: r.friendly_name,
            partner_id: r.partner_id,
            placed_by: r.placed_by,
        },
        placed_at: r.placed_at,
        status: OrderStatus::parse(&r.status),
        cart_id: r.cart_id,
        request_id: r.request_id,
        pc_order_id: r.pc_order_id,
        subscription_id: r.subscription_id,
        message: r.message,
    }
}
