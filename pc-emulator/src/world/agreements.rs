//! Customer agreements (contract section 14): the Microsoft Customer Agreement's template, the
//! partner's confirmations of a customer's acceptance, and the purchase gate they open.

use partner_center::{ids::*, wire::*};

use super::*;

/// The documented template of the Microsoft Customer Agreement.
pub const CUSTOMER_AGREEMENT_TEMPLATE: &str = "117a77b0-9360-443b-8795-c6dedc750cf9";
const CUSTOMER_AGREEMENT_LINK: &str = "https://aka.ms/customeragreement";
const CLOUD_AGREEMENT_TEMPLATE: &str = "998b88de-aa99-4388-a42c-1b3517d49490";
const CLOUD_AGREEMENT_LINK: &str = "https://docs.microsoft.com/partner-center/agreements";

/// The user id the service derives from the partner's token.
const PARTNER_USER: &str = "4f4c5d1e-2b73-4d8e-9c3a-6e0f1b2a3c4d";

/// The templates of `kind` (`MicrosoftCloudAgreement` when none is asked, `*` for all).
pub fn agreement_templates(kind: Option<&str>) -> Vec<AgreementMetaData> {
    let all = [
        (
            CUSTOMER_AGREEMENT,
            CUSTOMER_AGREEMENT_TEMPLATE,
            CUSTOMER_AGREEMENT_LINK,
        ),
        (
            "MicrosoftCloudAgreement",
            CLOUD_AGREEMENT_TEMPLATE,
            CLOUD_AGREEMENT_LINK,
        ),
    ];
    all.into_iter()
        .filter(|(k, _, _)| asked_for(kind, k))
        .map(|(k, template, link)| AgreementMetaData {
            template_id: template.into(),
            agreement_type: Some(k.into()),
            agreement_link: Some(link.into()),
            version_rank: 0,
            links: None,
        })
        .collect()
}

/// Whether an agreement of type `kind` answers the `agreementType` asked (the cloud agreement
/// when none is, every type for `*`).
fn asked_for(asked: Option<&str>, kind: &str) -> bool {
    match asked.unwrap_or("MicrosoftCloudAgreement") {
        "*" => true,
        asked => kind.eq_ignore_ascii_case(asked),
    }
}

impl World {
    /// Records the partner's confirmation. A repeat with the same contact is refused (600061);
    /// a changed contact is a new confirmation.
    pub fn confirm_agreement(&mut self, customer: &CustomerId, body: Agreement) -> R<Agreement> {
        let now = self.now();
        let c = self.customer_mut(customer)?;
        let contact = &body.primary_contact;
        if [&contact.first_name, &contact.last_name, &contact.email]
            .iter()
            .any(|f| f.trim().is_empty())
        {
            return err(
                400,
                "800002",
                "primaryContact needs firstName, lastName and email.",
            );
        }
        let Some(template) = agreement_templates(Some("*"))
            .into_iter()
            .find(|t| t.template_id == body.template_id)
        else {
            return err(
                400,
                "800002",
                "templateId is not a known agreement template.",
            );
        };
        match body.date_agreed {
            None => return err(400, "800002", "dateAgreed is required."),
            Some(WireTime(at)) if at > now => {
                return err(400, "800002", "dateAgreed cannot be in the future.")
            }
            Some(_) => {}
        }
        let kind = template.agreement_type.clone();
        if c.agreements
            .iter()
            .any(|a| a.agreement_type == kind && a.primary_contact == body.primary_contact)
        {
            return err(
                409,
                "600061",
                "A partner confirmed agreement already exists for the customer.",
            );
        }
        let agreement = Agreement {
            user_id: Some(PARTNER_USER.into()),
            agreement_type: kind,
            agreement_link: None,
            ..body
        };
        c.agreements.push(Agreement {
            agreement_link: template.agreement_link,
            ..agreement.clone()
        });
        Ok(agreement)
    }

    pub fn agreements(&self, customer: &CustomerId, kind: Option<&str>) -> R<Vec<Agreement>> {
        Ok(self
            .customer(customer)?
            .agreements
            .iter()
            .filter(|a| asked_for(kind, a.agreement_type.as_deref().unwrap_or_default()))
            .cloned()
            .collect())
    }
}

impl CustomerRec {
    /// Purchases need the customer's acceptance of the Microsoft Customer Agreement.
    pub(super) fn may_purchase(&self) -> R<()> {
        if self
            .agreements
            .iter()
            .any(|a| a.agreement_type.as_deref() == Some(CUSTOMER_AGREEMENT))
        {
            return Ok(());
        }
        err(
            403,
            "13605",
            "Either a partner confirmation of the customer acceptance of the Microsoft Customer \
             Agreement must be provided or the customer must accept the Microsoft Customer \
             Agreement in the Microsoft Admin Center.",
        )
    }
}

/// A confirmation as the seed records one for a customer that accepted long ago.
pub fn accepted(first_name: &str, last_name: &str, email: &str, at: WireTime) -> Agreement {
    Agreement {
        user_id: Some(PARTNER_USER.into()),
        primary_contact: Contact {
            first_name: first_name.into(),
            last_name: last_name.into(),
            email: email.into(),
            phone_number: None,
        },
        date_agreed: Some(at),
        template_id: CUSTOMER_AGREEMENT_TEMPLATE.into(),
        agreement_type: Some(CUSTOMER_AGREEMENT.into()),
        agreement_link: Some(CUSTOMER_AGREEMENT_LINK.into()),
    }
}
