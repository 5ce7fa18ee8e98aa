//! The service provider's customer administration: import tenants from Partner Center (from
//! the default connection, or another one chosen) and put them under resellers.

use crate::urls::use_query_map;
use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::{
        connection_picker::ConnectionPicker, error_panel::ErrorPanel, page_header::PageHeader,
    },
    serverfns::customers_admin::{
        tenants, users_load_mode, AssignReseller, CreateReseller, ImportTenant, SetUsersLoadMode,
        TenantsPage,
    },
};

#[component]
pub fn CustomersAdmin() -> impl IntoView {
    let import = ServerAction::<ImportTenant>::new();
    let assign = ServerAction::<AssignReseller>::new();
    let create = ServerAction::<CreateReseller>::new();
    let set_mode = ServerAction::<SetUsersLoadMode>::new();
    let admin = use_me().is_some_and(|m| m.admin);
    let mode = crate::page_data::load(move || set_mode.version().get(), |_| users_load_mode());
    let query = use_query_map();
    let page = crate::page_data::load(
        move || {
            (
                query.with(|q| q.get("connection").unwrap_or_default()),
                import.version().get(),
                assign.version().get(),
                create.version().get(),
            )
        },
        |(connection, _, _, _)| tenants(connection),
    );
    // What the last successful change did, said once it is stored (the Save buttons do not
    // reload the page, so without this nothing would show the change was kept).
    let notice = RwSignal::new(None::<&'static str>);
    announce(import, notice, tr!(p_customers_admin.imported));
    announce(assign, notice, tr!(p_customers_admin.reseller_saved));
    announce(create, notice, tr!(p_customers_admin.reseller_added));
    announce(set_mode, notice, tr!(p_customers_admin.mode_saved));
    let failure = move || {
        import
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| assign.value().get().and_then(Result::err))
            .or_else(|| create.value().get().and_then(Result::err))
            .or_else(|| set_mode.value().get().and_then(Result::err))
            .map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })
    };
    view! {
        <PageHeader
            title=tr!(p_customers_admin.customers)
            subtitle=tr!(p_customers_admin.import_tenants_from_partner_center)
        >
            {admin.then(|| view! { <a class="button button-primary" href="/customers/new">{tr!(p_customers_admin.new_customer)}</a> })}
        </PageHeader>
        {failure}
        <p class="muted" role="status">{move || notice.get()}</p>
        <Transition fallback=|| view! { <p class="muted">{tr!(p_customers_admin.asking_partner_center)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || page.get().map(|r| r.map(|p| tenant_table(p, import, assign, admin)))}
            </ErrorBoundary>
        </Transition>
        {admin.then(|| view! {
        <section class="card" aria-labelledby="new-reseller">
            <h2 class="card-title" id="new-reseller">{tr!(p_customers_admin.new_reseller)}</h2>
            <ActionForm action=create attr:class="filters">
                <div class="field">
                    <label for="reseller-name">{tr!(p_customers_admin.name)}</label>
                    <input class="input" id="reseller-name" name="name" required maxlength="100" />
                </div>
                <div class="field">
                    <label for="reseller-mpn">{tr!(p_customers_admin.partner_id_mpn_id_optional)}</label>
                    <input class="input" id="reseller-mpn" name="mpn_id" inputmode="numeric" />
                </div>
                <button type="submit" class="button button-primary">{tr!(p_customers_admin.add_reseller)}</button>
            </ActionForm>
        </section>
        <section class="card" aria-labelledby="users-mode">
            <h2 class="card-title" id="users-mode">{tr!(p_customers_admin.users_pages)}</h2>
            <Suspense fallback=|| ()>
                {move || mode.get().and_then(Result::ok).map(|current| view! {
                    <ActionForm action=set_mode>
                        <fieldset class="choices">
                            <legend>{tr!(p_customers_admin.when_someone_opens_a_users)}</legend>
                            <label class="choice">
                                <input type="radio" name="mode" value="live" checked=current == "live" />
                                {tr!(p_customers_admin.load_live_from_partner_center)}
                            </label>
                            <label class="choice">
                                <input type="radio" name="mode" value="cache" checked=current == "cache" />
                                {tr!(p_customers_admin.show_the_last_fetched_users)}
                            </label>
                        </fieldset>
                        <button type="submit" class="button button-secondary">{tr!(p_customers_admin.save)}</button>
                    </ActionForm>
                })}
            </Suspense>
        </section>
        })}
    }
}

fn tenant_table(
    page: TenantsPage,
    import: ServerAction<ImportTenant>,
    assign: ServerAction<AssignReseller>,
    admin: bool,
) -> impl IntoView {
    let resellers = page.resellers.clone();
    let chosen = page.connection_id.clone();
    let footnote = match &page.owner {
        Some(owner) => tr!(
            p_customers_admin.live_given,
            connection = page.connection.as_str(),
            owner = owner.as_str()
        )
        .to_string(),
        None => tr!(
            p_customers_admin.live,
            connection = page.connection.as_str()
        )
        .to_string(),
    };
    view! {
        <ConnectionPicker action="/customers" connections=page.connections.clone() chosen=chosen.clone() />
        <div class="card card-flush card-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_customers_admin.company)}</th>
                        <th scope="col">{tr!(p_customers_admin.in_seatwise)}</th>
                        <th scope="col">{tr!(p_customers_admin.reseller)}</th>
                    </tr>
                </thead>
                <tbody>
                    {page
                        .tenants
                        .into_iter()
                        .map(|t| {
                            let resellers = resellers.clone();
                            let label = tr!(p_customers_admin.reseller_of, company = t.company_name.as_str()).to_string();
                            let import_id = t.id.clone();
                            let import_label = tr!(p_customers_admin.import_who, company = t.company_name.as_str()).to_string();
                            let assign_id = t.id.clone();
                            let connection = chosen.clone();
                            view! {
                                <tr>
                                    <td class="nowrap">
                                        {t.company_name.clone()}
                                        <div class="muted small">{t.domain.clone()}</div>
                                    </td>
                                    <td>
                                        {if t.imported {
                                            view! { <span class="badge badge-success">{tr!(p_customers_admin.imported)}</span> }.into_any()
                                        } else if !admin {
                                            view! { <span class="badge badge-neutral">{tr!(p_customers_admin.not_imported)}</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=import>
                                                    <input type="hidden" name="tenant_id" value=import_id />
                                                    <input type="hidden" name="connection" value=connection />
                                                    <button type="submit" class="button button-secondary button-small" aria-label=import_label>
                                                        {tr!(p_customers_admin.import)}
                                                    </button>
                                                </ActionForm>
                                            }
                                                .into_any()
                                        }}
                                    </td>
                                    <td>
                                        {(t.imported && !admin).then(|| {
                                            let name = resellers
                                                .iter()
                                                .find(|r| Some(&r.id) == t.reseller_id.as_ref())
                                                .map_or(tr!(p_customers_admin.direct_no_reseller).to_owned(), |r| r.name.clone());
                                            view! { <span>{name}</span> }
                                        })}
                                        {(t.imported && admin).then(|| {
                                            let current = t.reseller_id.clone().unwrap_or_default();
                                            view! {
                                                <ActionForm action=assign attr:class="inline-form">
                                                    <input type="hidden" name="tenant_id" value=assign_id.clone() />
                                                    <select class="select" name="reseller_id" aria-label=label.clone()>
                                                        <option value="" selected=current.is_empty()>{tr!(p_customers_admin.direct_no_reseller)}</option>
                                                        {resellers
                                                            .iter()
                                                            .map(|r| {
                                                                view! {
                                                                    <option value=r.id.clone() selected=r.id == current>
                                                                        {r.name.clone()}
                                                                    </option>
                                                                }
                                                            })
                                                            .collect_view()}
                                                    </select>
                                                    <button type="submit" class="button button-ghost button-small">{tr!(p_customers_admin.save)}</button>
                                                </ActionForm>
                                            }
                                        })}
                                    </td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
            <p class="table-footnote muted">{footnote}</p>
        </div>
    }
}

/// Says `text` in `notice` once `action` succeeded; a failure clears it (the page shows the
/// error instead).
fn announce<S>(action: ServerAction<S>, notice: RwSignal<Option<&'static str>>, text: &'static str)
where
    S: leptos::server_fn::ServerFn<Output = (), Error = crate::error::AppError>
        + Clone
        + Send
        + Sync
        + 'static,
{
    Effect::new(move || {
        if let Some(result) = action.value().get() {
            notice.set(result.is_ok().then_some(text));
        }
    });
}
