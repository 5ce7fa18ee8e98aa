//! Plan templates: named bundles of licenses (each with the service plans it leaves off), an
//! optional usage location and an optional directory role, which the service provider or a
//! reseller defines once and applies when creating a user or to chosen users. A template names
//! licenses by their SKU ids (the same in every tenant) and the role by its name.

use serde::{Deserialize, Serialize};
use sqlx::AnyPool;
use uuid::Uuid;

use crate::{access::ResellerId, time::now_millis, StoreError};

partner_center::id_type!(
    /// A plan template (a GUID we made).
    TemplateId: "template id", Guid;
);

/// Most licenses one template holds.
pub const MOST_LICENSES: usize = 20;

/// One license of a template.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemplateLicense {
    /// The licensing SKU id, lower case.
    pub sku_id: String,
    /// The product name when the template was saved.
    pub name: String,
    /// Service plan ids left off, lower case.
    pub plans_off: Vec<String>,
}

/// A plan template as it is kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Template {
    pub id: TemplateId,
    /// The reseller that owns it; `None`: the service provider's.
    pub reseller_id: Option<ResellerId>,
    pub name: String,
    pub licenses: Vec<TemplateLicense>,
    /// A two-letter country for users without one.
    pub usage_location: Option<String>,
    /// A directory role's name (`User Administrator`), given to the user.
    pub role: Option<String>,
    pub updated_at: i64,
    pub updated_by: String,
}

/// A template as a person writes it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TemplateInput {
    pub name: String,
    pub licenses: Vec<TemplateLicense>,
    pub usage_location: String,
    pub role: String,
}

impl TemplateInput {
    /// Checked and tidied (names trimmed, ids in lower case, the country in upper case); the
    /// error names the field.
    pub fn checked(mut self) -> Result<TemplateInput, (&'static str, String)> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() || self.name.chars().count() > 80 {
            return Err((
                "name",
                "Give the template a name of 1 to 80 characters.".into(),
            ));
        }
        if self.name.chars().any(char::is_control) {
            return Err(("name", "The name cannot hold control characters.".into()));
        }
        if self.licenses.is_empty() {
            return Err(("licenses", "Choose at least one license.".into()));
        }
        if self.licenses.len() > MOST_LICENSES {
            return Err((
                "licenses",
                format!("A template holds at most {MOST_LICENSES} licenses."),
            ));
        }
        for l in &mut self.licenses {
            l.sku_id = l.sku_id.trim().to_lowercase();
            l.plans_off = l
                .plans_off
                .iter()
                .map(|p| p.trim().to_lowercase())
                .collect();
            l.plans_off.sort();
            l.plans_off.dedup();
        }
        let mut skus: Vec<&str> = self.licenses.iter().map(|l| l.sku_id.as_str()).collect();
        skus.sort();
        skus.dedup();
        if skus.len() != self.licenses.len() {
            return Err(("licenses", "Each license once.".into()));
        }
        self.usage_location = self.usage_location.trim().to_uppercase();
        let country = |l: &str| l.len() == 2 && l.bytes().all(|b| b.is_ascii_uppercase());
        if !(self.usage_location.is_empty() || country(&self.usage_location)) {
            return Err((
                "usage_location",
                "Choose a country for the usage location, or none.".into(),
            ));
        }
        self.role = self.role.trim().to_owned();
        if self.role.chars().count() > 100 || self.role.chars().any(char::is_control) {
            return Err(("role", "Choose a role from the list, or none.".into()));
        }
        Ok(self)
    }
}

/// Whose templates a query covers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Owners {
    /// Every template (the service provider's staff).
    All,
    /// The service provider's, and this reseller's when given.
    ProviderAnd(Option<ResellerId>),
}

pub struct Templates<'a> {
    pool: &'a AnyPool,
}

type Row = (
    String,
    Option<String>,
    String,
    String,
    Option<String>,
    Option<String>,
    i64,
    String,
);

const COLUMNS: &str =
    "id, reseller_id, name, licenses, usage_location, role, updated_at, updated_by";

fn template(r: Row) -> Template {
    Template {
        id: TemplateId::new(r.0),
        reseller_id: r.1.map(ResellerId::new),
        name: r.2,
        licenses: serde_json::from_str(&r.3).unwrap_or_default(),
        usage_location: r.4,
        role: r.5,
        updated_at: r.6,
        updated_by: r.7,
    }
}

impl<'a> Templates<'a> {
    pub(crate) fn new(pool: &'a AnyPool) -> Self {
        Templates { pool }
    }

    /// The templates of `owners`, the service provider's first, then by name.
    pub async fn list(&self, owners: &Owners) -> Result<Vec<Template>, StoreError> {
        let (filter, reseller) = match owners {
            Owners::All => ("1 = 1", String::new()),
            Owners::ProviderAnd(r) => (
                "(reseller_id IS NULL OR reseller_id = $1)",
                r.as_ref()
                    .map(|r| r.as_str().to_lowercase())
                    .unwrap_or_default(),
            ),
        };
        let sql = format!(
            "SELECT {COLUMNS} FROM plan_templates WHERE {filter} \
             ORDER BY CASE WHEN reseller_id IS NULL THEN 0 ELSE 1 END, name"
        );
        let mut q = sqlx::query_as::<_, Row>(&sql);
        if matches!(owners, Owners::ProviderAnd(_)) {
            q = q.bind(reseller);
        }
        Ok(q.fetch_all(self.pool)
            .await?
            .into_iter()
            .map(template)
            .collect())
    }

    /// Saves a new template (`id` None) or replaces one of the same owner; a name is used once
    /// per owner. Answers its id.
    pub async fn save(
        &self,
        id: Option<&TemplateId>,
        owner: Option<&ResellerId>,
        input: &TemplateInput,
        by: &str,
    ) -> Result<TemplateId, StoreError> {
        let owner = owner.map(|r| r.as_str().to_lowercase());
        let id = id.map_or_else(|| Uuid::now_v7().to_string(), |i| i.as_str().to_lowercase());
        let licenses = serde_json::to_string(&input.licenses)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let location = Some(input.usage_location.clone()).filter(|l| !l.is_empty());
        let role = Some(input.role.clone()).filter(|r| !r.is_empty());
        let mut tx = self.pool.begin().await?;
        // Written first (the row, or nothing when it is new), so the checks below read under
        // the write lock.
        let updated = sqlx::query(
            "UPDATE plan_templates SET name = $1, licenses = $2, usage_location = $3, role = $4, \
             updated_at = $5, updated_by = $6 WHERE id = $7 AND COALESCE(reseller_id, '') = $8",
        )
        .bind(&input.name)
        .bind(&licenses)
        .bind(location.clone())
        .bind(role.clone())
        .bind(now_millis())
        .bind(by)
        .bind(&id)
        .bind(owner.clone().unwrap_or_default())
        .execute(&mut *tx)
        .await?
        .rows_affected();
        let (same_name,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM plan_templates WHERE COALESCE(reseller_id, '') = $1 \
             AND LOWER(name) = LOWER($2) AND id <> $3",
        )
        .bind(owner.clone().unwrap_or_default())
        .bind(&input.name)
        .bind(&id)
        .fetch_one(&mut *tx)
        .await?;
        if same_name > 0 {
            return Err(StoreError::Invalid(format!(
                "A template named {} exists already: choose another name.",
                input.name
            )));
        }
        if updated == 0 {
            let (exists,): (i64,) =
                sqlx::query_as("SELECT COUNT(*) FROM plan_templates WHERE id = $1")
                    .bind(&id)
                    .fetch_one(&mut *tx)
                    .await?;
            if exists > 0 {
                return Err(StoreError::Invalid(
                    "That template is not yours to change.".into(),
                ));
            }
            sqlx::query(
                "INSERT INTO plan_templates (id, reseller_id, name, licenses, usage_location, \
                 role, updated_at, updated_by) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(&id)
            .bind(owner)
            .bind(&input.name)
            .bind(&licenses)
            .bind(location)
            .bind(role)
            .bind(now_millis())
            .bind(by)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(TemplateId::new(id))
    }

    /// Deletes a template of `owner`; false when it has no such template.
    pub async fn delete(
        &self,
        id: &TemplateId,
        owner: Option<&ResellerId>,
    ) -> Result<bool, StoreError> {
        let done = sqlx::query(
            "DELETE FROM plan_templates WHERE id = $1 AND COALESCE(reseller_id, '') = $2",
        )
        .bind(id.as_str().to_lowercase())
        .bind(owner.map(|r| r.as_str().to_lowercase()).unwrap_or_default())
        .execute(self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn input() -> TemplateInput {
        TemplateInput {
            name: "  Sales  ".into(),
            licenses: vec![TemplateLicense {
                sku_id: "ABC".into(),
                name: "Basic".into(),
                plans_off: vec!["P2".into(), "p2".into(), "P1".into()],
            }],
            usage_location: "fr".into(),
            role: String::new(),
        }
    }

    #[test]
    fn a_template_is_tidied_or_refused_on_its_field() {
        let ok = input().checked().unwrap();
        assert_eq!(ok.name, "Sales");
        assert_eq!(ok.licenses[0].sku_id, "abc");
        assert_eq!(ok.licenses[0].plans_off, ["p1", "p2"]);
        assert_eq!(ok.usage_location, "FR");
        let field = |t: TemplateInput| t.checked().unwrap_err().0;
        assert_eq!(
            field(TemplateInput {
                name: " ".into(),
                ..input()
            }),
            "name"
        );
        assert_eq!(
            field(TemplateInput {
                licenses: vec![],
                ..input()
            }),
            "licenses"
        );
        let twice = TemplateInput {
            licenses: vec![input().licenses[0].clone(), input().licenses[0].clone()],
            ..input()
        };
        assert_eq!(field(twice), "licenses");
        assert_eq!(
            field(TemplateInput {
                usage_location: "France".into(),
                ..input()
            }),
            "usage_location"
        );
        assert_eq!(
            field(TemplateInput {
                role: "x\u{7}".into(),
                ..input()
            }),
            "role"
        );
    }
}
