//! A new customer tenant, as the service provider asks for it: the `onmicrosoft.com` domain
//! prefix's rules, the fields Partner Center needs (company, contact, address), each checked
//! with a message on its field before anything is sent, and the request body. Sending it is
//! the service layer's job.

use partner_center::wire::{Address, BillingProfile, CompanyProfile, Customer};

/// What the new-customer form gives.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct NewTenant {
    pub company_name: String,
    /// The part before `.onmicrosoft.com`.
    pub domain_prefix: String,
    pub first_name: String,
    pub last_name: String,
    pub email: String,
    /// Optional.
    pub phone: String,
    pub address_line1: String,
    pub city: String,
    /// Required where the country has states (US, CA, …); optional elsewhere.
    pub state: String,
    pub postal_code: String,
    /// Two letters.
    pub country: String,
}

/// A problem with one field: (field, message).
pub type FieldProblem = (&'static str, String);

/// The whole domain for a prefix: `contoso-demo` → `contoso-demo.onmicrosoft.com`; letters and
/// digits (and hyphens inside), 3 to 27 of them, lower case.
pub fn domain_of(prefix: &str) -> Result<String, String> {
    let prefix = prefix.trim().to_lowercase();
    let prefix = prefix.strip_suffix(".onmicrosoft.com").unwrap_or(&prefix);
    let fine = (3..=27).contains(&prefix.len())
        && prefix
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !prefix.starts_with('-')
        && !prefix.ends_with('-');
    if fine {
        Ok(format!("{prefix}.onmicrosoft.com"))
    } else {
        Err("Use 3 to 27 letters or digits (a hyphen only inside), such as contoso-demo.".into())
    }
}

/// Countries whose addresses need a state (Partner Center checks it against a list).
const STATE_COUNTRIES: [&str; 4] = ["US", "CA", "CN", "MX"];

impl NewTenant {
    /// Every field checked; the first problem of each field.
    pub fn problems(&self) -> Vec<FieldProblem> {
        let mut problems = Vec::new();
        let mut need = |field: &'static str, label: &str, value: &str, most: usize| {
            let value = value.trim();
            if value.is_empty() {
                problems.push((field, format!("Give the {label}.")));
            } else if value.chars().count() > most || value.chars().any(char::is_control) {
                problems.push((
                    field,
                    format!("The {label} is too long or has characters it cannot have."),
                ));
            }
        };
        need("company_name", "company name", &self.company_name, 100);
        need("first_name", "contact's first name", &self.first_name, 64);
        need("last_name", "contact's last name", &self.last_name, 64);
        need("address_line1", "street address", &self.address_line1, 200);
        need("city", "city", &self.city, 64);
        need("postal_code", "postal code", &self.postal_code, 16);
        if let Err(e) = domain_of(&self.domain_prefix) {
            problems.push(("domain_prefix", e));
        }
        let email = self.email.trim();
        let email_fine = email.len() <= 254
            && email.split_once('@').is_some_and(|(local, domain)| {
                !local.is_empty() && domain.contains('.') && !email.contains(char::is_whitespace)
            });
        if !email_fine {
            problems.push(("email", "Give the contact's e-mail address.".into()));
        }
        let country = self.country.trim().to_uppercase();
        if country.len() != 2 || !country.chars().all(|c| c.is_ascii_uppercase()) {
            problems.push((
                "country",
                "Choose the country (two letters, such as US).".into(),
            ));
        } else if STATE_COUNTRIES.contains(&country.as_str()) && self.state.trim().is_empty() {
            problems.push((
                "state",
                format!("Give the state: {country} addresses need one."),
            ));
        }
        if self.phone.chars().count() > 32
            || !self
                .phone
                .chars()
                .all(|c| c.is_ascii_digit() || " +-()".contains(c))
        {
            problems.push((
                "phone",
                "A phone number is digits (and + - ( ) or spaces).".into(),
            ));
        }
        problems
    }

    /// The body of Partner Center's create-customer request (the domain already checked).
    pub fn to_wire(&self, domain: &str) -> Customer {
        let country = self.country.trim().to_uppercase();
        let opt = |v: &str| Some(v.trim().to_owned()).filter(|v| !v.is_empty());
        Customer {
            company_profile: Some(CompanyProfile {
                domain: Some(domain.to_owned()),
                ..CompanyProfile::default()
            }),
            billing_profile: Some(BillingProfile {
                email: opt(&self.email),
                culture: Some(culture(&country).into()),
                language: Some(culture(&country)[..2].into()),
                company_name: opt(&self.company_name),
                first_name: opt(&self.first_name),
                last_name: opt(&self.last_name),
                default_address: Some(Address {
                    first_name: opt(&self.first_name),
                    last_name: opt(&self.last_name),
                    address_line1: opt(&self.address_line1),
                    city: opt(&self.city),
                    state: opt(&self.state.to_uppercase()),
                    postal_code: opt(&self.postal_code),
                    country: Some(country.clone()),
                    phone_number: opt(&self.phone),
                    ..Address::default()
                }),
                ..BillingProfile::default()
            }),
            ..Customer::default()
        }
    }
}

/// The culture of a country's customers (what the billing profile carries).
fn culture(country: &str) -> &'static str {
    match country {
        "FR" | "BE" | "LU" | "MC" => "fr-FR",
        "DE" | "AT" => "de-DE",
        "NL" => "nl-NL",
        "ES" => "es-ES",
        "IT" => "it-IT",
        "GB" | "IE" => "en-GB",
        _ => "en-US",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_domain_prefix_follows_the_rules() {
        assert_eq!(
            domain_of(" Contoso-Demo ").unwrap(),
            "contoso-demo.onmicrosoft.com"
        );
        assert_eq!(
            domain_of("abc.onmicrosoft.com").unwrap(),
            "abc.onmicrosoft.com"
        );
        for bad in [
            "ab",
            "-abc",
            "abc-",
            "a_b_c",
            "x".repeat(28).as_str(),
            "../x",
            "ab c",
        ] {
            assert!(domain_of(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn every_field_is_checked_on_its_own() {
        let fine = NewTenant {
            company_name: "Adatum".into(),
            domain_prefix: "adatum-demo".into(),
            first_name: "Ann".into(),
            last_name: "Lee".into(),
            email: "ann@adatum.example".into(),
            phone: "+1 425 555 0100".into(),
            address_line1: "1 Main St".into(),
            city: "Redmond".into(),
            state: "wa".into(),
            postal_code: "98052".into(),
            country: "us".into(),
        };
        assert_eq!(fine.problems(), vec![]);
        let body = fine.to_wire("adatum-demo.onmicrosoft.com");
        let billing = body.billing_profile.unwrap();
        assert_eq!(billing.culture.as_deref(), Some("en-US"));
        assert_eq!(
            billing.default_address.unwrap().state.as_deref(),
            Some("WA")
        );
        let bad = NewTenant {
            state: String::new(),
            email: "nope".into(),
            domain_prefix: "x".into(),
            phone: "call me".into(),
            ..fine
        };
        let fields: Vec<&str> = bad.problems().iter().map(|p| p.0).collect();
        assert_eq!(fields, ["domain_prefix", "email", "state", "phone"]);
    }
}
