//! The e-mails Seatwise writes, each in its reader's language: an account's notices in the
//! language the account chose (English when it chose none), a mail someone's action sends in
//! that person's language. Every mail has an English and a French text; a mail without one
//! does not compile (the domain has no Leptos, so its words live here rather than in the
//! interface's translation files).

use crate::{access::Role, jobs::JobKind, language::Language};

/// A mail's subject and body.
#[derive(Debug, Clone, PartialEq)]
pub struct Letter {
    pub subject: String,
    pub body: String,
}

/// What a mail tells, with the values it names.
#[derive(Debug, Clone, PartialEq)]
pub enum Mail<'a> {
    /// A Microsoft 365 user's password was set (created or reset), sent where the admin chose.
    PasswordSet {
        upn: &'a str,
        company: &'a str,
        password: &'a str,
        force_change: bool,
    },
    /// A new portal account chooses its password.
    Invitation {
        name: &'a str,
        role: Role,
        email: &'a str,
        link: &'a str,
    },
    /// A new customer tenant's first administrator.
    TenantReady {
        company: &'a str,
        domain: &'a str,
        admin_user: &'a str,
        admin_password: &'a str,
    },
    /// A subscription was ordered or changed; `by` names who did it through Seatwise (`None`:
    /// found changed in Partner Center); `lines` say what changed.
    SubscriptionNews {
        company: &'a str,
        product: &'a str,
        subscription: &'a str,
        ordered: bool,
        by: Option<&'a str>,
        lines: &'a [String],
    },
    /// A subscription ends on `day` (`YYYY-MM-DD`) with auto-renew off.
    RenewalDue {
        company: &'a str,
        product: &'a str,
        subscription: &'a str,
        day: &'a str,
    },
    /// A job failed (`kind` when it is one Seatwise knows, else `raw_kind`).
    JobFailed {
        kind: Option<JobKind>,
        raw_kind: &'a str,
        by: &'a str,
        summary: &'a str,
    },
    /// The nightly optimisation planned reductions: (company, subscriptions to reduce).
    OptimisationWaiting { customers: &'a [(String, usize)] },
}

impl Mail<'_> {
    /// Whether the mail is a notice an account chose (it then ends with how to stop it).
    fn is_notice(&self) -> bool {
        matches!(
            self,
            Mail::SubscriptionNews { .. }
                | Mail::RenewalDue { .. }
                | Mail::JobFailed { .. }
                | Mail::OptimisationWaiting { .. }
        )
    }

    pub fn letter(&self, language: Language) -> Letter {
        let (subject, mut body) = self.texts(language);
        if self.is_notice() {
            body.push_str(match language {
                Language::English => {
                    "\nYou receive this because you chose it on your account page in Seatwise \
                         (My account); untick it there to stop these mails.\n"
                }
                Language::French => {
                    "\nVous recevez ce message parce que vous l'avez choisi sur la page de votre \
                         compte dans Seatwise (Mon compte) ; décochez-le pour ne plus recevoir ces \
                         e-mails.\n"
                }
            });
        }
        Letter { subject, body }
    }

    /// The subject and body in `language`, each mail's two texts side by side.
    fn texts(&self, language: Language) -> (String, String) {
        match *self {
                Mail::PasswordSet {
                    upn,
                    company,
                    password,
                    force_change,
                } => match language {
                    Language::English => (
                        format!("Your Microsoft 365 password for {upn}"),
                        format!(
                            "Hello,\n\nThe password of the Microsoft 365 account {upn} ({company}) was set.\n\n\
                             User name: {upn}\nPassword: {password}\n\n{}\n\nSign in at https://portal.office.com.\n",
                            if force_change {
                                "You will be asked to choose a new password when you sign in."
                            } else {
                                "Keep it safe."
                            }
                        ),
                    ),
                    Language::French => (
                        format!("Votre mot de passe Microsoft 365 pour {upn}"),
                        format!(
                            "Bonjour,\n\nLe mot de passe du compte Microsoft 365 {upn} ({company}) a été défini.\n\n\
                             Nom d'utilisateur : {upn}\nMot de passe : {password}\n\n{}\n\n\
                             Connectez-vous sur https://portal.office.com.\n",
                            if force_change {
                                "Il vous sera demandé de choisir un nouveau mot de passe à la connexion."
                            } else {
                                "Conservez-le en lieu sûr."
                            }
                        ),
                    ),
                }
            Mail::Invitation {
                name,
                role,
                email,
                link,
            } => match language {
                Language::English => (
                    "Your Seatwise account: choose a password".to_owned(),
                    format!(
                        "Hello {name},\n\nYou have a Seatwise account ({}) for {email}.\n\n\
                         Choose your password here (the link works once, for 72 hours):\n{link}\n",
                        role.label()
                    ),
                ),
                Language::French => (
                    "Votre compte Seatwise : choisissez un mot de passe".to_owned(),
                    format!(
                        "Bonjour {name},\n\nVous avez un compte Seatwise ({}) pour {email}.\n\n\
                         Choisissez votre mot de passe ici (le lien fonctionne une fois, pendant 72 heures) :\n{link}\n",
                        role.label_in(Language::French)
                    ),
                ),
            },
            Mail::TenantReady {
                company,
                domain,
                admin_user,
                admin_password,
            } => match language {
                Language::English => (
                    format!("Your Microsoft 365 tenant {domain}"),
                    format!(
                        "Hello,\n\nThe Microsoft 365 tenant of {company} is ready.\n\nDomain: {domain}\n\
                         Global administrator: {admin_user}\nPassword: {admin_password}\n\n\
                         You will be asked to choose a new password when you sign in at \
                         https://portal.office.com.\n"
                    ),
                ),
                Language::French => (
                    format!("Votre tenant Microsoft 365 {domain}"),
                    format!(
                        "Bonjour,\n\nLe tenant Microsoft 365 de {company} est prêt.\n\nDomaine : {domain}\n\
                         Administrateur général : {admin_user}\nMot de passe : {admin_password}\n\n\
                         Il vous sera demandé de choisir un nouveau mot de passe lors de votre connexion \
                         sur https://portal.office.com.\n"
                    ),
                ),
            },
            Mail::SubscriptionNews {
                company,
                product,
                subscription,
                ordered,
                by,
                lines,
            } => match language {
                Language::English => {
                    let what = if ordered { "ordered" } else { "changed" };
                    let by = match by {
                        Some(actor) => format!("by {actor} through Seatwise"),
                        None => "outside Seatwise (found in Partner Center)".to_owned(),
                    };
                    (
                        format!("{company}: {product} {what}"),
                        format!(
                            "{product} of {company} (subscription {subscription}) was {what} {by}:\n{}",
                            list(lines)
                        ),
                    )
                }
                Language::French => {
                    let what = if ordered { "commandé" } else { "modifié" };
                    let by = match by {
                        Some(actor) => format!("par {actor} via Seatwise"),
                        None => "hors de Seatwise (constaté dans Partner Center)".to_owned(),
                    };
                    (
                        format!("{company} : {product} {what}"),
                        format!(
                            "{product} de {company} (abonnement {subscription}) a été {what} {by} :\n{}",
                            list(lines)
                        ),
                    )
                }
            },
            Mail::RenewalDue {
                company,
                product,
                subscription,
                day,
            } => match language {
                Language::English => (
                    format!("{company}: {product} ends on {day} (auto-renew is off)"),
                    format!(
                        "{product} of {company} (subscription {subscription}) ends on {day} and will \
                         not renew by itself: auto-renew is off. Turn auto-renew on, or order what \
                         replaces it, on the subscription's page in Seatwise before then.\n"
                    ),
                ),
                Language::French => {
                    let day = Language::French.date(day);
                    (
                        format!(
                            "{company} : {product} prend fin le {day} (renouvellement automatique désactivé)"
                        ),
                        format!(
                            "{product} de {company} (abonnement {subscription}) prend fin le {day} et ne \
                             se renouvellera pas de lui-même : le renouvellement automatique est désactivé. \
                             Activez-le, ou commandez ce qui le remplace, sur la page de l'abonnement dans \
                             Seatwise avant cette date.\n"
                        ),
                    )
                }
            },
            Mail::JobFailed {
                kind,
                raw_kind,
                by,
                summary,
            } => match language {
                Language::English => {
                    let what: &str = kind.map_or(raw_kind, |k| k.words());
                    (
                        format!("Seatwise job failed: {what}"),
                        format!(
                            "The job \"{what}\" (requested by {by}) failed: {summary}\n\
                             The Jobs page in Seatwise shows what it did; it can be run again from there.\n"
                        ),
                    )
                }
                Language::French => {
                    let what: &str = kind.map_or(raw_kind, |k| k.words_in(Language::French));
                    (
                        format!("Échec d'une tâche Seatwise : {what}"),
                        format!(
                            "La tâche « {what} » (demandée par {by}) a échoué : {summary}\n\
                             La page Tâches de Seatwise montre ce qu'elle a fait ; elle peut y être relancée.\n"
                        ),
                    )
                }
            },
            Mail::OptimisationWaiting { customers } => match language {
                Language::English => (
                    format!(
                        "License optimisation waits for approval ({} customer(s))",
                        customers.len()
                    ),
                    format!(
                        "Tonight's license optimisation found licenses to give back; nothing is \
                         changed until you approve it on the Optimisation page in Seatwise.\n{}",
                        customers
                            .iter()
                            .map(|(c, n)| format!("- {c}: {n} subscription(s) to reduce\n"))
                            .collect::<String>()
                    ),
                ),
                Language::French => (
                    format!(
                        "L'optimisation des licences attend une approbation ({} client(s))",
                        customers.len()
                    ),
                    format!(
                        "L'optimisation des licences de cette nuit a trouvé des licences à rendre ; rien \
                         ne change avant votre approbation sur la page Optimisation de Seatwise.\n{}",
                        customers
                            .iter()
                            .map(|(c, n)| format!("- {c} : {n} abonnement(s) à réduire\n"))
                            .collect::<String>()
                    ),
                ),
            },
        }
    }
}

fn list(lines: &[String]) -> String {
    lines.iter().map(|l| format!("- {l}\n")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_mail_reads_in_each_language_and_notices_say_how_to_stop() {
        let lines = ["quantity: 5 → 6".to_owned()];
        let customers = [("Contoso Ltd".to_owned(), 2)];
        let mails = [
            Mail::PasswordSet {
                upn: "ann@contoso.com",
                company: "Contoso",
                password: "pw",
                force_change: true,
            },
            Mail::Invitation {
                name: "Ann",
                role: Role::CustomerAdmin,
                email: "ann@contoso.com",
                link: "https://x/set-password?token=t",
            },
            Mail::TenantReady {
                company: "Contoso",
                domain: "contoso.onmicrosoft.com",
                admin_user: "admin@contoso.onmicrosoft.com",
                admin_password: "pw",
            },
            Mail::SubscriptionNews {
                company: "Contoso",
                product: "Office 365 E3",
                subscription: "s1",
                ordered: false,
                by: Some("it@contoso.demo"),
                lines: &lines,
            },
            Mail::RenewalDue {
                company: "Contoso",
                product: "Office 365 E3",
                subscription: "s1",
                day: "2026-12-05",
            },
            Mail::JobFailed {
                kind: Some(JobKind::Sync),
                raw_kind: "sync",
                by: "nightly",
                summary: "Partner Center did not answer",
            },
            Mail::OptimisationWaiting {
                customers: &customers,
            },
        ];
        for mail in &mails {
            let en = mail.letter(Language::English);
            let fr = mail.letter(Language::French);
            assert_ne!(en.subject, fr.subject, "{mail:?}");
            assert_ne!(en.body, fr.body, "{mail:?}");
            assert_eq!(en.body.contains("untick it there"), mail.is_notice());
            assert_eq!(fr.body.contains("décochez-le"), mail.is_notice());
        }
        // Values are named in both, dates as each reader writes them.
        let renewal = mails[4].letter(Language::French);
        assert!(
            renewal.subject.contains("05/12/2026"),
            "{}",
            renewal.subject
        );
        assert!(mails[4]
            .letter(Language::English)
            .subject
            .contains("2026-12-05"));
        assert!(mails[0]
            .letter(Language::French)
            .body
            .contains("ann@contoso.com"));
        assert!(mails[3]
            .letter(Language::French)
            .body
            .contains("quantity: 5 → 6"));
    }
}
