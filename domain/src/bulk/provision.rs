//! Users from a CSV file: the file read into rows, and each row checked against the tenant as
//! it is now (names, the user name and its domain, duplicates in the file and in the tenant,
//! the usage location, licenses by SKU id or product name, the role), every problem named on
//! its row. A row whose user is already there with the same names is done before (a file run
//! again, or a run that stopped half-way): it is skipped, or only its missing licenses added.

use std::collections::HashMap;

use super::{SkuFact, Tenant};
use crate::{
    csv::{self, CsvError},
    users::admin::valid_local_part,
};

/// The most rows a file may have.
pub const MOST_ROWS: usize = 2_000;

/// The columns, in the order a template has them.
pub const COLUMNS: [&str; 7] = [
    "first_name",
    "last_name",
    "display_name",
    "user_name",
    "usage_location",
    "licenses",
    "role",
];

/// One row of the file as written.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileRow {
    /// Its line in the file (the header is line 1).
    pub line: usize,
    pub first_name: String,
    pub last_name: String,
    pub display_name: String,
    /// The whole user name, `ann@contoso.com` (lower case).
    pub user_name: String,
    pub usage_location: String,
    /// SKU ids or product names.
    pub licenses: Vec<String>,
    pub role: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FileError {
    #[error("The file is empty: its first line names the columns ({}), then one user per line.", COLUMNS.join(", "))]
    Empty,
    #[error(transparent)]
    Csv(#[from] CsvError),
    #[error("The first line names the columns, and {0} is not among them.")]
    MissingColumn(&'static str),
    #[error("The file has {0} users; at most {MOST_ROWS} at once.")]
    TooLong(usize),
}

/// The rows of a file.
pub fn read(text: &str) -> Result<Vec<FileRow>, FileError> {
    let mut records = csv::read(text)?.into_iter();
    let header = records.next().ok_or(FileError::Empty)?;
    let names: Vec<String> = header.fields.iter().map(|h| column(h)).collect();
    let at = |name: &str| names.iter().position(|n| n == name);
    let required = |name: &'static str| at(name).ok_or(FileError::MissingColumn(name));
    let (first, last, user) = (
        required("first_name")?,
        required("last_name")?,
        required("user_name")?,
    );
    let (display, location, licenses, role) = (
        at("display_name"),
        at("usage_location"),
        at("licenses"),
        at("role"),
    );
    let records: Vec<_> = records.collect();
    if records.len() > MOST_ROWS {
        return Err(FileError::TooLong(records.len()));
    }
    Ok(records
        .into_iter()
        .map(|r| {
            let get = |i: Option<usize>| {
                i.and_then(|i| r.fields.get(i))
                    .map(|v| v.trim().to_owned())
                    .unwrap_or_default()
            };
            FileRow {
                line: r.line,
                first_name: get(Some(first)),
                last_name: get(Some(last)),
                display_name: get(display),
                user_name: get(Some(user)).to_lowercase(),
                usage_location: get(location).to_uppercase(),
                licenses: get(licenses)
                    .split([';', '+', '|', ','])
                    .map(str::trim)
                    .filter(|l| !l.is_empty())
                    .map(str::to_owned)
                    .collect(),
                role: get(role),
            }
        })
        .collect())
}

/// A header as a column name: `First name`, `first-name` and `FIRST_NAME` are `first_name`;
/// a few other common names are understood.
fn column(header: &str) -> String {
    let name = header.trim().to_lowercase().replace([' ', '-'], "_");
    match name.as_str() {
        "user_principal_name" | "userprincipalname" | "upn" | "username" => "user_name".into(),
        "firstname" | "given_name" => "first_name".into(),
        "lastname" | "surname" => "last_name".into(),
        "displayname" => "display_name".into(),
        "usagelocation" | "location" | "country" => "usage_location".into(),
        "license" | "skus" => "licenses".into(),
        _ => name,
    }
}

/// What running a row will do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Create the user, then give it its licenses and role.
    Create,
    /// The user is there (done before); give it these licenses it lacks (SKU ids).
    AddLicenses(Vec<String>),
    /// The user is there with every license: nothing to do.
    Done,
}

/// A row checked against the tenant.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checked {
    pub row: FileRow,
    /// The display name it will have.
    pub display_name: String,
    pub licenses: Vec<SkuFact>,
    /// (role id, name).
    pub role: Option<(String, String)>,
    pub plan: Plan,
    /// Empty when the row is fine.
    pub errors: Vec<String>,
}

impl Checked {
    /// The licenses this row's run gives (SKU ids).
    pub fn new_licenses(&self) -> Vec<String> {
        match &self.plan {
            Plan::Create => self.licenses.iter().map(|s| s.id.clone()).collect(),
            Plan::AddLicenses(missing) => missing.clone(),
            Plan::Done => Vec::new(),
        }
    }
}

/// Every row checked; problems are named on their row (the first row with a user name keeps
/// it; later ones are the duplicates).
pub fn check(rows: Vec<FileRow>, tenant: &Tenant) -> Vec<Checked> {
    let mut first_line: HashMap<String, usize> = HashMap::new();
    rows.into_iter()
        .map(|row| {
            let mut errors = Vec::new();
            let mut text = |value: &str, label: &str, most: usize| {
                if value.is_empty() {
                    errors.push(format!("{label} is missing."));
                } else if value.chars().count() > most || value.chars().any(char::is_control) {
                    errors.push(format!(
                        "{label} is too long or has characters it cannot have."
                    ));
                }
            };
            text(&row.first_name, "First name", 64);
            text(&row.last_name, "Last name", 64);
            let display_name = if row.display_name.is_empty() {
                format!("{} {}", row.first_name, row.last_name)
            } else {
                row.display_name.clone()
            };
            text(&display_name, "Display name", 256);
            match row.user_name.split_once('@') {
                None if row.user_name.is_empty() => errors.push("User name is missing.".into()),
                Some((local, domain)) if valid_local_part(local) => {
                    if !tenant.domains.iter().any(|d| d == domain) {
                        errors.push(format!(
                            "{domain} is not one of the customer's domains ({}).",
                            tenant.domains.join(", ")
                        ));
                    }
                }
                _ => errors.push(
                    "User name: give the whole name, such as ann@contoso.com (letters, digits, \
                     dots, hyphens or underscores before the @)."
                        .into(),
                ),
            }
            if !row.user_name.is_empty() {
                match first_line.get(&row.user_name) {
                    Some(line) => errors.push(format!("The user name is also on line {line}.")),
                    None => {
                        first_line.insert(row.user_name.clone(), row.line);
                    }
                }
            }
            let mut licenses: Vec<SkuFact> = Vec::new();
            for named in &row.licenses {
                match tenant.sku(named) {
                    Some(sku) if !licenses.contains(sku) => licenses.push(sku.clone()),
                    Some(_) => {}
                    None => errors.push(format!(
                        "Unknown license \"{named}\": use a product name from the licenses \
                         table, or its SKU id."
                    )),
                }
            }
            let role = if row.role.is_empty() {
                None
            } else {
                let found = tenant.roles.iter().find(|(id, name)| {
                    name.eq_ignore_ascii_case(&row.role) || id.eq_ignore_ascii_case(&row.role)
                });
                if found.is_none() {
                    errors.push(format!("Unknown role \"{}\".", row.role));
                }
                found.cloned()
            };
            let location_ok = row.usage_location.len() == 2
                && row.usage_location.chars().all(|c| c.is_ascii_uppercase());
            let plan = match tenant.users.get(&row.user_name) {
                Some(there)
                    if there.first_name.eq_ignore_ascii_case(&row.first_name)
                        && there.last_name.eq_ignore_ascii_case(&row.last_name) =>
                {
                    let missing: Vec<String> = licenses
                        .iter()
                        .filter(|l| !there.licenses.contains(&l.id))
                        .map(|l| l.id.clone())
                        .collect();
                    if !missing.is_empty() && there.usage_location.is_empty() && !location_ok {
                        errors.push(
                            "The user has no usage location: set it before licenses are given."
                                .into(),
                        );
                    }
                    if missing.is_empty() {
                        Plan::Done
                    } else {
                        Plan::AddLicenses(missing)
                    }
                }
                Some(there) => {
                    errors.push(format!(
                        "The user name is taken by another user in the tenant ({}).",
                        there.display_name
                    ));
                    Plan::Create
                }
                None => {
                    if !location_ok {
                        errors.push(
                            "Usage location: give a two-letter country code such as US or DE."
                                .into(),
                        );
                    }
                    Plan::Create
                }
            };
            Checked {
                row,
                display_name,
                licenses,
                role,
                plan,
                errors,
            }
        })
        .collect()
}

/// New assignments per SKU (lower-case id → how many) of the rows without a problem.
pub fn wanted(checked: &[Checked]) -> HashMap<String, i64> {
    let mut wanted = HashMap::new();
    for c in checked.iter().filter(|c| c.errors.is_empty()) {
        for sku in c.new_licenses() {
            *wanted.entry(sku).or_insert(0) += 1;
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bulk::ExistingUser;

    fn tenant() -> Tenant {
        Tenant {
            domains: vec!["contoso.com".into()],
            users: HashMap::from([
                (
                    "ann@contoso.com".to_owned(),
                    ExistingUser {
                        first_name: "Ann".into(),
                        last_name: "Lee".into(),
                        display_name: "Ann Lee".into(),
                        usage_location: "US".into(),
                        licenses: vec!["e3".into()],
                        ..ExistingUser::default()
                    },
                ),
                (
                    "ben@contoso.com".to_owned(),
                    ExistingUser {
                        first_name: "Ben".into(),
                        last_name: "Berg".into(),
                        display_name: "Ben Berg".into(),
                        ..ExistingUser::default()
                    },
                ),
            ]),
            skus: vec![
                SkuFact {
                    id: "e3".into(),
                    name: "Office 365 E3".into(),
                    free: 1,
                },
                SkuFact {
                    id: "bp".into(),
                    name: "Business Premium".into(),
                    free: 0,
                },
            ],
            roles: vec![("r1".into(), "Helpdesk Administrator".into())],
        }
    }

    #[test]
    fn every_problem_is_named_on_its_row() {
        let file = "First name;Last name;User name;Usage location;Licenses;Role\n\
                    Cleo;Costa;cleo@contoso.com;us;office 365 e3+BP;helpdesk administrator\n\
                    Dan;Dubois;dan@fabrikam.com;US;;\n\
                    Eve;Evans;cleo@contoso.com;US;E5;Owner\n\
                    Ann;Lee;ann@contoso.com;;Office 365 E3;\n\
                    Ann;Other;ben@contoso.com;US;;\n\
                    ;Fischer;fay@contoso.com;;;\n\
                    Ann;Lee;ANN@contoso.com;US;bp;\n";
        let checked = check(read(file).unwrap(), &tenant());
        let errors: Vec<&[String]> = checked.iter().map(|c| c.errors.as_slice()).collect();
        assert!(errors[0].is_empty(), "{errors:?}");
        assert_eq!(checked[0].licenses.len(), 2);
        assert_eq!(checked[0].role.as_ref().unwrap().0, "r1");
        assert_eq!(checked[0].display_name, "Cleo Costa");
        assert!(
            errors[1][0].contains("fabrikam.com is not one of"),
            "{errors:?}"
        );
        assert_eq!(errors[2].len(), 3, "{errors:?}");
        assert!(errors[2][0].contains("also on line 2"));
        assert!(errors[2][1].contains("Unknown license \"E5\""));
        assert!(errors[2][2].contains("Unknown role"));
        // Done before: nothing to do; the same user again in the file is a duplicate.
        assert!(errors[3].is_empty(), "{errors:?}");
        assert_eq!(checked[3].plan, Plan::Done);
        assert!(
            errors[4][0].contains("in the tenant (Ben Berg)"),
            "{errors:?}"
        );
        assert_eq!(errors[5].len(), 2, "{errors:?}");
        assert!(errors[6][0].contains("also on line 5"), "{errors:?}");
        let mut w: Vec<_> = wanted(&checked).into_iter().collect();
        w.sort();
        assert_eq!(w, [("bp".to_owned(), 1), ("e3".to_owned(), 1)]);
    }

    #[test]
    fn the_header_must_name_the_columns() {
        assert_eq!(read(""), Err(FileError::Empty));
        assert_eq!(
            read("first_name,surname\nA,B"),
            Err(FileError::MissingColumn("user_name"))
        );
        let long = format!(
            "first_name,last_name,upn\n{}",
            "a,b,c@d.e\n".repeat(MOST_ROWS + 1)
        );
        assert_eq!(read(&long), Err(FileError::TooLong(MOST_ROWS + 1)));
    }
}
