//! The language of a page and of a server function's answer: the account's choice, else the
//! browser's (`Accept-Language`), else English; and numbers and dates the way its readers
//! write them. The words themselves are in `locales/` (see [`crate::i18n`]); the domain's
//! English messages and stored text are worded in the reader's language in `messages.rs`.

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

mod messages;
pub use messages::{
    directory_role, license_change, message, messages, next_term, outcome_words, reason,
    shown_value, summary, value,
};

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
