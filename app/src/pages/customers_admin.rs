//! The service provider's customer administration: import tenants from Partner Center and put
//! them under resellers.

use leptos::prelude::*;

use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    serverfns::admin::{tenants, AssignReseller, CreateReseller, ImportTenant, TenantsPage},
};

#[component]
pub fn CustomersAdmin() -> impl IntoView {
    let import = ServerAction::<ImportTenant>::new();
    let assign = ServerAction::<AssignReseller>::new();
    let create = ServerAction::<CreateReseller>::new();
    let page = Resource::new(
        move || {
            (
                import.version().get(),
                assign.version().get(),
                create.version().get(),
            )
        },
        |_| tenants(),
    );
    let failure = move || {
        import
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| assign.value().get().and_then(Result::err))
            .or_else(|| create.value().get().and_then(Result::err))
            .map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })
    };
    view! {
        <PageHeader
            title="Customers"
            subtitle="Import tenants from Partner Center and choose the reseller each one belongs to."
        />
        {failure}
        <Transition fallback=|| view! { <p class="muted">"Asking Partner Center…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || page.get().map(|r| r.map(|p| tenant_table(p, import, assign)))}
            </ErrorBoundary>
        </Transition>
        <section class="card" aria-labelledby="new-reseller">
            <h2 class="card-title" id="new-reseller">"New reseller"</h2>
            <ActionForm action=create attr:class="filters">
                <div class="field">
                    <label for="reseller-name">"Name"</label>
                    <input class="input" id="reseller-name" name="name" required maxlength="100" />
                </div>
                <div class="field">
                    <label for="reseller-mpn">"Partner ID (MPN ID), optional"</label>
                    <input class="input" id="reseller-mpn" name="mpn_id" inputmode="numeric" />
                </div>
                <button type="submit" class="button button-primary">"Add reseller"</button>
            </ActionForm>
        </section>
    }
}

fn tenant_table(
    page: TenantsPage,
    import: ServerAction<ImportTenant>,
    assign: ServerAction<AssignReseller>,
) -> impl IntoView {
    let resellers = page.resellers.clone();
    view! {
        <div class="card card-flush card-scroll">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Company"</th>
                        <th scope="col">"In Seatwise"</th>
                        <th scope="col">"Reseller"</th>
                    </tr>
                </thead>
                <tbody>
                    {page
                        .tenants
                        .into_iter()
                        .map(|t| {
                            let resellers = resellers.clone();
                            let label = format!("Reseller of {}", t.company_name);
                            let import_id = t.id.clone();
                            let import_label = format!("Import {}", t.company_name);
                            let assign_id = t.id.clone();
                            view! {
                                <tr>
                                    <td class="nowrap">
                                        {t.company_name.clone()}
                                        <div class="muted small">{t.domain.clone()}</div>
                                    </td>
                                    <td>
                                        {if t.imported {
                                            view! { <span class="badge badge-success">"Imported"</span> }.into_any()
                                        } else {
                                            view! {
                                                <ActionForm action=import>
                                                    <input type="hidden" name="tenant_id" value=import_id />
                                                    <button type="submit" class="button button-secondary button-small" aria-label=import_label>
                                                        "Import"
                                                    </button>
                                                </ActionForm>
                                            }
                                                .into_any()
                                        }}
                                    </td>
                                    <td>
                                        {t.imported.then(|| {
                                            let current = t.reseller_id.clone().unwrap_or_default();
                                            view! {
                                                <ActionForm action=assign attr:class="inline-form">
                                                    <input type="hidden" name="tenant_id" value=assign_id.clone() />
                                                    <select class="select" name="reseller_id" aria-label=label.clone()>
                                                        <option value="" selected=current.is_empty()>"Direct (no reseller)"</option>
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
                                                    <button type="submit" class="button button-ghost button-small">"Save"</button>
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
            <p class="table-footnote muted">{format!("Live from the {} connection.", page.connection)}</p>
        </div>
    }
}
