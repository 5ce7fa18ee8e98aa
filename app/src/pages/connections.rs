//! The service provider's Partner Center connections: each one's region, tenant and sign-in,
//! whether it answers (its last successful call, and the Test that runs every read once), and
//! for admins adding, renaming, a new secret, the default, giving one to a reseller (that sells
//! through its own Partner Center account) and removal.

use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::{error_panel::ErrorPanel, inline_details::InlineDetails, page_header::PageHeader},
    serverfns::connections::{
        connections, AddConnection, AddOutcome, CheckResult, ConnectionRow, ConnectionsPage,
        GiveConnection, RemoveConnection, RenameConnection, RotateConnectionSecret,
        SetDefaultConnection, TestConnection,
    },
};

/// The admins' actions on a row, one server action each.
#[derive(Clone, Copy)]
struct Changes {
    make_default: ServerAction<SetDefaultConnection>,
    rename: ServerAction<RenameConnection>,
    secret: ServerAction<RotateConnectionSecret>,
    give: ServerAction<GiveConnection>,
    remove: ServerAction<RemoveConnection>,
}

#[component]
pub fn Connections() -> impl IntoView {
    let admin = use_me().is_some_and(|m| m.admin);
    let test = ServerAction::<TestConnection>::new();
    let add = ServerAction::<AddConnection>::new();
    let changes = Changes {
        make_default: ServerAction::new(),
        rename: ServerAction::new(),
        secret: ServerAction::new(),
        give: ServerAction::new(),
        remove: ServerAction::new(),
    };
    let page = crate::page_data::load(
        move || {
            (
                test.version().get(),
                add.version().get(),
                changes.make_default.version().get(),
                changes.rename.version().get(),
                changes.secret.version().get(),
                changes.give.version().get(),
                changes.remove.version().get(),
            )
        },
        |_| connections(),
    );
    let failure = move || {
        test.value()
            .get()
            .and_then(Result::err)
            .or_else(|| changes.make_default.value().get().and_then(Result::err))
            .or_else(|| changes.rename.value().get().and_then(Result::err))
            .or_else(|| changes.secret.value().get().and_then(Result::err))
            .or_else(|| changes.give.value().get().and_then(Result::err))
            .or_else(|| changes.remove.value().get().and_then(Result::err))
            .map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })
    };
    let tested = move || {
        let from_row = test.value().get().and_then(Result::ok);
        let from_form = add
            .value()
            .get()
            .and_then(Result::ok)
            .and_then(|o| match o {
                AddOutcome::Tested(r) => Some(r),
                AddOutcome::Added(_) => None,
            });
        from_form.or(from_row).map(check_report)
    };
    view! {
        <PageHeader
            title=tr!(p_connections.connections)
            subtitle=tr!(p_connections.the_partner_center_accounts_seatwise)
        />
        {failure}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_connections.loading_connections)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || page.get().map(|r| r.map(|p| connection_table(p, test, admin.then_some(changes))))}
            </ErrorBoundary>
        </Transition>
        {tested}
        {admin.then(|| add_form(add))}
    }
}

fn connection_table(
    page: ConnectionsPage,
    test: ServerAction<TestConnection>,
    changes: Option<Changes>,
) -> impl IntoView {
    let count = page.rows.len();
    let resellers = page.resellers;
    let rows = page
        .rows
        .into_iter()
        .map(|c| {
            let customers = match c.customers.len() {
                0 => tr!(p_connections.customers_none).to_owned(),
                n if n <= 3 => c.customers.join(", "),
                n => tr!(p_connections.customers_more, first = c.customers[..2].join(", "), n = n - 2)
                    .to_string(),
            };
            let last_ok = if c.last_ok.is_empty() {
                view! { <span class="muted">{tr!(p_connections.not_yet)}</span> }.into_any()
            } else {
                view! { <span class="nowrap">{c.last_ok.clone()}</span> }.into_any()
            };
            let test_label = tr!(p_connections.test_who, name = c.name.as_str()).to_string();
            let id = c.id.clone();
            let actions = changes.map(|ch| row_actions(&c, ch, &resellers));
            let owner = c.reseller.as_ref().map(|(_, name)| {
                view! { <div class="muted small">{format!("Given to {name}: its customers, bought as the partner itself")}</div> }
            });
            view! {
                <tr>
                    <td>
                        <strong>{c.name.clone()}</strong>
                        {c.is_default.then(|| view! { " " <span class="badge badge-info">{tr!(p_connections.default)}</span> })}
                        {c.is_sandbox.then(|| view! { " " <span class="badge badge-neutral">{tr!(p_connections.sandbox)}</span> })}
                        <div class="muted small">{c.api_url.clone()}</div>
                    </td>
                    <td>
                        {c.tenant_id.clone()}
                        <div class="muted small">{tr!(p_connections.app_sells, app = c.app_id.as_str(), country = c.country.as_str()).to_string()}</div>
                        <div class="muted small">{c.sign_in.clone()}</div>
                    </td>
                    <td>{last_ok}</td>
                    <td>{customers}{owner}</td>
                    <td class="actions-cell">
                        <div class="row-actions">
                            <ActionForm action=test attr:class="inline-form">
                                <input type="hidden" name="connection" value=id />
                                <button type="submit" class="button button-secondary button-small" aria-label=test_label>
                                    {tr!(p_connections.test)}
                                </button>
                            </ActionForm>
                            {actions}
                        </div>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="card card-flush card-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_connections.name)}</th>
                        <th scope="col">{tr!(p_connections.partner_tenant)}</th>
                        <th scope="col">{tr!(p_connections.last_successful_call)}</th>
                        <th scope="col">{tr!(p_connections.customers)}</th>
                        <th scope="col">{tr!(p_connections.actions)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
            <p class="table-footnote muted">
                {tr_n!(count, p_connections.count_single | p_connections.count_many, n = count)}
            </p>
        </div>
    }
}

/// Make default, rename, give to a reseller, a new secret and remove (admins).
fn row_actions(c: &ConnectionRow, ch: Changes, resellers: &[(String, String)]) -> impl IntoView {
    let name = c.name.clone();
    let given = c
        .reseller
        .as_ref()
        .map(|(id, _)| id.clone())
        .unwrap_or_default();
    let options = resellers
        .iter()
        .map(|(id, reseller)| {
            let selected = *id == given;
            view! { <option value=id.clone() selected=selected>{reseller.clone()}</option> }
        })
        .collect_view();
    let (give_id, give_label) = (
        c.id.clone(),
        tr!(p_connections.reseller_for, name = name.as_str()).to_string(),
    );
    let give = view! {
        <InlineDetails label=tr!(p_connections.give_to, name = name.as_str()).to_string() text=tr!(p_connections.reseller)>
            <ActionForm action=ch.give attr:class="inline-form">
                <input type="hidden" name="connection" value=give_id />
                <select class="select" name="reseller" aria-label=give_label>
                    <option value="" selected=given.is_empty()>{tr!(p_connections.the_service_provider_s_own)}</option>
                    {options}
                </select>
                <button type="submit" class="button button-secondary button-small">{tr!(p_connections.save)}</button>
            </ActionForm>
        </InlineDetails>
    };
    let make_default = (!c.is_default).then(|| {
        let (id, label) = (c.id.clone(), tr!(p_connections.make_default_who, name = name.as_str()).to_string());
        view! {
            <ActionForm action=ch.make_default attr:class="inline-form">
                <input type="hidden" name="connection" value=id />
                <button type="submit" class="button button-ghost button-small" aria-label=label>{tr!(p_connections.make_default)}</button>
            </ActionForm>
        }
    });
    let (id, current, label) = (
        c.id.clone(),
        name.clone(),
        tr!(p_connections.new_name_for, name = name.as_str()).to_string(),
    );
    let rename = view! {
        <InlineDetails label=tr!(p_connections.rename_who, name = name.as_str()).to_string() text=tr!(p_connections.rename)>
            <ActionForm action=ch.rename attr:class="inline-form">
                <input type="hidden" name="connection" value=id />
                <input class="input" name="name" value=current required maxlength="100" aria-label=label />
                <button type="submit" class="button button-secondary button-small">{tr!(p_connections.save)}</button>
            </ActionForm>
        </InlineDetails>
    };
    // The sandbox makes its own secret and belongs to the built-in emulator.
    let real = (!c.is_sandbox).then(|| {
        let (id, id2) = (c.id.clone(), c.id.clone());
        let (kind, secret) = (
            tr!(p_connections.kind_for, name = name.as_str()).to_string(),
            tr!(p_connections.secret_for, name = name.as_str()).to_string(),
        );
        let remove = tr!(p_connections.remove_who, name = name.as_str()).to_string();
        let remove2 = remove.clone();
        view! {
            <InlineDetails label=tr!(p_connections.new_secret_for, name = name.as_str()).to_string() text=tr!(p_connections.new_secret)>
                <ActionForm action=ch.secret attr:class="inline-form">
                    <input type="hidden" name="connection" value=id />
                    <select class="select" name="credential" aria-label=kind>
                        <option value="client_secret">{tr!(p_connections.client_secret)}</option>
                        <option value="refresh_token">{tr!(p_connections.refresh_token)}</option>
                    </select>
                    <input class="input" name="secret" type="password" autocomplete="off" required aria-label=secret />
                    <button type="submit" class="button button-secondary button-small">{tr!(p_connections.save)}</button>
                </ActionForm>
            </InlineDetails>
            <InlineDetails label=remove text=tr!(p_connections.remove)>
                <ActionForm action=ch.remove attr:class="inline-form">
                    <input type="hidden" name="connection" value=id2 />
                    <button type="submit" class="button button-danger button-small">{remove2}</button>
                </ActionForm>
            </InlineDetails>
        }
    });
    view! { {make_default} {rename} {give} {real} }
}

fn check_report(r: CheckResult) -> impl IntoView {
    let skipped = match r.skipped {
        0 => String::new(),
        n => tr!(p_connections.skipped, n).to_string(),
    };
    let summary = tr!(
        p_connections.test_summary,
        name = r.name.as_str(),
        passed = r.passed,
        failed = r.failed,
        skipped = skipped.as_str()
    )
    .to_string();
    let rows = r
        .rows
        .into_iter()
        .map(|l| {
            let (badge, text) = match (l.ok, l.skipped) {
                (true, true) => ("badge badge-neutral", "Skipped"),
                (true, false) => ("badge badge-success", "Passed"),
                (false, _) => ("badge badge-danger", "Failed"),
            };
            view! {
                <tr>
                    <td><span class=badge>{text}</span></td>
                    <td>{l.operation}</td>
                    <td class="numeric">{l.status}</td>
                    <td>{l.detail}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card card-flush card-scroll" aria-labelledby="test-title">
            <h2 class="card-title card-title-padded" id="test-title" role="status">{summary}</h2>
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_connections.result)}</th>
                        <th scope="col">{tr!(p_connections.operation)}</th>
                        <th scope="col" class="numeric">{tr!(p_connections.http_status)}</th>
                        <th scope="col">{tr!(p_connections.details)}</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
}

/// Add a connection; Test runs every read with the settings typed, keeping nothing.
fn add_form(add: ServerAction<AddConnection>) -> impl IntoView {
    let result = move || {
        add.value().get().map(|r| match r {
            Ok(AddOutcome::Added(name)) => view! {
                <div class="alert alert-info" role="status">{tr!(p_connections.added, name = name.as_str()).to_string()}</div>
            }
            .into_any(),
            Ok(AddOutcome::Tested(_)) => ().into_any(),
            Err(e) => {
                let text = match e.field.as_deref().and_then(field_label) {
                    Some(label) => tr!(p_connections.field_error, label, error = e.to_string()).to_string(),
                    None => e.to_string(),
                };
                view! { <div class="alert alert-error" role="alert">{text}</div> }.into_any()
            }
        })
    };
    view! {
        <section class="card" aria-labelledby="add-connection">
            <h2 class="card-title" id="add-connection">{tr!(p_connections.add_a_connection)}</h2>
            <p class="muted">
                {tr!(p_connections.the_partner_s_own_partner)}
            </p>
            {result}
            <ActionForm action=add attr:class="form-grid">
                <div class="field">
                    <label for="c-name">{tr!(p_connections.name)}</label>
                    <input class="input" id="c-name" name="name" required maxlength="100" />
                </div>
                <div class="field">
                    <label for="c-country">{tr!(p_connections.country_two_letters)}</label>
                    <input class="input" id="c-country" name="country" value="US" required maxlength="2" />
                </div>
                <div class="field">
                    <label for="c-api">{tr!(p_connections.partner_center_api_url)}</label>
                    <input class="input" id="c-api" name="api_url" value="https://api.partnercenter.microsoft.com" required />
                </div>
                <div class="field">
                    <label for="c-login">{tr!(p_connections.sign_in_url)}</label>
                    <input class="input" id="c-login" name="login_url" value="https://login.microsoftonline.com" required />
                </div>
                <div class="field">
                    <label for="c-tenant">{tr!(p_connections.partner_tenant_id_or_domain)}</label>
                    <input class="input" id="c-tenant" name="tenant_id" required />
                </div>
                <div class="field">
                    <label for="c-app">{tr!(p_connections.application_client_id)}</label>
                    <input class="input" id="c-app" name="app_id" required />
                </div>
                <div class="field">
                    <label for="c-credential">{tr!(p_connections.sign_in)}</label>
                    <select class="select" id="c-credential" name="credential">
                        <option value="client_secret">{tr!(p_connections.client_secret_app_only)}</option>
                        <option value="refresh_token">{tr!(p_connections.refresh_token_app_user)}</option>
                    </select>
                </div>
                <div class="field">
                    <label for="c-secret">{tr!(p_connections.client_secret_or_refresh_token)}</label>
                    <input class="input" id="c-secret" name="secret" type="password" autocomplete="off" required />
                </div>
                <div class="field">
                    <label for="c-app-secret">{tr!(p_connections.client_secret_with_a_refresh)}</label>
                    <input class="input" id="c-app-secret" name="app_secret" type="password" autocomplete="off" />
                </div>
                <label class="choice">
                    <input type="checkbox" name="make_default" value="on" />
                    {tr!(p_connections.make_it_the_default_connection)}
                </label>
                <div class="form-actions">
                    <button type="submit" name="step" value="test" class="button button-secondary">{tr!(p_connections.test)}</button>
                    <button type="submit" name="step" value="add" class="button button-primary">{tr!(p_connections.add_connection)}</button>
                </div>
            </ActionForm>
        </section>
    }
}

/// The Add form's label of a field an error names.
fn field_label(field: &str) -> Option<&'static str> {
    Some(match field {
        "name" => tr!(p_connections.name),
        "country" => tr!(p_connections.country_two_letters),
        "api_url" => tr!(p_connections.partner_center_api_url),
        "login_url" => tr!(p_connections.sign_in_url),
        "tenant_id" => tr!(p_connections.partner_tenant),
        "app_id" => tr!(p_connections.application_client_id),
        "credential" => tr!(p_connections.sign_in),
        "secret" => tr!(p_connections.client_secret_or_refresh_token),
        _ => return None,
    })
}
