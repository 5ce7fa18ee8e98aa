//! The domain's words in the reader's language. The domain has no Leptos and words its messages
//! and what it stores (history values, job summaries, bulk notes) in English; here they are
//! looked up by their English text, as gettext keys by its source strings, word for word or
//! by a pattern with values. A message without a translation stays as it is: nothing breaks,
//! it is English.

use super::{current, Locale};

/// A message of the domain in the [`current`] language (its own text when it has none).
pub fn message(english: &str) -> String {
    if current() == Locale::en {
        return english.to_owned();
    }
    if let Some(words) = catalogue(english).or_else(|| exact(english)) {
        return words.to_owned();
    }
    if let Some(words) = summaries(english) {
        return words;
    }
    WITH_VALUES
        .iter()
        .find_map(|(pattern, words)| values(pattern, english).map(|v| words(&v)))
        .unwrap_or_else(|| english.to_owned())
}

/// A message that is a list of messages (`a; b`), each worded.
pub fn messages(english: &str, separator: &str) -> String {
    if current() == Locale::en {
        return english.to_owned();
    }
    english
        .split(separator)
        .map(message)
        .collect::<Vec<_>>()
        .join(separator)
}

type Worded = fn(&[&str]) -> String;

/// The values `text` holds where `pattern` has `{}`, when it has the pattern's words.
fn values<'t>(pattern: &str, text: &'t str) -> Option<Vec<&'t str>> {
    let mut literals = pattern.split("{}");
    let mut rest = text.strip_prefix(literals.next()?)?;
    let literals: Vec<&str> = literals.collect();
    let mut values = Vec::with_capacity(literals.len());
    for (i, literal) in literals.iter().enumerate() {
        let value = if i + 1 == literals.len() {
            std::mem::take(&mut rest).strip_suffix(literal)?
        } else {
            let at = rest.find(literal).filter(|_| !literal.is_empty())?;
            let (value, after) = rest.split_at(at);
            rest = &after[literal.len()..];
            value
        };
        if value.is_empty() {
            return None;
        }
        values.push(value);
    }
    // A pattern without values is the whole text, not a beginning of it.
    rest.is_empty().then_some(values)
}

/// Whole numbers separated by the words of a summary: `3 customers, 5 subscriptions seen`.
fn numbers<const N: usize>(pattern: &str, text: &str) -> Option<[i64; N]> {
    let found = values(pattern, text)?;
    let mut numbers = [0; N];
    for (n, v) in numbers.iter_mut().zip(&found) {
        *n = v.parse().ok()?;
    }
    (found.len() == N).then_some(numbers)
}

/// The summaries jobs store, counts in words (singular or plural as the language wants).
fn summaries(english: &str) -> Option<String> {
    if let Some([c, s, ch, e]) = numbers(
        "{} customers, {} subscriptions seen, {} changes recorded, {} errors",
        english,
    ) {
        return Some(
            [
                tr_n!(c, said.customers_single | said.customers_many, n = c),
                tr_n!(s, said.subs_seen_single | said.subs_seen_many, n = s),
                tr_n!(ch, said.changes_single | said.changes_many, n = ch),
                tr_n!(e, said.errors_single | said.errors_many, n = e),
            ]
            .join(", "),
        );
    }
    if let Some([c, r, now, later, l, f]) = numbers(
        "{} customers, {} reductions ({} now, {} at renewal), {} licenses given back, {} \
         customers failed",
        english,
    ) {
        return Some(
            [
                tr_n!(c, said.customers_single | said.customers_many, n = c),
                tr_n!(
                    r,
                    said.reductions_single | said.reductions_many,
                    n = r,
                    now,
                    later
                ),
                tr_n!(l, said.given_back_single | said.given_back_many, n = l),
                tr_n!(f, said.failed_single | said.failed_many, n = f),
            ]
            .join(", "),
        );
    }
    if let Some([sessions, links, passwords, slots]) = numbers(
        "{} expired sessions, {} used workspace links, {} first passwords and {} request \
         budget slots removed",
        english,
    ) {
        return Some(tr!(said.clean_up, sessions, links, passwords, slots).to_string());
    }
    for verb in ["is", "are"] {
        let pattern = format!(
            "Not enough licenses: {{}} {verb} needed. Free some, buy more, or turn auto-increase \
             on for the subscription."
        );
        if let Some(v) = values(&pattern, english) {
            let list: Vec<String> = v[0].split(", ").map(more_licenses).collect();
            return Some(tr!(said.not_enough, list = list.join(", ")).to_string());
        }
    }
    for (pattern, key) in [
        ("Give the {}.", 0),
        ("The {} is too long or has characters it cannot have.", 1),
    ] {
        if let Some(what) = values(pattern, english).and_then(|v| label(v[0])) {
            return Some(match key {
                0 => tr!(said.give, what).to_string(),
                _ => tr!(said.too_long, what).to_string(),
            });
        }
    }
    if let Some(v) = values("Ordered {}", english) {
        return Some(tr!(said.ordered, what = summary(v[0])).to_string());
    }
    bulk_counts(english)
}

/// A new customer's field as the domain's messages name it.
fn label(english: &str) -> Option<&'static str> {
    Some(match english {
        "company name" => tr!(said.l_company),
        "contact's first name" => tr!(said.l_first),
        "contact's last name" => tr!(said.l_last),
        "street address" => tr!(said.l_street),
        "city" => tr!(said.l_city),
        "postal code" => tr!(said.l_postal),
        _ => return None,
    })
}

/// `2 more Office 365 E3 licenses`.
fn more_licenses(english: &str) -> String {
    let found = values("{} more {} licenses", english)
        .or_else(|| values("{} more {} license", english))
        .and_then(|v| Some((v[0].parse::<i64>().ok()?, v[1])));
    match found {
        Some((n, name)) => tr_n!(n, said.more_single | said.more_many, n = n, name = name),
        None => english.to_owned(),
    }
}

/// A bulk job's counts: `3 created, 1 failed` (outcomes as the result file names them),
/// `Stopped: ` before when it was stopped, `; grown first: …` after when subscriptions grew.
fn bulk_counts(english: &str) -> Option<String> {
    let (counts, grown) = match english.split_once("; grown first: ") {
        Some((counts, grown)) => (counts, Some(grown)),
        None => (english, None),
    };
    let (stopped, counts) = match counts.strip_prefix("Stopped: ") {
        Some(rest) => (true, rest),
        None => (false, counts),
    };
    let worded: Option<Vec<String>> = counts
        .split(", ")
        .map(|part| {
            let (n, outcome) = part.split_once(' ')?;
            n.parse::<u64>().ok()?;
            Some(format!("{n} {}", outcome_words(outcome)?))
        })
        .collect();
    let mut words = worded?.join(", ");
    if stopped {
        words = tr!(said.stopped, v0 = words.as_str()).to_string();
    }
    if let Some(grown) = grown {
        words = tr!(said.grown_first, v0 = words.as_str(), v1 = grown).to_string();
    }
    Some(words)
}

/// What bulk work did to a user, as its result file names it, in words.
pub fn outcome_words(outcome: &str) -> Option<&'static str> {
    Some(match outcome {
        "created" => tr!(p_bulk.o_created),
        "failed" => tr!(p_bulk.o_failed),
        "changed" => tr!(p_bulk.o_changed),
        "done before" => tr!(p_bulk.o_done_before),
        "left as it is" => tr!(p_bulk.o_left),
        "licenses added" => tr!(p_bulk.o_licenses_added),
        "not run" => tr!(p_bulk.o_not_run),
        _ => return None,
    })
}

/// A value the history keeps for a subscription field (`status`: `active`), in words.
pub fn value(field: &str, value: &str) -> String {
    if current() == Locale::en {
        return value.to_owned();
    }
    match (field, value) {
        ("status", v) => status(v).map(str::to_owned),
        ("auto_renew", "true") => Some(tr!(said.on).to_owned()),
        ("auto_renew", "false") => Some(tr!(said.off).to_owned()),
        ("billing_cycle", v) => cycle(v).map(str::to_owned),
        ("term_duration", v) => Some(super::term(v)),
        ("next_term", v) => Some(next_term(v)),
        ("", v) => Some(summary(v)),
        _ => None,
    }
    .unwrap_or_else(|| value.to_owned())
}

/// A field's value as a change shows it: [`value`], and "none" for an empty one.
pub fn shown_value(field: &str, value: &str) -> String {
    if value.is_empty() {
        tr!(words.none).to_owned()
    } else {
        self::value(field, value)
    }
}

fn status(status: &str) -> Option<&'static str> {
    Some(match status {
        "active" => tr!(said.status_active),
        "suspended" => tr!(said.status_suspended),
        "deleted" => tr!(said.status_deleted),
        "expired" => tr!(said.status_expired),
        "pending" => tr!(said.status_pending),
        "disabled" => tr!(said.status_disabled),
        _ => return None,
    })
}

fn cycle(cycle: &str) -> Option<&'static str> {
    Some(match cycle {
        "monthly" => tr!(said.cycle_monthly),
        "annual" => tr!(said.cycle_annual),
        "triennial" => tr!(said.cycle_triennial),
        "one_time" => tr!(said.cycle_one_time),
        _ => return None,
    })
}

/// A whole subscription as the history keeps it: `7 × Office 365 E3, P1Y monthly, active`, or
/// as an order keeps it: `3 × Premium (1 year, billed monthly)`.
pub fn summary(english: &str) -> String {
    if current() == Locale::en {
        return english.to_owned();
    }
    if let Some((rest, status)) = english.rsplit_once(", ") {
        if let Some((what, term_cycle)) = rest.rsplit_once(", ") {
            if let Some((term, cycle)) = term_cycle.split_once(' ') {
                if let (Some(status), Some(cycle)) = (self::status(status), self::cycle(cycle)) {
                    let term = super::term(term);
                    return tr!(said.summary, what, term = term.as_str(), cycle, status)
                        .to_string();
                }
            }
        }
    }
    if let Some(v) = values("{} ({}, billed {})", english) {
        let (what, term, cycle) = (v[0], english_term(v[1]), english_cycle(v[2]));
        return tr!(said.order_summary, what, term = term.as_str(), cycle).to_string();
    }
    english.to_owned()
}

/// A term as the domain words it in English (`1 year`).
fn english_term(words: &str) -> String {
    match words {
        "1 month" => super::term("P1M"),
        "1 year" => super::term("P1Y"),
        "3 years" => super::term("P3Y"),
        other => other.to_owned(),
    }
}

/// A billing cycle as the domain words it in English (`annually`).
fn english_cycle(words: &str) -> &str {
    match words {
        "monthly" => crate::pages::catalog::billed("monthly"),
        "annually" => crate::pages::catalog::billed("annual"),
        "every 3 years" => crate::pages::catalog::billed("triennial"),
        "once" => crate::pages::catalog::billed("one_time"),
        other => other,
    }
}

/// What a subscription does at renewal, as read from Partner Center: `5 licenses, a 1 year
/// term, billed annually`.
pub fn next_term(english: &str) -> String {
    if current() == Locale::en || english.is_empty() {
        return english.to_owned();
    }
    if english == "A change is scheduled" {
        return tr!(said.next_scheduled).to_owned();
    }
    english
        .split(", ")
        .map(|part| {
            if let Some(n) = part.strip_suffix(" licenses") {
                tr!(said.next_licenses, n).to_string()
            } else if let Some(term) = part
                .strip_prefix("a ")
                .and_then(|t| t.strip_suffix(" term"))
            {
                let term = english_term(term);
                tr!(said.next_term, term = term.as_str()).to_string()
            } else if let Some(cycle) = part.strip_prefix("billed ") {
                tr!(said.next_billed, cycle = english_cycle(cycle)).to_string()
            } else {
                part.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Why a user's license changed (`assign`, `remove`, `delete`, `restore`), in words.
pub fn reason(reason: &str) -> String {
    match reason {
        "assign" => tr!(said.reason_assign),
        "remove" => tr!(said.reason_remove),
        "delete" => tr!(said.reason_delete),
        "restore" => tr!(said.reason_restore),
        other => other,
    }
    .to_owned()
}

/// A directory role Microsoft names (`User Administrator`) as Microsoft's French admin center
/// names it; a role it does not know keeps its name. For showing only: the role is chosen by
/// its id or its name as Microsoft gives it.
pub fn directory_role(name: &str) -> String {
    if current() == Locale::en {
        return name.to_owned();
    }
    match name {
        "Global Administrator" => tr!(said.r_global_admin),
        "Company Administrator" => tr!(said.r_company_admin),
        "Global Reader" => tr!(said.r_global_reader),
        "User Administrator" => tr!(said.r_user_admin),
        "Helpdesk Administrator" => tr!(said.r_helpdesk_admin),
        "Service Support Administrator" => tr!(said.r_service_support_admin),
        "Billing Administrator" => tr!(said.r_billing_admin),
        "License Administrator" => tr!(said.r_license_admin),
        "Exchange Administrator" => tr!(said.r_exchange_admin),
        "SharePoint Administrator" => tr!(said.r_sharepoint_admin),
        "Teams Administrator" => tr!(said.r_teams_admin),
        "Security Administrator" => tr!(said.r_security_admin),
        "Password Administrator" => tr!(said.r_password_admin),
        other => other,
    }
    .to_owned()
}

/// A license change as the history keeps it: `+1 ann@contoso.com (assign)`.
pub fn license_change(english: &str) -> String {
    match english.strip_suffix(')').and_then(|v| v.rsplit_once(" (")) {
        Some((change, why)) => format!("{change} ({})", reason(why)),
        None => english.to_owned(),
    }
}

/// Messages word for word: the English text and the same in the reader's language.
fn exact(english: &str) -> Option<&'static str> {
    Some(match english {
        "Give the template a name of 1 to 80 characters." => tr!(said.tpl_name_80),
        "The name cannot hold control characters." => tr!(said.name_control),
        "Choose at least one license." => tr!(said.one_license),
        "Each license once." => tr!(said.each_license_once),
        "Choose a country for the usage location, or none." => tr!(said.tpl_country),
        "Choose a role from the list, or none." => tr!(said.tpl_role),
        "Partner Center (outside Seatwise)" => tr!(said.outside),
        "Seatwise (schedule)" => tr!(said.schedule),
        "Use 3 to 27 letters or digits (a hyphen only inside), such as contoso-demo." => tr!(said.domain_prefix),
        "Give the contact's e-mail address." => tr!(said.contact_email),
        "Choose the country (two letters, such as US)." => tr!(said.country_two),
        "A phone number is digits (and + - ( ) or spaces)." => tr!(said.phone_digits),
        "Nothing to change: it matches the template." => tr!(said.matches_template),
        "User name is missing." => tr!(said.upn_missing),
        "User name: give the whole name, such as ann@contoso.com (letters, digits, dots, hyphens or underscores before the @)." => tr!(said.upn_whole),
        "The user has no usage location: set it before licenses are given." => tr!(said.no_location_user),
        "Usage location: give a two-letter country code such as US or DE." => tr!(said.location_code),
        "Not one of the customer's users (deleted since?)." => tr!(said.not_a_user),
        "No usage location: set it before licenses are given." => tr!(said.no_location),
        "Holds it already: left as it is." => tr!(said.holds_already),
        "No usage location, and the template sets none: set it first." => tr!(said.no_location_tpl),
        "Holds the template's licenses: left as it is." => tr!(said.holds_tpl),
        "Stopped before it started." => tr!(said.stopped_before),
        "No catalog was due." => tr!(said.no_catalog_due),
        "1 catalog read again." => tr!(said.one_catalog),
        "Partner Center did not confirm the change in time. Read the subscriptions again in a moment to see whether it was made." => tr!(said.pc_unconfirmed_change),
        "A reduction is named customer/subscription/from/to." => tr!(said.reduction_named),
        "A reduction leaves fewer licenses than it found." => tr!(said.reduction_fewer),
        "A reduction names a customer by its tenant id." => tr!(said.reduction_customer),
        "A reduction names a subscription by its id." => tr!(said.reduction_sub),
        "A reduction names a customer that optimisation does not cover." => tr!(said.reduction_uncovered),
        "You do not have access to this customer." => tr!(said.no_access_customer),
        "Your role can look but not change anything. Ask a service provider admin." => tr!(said.look_only),
        "Only service provider admins can do this." => tr!(said.provider_admins_only),
        "Only the service provider's staff can see this." => tr!(said.provider_staff_only),
        "This user no longer exists in Partner Center (deleted users are purged after 30 days). Refresh the list." => tr!(said.user_purged),
        "The demo accounts exist, and they are for the sandbox only. Remove them first with `seatwise demo remove` on the server, then add the connection." => tr!(said.demo_accounts),
        "Choose one of the customer's licenses." => tr!(said.customer_license),
        "The user is no longer there." => tr!(said.user_gone),
        "Created, but Partner Center gave no id." => tr!(said.created_no_id),
        "A finding names a customer that is not imported." => tr!(said.finding_not_imported),
        "This product is not offered with that term and billing cycle. Choose one from the list." => tr!(said.not_offered_term),
        "Partner Center did not confirm the order in time. Place it again from the same page: it is sent as the same request, so it cannot be bought twice." => tr!(said.order_unconfirmed),
        "Partner Center has no record of the customer's acceptance of the Microsoft Customer Agreement. Record it again on this page, then place the order." => tr!(said.no_acceptance),
        "Partner Center no longer sells this product with that term and billing cycle. Ask the service provider to read the catalog again." => tr!(said.no_longer_sold),
        "Partner Center did not confirm that it recorded the acceptance. Record it again in a moment." => tr!(said.acceptance_unconfirmed),
        "This subscription has ended and cannot be changed." => tr!(said.sub_ended),
        "The set-up on the publisher's site is not finished yet; the subscription can be changed once it is." => tr!(said.setup_unfinished),
        "Marketplace subscriptions cannot be suspended or renewed with other terms; change the quantity, the name, auto-renew or cancel within the window." => tr!(said.marketplace_limits),
        "Give a quantity from 1 to 100000." => tr!(said.quantity_range),
        "Reactivate the subscription before changing its quantity." => tr!(said.reactivate_first),
        "The subscription is already suspended." => tr!(said.already_suspended),
        "The subscription is not suspended." => tr!(said.not_suspended),
        "Give a name of 1 to 100 characters." => tr!(said.sub_name_100),
        "Give the reseller's Partner ID (its Microsoft Partner ID, up to 10 digits), or leave it empty to remove it." => tr!(said.partner_id_form),
        "No reseller Partner ID is on record." => tr!(said.no_partner_id),
        "Only new commerce subscriptions renew with another term or billing cycle." => tr!(said.nce_only_terms),
        "Choose a term of 1 month, 1 year or 3 years." => tr!(said.term_choice),
        "Choose monthly, annual or triennial billing." => tr!(said.cycle_choice),
        "A change at renewal needs a renewal: turn auto-renew on first." => tr!(said.renewal_needs_renew),
        "It already renews with this term, billing cycle and quantity." => tr!(said.already_renews),
        "No change is scheduled for renewal." => tr!(said.none_scheduled),
        "A decrease after the first 7 days is made at renewal, and this subscription does not renew: turn auto-renew on first." => tr!(said.decrease_at_renewal),
        "A finding is named customer/subscription/what." => tr!(said.finding_named),
        "A finding names a customer by its tenant id." => tr!(said.finding_customer),
        "A finding names a subscription by its id." => tr!(said.finding_sub),
        "A finding's change is import, cancel or a field of the history." => tr!(said.finding_change),
        "Choose succeeded, refused or failed." => tr!(said.outcome_choice),
        "Choose a job: sync, optimise, catalog-refresh or clean-up." => tr!(said.job_choice),
        "Choose change, order, discovered, gone, license or reconcile." => tr!(said.history_kind_choice),
        "Choose a change this page offers." => tr!(said.change_offered),
        "Use 1 to read Partner Center now." => tr!(said.read_now_1),
        "Choose at least one reduction." => tr!(said.one_reduction),
        "Approve at most 1,000 reductions at once." => tr!(said.reductions_1000),
        "Choose a client secret or a refresh token." => tr!(said.secret_or_token),
        "A notice is ticked (on) or not sent." => tr!(said.notice_tick),
        "Tick the box, or leave it." => tr!(said.tick_box),
        "Use 1 to compare now." => tr!(said.compare_now_1),
        "Choose at least one finding." => tr!(said.one_finding),
        "The acceptance is recorded and was sent to Partner Center." => tr!(said.acceptance_sent),
        "Partner Center did not answer for this customer. Try again in a moment." => tr!(said.pc_no_answer_customer),
        "The service plans are not in the form license=plan,plan." => tr!(said.plans_form),
        "A license's service plans were given twice." => tr!(said.plans_twice),
        "The file has no users: add a line per user under the header line." => tr!(said.no_users_file),
        "Nothing would change for the users chosen." => tr!(said.nothing_would_change),
        "Auto-increase saved." => tr!(said.auto_increase_saved),
        "nothing left to do" => tr!(said.nothing_left),
        "waiting for approval on the Optimisation page" => tr!(said.waiting_approval_only),
        "1 row of the file has a problem: correct the file and check it again." => tr!(said.rows_problem_one),
        "Set the user's location first: Microsoft needs it before licenses can be assigned." => {
            tr!(said.location_first)
        }
        "This user no longer exists in Partner Center." => tr!(said.user_gone_pc),
        "Partner Center has not confirmed this change yet. It may still have happened: check \
         before trying again." => tr!(said.not_confirmed_yet),
        "Auto-renew is already on." => tr!(said.auto_renew_on),
        "Auto-renew is already off." => tr!(said.auto_renew_off),
        "Enter the name (at most 64 characters)." => tr!(said.enter_name_64),
        "The order was not stored." => tr!(said.order_not_stored),
        "This order form was already used for another order; open Add subscription again." => tr!(said.order_form_used),
        "Use a two-letter country code such as US." => tr!(said.country_code_us),
        "Must be an http(s) URL." => tr!(said.http_url),
        "The partner's tenant id or domain is required." => tr!(said.tenant_required),
        "The application (client) id is required." => tr!(said.app_id_required),
        "The sandbox connection belongs to the built-in emulator and cannot be removed." => tr!(said.sandbox_kept),
        _ => return None,
    })
}

/// Messages with values: the English pattern (`{}` where a value goes) and the same in the
/// reader's language; a value that is itself a message is worded again.
const WITH_VALUES: &[(&str, Worded)] = &[
    ("A template holds at most {} licenses.", |v| { tr!(said.tpl_most, v0 = v[0]).to_string() }),
    ("A template named {} exists already: choose another name.", |v| { tr!(said.tpl_exists, v0 = v[0]).to_string() }),
    ("Give the state: {} addresses need one.", |v| { tr!(said.state_needed, v0 = v[0]).to_string() }),
    ("Given: {}.", |v| { tr!(said.given, v0 = v[0]).to_string() }),
    ("The tenant has no role named {}.", |v| { tr!(said.no_role_named, v0 = v[0]).to_string() }),
    ("The user name is also on line {}.", |v| { tr!(said.upn_also_on, v0 = v[0]).to_string() }),
    ("Unknown license \"{}\": use a product name from the licenses table, or its SKU id.", |v| { tr!(said.unknown_license, v0 = v[0]).to_string() }),
    ("Unknown role \"{}\".", |v| { tr!(said.unknown_role, v0 = v[0]).to_string() }),
    ("The user name is taken by another user in the tenant ({}).", |v| { tr!(said.upn_taken_by, v0 = v[0]).to_string() }),
    ("Does not hold {}: left as it is.", |v| { tr!(said.does_not_hold, v0 = v[0]).to_string() }),
    ("Template {}: not applied in full: {}", |v| { let v1 = message(v[1]); tr!(said.template_said, v0 = v[0], v1 = v1.as_str()).to_string() }),
    ("Template {}: {}", |v| { let v1 = message(v[1]); tr!(said.template_did, v0 = v[0], v1 = v1.as_str()).to_string() }),
    ("Grown first (kept): {}. The licenses were not given: {}", |v| { let v1 = message(v[1]); tr!(said.grown_kept, v0 = v[0], v1 = v1.as_str()).to_string() }),
    ("Stopped by an error: {}", |v| { let v0 = message(v[0]); tr!(said.stopped_error, v0 = v0.as_str()).to_string() }),
    ("Stopped: {}", |v| { let v0 = message(v[0]); tr!(said.stopped, v0 = v0.as_str()).to_string() }),
    ("{}; waiting for approval on the Optimisation page", |v| { let v0 = message(v[0]); tr!(said.waiting_approval, v0 = v0.as_str()).to_string() }),
    ("{}; grown first: {}", |v| { let v0 = message(v[0]); tr!(said.grown_first, v0 = v0.as_str(), v1 = v[1]).to_string() }),
    ("{} catalogs read again.", |v| { tr!(said.catalogs_again, v0 = v[0]).to_string() }),
    ("Partner Center refused the new customer: {}", |v| { tr!(said.refused_customer, v0 = v[0]).to_string() }),
    ("Partner Center refused the change: {}", |v| { tr!(said.refused_change, v0 = v[0]).to_string() }),
    ("At most {} users at once.", |v| { tr!(said.swap_most, v0 = v[0]).to_string() }),
    ("Created, but its licenses were not given: {}", |v| { let v0 = message(v[0]); tr!(said.created_no_licenses, v0 = v0.as_str()).to_string() }),
    ("Created, but its role was not set: {}", |v| { let v0 = message(v[0]); tr!(said.created_no_role, v0 = v0.as_str()).to_string() }),
    ("Choose at most {} findings at once.", |v| { tr!(said.findings_most, v0 = v[0]).to_string() }),
    ("Ordering for {} needs the customer's acceptance of the Microsoft Customer Agreement. Record it on this page first.", |v| { tr!(said.needs_acceptance, v0 = v[0]).to_string() }),
    ("Partner Center cannot sell this: {}", |v| { tr!(said.cannot_sell, v0 = v[0]).to_string() }),
    ("Partner Center did not place the order: {}", |v| { tr!(said.not_placed, v0 = v[0]).to_string() }),
    ("Partner Center refused the acceptance: {}", |v| { tr!(said.refused_acceptance, v0 = v[0]).to_string() }),
    ("Partner Center refused the order: {}", |v| { tr!(said.refused_order, v0 = v[0]).to_string() }),
    ("The quantity is already {}.", |v| { tr!(said.quantity_already, v0 = v[0]).to_string() }),
    ("This marketplace subscription's cancellation window has closed. Turn auto-renew off instead: it then ends{}.", |v| { tr!(said.cancel_window_closed, v0 = v[0]).to_string() }),
    ("New commerce subscriptions can be cancelled only within 7 days of purchase or renewal. Turn auto-renew off instead: the subscription then ends{}.", |v| { tr!(said.cancel_7_days, v0 = v[0]).to_string() }),
    ("The reseller Partner ID is already {}.", |v| { tr!(said.partner_id_already, v0 = v[0]).to_string() }),
    ("{} rows of the file have a problem: correct the file and check it again.", |v| { tr!(said.rows_problem, v0 = v[0]).to_string() }),
    ("{} of the users chosen cannot be changed: leave them out and check again.", |v| { tr!(said.users_cannot, v0 = v[0]).to_string() }),
    ("plans of {}", |v| { tr!(said.plans_of, v0 = v[0]).to_string() }),
    ("location {}", |v| { tr!(said.location_set, v0 = v[0]).to_string() }),
    ("role {} (unless held)", |v| { tr!(said.role_unless, v0 = v[0]).to_string() }),
    ("{} (not in this tenant: {})", |v| { let v0 = message(v[0]); tr!(said.not_in_tenant, v0 = v0.as_str(), v1 = v[1]).to_string() }),
    ("That {} is not valid: expected {}.", |v| { tr!(said.invalid_id, v0 = v[0], v1 = v[1]).to_string() }),
    ("There are no {} licenses left. Free one up or buy more, then try again.", |v| {
        tr!(said.no_licenses_left, v0 = v[0]).to_string()
    }),
    (
        "The user name {} is taken by another user now. Restore the user under another name.",
        |v| tr!(said.upn_taken_restore, v0 = v[0]).to_string(),
    ),
    ("The user name {} is taken by another user now.", |v| {
        tr!(said.upn_taken_now, v0 = v[0]).to_string()
    }),
    ("Partner Center refused: {}", |v| tr!(said.pc_refused, v0 = v[0]).to_string()),
    ("Partner Center does not sell this SKU billed {}.", |v| {
        tr!(said.not_sold_billed, v0 = v[0]).to_string()
    }),
    ("Use at least {} characters.", |v| {
        tr!(said.at_least_chars, v0 = v[0]).to_string()
    }),
    ("A reseller called {} already exists.", |v| {
        tr!(said.reseller_exists, v0 = v[0]).to_string()
    }),
    ("This customer is under the connection {}, which belongs to its reseller; it stays with that reseller.", |v| {
        tr!(said.stays_with_reseller, v0 = v[0]).to_string()
    }),
    ("A connection called {} already exists.", |v| {
        tr!(said.connection_exists, v0 = v[0]).to_string()
    }),
    ("No connection is called {}.", |v| {
        tr!(said.no_connection_called, v0 = v[0]).to_string()
    }),
    ("1 customer still uses {}: {}. Remove it from Seatwise first.", |v| {
        tr!(said.connection_used_one, v0 = v[0], v1 = v[1]).to_string()
    }),
    ("{} customers still use {}: {}. Remove them from Seatwise first.", |v| {
        tr!(said.connection_used_many, v0 = v[0], v1 = v[1], v2 = v[2]).to_string()
    }),
];

/// Messages of the service layer and the parsers, word for word.
fn catalogue(english: &str) -> Option<&'static str> {
    Some(match english {
        "That template is not yours to change." => tr!(messages.template_not_yours),
        "Use at most 100 characters." => tr!(messages.max_100),
        "This SKU is discontinued and can no longer be ordered." => tr!(messages.sku_discontinued),
        "Offer at least one billing cycle." => tr!(messages.one_cycle),
        "A customer admin account needs a customer." => tr!(messages.admin_needs_customer),
        "Choose reseller admin or customer admin." => tr!(messages.choose_admin_kind),
        "You cannot change your own role; ask another admin." => tr!(messages.own_role_ask),
        "You cannot disable your own account." => tr!(messages.own_account),
        "Many people are signing in; try again in a moment." => tr!(messages.busy),
        "That is not your current password." => tr!(messages.wrong_current),
        "Enter an address like name@example.com." => tr!(messages.email_like),
        "Give a name of at most 100 characters, without control characters." => tr!(messages.name_100),
        "An account with this address already exists." => tr!(messages.account_exists),
        "This address belongs to another account or is disabled." => tr!(messages.address_other),
        "This tenant is already imported." => tr!(messages.already_imported),
        "Enter the e-mail address of the person who accepted." => tr!(messages.acceptor_email),
        "Use digits, spaces and + - ( ) only." => tr!(messages.phone),
        "The date of acceptance cannot be in the future." => tr!(messages.future_date),
        "Use letters, digits, dots, hyphens or underscores before the @." => tr!(messages.local_part),
        "Choose one of the customer's domains." => tr!(messages.choose_domain),
        "Choose one of the roles listed." => tr!(messages.choose_role),
        "Nothing to change: switch a license or a service plan on or off first." => tr!(messages.nothing_to_change),
        "A license cannot be assigned and removed at once." => tr!(messages.assign_and_remove),
        "A license being removed has no service plans to set." => tr!(messages.removed_plans),
        "Service plans are set on a license the user has: give the license too." => tr!(messages.plans_need_license),
        "That service plan is not part of the license: open Manage Licenses again." => tr!(messages.plan_not_in_license),
        "Give a user name at one of the customer's domains, like ann.lee@contoso.com." => tr!(messages.user_name_domain),
        "Use at most 256 characters, without control characters." => tr!(messages.max_256),
        "Give an email address like ann@contoso.com, or leave it empty." => tr!(messages.notify_like),
        "This user name is taken. Choose another one." => tr!(messages.user_name_taken),
        "The password is too weak: use at least 8 characters with three of upper case, lower case, digits and symbols." => tr!(messages.weak_password),
        "Only the service provider's or a reseller's administrators keep plan templates." => tr!(messages.templates_who),
        "That plan template does not exist." => tr!(messages.no_template),
        "Choose licenses from the list (those your customers have)." => tr!(messages.choose_licenses),
        "A service plan chosen is not part of its license." => tr!(messages.plan_not_part),
        "This subscription is not among the customer's. Read the subscriptions again." => tr!(messages.not_customers_sub),
        "There is no default Partner Center connection." => tr!(messages.no_default),
        "Partner Center does not know this tenant." => tr!(messages.unknown_tenant),
        "A Partner ID (MPN ID) is made of digits only." => tr!(messages.partner_digits),
        "This job has already finished." => tr!(messages.job_finished),
        "Only a job that failed or was cancelled can be resumed." => tr!(messages.job_resume),
        "The customer's contact must accept the Microsoft Customer Agreement first." => tr!(messages.mca_first),
        "Choose one of the resellers." => tr!(messages.choose_reseller),
        "Enter a time of day as HH:MM (UTC)." => tr!(messages.time_of_day),
        "No imported customer has that id." => tr!(messages.no_customer_id),
        "Partner Center does not know this subscription. Read the subscriptions again." => tr!(messages.unknown_sub),
        "Give a two-letter country code such as US or GB." => tr!(messages.country_code),
        "You cannot change your own role." => tr!(messages.own_role),
        "You cannot manage this account or give this access." => tr!(messages.cannot_manage),
        "The file has no users: add a line per user under the header line." => tr!(messages.file_empty),
        "Nothing would change for the users chosen." => tr!(messages.nothing_for_users),
        "There is no such bulk job." => tr!(messages.no_bulk_job),
        "The file is too large (2 MB at most)." => tr!(messages.file_large),
        "Apply a template, or swap licenses: not both at once." => tr!(messages.template_or_swap),
        "Choose the license to take, the one to give, or both." => tr!(messages.take_or_give),
        "Choose another license to give." => tr!(messages.another_license),
        "Choose at least one user." => tr!(messages.one_user),
        "Enter a quantity from 1 to 100000." => tr!(messages.quantity_range),
        "Use at most 64 characters for the name." => tr!(messages.name_64),
        "This order is being placed now. Its outcome appears under Recent orders in a moment." => tr!(messages.order_in_progress),
        "This link is not valid any more (links work once, for 72 hours); ask for a new one." => tr!(messages.link_invalid),
        "Use 12 to 256 characters, without control characters." => tr!(messages.password_rule),
        "Your session has ended. Sign in again." => tr!(messages.session_ended),
        "Choose in Seatwise or outside." => tr!(messages.in_or_out),
        "Enter the date as YYYY-MM-DD." => tr!(messages.date_format),
        "Use at most 200 characters." => tr!(messages.max_200),
        "Choose live or cache." => tr!(messages.live_or_cache),
        "Choose on or off." => tr!(messages.on_or_off),
        "Give the quantity as a whole number." => tr!(messages.whole_quantity),
        "Choose a term and billing cycle from the list." => tr!(messages.term_from_list),
        "Choose Test or Add." => tr!(messages.test_or_add),
        "Choose the reseller." => tr!(messages.the_reseller),
        "Choose the customer." => tr!(messages.the_customer),
        "Choose preview or apply." => tr!(messages.preview_or_apply),
        "Open Add subscription again." => tr!(messages.open_add_again),
        "Choose a product from the list." => tr!(messages.product_from_list),
        "Enter a whole number of licenses." => tr!(messages.whole_licenses),
        "This SKU is not in the catalog." => tr!(messages.sku_not_in_catalog),
        "This link was just used." => tr!(messages.link_just_used),
        "This account is disabled." => tr!(messages.account_disabled),
        "Give the reseller a name of at most 100 characters." => tr!(messages.reseller_name),
        "No such reseller." => tr!(messages.no_reseller),
        "No such customer." => tr!(messages.no_customer),
        "Give the client secret or refresh token (at most 8192 characters)." => tr!(messages.secret_size),
        "Give the connection a name of at most 100 characters." => tr!(messages.connection_name),
        "That connection no longer exists." => tr!(messages.connection_gone),
        "The sandbox makes its own secret each time it starts." => tr!(messages.sandbox_secret),
        "Only the service provider's or the reseller's administrators set auto-increase." => tr!(messages.auto_increase_who),
        "A reseller creates customers for itself only." => tr!(messages.reseller_own),
        "Only the service provider or the reseller changes the partner on record." => tr!(messages.partner_who),
        "There is no such connection." => tr!(messages.no_connection),
        "Choose commercial, education, government or nonprofit." => tr!(messages.segment),
        "That name is taken." => tr!(messages.name_taken),
        "That name is taken" => tr!(messages.name_taken_bare),
        "A job is named by its id." => tr!(messages.job_id),
        "The account that asked for this job can no longer sign in." => tr!(messages.job_account),
        "First name is required." => tr!(messages.first_required),
        "First name cannot contain control characters." => tr!(messages.first_control),
        "First name can be at most 64 characters." => tr!(messages.first_64),
        "Last name is required." => tr!(messages.last_required),
        "Last name cannot contain control characters." => tr!(messages.last_control),
        "Last name can be at most 64 characters." => tr!(messages.last_64),
        "Display name is required." => tr!(messages.display_required),
        "Display name cannot contain control characters." => tr!(messages.display_control),
        "Display name can be at most 64 characters." => tr!(messages.display_64),
        "Choose a country (a two-letter code such as US or DE)." => tr!(messages.choose_country),
        "Partner Center is not answering right now. Please try again in a moment." => {
            tr!(errors.unavailable_pc)
        }
        "The database is not answering right now. Please try again in a moment." => {
            tr!(errors.unavailable_db)
        }
        _ => return None,
    })
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;
    use leptos::prelude::{provide_context, Owner};

    /// Runs `f` as a request in `locale` would.
    fn in_locale<T>(locale: Locale, f: impl FnOnce() -> T) -> T {
        let owner = Owner::new();
        owner.with(|| {
            provide_context(super::super::RequestLocale(locale));
            f()
        })
    }

    #[test]
    fn a_pattern_gives_its_values_or_nothing() {
        assert_eq!(
            values(
                "Partner Center refused the order: {}",
                "Partner Center refused the order: no"
            ),
            Some(vec!["no"])
        );
        assert_eq!(
            values("Template {}: {}", "Template Staff: Given: E3."),
            Some(vec!["Staff", "Given: E3."])
        );
        assert_eq!(
            values("{} catalogs read again.", "3 catalogs read again."),
            Some(vec!["3"])
        );
        assert_eq!(
            values("{} catalogs read again.", " catalogs read again."),
            None
        );
        assert_eq!(values("Given: {}.", "Given: E3"), None);
        assert_eq!(values("Given: {}.", "Taken: E3."), None);
        assert_eq!(values("Nothing to do.", "Nothing to do. Or more."), None);
        assert_eq!(values("Nothing to do.", "Nothing to do."), Some(vec![]));
    }

    #[test]
    fn every_pattern_is_worded_and_none_hides_another() {
        in_locale(Locale::fr, || {
            for (pattern, words) in WITH_VALUES {
                let sample = pattern.replace("{}", "Stopped before it started.");
                let first = WITH_VALUES
                    .iter()
                    .find(|(p, _)| values(p, &sample).is_some())
                    .map(|(p, _)| *p);
                assert_eq!(
                    first,
                    Some(*pattern),
                    "{sample} is taken by another pattern"
                );
                let french = message(&sample);
                assert_eq!(french, words(&values(pattern, &sample).unwrap()));
                assert_ne!(french, sample, "{pattern} has no French");
            }
        });
    }

    #[test]
    fn the_domain_s_words_in_french() {
        in_locale(Locale::fr, || {
            assert_eq!(
                message("Choose at least one license."),
                "Choisissez au moins une licence."
            );
            assert_eq!(
                message("Partner Center refused the order: InvalidQuantity"),
                "Partner Center a refusé la commande : InvalidQuantity"
            );
            // A job stopped by a failing message: both worded.
            assert_eq!(
                message("Stopped by an error: Stopped before it started."),
                "Arrêté par une erreur : Arrêté avant de commencer."
            );
            // Counts take the singular or the plural as French does (0 and 1 singular).
            assert_eq!(
                message("Stopped: 1 customers, 0 subscriptions seen, 2 changes recorded, 0 errors"),
                "Arrêté : 1 client, 0 abonnement vu, 2 changements enregistrés, 0 erreur"
            );
            assert_eq!(
                message("3 created, 1 failed; grown first: Office 365 E3 +2"),
                "3 créé, 1 échec ; augmentés d'abord : Office 365 E3 +2"
            );
            assert_eq!(
                message("Not enough licenses: 2 more Office 365 E3 licenses, 1 more Teams license are needed. Free some, buy more, or turn auto-increase on for the subscription."),
                "Pas assez de licences : il en faut 2 licences Office 365 E3 de plus, 1 licence Teams de plus. Libérez-en, achetez-en, ou activez l'augmentation automatique de l'abonnement."
            );
            assert_eq!(
                message("Give the postal code."),
                "Champ obligatoire : code postal."
            );
            assert_eq!(
                messages("+ Office 365 E3; role User Administrator (unless held) (not in this tenant: Visio)", "; "),
                "+ Office 365 E3; rôle User Administrator (s'il ne l'a pas déjà) (absent de ce tenant : Visio)"
            );
            // What the history keeps.
            assert_eq!(
                message("Partner Center (outside Seatwise)"),
                "Partner Center (hors de Seatwise)"
            );
            assert_eq!(
                summary("7 × Office 365 E3, Plan 1, P1Y monthly, active"),
                "7 × Office 365 E3, Plan 1, 1 an, mensuel, actif"
            );
            assert_eq!(
                summary("3 × Premium (1 year, billed annually)"),
                "3 × Premium (1 an, facturé annuellement)"
            );
            assert_eq!(value("auto_renew", "false"), "désactivé");
            assert_eq!(value("quantity", "12"), "12");
            assert_eq!(
                next_term("5 licenses, a 3 years term, billed monthly"),
                "5 licences, une durée de 3 ans, facturé mensuellement"
            );
            assert_eq!(
                license_change("+1 ann@contoso.com (assign)"),
                "+1 ann@contoso.com (attribution)"
            );
            assert_eq!(
                directory_role("User Administrator"),
                "Administrateur d'utilisateurs"
            );
            assert_eq!(directory_role("Fabrikam Auditor"), "Fabrikam Auditor");
            // One it does not know stays as it is.
            assert_eq!(message("Something new."), "Something new.");
        });
    }

    #[test]
    fn english_stays_as_the_domain_words_it() {
        in_locale(Locale::en, || {
            for text in [
                "Partner Center refused the order: no",
                "3 created, 1 failed",
                "7 × Office 365 E3, P1Y monthly, active",
            ] {
                assert_eq!(message(text), text);
                assert_eq!(summary(text), text);
            }
            assert_eq!(value("auto_renew", "false"), "false");
            assert_eq!(directory_role("User Administrator"), "User Administrator");
            assert_eq!(
                license_change("-1 ann@contoso.com (remove)"),
                "-1 ann@contoso.com (remove)"
            );
        });
    }
}
