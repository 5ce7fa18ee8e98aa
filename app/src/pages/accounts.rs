//! Portal accounts: the administrators' page (invite, change access, disable), every person's
//! own account page (password), and the page an invitation link opens.

use crate::urls::use_query_map;
use leptos::prelude::*;

use crate::{
    components::{error_panel::ErrorPanel, inline_details::InlineDetails, page_header::PageHeader},
    serverfns::accounts::{
        accounts, my_notices, AccountItem, AccountsPage, ChangePassword, InviteAccount,
        ResendInvitation, SaveMyLanguage, SaveMyNotices, SetAccountDisabled, UpdateAccount,
    },
};

#[component]
pub fn Accounts() -> impl IntoView {
    let invite = ServerAction::<InviteAccount>::new();
    let update = ServerAction::<UpdateAccount>::new();
    let disable = ServerAction::<SetAccountDisabled>::new();
    let resend = ServerAction::<ResendInvitation>::new();
    let page = crate::page_data::load(
        move || {
            (
                invite.version().get(),
                update.version().get(),
                disable.version().get(),
                resend.version().get(),
            )
        },
        |_| accounts(),
    );
    let failure = move || {
        invite
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| update.value().get().and_then(Result::err))
            .or_else(|| disable.value().get().and_then(Result::err))
            .or_else(|| resend.value().get().and_then(Result::err))
            .map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })
    };
    let sent = move || {
        (invite.value().get().is_some_and(|r| r.is_ok())
            || resend.value().get().is_some_and(|r| r.is_ok()))
        .then(|| {
            view! {
                <div class="alert alert-info" role="status">
                    {tr!(p_accounts.the_set_password_link_is)}
                </div>
            }
        })
    };
    view! {
        <PageHeader
            title=tr!(p_accounts.accounts)
            subtitle=tr!(p_accounts.who_can_sign_in_to)
        />
        {failure}
        {sent}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_accounts.loading_accounts)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || {
                    page.get()
                        .map(|r| r.map(|p| view! {
                            {invite_form(&p, invite)}
                            {account_table(p, update, disable, resend)}
                        }))
                }}
            </ErrorBoundary>
        </Transition>
    }
}

/// The reseller and customer choices, grouped; the role decides which one applies.
fn scope_options(page: &AccountsPage, current: Option<String>) -> AnyView {
    let option = |(id, name): &(String, String)| {
        let selected = current.as_deref() == Some(id.as_str());
        view! { <option value=id.clone() selected=selected>{name.clone()}</option> }
    };
    let resellers = page.resellers.iter().map(option).collect_view();
    let customers = page.customers.iter().map(option).collect_view();
    // Only the service provider admin can make staff accounts, which have no scope.
    let staff = page.roles.iter().any(|(r, _)| r == "sp_admin");
    view! {
        {staff.then(|| view! { <option value="" selected=current.is_none()>{tr!(p_accounts.none_staff)}</option> })}
        <optgroup label=tr!(p_accounts.resellers_for_reseller_admins)>{resellers}</optgroup>
        <optgroup label=tr!(p_accounts.customers_for_customer_admins)>{customers}</optgroup>
    }
    .into_any()
}

fn role_options(page: &AccountsPage, current: &str) -> AnyView {
    page.roles
        .iter()
        .map(|(value, label)| {
            view! { <option value=value.clone() selected=value == current>{label.clone()}</option> }
        })
        .collect_view()
        .into_any()
}

fn invite_form(page: &AccountsPage, invite: ServerAction<InviteAccount>) -> impl IntoView {
    let first_role = page.roles.first().map(|r| r.0.clone()).unwrap_or_default();
    let roles = role_options(page, &first_role);
    let scopes = scope_options(page, None);
    view! {
        <section class="card" aria-labelledby="invite-title">
            <h2 class="card-title" id="invite-title">{tr!(p_accounts.invite_someone)}</h2>
            <ActionForm action=invite attr:class="filters invite-form">
                <div class="field">
                    <label for="invite-email">{tr!(p_accounts.email_address)}</label>
                    <input class="input" id="invite-email" name="email" type="email" required maxlength="254" />
                </div>
                <div class="field">
                    <label for="invite-name">{tr!(p_accounts.name)}</label>
                    <input class="input" id="invite-name" name="display_name" required maxlength="100" />
                </div>
                <div class="field">
                    <label for="invite-role">{tr!(p_accounts.role)}</label>
                    <select class="select" id="invite-role" name="role">{roles}</select>
                </div>
                <div class="field">
                    <label for="invite-scope">{tr!(p_accounts.reseller_or_customer)}</label>
                    <select class="select" id="invite-scope" name="scope_id">{scopes}</select>
                </div>
                <button type="submit" class="button button-primary">{tr!(p_accounts.send_invitation)}</button>
            </ActionForm>
        </section>
    }
}

fn status(a: &AccountItem) -> (&'static str, &'static str) {
    if a.disabled {
        ("badge badge-danger", tr!(p_accounts.disabled_badge))
    } else if !a.has_password {
        ("badge badge-warning", tr!(p_accounts.no_password))
    } else {
        ("badge badge-success", tr!(p_accounts.active_badge))
    }
}

fn account_table(
    page: AccountsPage,
    update: ServerAction<UpdateAccount>,
    disable: ServerAction<SetAccountDisabled>,
    resend: ServerAction<ResendInvitation>,
) -> impl IntoView {
    let rows = page
        .accounts
        .iter()
        .map(|a| {
            let (badge, label) = status(a);
            let actions = if a.me {
                view! { <span class="muted">{tr!(p_accounts.you)}</span> }.into_any()
            } else {
                row_actions(&page, a, update, disable, resend).into_any()
            };
            view! {
                <tr class:row-muted=a.disabled>
                    <td>
                        {a.display_name.clone()}
                        <div class="muted small">{a.email.clone()}</div>
                    </td>
                    <td>
                        {a.role_label.clone()}
                        <div class="muted small">{a.scope_name.clone().unwrap_or_default()}</div>
                    </td>
                    <td><span class=badge>{label}</span></td>
                    <td>{actions}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card card-flush card-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_accounts.name)}</th>
                        <th scope="col">{tr!(p_accounts.role)}</th>
                        <th scope="col">{tr!(p_accounts.status)}</th>
                        <th scope="col">{tr!(p_accounts.actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

/// Change access, disable or enable, and resend the set-password link.
fn row_actions(
    page: &AccountsPage,
    a: &AccountItem,
    update: ServerAction<UpdateAccount>,
    disable: ServerAction<SetAccountDisabled>,
    resend: ServerAction<ResendInvitation>,
) -> impl IntoView {
    let who = a.email.as_str();
    let access_label = tr!(p_accounts.change_access_of, who).to_string();
    let toggle_label = if a.disabled {
        tr!(p_accounts.enable_who, who).to_string()
    } else {
        tr!(p_accounts.disable_who, who).to_string()
    };
    let toggle_text = if a.disabled {
        tr!(p_accounts.enable)
    } else {
        tr!(p_accounts.disable)
    };
    let resend_label = tr!(p_accounts.resend_who, who).to_string();
    let role_label = tr!(p_accounts.role_of, who).to_string();
    let scope_label = tr!(p_accounts.scope_of, who).to_string();
    let roles = role_options(page, &a.role);
    let scopes = scope_options(page, a.scope_id.clone());
    let (id, id2, id3) = (a.id.clone(), a.id.clone(), a.id.clone());
    let next_disabled = (!a.disabled).to_string();
    let may_resend = !a.has_password && !a.disabled;
    view! {
        <div class="row-actions">
            <InlineDetails label=access_label text=tr!(p_accounts.change_access)>
                <ActionForm action=update attr:class="inline-form">
                    <input type="hidden" name="account" value=id />
                    <select class="select" name="role" aria-label=role_label>{roles}</select>
                    <select class="select" name="scope_id" aria-label=scope_label>{scopes}</select>
                    <button type="submit" class="button button-secondary button-small">{tr!(p_accounts.save)}</button>
                </ActionForm>
            </InlineDetails>
            <ActionForm action=disable attr:class="inline-form">
                <input type="hidden" name="account" value=id2 />
                <input type="hidden" name="disabled" value=next_disabled />
                <button type="submit" class="button button-ghost button-small" aria-label=toggle_label>
                    {toggle_text}
                </button>
            </ActionForm>
            {may_resend.then(|| view! {
                <ActionForm action=resend attr:class="inline-form">
                    <input type="hidden" name="account" value=id3 />
                    <button type="submit" class="button button-ghost button-small" aria-label=resend_label>
                        {tr!(p_accounts.resend_link)}
                    </button>
                </ActionForm>
            })}
        </div>
    }
}

/// The signed-in person's own account: who they are, and their password.
#[component]
pub fn MyAccount() -> impl IntoView {
    let change = ServerAction::<ChangePassword>::new();
    let me = crate::auth::use_me();
    let message = move || {
        change.value().get().map(|r| match r {
            Ok(()) => view! { <div class="alert alert-info" role="status">{tr!(account.password_changed)}</div> }
                .into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    view! {
        <PageHeader title=tr!(titles.my_account) subtitle=tr!(account.subtitle) />
        {me.map(|me| view! {
            <section class="card">
                <dl class="facts">
                    <dt>{tr!(account.name)}</dt><dd>{me.display_name}</dd>
                    <dt>{tr!(account.email)}</dt><dd>{me.email}</dd>
                    <dt>{tr!(account.role)}</dt><dd>{me.role}</dd>
                </dl>
            </section>
        })}
        <section class="card" aria-labelledby="password-title">
            <h2 class="card-title" id="password-title">{tr!(account.change_password)}</h2>
            {message}
            <ActionForm action=change attr:class="stack-form">
                <div class="field">
                    <label for="current-password">{tr!(account.current)}</label>
                    <input class="input" id="current-password" name="current" type="password" autocomplete="current-password" />
                </div>
                <div class="field">
                    <label for="new-password">{tr!(account.new_password)}</label>
                    <input class="input" id="new-password" name="new" type="password" autocomplete="new-password" required minlength="12" />
                </div>
                <button type="submit" class="button button-primary">{tr!(account.change_password)}</button>
            </ActionForm>
        </section>
        <LanguageChoice />
        <Notices />
    }
}

/// The language the person reads Seatwise in; saving it loads the page again in it.
#[component]
fn LanguageChoice() -> impl IntoView {
    let save = ServerAction::<SaveMyLanguage>::new();
    let chosen = crate::auth::use_me()
        .and_then(|m| m.language)
        .unwrap_or_default();
    Effect::new(move |_| {
        if let Some(Ok(())) = save.value().get() {
            #[cfg(feature = "hydrate")]
            if let Some(window) = web_sys::window() {
                let _ = window.location().reload();
            }
        }
    });
    let error = move || {
        save.value().get().and_then(Result::err).map(|e| {
            view! {
                <div class="alert alert-error" role="alert">{e.to_string()}</div>
            }
        })
    };
    let option = move |code: &'static str, label: &'static str| {
        // The language's own name, in its own language (how people find theirs).
        let lang = (!code.is_empty()).then_some(code);
        view! { <option value=code selected=chosen == code lang=lang>{label}</option> }
    };
    view! {
        <section class="card" aria-labelledby="language-title">
            <h2 class="card-title" id="language-title">{tr!(account.language_title)}</h2>
            <p class="muted small">{tr!(account.language_hint)}</p>
            {error}
            <ActionForm action=save attr:class="stack-form">
                <div class="field">
                    <label for="language">{tr!(account.language_label)}</label>
                    <select class="select" id="language" name="language">
                        {option("", tr!(account.language_browser))}
                        {option("en", tr!(languages.en))}
                        {option("fr", tr!(languages.fr))}
                    </select>
                </div>
                <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{tr!(account.save_language)}</button>
            </ActionForm>
        </section>
    }
}

/// The e-mail notices the person chooses (none until they do).
#[component]
fn Notices() -> impl IntoView {
    let save = ServerAction::<SaveMyNotices>::new();
    let choices = crate::page_data::load(move || save.version().get(), |_| my_notices());
    let said = move || {
        save.value().get().map(|r| match r {
            Ok(()) => view! { <div class="alert alert-success" role="status">{tr!(account.notices_saved)}</div> }
                .into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="notices-title">
            <h2 class="card-title" id="notices-title">{tr!(account.notices_title)}</h2>
            <p class="muted small">{tr!(account.notices_hint)}</p>
            {said}
            <Transition fallback=|| view! { <p class="muted">{tr!(account.loading_choices)}</p> }>
                {move || choices.get().map(|r| match r {
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) => view! {
                        <ActionForm action=save attr:class="stack-form">
                            <fieldset class="choices">
                                <legend class="visually-hidden">{tr!(account.notices_legend)}</legend>
                                {list.into_iter().map(|n| view! {
                                    <label class="choice">
                                        <input type="checkbox" name=n.field value="on" checked=n.chosen />
                                        " " {n.label}
                                    </label>
                                }).collect_view()}
                            </fieldset>
                            <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{tr!(account.save_notices)}</button>
                        </ActionForm>
                    }.into_any(),
                })}
            </Transition>
        </section>
    }
}

/// Where an invitation link lands: choose a password. A plain form posted to the server, so it
/// works before (and without) JavaScript.
#[component]
pub fn SetPassword() -> impl IntoView {
    let query = use_query_map();
    let get = move |key: &str| query.with_untracked(|q| q.get(key));
    let token = get("token").unwrap_or_default();
    let message = match get("error").as_deref() {
        Some("link") => Some(tr!(account.link_invalid)),
        Some("password") => Some(tr!(account.password_rule)),
        Some("mismatch") => Some(tr!(account.mismatch)),
        Some("unavailable") => Some(tr!(account.set_unavailable)),
        _ => None,
    };
    view! {
        <div class="auth-page">
            <div class="card auth-card">
                <PageHeader title=tr!(titles.set_password) subtitle=tr!(account.set_password_subtitle) />
                {message.map(|text| view! { <div class="alert alert-error" role="alert">{text}</div> })}
                <form method="post" action="/auth/set-password">
                    <input type="hidden" name="token" value=token />
                    <div class="field">
                        <label for="password">{tr!(account.new_password)}</label>
                        <input class="input" id="password" name="password" type="password" autocomplete="new-password" required minlength="12" autofocus />
                    </div>
                    <div class="field">
                        <label for="confirm">{tr!(account.again)}</label>
                        <input class="input" id="confirm" name="confirm" type="password" autocomplete="new-password" required minlength="12" />
                    </div>
                    <button type="submit" class="button button-primary button-block">{tr!(account.set_password)}</button>
                </form>
            </div>
        </div>
    }
}
