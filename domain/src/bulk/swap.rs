//! One license swapped for another on chosen users (or one only added, or only removed), or a
//! plan template applied to them: each user checked against the tenant as it is now, then one
//! license update (or one template application) per user that changes.

use std::{collections::HashMap, sync::Arc};

use super::{ExistingUser, SkuFact, Tenant};
use crate::templates::Template;

/// What a person asks for: `from` replaced by `to` on `users` (ids); either may be absent. Or,
/// with `template`, the template applied to them (`from` and `to` absent).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Swap {
    pub from: Option<SkuFact>,
    pub to: Option<SkuFact>,
    pub template: Option<Arc<Template>>,
    /// User ids (lower case).
    pub users: Vec<String>,
}

/// One chosen user, checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SwapRow {
    pub user_id: String,
    pub user_name: String,
    pub display_name: String,
    /// SKU ids to give and to take in its one update; both empty: nothing to change.
    pub assign: Vec<String>,
    pub remove: Vec<String>,
    /// What changes, in words ("A → B", "+ B", "− A"), or why nothing does, or the problem
    /// that stops it.
    pub note: String,
    pub error: bool,
    /// The template applied to the user (its licenses to give are in `assign`).
    pub template: Option<Arc<Template>>,
}

impl SwapRow {
    /// Its update changes something (a template may, whatever it gives).
    pub fn changes(&self) -> bool {
        self.template.is_some() || !(self.assign.is_empty() && self.remove.is_empty())
    }
}

/// Every chosen user checked, in the order chosen (repeats left out).
pub fn check(swap: &Swap, tenant: &Tenant) -> Vec<SwapRow> {
    let by_id: HashMap<&str, (&String, &ExistingUser)> = tenant
        .users
        .iter()
        .map(|(name, u)| (u.id.as_str(), (name, u)))
        .collect();
    let mut seen = Vec::new();
    swap.users
        .iter()
        .filter(|id| {
            let new = !seen.contains(id);
            seen.push(*id);
            new
        })
        .map(|id| {
            let Some((name, user)) = by_id.get(id.as_str()) else {
                return SwapRow {
                    user_id: id.clone(),
                    user_name: String::new(),
                    display_name: String::new(),
                    assign: Vec::new(),
                    remove: Vec::new(),
                    note: "Not one of the customer's users (deleted since?).".into(),
                    error: true,
                    template: None,
                };
            };
            if let Some(t) = &swap.template {
                return template_row(t, id, name, user, tenant);
            }
            let holds =
                |s: &Option<SkuFact>| s.as_ref().is_some_and(|s| user.licenses.contains(&s.id));
            let mut row = SwapRow {
                user_id: id.clone(),
                user_name: (*name).clone(),
                display_name: user.display_name.clone(),
                assign: Vec::new(),
                remove: Vec::new(),
                note: String::new(),
                error: false,
                template: None,
            };
            if swap.from.is_some() && !holds(&swap.from) {
                row.note = format!(
                    "Does not hold {}: left as it is.",
                    swap.from
                        .as_ref()
                        .map(|s| s.name.as_str())
                        .unwrap_or_default()
                );
                return row;
            }
            if let Some(to) = swap.to.as_ref().filter(|_| !holds(&swap.to)) {
                if user.usage_location.is_empty() {
                    row.note = "No usage location: set it before licenses are given.".into();
                    row.error = true;
                    return row;
                }
                row.assign.push(to.id.clone());
            }
            if let Some(from) = &swap.from {
                row.remove.push(from.id.clone());
            }
            let name = |s: &Option<SkuFact>| s.as_ref().map(|s| s.name.clone()).unwrap_or_default();
            row.note = match (row.remove.is_empty(), row.assign.is_empty()) {
                (true, true) => "Holds it already: left as it is.".into(),
                (false, false) => format!("{} → {}", name(&swap.from), name(&swap.to)),
                (true, false) => format!("+ {}", name(&swap.to)),
                (false, true) => format!("− {}", name(&swap.from)),
            };
            row
        })
        .collect()
}

/// A template on one user: the licenses it gives that the user lacks (and the tenant has), the
/// location it sets, its role; refused when licenses are to be given and no location is known.
fn template_row(
    t: &Arc<Template>,
    id: &str,
    name: &str,
    user: &ExistingUser,
    tenant: &Tenant,
) -> SwapRow {
    let mut row = SwapRow {
        user_id: id.to_owned(),
        user_name: name.to_owned(),
        display_name: user.display_name.clone(),
        assign: Vec::new(),
        remove: Vec::new(),
        note: String::new(),
        error: false,
        template: Some(t.clone()),
    };
    let mut words = Vec::new();
    let mut absent = Vec::new();
    for l in &t.licenses {
        match tenant.sku(&l.sku_id) {
            None => absent.push(l.name.clone()),
            Some(_) if user.licenses.contains(&l.sku_id) => {
                if !l.plans_off.is_empty() {
                    words.push(format!("plans of {}", l.name));
                }
            }
            Some(s) => {
                row.assign.push(s.id.clone());
                words.push(format!("+ {}", l.name));
            }
        }
    }
    let no_location = user.usage_location.is_empty();
    if no_location {
        match &t.usage_location {
            Some(l) => words.push(format!("location {l}")),
            None if !row.assign.is_empty() => {
                row.note = "No usage location, and the template sets none: set it first.".into();
                row.error = true;
                return row;
            }
            None => {}
        }
    }
    if let Some(r) = &t.role {
        words.push(format!("role {r} (unless held)"));
    }
    row.note = if words.is_empty() {
        // Nothing to do: not run.
        row.template = None;
        "Holds the template's licenses: left as it is.".into()
    } else {
        words.join("; ")
    };
    if !absent.is_empty() {
        row.note
            .push_str(&format!(" (not in this tenant: {})", absent.join(", ")));
    }
    row
}

/// New assignments per SKU of the rows that change.
pub fn wanted(rows: &[SwapRow]) -> HashMap<String, i64> {
    let mut wanted = HashMap::new();
    for r in rows.iter().filter(|r| !r.error) {
        for sku in &r.assign {
            *wanted.entry(sku.clone()).or_insert(0) += 1;
        }
    }
    wanted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_user_gets_one_update_or_a_reason() {
        let sku = |id: &str| SkuFact {
            id: id.into(),
            name: id.to_uppercase(),
            free: 0,
        };
        let user = |id: &str, location: &str, licenses: &[&str]| ExistingUser {
            id: id.into(),
            display_name: id.into(),
            usage_location: location.into(),
            licenses: licenses.iter().map(|l| l.to_string()).collect(),
            ..ExistingUser::default()
        };
        let tenant = Tenant {
            users: HashMap::from([
                ("a@x".to_owned(), user("a", "US", &["e3"])),
                ("b@x".to_owned(), user("b", "US", &["e5"])),
                ("c@x".to_owned(), user("c", "", &["e3"])),
                ("d@x".to_owned(), user("d", "US", &["e3", "e5"])),
            ]),
            ..Tenant::default()
        };
        let swap = Swap {
            from: Some(sku("e3")),
            to: Some(sku("e5")),
            users: ["a", "b", "c", "d", "a", "zz"].map(String::from).to_vec(),
            ..Swap::default()
        };
        let rows = check(&swap, &tenant);
        assert_eq!(rows.len(), 5);
        assert_eq!(
            (rows[0].assign.clone(), rows[0].remove.clone()),
            (vec!["e5".to_owned()], vec!["e3".to_owned()])
        );
        assert_eq!(rows[0].note, "E3 → E5");
        assert!(rows[1].assign.is_empty() && rows[1].note.contains("Does not hold E3"));
        assert!(rows[2].error);
        assert_eq!((rows[3].assign.len(), rows[3].remove.len()), (0, 1));
        assert_eq!(rows[3].note, "− E3", "holds E5 already: only E3 taken");
        assert!(rows[4].error);
        assert_eq!(wanted(&rows), HashMap::from([("e5".to_owned(), 1)]));
    }
}
