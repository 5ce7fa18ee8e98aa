//! Plan templates for the people who use them: the service provider's admins keep the
//! provider's templates, a reseller's admins their own; everyone sees the ones they may apply
//! (the provider's, and their reseller's), support reads them all.

use partner_center::CustomerId;

use super::{Caller, ServiceError};
use crate::{
    access::{ChangeScope, ResellerId, Role},
    audit::Outcome,
    templates::{Owners, Template, TemplateId, TemplateInput, TemplateLicense},
    users::{directory::Plan, NewUser, PasswordSet, PlansOff, UserAdmin},
};

/// A license a template can hold: one the caller's customers have (as last read).
#[derive(Debug, Clone, PartialEq)]
pub struct LicenseOffer {
    pub sku_id: String,
    pub name: String,
    pub plans: Vec<Plan>,
}

/// Directory roles a template can give, besides those seen on the customers' users.
const COMMON_ROLES: [&str; 6] = [
    "User Administrator",
    "Helpdesk Administrator",
    "Billing Administrator",
    "License Administrator",
    "Exchange Administrator",
    "SharePoint Administrator",
];

impl Caller {
    /// Whose templates the caller sees.
    async fn template_owners(&self) -> Result<Owners, ServiceError> {
        Ok(match self.who.role {
            Role::SpAdmin | Role::SpSupport => Owners::All,
            Role::ResellerAdmin => Owners::ProviderAnd(self.who.reseller.clone()),
            Role::CustomerAdmin => {
                let reseller = match &self.who.customer {
                    Some(c) => self
                        .services
                        .store
                        .access()
                        .customer(c)
                        .await?
                        .and_then(|c| c.reseller_id),
                    None => None,
                };
                Owners::ProviderAnd(reseller)
            }
        })
    }

    /// Whom the caller keeps templates for: `Some(None)` the provider (its admins),
    /// `Some(Some(r))` a reseller (its admins), `None` nobody (they only apply them).
    pub fn keeps_templates(&self) -> Option<Option<ResellerId>> {
        match (self.who.role, &self.who.reseller) {
            (Role::SpAdmin, _) => Some(None),
            (Role::ResellerAdmin, Some(r)) => Some(Some(r.clone())),
            _ => None,
        }
    }

    /// [`Self::keeps_templates`], or the refusal (audited).
    async fn keeper_or_refused(&self) -> Result<Option<ResellerId>, ServiceError> {
        match self.keeps_templates() {
            Some(owner) => Ok(owner),
            None => {
                self.record(None, Outcome::Refused, "does not keep plan templates")
                    .await;
                Err(ServiceError::Forbidden(
                    "Only the service provider's or a reseller's administrators keep plan templates.",
                ))
            }
        }
    }

    /// The resellers' names, to say whose a template is.
    pub async fn reseller_names(&self) -> Result<Vec<(ResellerId, String)>, ServiceError> {
        Ok(self
            .services
            .store
            .access()
            .resellers()
            .await?
            .into_iter()
            .map(|r| (r.id, r.name))
            .collect())
    }

    /// The templates the caller sees, the provider's first.
    pub async fn templates(&self) -> Result<Vec<Template>, ServiceError> {
        let owners = self.template_owners().await?;
        Ok(self.services.store.templates().list(&owners).await?)
    }

    /// The templates the caller may apply to `customer`'s users (who may see the customer).
    pub async fn templates_for(
        &self,
        customer: &CustomerId,
    ) -> Result<Vec<Template>, ServiceError> {
        let checked = self
            .services
            .store
            .access()
            .authorize(&self.who, customer)
            .await;
        let scope = self.checked(Some(customer), checked).await?;
        let reseller = scope.customer().reseller_id.clone();
        let visible = self.templates().await?;
        Ok(visible
            .into_iter()
            .filter(|t| t.reseller_id.is_none() || t.reseller_id == reseller)
            .collect())
    }

    /// One template the caller may apply to `customer` (one of [`Self::templates_for`]); any
    /// other answers as one that does not exist.
    pub async fn template_for(
        &self,
        id: &TemplateId,
        customer: &CustomerId,
    ) -> Result<Template, ServiceError> {
        self.templates_for(customer)
            .await?
            .into_iter()
            .find(|t| &t.id == id)
            .ok_or_else(|| ServiceError::NotFound("That plan template does not exist.".into()))
    }

    /// What a template can hold: the licenses the caller's customers have (with their service
    /// plans) and directory role names.
    pub async fn template_offers(&self) -> Result<(Vec<LicenseOffer>, Vec<String>), ServiceError> {
        let store = &self.services.store;
        let customers: Vec<CustomerId> = store
            .access()
            .visible_customers(&self.who)
            .await?
            .into_iter()
            .map(|c| c.id)
            .collect();
        let directory = store.directory();
        let licenses = directory
            .license_offers(&customers)
            .await?
            .into_iter()
            .map(|(sku_id, name, plans)| LicenseOffer {
                sku_id,
                name,
                plans,
            })
            .collect();
        let mut roles: Vec<String> = COMMON_ROLES.iter().map(|r| (*r).to_owned()).collect();
        for role in directory.role_names(&customers).await? {
            if !roles.iter().any(|r| r.eq_ignore_ascii_case(&role)) {
                roles.push(role);
            }
        }
        roles.sort();
        Ok((licenses, roles))
    }

    /// Creates a user, then applies `template` (checked first: one the caller may apply to
    /// this customer) to it. The user is created whatever the template then meets: what it
    /// could not do is said in the answer's note, never as a failed creation.
    pub async fn create_user(
        &self,
        customer: &CustomerId,
        new: NewUser,
        notify: Option<String>,
        template: Option<&TemplateId>,
    ) -> Result<(PasswordSet, Option<String>), ServiceError> {
        let template = match template {
            Some(id) => Some(self.template_for(id, customer).await?),
            None => None,
        };
        let detail = |(set, note): &(PasswordSet, Option<String>)| match note {
            Some(note) => format!("{}; {note}", set.user_name),
            None => set.user_name.clone(),
        };
        let work = move |admin: UserAdmin<ChangeScope>| async move {
            let (user, set) = admin.create(new, notify).await?;
            let note = match (template, user.id) {
                (Some(t), Some(id)) => Some(match admin.apply_template(&id, &t).await {
                    Ok(said) => format!("Template {}: {said}", t.name),
                    Err(e) => format!("Template {}: not applied in full: {e}", t.name),
                }),
                _ => None,
            };
            Ok((set, note))
        };
        self.change(customer, detail, work).await
    }

    /// Saves a template of the caller's own (new when `id` is None); audited. Its licenses are
    /// those the caller's customers have, each with service plans of its own left off.
    pub async fn save_template(
        &self,
        id: Option<&TemplateId>,
        name: String,
        licenses: &[PlansOff],
        usage_location: String,
        role: String,
    ) -> Result<TemplateId, ServiceError> {
        let owner = self.keeper_or_refused().await?;
        let (offers, _) = self.template_offers().await?;
        let mut chosen = Vec::new();
        for l in licenses {
            let Some(offer) = offers
                .iter()
                .find(|o| o.sku_id.eq_ignore_ascii_case(l.sku.as_str()))
            else {
                return Err(ServiceError::field(
                    "licenses",
                    "Choose licenses from the list (those your customers have).",
                ));
            };
            if l.off
                .iter()
                .any(|p| !offer.plans.iter().any(|k| &k.id == p))
            {
                return Err(ServiceError::field(
                    "licenses",
                    "A service plan chosen is not part of its license.",
                ));
            }
            chosen.push(TemplateLicense {
                sku_id: offer.sku_id.clone(),
                name: offer.name.clone(),
                plans_off: l.off.iter().map(|p| p.as_str().to_lowercase()).collect(),
            });
        }
        let input = TemplateInput {
            name,
            licenses: chosen,
            usage_location,
            role,
        };
        let input = input
            .checked()
            .map_err(|(field, message)| ServiceError::field(field, message))?;
        let saved = self
            .services
            .store
            .templates()
            .save(id, owner.as_ref(), &input, &self.who.email)
            .await;
        match saved {
            Ok(id) => {
                let detail = format!("{} ({id}): {} licenses", input.name, input.licenses.len());
                self.record(None, Outcome::Succeeded, &detail).await;
                Ok(id)
            }
            Err(crate::StoreError::Invalid(message)) => {
                self.record(None, Outcome::Failed, &message).await;
                Err(ServiceError::field("name", message))
            }
            Err(e) => Err(e.into()),
        }
    }

    /// Deletes a template of the caller's own; audited.
    pub async fn delete_template(&self, id: &TemplateId) -> Result<(), ServiceError> {
        let owner = self.keeper_or_refused().await?;
        if !self
            .services
            .store
            .templates()
            .delete(id, owner.as_ref())
            .await?
        {
            self.record(None, Outcome::Failed, "no such template of the caller's")
                .await;
            return Err(ServiceError::NotFound(
                "That plan template does not exist.".into(),
            ));
        }
        self.record(None, Outcome::Succeeded, id.as_str()).await;
        Ok(())
    }
}
