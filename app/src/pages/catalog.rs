//! The curated catalog of a Partner Center connection: what Partner Center sells in the
//! connection's country, read on demand, and (admins) which SKUs may be ordered through
//! Seatwise, under which name and billing cycles. New SKUs wait for review; discontinued ones
//! cannot be offered.

use leptos::prelude::*;
use leptos_router::hooks::use_query_map;

use crate::{
    auth::use_me,
    components::{
        connection_picker::ConnectionPicker, error_panel::ErrorPanel, page_header::PageHeader,
    },
    serverfns::catalog::{catalog, CatalogPage, CatalogRow, CurateCatalogItem, RefreshCatalog},
};

#[component]
pub fn Catalog() -> impl IntoView {
    let query = use_query_map();
    let admin = use_me().is_some_and(|m| m.admin);
    let refresh = ServerAction::<RefreshCatalog>::new();
    let curate = ServerAction::<CurateCatalogItem>::new();
    let data = Resource::new(
        move || {
            (
                query.with(|q| q.get("connection").unwrap_or_default()),
                refresh.version().get(),
                curate.version().get(),
            )
        },
        |(connection, _, _)| catalog(connection),
    );
    let failure = move || {
        refresh
            .value()
            .get()
            .and_then(Result::err)
            .or_else(|| curate.value().get().and_then(Result::err))
            .map(|e| view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> })
    };
    view! {
        <PageHeader
            title="Catalog"
            subtitle="What Partner Center sells for each connection, and what your customers may order through Seatwise."
        />
        {failure}
        <Transition fallback=|| view! { <p class="muted">"Loading the catalog…"</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|p| page(p, admin, refresh, curate)))}
            </ErrorBoundary>
        </Transition>
    }
}

fn page(
    p: CatalogPage,
    admin: bool,
    refresh: ServerAction<RefreshCatalog>,
    curate: ServerAction<CurateCatalogItem>,
) -> impl IntoView {
    let note = if p.last_refresh.is_empty() {
        format!(
            "The {} catalog was never read from Partner Center.",
            p.connection_name
        )
    } else {
        p.last_refresh.clone()
    };
    let waiting = p.rows.iter().filter(|r| r.state == "new").count();
    let connection = p.connection.clone();
    let rows = p
        .rows
        .into_iter()
        .map(|r| catalog_row(r, &connection, admin.then_some(curate)))
        .collect_view();
    view! {
        <ConnectionPicker action="/catalog" connections=p.connections.clone() chosen=p.connection.clone() />
        <div class="refresh-bar">
            <span class="muted">{note}</span>
            {admin.then(|| view! {
                <ActionForm action=refresh attr:class="refresh-form">
                    <input type="hidden" name="connection" value=p.connection.clone() />
                    <button type="submit" class="button button-ghost button-small">
                        {format!("Read the {} catalog ({})", p.connection_name, p.country)}
                    </button>
                </ActionForm>
            })}
        </div>
        {(waiting > 0).then(|| view! {
            <div class="alert alert-info" role="status">
                {format!("{waiting} SKU{} new since the last review: choose whether to offer {}.", if waiting == 1 { " is" } else { "s are" }, if waiting == 1 { "it" } else { "them" })}
            </div>
        })}
        <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label="Catalog">
            <table class="table">
                <thead>
                    <tr>
                        <th scope="col">"Product and SKU"</th>
                        <th scope="col">"Sold as"</th>
                        <th scope="col">"State"</th>
                        <th scope="col">"Offered through Seatwise"</th>
                    </tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </div>
    }
}

fn catalog_row(
    r: CatalogRow,
    connection: &str,
    curate: Option<ServerAction<CurateCatalogItem>>,
) -> impl IntoView {
    let (badge, state) = match r.state.as_str() {
        "new" => ("badge badge-info", "New"),
        "discontinued" => ("badge badge-danger", "Discontinued"),
        _ => ("badge badge-neutral", "Reviewed"),
    };
    let offered_now = if r.offered {
        let name = if r.display_name.is_empty() {
            r.sku.clone()
        } else {
            r.display_name.clone()
        };
        let cycles: Vec<&str> = r.offered_cycles.iter().map(|c| billed(c)).collect();
        let per = if r.add_to_existing {
            "; one subscription per customer"
        } else {
            ""
        };
        format!("As {name}, billed {}{per}", cycles.join(" or "))
    } else {
        "Not offered".to_owned()
    };
    let label = format!("{} {}", r.product, r.sku);
    let form = curate.map(|action| {
        let discontinued = r.state == "discontinued";
        let cycles = r
            .cycles
            .iter()
            .filter(|c| ["monthly", "annual", "triennial"].contains(&c.as_str()))
            .map(|c| {
                let checked = r.offered_cycles.contains(c);
                let aria = format!("Billed {c}: {label}");
                view! {
                    <label class="choice">
                        <input type="checkbox" name=c.clone() value="on" checked=checked aria-label=aria />
                        {format!(" {c}")}
                    </label>
                }
            })
            .collect_view();
        let (connection, product, sku) = (connection.to_owned(), r.product_id.clone(), r.sku_id.clone());
        let (offer_label, name_label) = (format!("Offer {label}"), format!("Display name of {label}"));
        let existing_label = format!("One subscription per customer: {label}");
        let display = r.display_name.clone();
        view! {
            <ActionForm action=action attr:class="curate-form">
                <input type="hidden" name="connection" value=connection />
                <input type="hidden" name="product_id" value=product />
                <input type="hidden" name="sku_id" value=sku />
                <label class="choice">
                    <input type="checkbox" name="offered" value="on" checked=r.offered disabled=discontinued aria-label=offer_label />
                    " Offer"
                </label>
                <input class="input" name="display_name" value=display placeholder="Display name (optional)" maxlength="100" aria-label=name_label />
                <div class="curate-cycles">{cycles}</div>
                <label class="choice" title="Off: every order is a new subscription (a new instance, as Dynamics 365 environments need).">
                    <input type="checkbox" name="existing" value="on" checked=r.add_to_existing aria-label=existing_label />
                    " One per customer"
                </label>
                <button type="submit" class="button button-secondary button-small">"Save"</button>
            </ActionForm>
        }
    });
    view! {
        <tr class:row-muted=r.state == "discontinued">
            <td>
                {r.product.clone()}
                <div class="muted small">{format!("{} · {}", r.sku, r.product_id)}</div>
            </td>
            <td>{r.terms.iter().map(|t| view! { <div class="nowrap small">{t.clone()}</div> }).collect_view()}</td>
            <td><span class=badge>{state}</span></td>
            <td>
                <div class="small">{offered_now}</div>
                {form}
            </td>
        </tr>
    }
}

/// A billing cycle in words: "monthly", "annually", "every three years".
pub fn billed(cycle: &str) -> &str {
    match cycle {
        "annual" => "annually",
        "triennial" => "every three years",
        "one_time" => "once",
        other => other,
    }
}
