//! The language of a page and of a server function's answer: the account's choice, else the
//! browser's (`Accept-Language`), else English; and numbers and dates the way its readers
//! write them. The words themselves are in `locales/` (see [`crate::i18n`]).

use leptos_use::UseLocalesOptions;

use crate::i18n::Locale;

/// Words known before the language is: a name in a table of pages, countries, areas.
pub type Words = fn(Locale) -> &'static str;

/// For the translations' provider: on the server, the signed-in account's language comes
/// before the browser's; in the browser the page keeps the language the server chose (its
/// `<html lang>`).
pub fn provider_options() -> UseLocalesOptions {
    UseLocalesOptions::default().ssr_lang_header_getter(accept_language)
}

#[cfg(feature = "ssr")]
fn accept_language() -> Option<String> {
    if let Some(language) = crate::auth::principal().and_then(|p| p.language) {
        return Some(language.code().to_owned());
    }
    let parts = leptos::prelude::use_context::<http::request::Parts>()?;
    let header = parts
        .headers
        .get(http::header::ACCEPT_LANGUAGE)?
        .to_str()
        .ok()?;
    // Only the languages Seatwise speaks, so an unknown first choice falls to English.
    domain::language::Language::from_accept_language(header).map(|l| l.code().to_owned())
}

#[cfg(not(feature = "ssr"))]
fn accept_language() -> Option<String> {
    None
}

/// This request's language, worked out once per request ([`remember_request_locale`]).
#[cfg(feature = "ssr")]
#[derive(Clone, Copy)]
struct RequestLocale(Locale);

/// For the server, at the start of every request (pages and server functions): works out its
/// language once, so each of a page's many words does not read the session and headers again.
#[cfg(feature = "ssr")]
pub fn remember_request_locale() {
    let locale = accept_language()
        .and_then(|code| code.parse().ok())
        .unwrap_or_default();
    leptos::prelude::provide_context(RequestLocale(locale));
}

/// The language of this request (server) or of this page (browser), for what is worded
/// outside a component: errors, e-mails, formatted values.
pub fn current() -> Locale {
    #[cfg(feature = "ssr")]
    {
        match leptos::prelude::use_context::<RequestLocale>() {
            Some(RequestLocale(locale)) => locale,
            None => accept_language()
                .and_then(|code| code.parse().ok())
                .unwrap_or_default(),
        }
    }
    #[cfg(not(feature = "ssr"))]
    {
        page_locale()
    }
}

/// Words from `locales/` in the [`current`] language: `tr!(users.title)`, or with values,
/// `tr!(users.count, count = n)` (a `String` then).
macro_rules! tr {
    ($($key:tt)*) => {
        $crate::i18n::td_string!($crate::language::current(), $($key)*)
    };
}

/// A role's name in the [`current`] language (the domain names roles, for mails too).
#[cfg(feature = "ssr")]
pub fn role_label(role: domain::access::Role) -> &'static str {
    role.label_in(domain_current())
}

/// What an e-mail notice is about, in the [`current`] language.
#[cfg(feature = "ssr")]
pub fn notice_label(notice: domain::notifications::Notice) -> &'static str {
    use domain::notifications::Notice;
    match notice {
        Notice::Subscription => tr!(notices.subscription),
        Notice::Optimisation => tr!(notices.optimisation),
        Notice::Renewal => tr!(notices.renewal),
        Notice::JobFailed => tr!(notices.job_failed),
    }
}

/// [`tr!`] of the singular or the plural key as `n` asks in the [`current`] language:
/// `tr_n!(n, users.count_single | users.count_many, count = n)`, a `String`.
macro_rules! tr_n {
    ($n:expr, $($one:ident).+ | $($many:ident).+ $(, $($arg:tt)*)?) => {
        if $crate::language::singular($crate::language::current(), $n as i64) {
            tr!($($one).+ $(, $($arg)*)?).to_string()
        } else {
            tr!($($many).+ $(, $($arg)*)?).to_string()
        }
    };
}

#[cfg(not(feature = "ssr"))]
fn page_locale() -> Locale {
    #[cfg(feature = "hydrate")]
    {
        // A page keeps its language: changing it loads the page again.
        static PAGE: std::sync::OnceLock<Locale> = std::sync::OnceLock::new();
        *PAGE.get_or_init(|| {
            web_sys::window()
                .and_then(|w| w.document())
                .and_then(|d| d.document_element())
                .and_then(|e| e.get_attribute("lang"))
                .and_then(|lang| lang.parse().ok())
                .unwrap_or_default()
        })
    }
    #[cfg(not(feature = "hydrate"))]
    {
        Locale::default()
    }
}

/// Whether `n` takes the singular: English says "1 license" but "0 licenses", French says
/// "0 licence" and "1 licence".
pub fn singular(locale: Locale, n: i64) -> bool {
    match locale {
        Locale::en => n == 1,
        Locale::fr => n == 0 || n == 1,
    }
}

/// A whole number with its thousands grouped: `12,345` in English, `12 345` in French (a
/// narrow no-break space).
pub fn number(locale: Locale, n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let separator = match locale {
        Locale::en => ",",
        Locale::fr => "\u{202f}",
    };
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push_str(separator);
        }
        out.push(c);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// A subscription's term (`P1M`, `P1Y`, `P3Y`) in the [`current`] language.
pub fn term(term: &str) -> String {
    match term {
        "P1M" => tr!(words.p1m).to_owned(),
        "P1Y" => tr!(words.p1y).to_owned(),
        "P3Y" => tr!(words.p3y).to_owned(),
        other => other.to_owned(),
    }
}

/// "1 year, billed annually" in the [`current`] language.
pub fn term_billed(term: &str, cycle: &str) -> String {
    let (term, cycle) = (self::term(term), crate::pages::catalog::billed(cycle));
    tr!(words.term_billed, term = term.as_str(), cycle).to_string()
}

/// A job's kind in the [`current`] language (the domain names kinds, for mails too).
#[cfg(feature = "ssr")]
pub fn job_words(kind: domain::jobs::JobKind) -> &'static str {
    kind.words_in(domain_current())
}

/// A subscription field a history entry names (`quantity`, `auto_renew`) in the [`current`]
/// language; one it does not know as it is, with spaces.
pub fn field(field: &str) -> String {
    match field {
        "quantity" => tr!(words.f_quantity).to_owned(),
        "status" => tr!(words.f_status).to_owned(),
        "auto_renew" => tr!(words.f_auto_renew).to_owned(),
        "friendly_name" => tr!(words.f_friendly_name).to_owned(),
        "next_term" => tr!(words.f_next_term).to_owned(),
        "partner_id" => tr!(words.f_partner_id).to_owned(),
        other => other.replace('_', " "),
    }
}

/// A message of the domain (its words are English, keyed here by their text as gettext keys
/// by its source strings) in the [`current`] language; one without a translation stays as it
/// is.
#[cfg(feature = "ssr")]
pub fn message(english: &str) -> String {
    if current() == Locale::en {
        return english.to_owned();
    }
    match english {
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
        _ => return english.to_owned(),
    }
    .to_owned()
}

/// The [`current`] language as the domain names it.
#[cfg(feature = "ssr")]
pub fn domain_current() -> domain::language::Language {
    match current() {
        Locale::en => domain::language::Language::English,
        Locale::fr => domain::language::Language::French,
    }
}

/// A date or date and time as Seatwise writes it (`2026-11-30 14:05 UTC`) the way the
/// [`current`] language's readers write dates (`30/11/2026 14:05 UTC` in French).
#[cfg(feature = "ssr")]
pub fn date(value: &str) -> String {
    domain_current().date(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_as_each_reader_writes_them() {
        assert_eq!(number(Locale::en, 1234567), "1,234,567");
        assert_eq!(number(Locale::fr, 1234567), "1\u{202f}234\u{202f}567");
        assert_eq!(number(Locale::fr, -1000), "-1\u{202f}000");
        assert_eq!(number(Locale::en, 999), "999");
        assert!(singular(Locale::fr, 0) && !singular(Locale::en, 0));
        assert!(singular(Locale::en, 1) && !singular(Locale::fr, 2));
    }
}
