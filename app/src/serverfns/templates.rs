//! Plan templates: the list (with what a template can hold), saving one and deleting one. The
//! service provider's admins keep the provider's templates, a reseller's admins their own.

use leptos::{prelude::*, server_fn::codec::GetUrl};
use serde::{Deserialize, Serialize};

#[cfg(feature = "ssr")]
use crate::door::caller;
use crate::error::AppError;

/// A license of a template, with the names of the plans it leaves off.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateLicenseItem {
    pub sku_id: String,
    pub name: String,
    pub plans_off: Vec<String>,
    pub plans_off_names: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateItem {
    pub id: String,
    pub name: String,
    /// "Service provider" or the reseller's name.
    pub owner: String,
    /// The signed-in person keeps it (may change and delete it).
    pub editable: bool,
    pub licenses: Vec<TemplateLicenseItem>,
    pub usage_location: Option<String>,
    pub role: Option<String>,
    pub updated: String,
}

/// A license a template can hold, with its service plans (id, name).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LicenseOfferItem {
    pub sku_id: String,
    pub name: String,
    pub plans: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplatesPage {
    pub templates: Vec<TemplateItem>,
    /// The signed-in person keeps templates (a service provider's or reseller's admin).
    pub can_keep: bool,
    pub licenses: Vec<LicenseOfferItem>,
    pub roles: Vec<String>,
}

/// The templates the signed-in person sees, and what a template can hold.
#[server(prefix = "/api", endpoint = "templates", input = GetUrl)]
pub async fn templates() -> Result<TemplatesPage, AppError> {
    let call = caller("templates.read").await?;
    let (templates, (licenses, roles)) =
        tokio::try_join!(call.templates(), call.template_offers())?;
    server::page(&call, templates, licenses, roles).await
}

/// A template that can be applied to one customer's users.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TemplateChoice {
    pub id: String,
    pub name: String,
    pub usage_location: Option<String>,
    /// What it gives, in words.
    pub summary: String,
}

/// The templates the signed-in person may apply to `customer`'s users.
#[server(prefix = "/api", endpoint = "customer-templates", input = GetUrl)]
pub async fn customer_templates(customer: String) -> Result<Vec<TemplateChoice>, AppError> {
    let call = caller("templates.read").await?;
    let customer = crate::error::parse_id("customer", &customer)?;
    let templates = call.templates_for(&customer).await?;
    Ok(templates.into_iter().map(TemplateChoice::from).collect())
}

/// Saves a template (new when `id` is blank). `licenses`: `sku=plan,plan;sku=`, each license
/// with the service plans it leaves off.
#[server(prefix = "/api", endpoint = "template-save")]
pub async fn save_template(
    id: Option<String>,
    name: String,
    licenses: String,
    usage_location: Option<String>,
    role: Option<String>,
) -> Result<String, AppError> {
    let call = caller("template.save").await?;
    let id = optional_id(id.as_deref())?;
    let licenses = crate::serverfns::users::admin::plans_off_list(&licenses, "licenses")?;
    let (location, role) = (usage_location.unwrap_or_default(), role.unwrap_or_default());
    let saved = call.save_template(id.as_ref(), name, &licenses, location, role);
    Ok(saved.await?.to_string())
}

#[server(prefix = "/api", endpoint = "template-delete")]
pub async fn delete_template(id: String) -> Result<(), AppError> {
    let call = caller("template.delete").await?;
    Ok(call
        .delete_template(&crate::error::parse_id("id", &id)?)
        .await?)
}

/// A template's id from a form (blank: none).
#[cfg(feature = "ssr")]
pub(crate) fn optional_id(
    id: Option<&str>,
) -> Result<Option<domain::templates::TemplateId>, AppError> {
    match id.map(str::trim).filter(|i| !i.is_empty()) {
        None => Ok(None),
        Some(id) => crate::error::parse_id("template", id).map(Some),
    }
}

#[cfg(feature = "ssr")]
mod server {
    use domain::{
        service::{Caller, LicenseOffer},
        templates::Template,
    };

    use super::{
        LicenseOfferItem, TemplateChoice, TemplateItem, TemplateLicenseItem, TemplatesPage,
    };

    impl From<Template> for TemplateChoice {
        fn from(t: Template) -> Self {
            let mut parts: Vec<String> = t.licenses.iter().map(|l| l.name.clone()).collect();
            parts.extend(t.usage_location.clone());
            parts.extend(t.role.clone());
            TemplateChoice {
                id: t.id.to_string(),
                summary: parts.join(", "),
                name: t.name,
                usage_location: t.usage_location,
            }
        }
    }
    use crate::error::AppError;

    pub async fn page(
        call: &Caller,
        templates: Vec<Template>,
        licenses: Vec<LicenseOffer>,
        roles: Vec<String>,
    ) -> Result<TemplatesPage, AppError> {
        let resellers = call.reseller_names().await?;
        let keeper = call.keeps_templates();
        let plan_name = |sku: &str, plan: &str| {
            licenses
                .iter()
                .find(|l| l.sku_id.eq_ignore_ascii_case(sku))
                .and_then(|l| {
                    l.plans
                        .iter()
                        .find(|p| p.id.as_str().eq_ignore_ascii_case(plan))
                })
                .map_or_else(|| plan.to_owned(), |p| p.name.clone())
        };
        let templates = templates
            .into_iter()
            .map(|t| TemplateItem {
                editable: keeper.as_ref().is_some_and(|k| *k == t.reseller_id),
                owner: match &t.reseller_id {
                    None => tr!(p_templates.owner_provider).to_owned(),
                    Some(r) => resellers.iter().find(|(id, _)| id == r).map_or_else(
                        || tr!(p_templates.owner_reseller).to_owned(),
                        |(_, n)| n.clone(),
                    ),
                },
                id: t.id.to_string(),
                name: t.name,
                licenses: t
                    .licenses
                    .into_iter()
                    .map(|l| TemplateLicenseItem {
                        plans_off_names: l
                            .plans_off
                            .iter()
                            .map(|p| plan_name(&l.sku_id, p))
                            .collect(),
                        sku_id: l.sku_id,
                        name: l.name,
                        plans_off: l.plans_off,
                    })
                    .collect(),
                usage_location: t.usage_location,
                role: t.role,
                updated: {
                    let at =
                        crate::language::date(&domain::time::format_utc_datetime(t.updated_at));
                    tr!(p_templates.updated_by, at, who = t.updated_by.as_str()).to_string()
                },
            })
            .collect();
        Ok(TemplatesPage {
            templates,
            can_keep: keeper.is_some(),
            licenses: licenses
                .into_iter()
                .map(|l| LicenseOfferItem {
                    sku_id: l.sku_id,
                    name: l.name,
                    plans: l
                        .plans
                        .into_iter()
                        .map(|p| (p.id.as_str().to_lowercase(), p.name))
                        .collect(),
                })
                .collect(),
            roles,
        })
    }
}
