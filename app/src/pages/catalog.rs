//! The curated catalog of a Partner Center connection: what Partner Center sells in the
//! connection's country, read on demand, and (admins) which SKUs may be ordered through
//! Seatwise, under which name and billing cycles. New SKUs wait for review; discontinued ones
//! cannot be offered.

use crate::urls::use_query_map;
use leptos::prelude::*;

use super::subscriptions::capitalised;

use crate::{
    auth::use_me,
    components::{
        connection_picker::ConnectionPicker, error_panel::ErrorPanel, page_header::PageHeader,
    },
    serverfns::catalog::{
        browse_catalog, catalog, BrowseResult, CatalogPage, CatalogRow, CurateCatalogItem,
        RefreshCatalog,
    },
};

#[component]
pub fn Catalog() -> impl IntoView {
    let query = use_query_map();
    let admin = use_me().is_some_and(|m| m.admin);
    let refresh = ServerAction::<RefreshCatalog>::new();
    let curate = ServerAction::<CurateCatalogItem>::new();
    let data = crate::page_data::load(
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
    // Browsing another country or segment: asked for by the address (a GET form).
    let browse = crate::page_data::load(
        move || {
            query.with(|q| {
                (
                    q.get("connection").unwrap_or_default(),
                    q.get("country").unwrap_or_default(),
                    q.get("segment").unwrap_or_default(),
                )
            })
        },
        |(connection, country, segment)| async move {
            if country.is_empty() {
                None
            } else {
                Some(browse_catalog(connection, country, segment).await)
            }
        },
    );
    view! {
        <PageHeader
            title=tr!(p_catalog.catalog)
            subtitle=tr!(p_catalog.what_partner_center_sells_for)
        />
        {failure}
        <Transition fallback=|| view! { <p class="muted">{tr!(p_catalog.loading_the_catalog)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|p| {
                    let browse_form = browse_form(&p.connection, &p.country);
                    view! { {page(p, admin, refresh, curate)} {browse_form} }
                }))}
            </ErrorBoundary>
        </Transition>
        <Transition fallback=|| view! { <p class="muted">{tr!(p_catalog.asking_partner_center)}</p> }>
            {move || browse.get().flatten().map(|r| match r {
                Ok(b) => browse_table(b).into_any(),
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
            })}
        </Transition>
    }
}

/// Browse Partner Center for any country and segment through the connection shown.
fn browse_form(connection: &str, country: &str) -> impl IntoView {
    let connection = connection.to_owned();
    let query = use_query_map();
    let asked = query.with_untracked(|q| (q.get("country"), q.get("segment")));
    let country = asked.0.unwrap_or_else(|| country.to_owned());
    let segment = asked.1.unwrap_or_else(|| "commercial".to_owned());
    let options = ["commercial", "education", "government", "nonprofit"]
        .into_iter()
        .map(|s| view! { <option value=s selected=s == segment>{capitalised(s)}</option> })
        .collect_view();
    view! {
        <section class="card" aria-labelledby="browse-title">
            <h2 class="card-title" id="browse-title">{tr!(p_catalog.browse_partner_center)}</h2>
            <p class="muted small">{tr!(p_catalog.what_partner_center_sells_in)}</p>
            <form method="GET" action="/catalog" class="filters">
                <input type="hidden" name="connection" value=connection />
                <div class="field">
                    <label for="browse-country">{tr!(p_catalog.country)}</label>
                    <input class="input" id="browse-country" name="country" value=country maxlength="2" size="4" required />
                </div>
                <div class="field">
                    <label for="browse-segment">{tr!(p_catalog.segment)}</label>
                    <select class="select" id="browse-segment" name="segment">{options}</select>
                </div>
                <button type="submit" class="button button-secondary">{tr!(p_catalog.browse)}</button>
            </form>
        </section>
    }
}

fn browse_table(b: BrowseResult) -> impl IntoView {
    let title = tr!(
        p_catalog.sold_in,
        country = b.country.as_str(),
        segment = b.segment.as_str(),
        n = b.rows.len(),
        connection = b.connection_name.as_str()
    );
    let body = if b.rows.is_empty() {
        view! { <p class="muted card-body">{tr!(p_catalog.partner_center_sells_nothing_there)}</p> }
            .into_any()
    } else {
        let rows = b
            .rows
            .into_iter()
            .map(|(product, sku, terms)| {
                view! {
                    <tr>
                        <td>{product}<div class="muted small">{sku}</div></td>
                        <td>{terms.into_iter().map(|t| view! { <div class="nowrap small">{t}</div> }).collect_view()}</td>
                    </tr>
                }
            })
            .collect_view();
        view! {
            <table class="table">
                <thead><tr><th scope="col">{tr!(p_catalog.product_and_sku)}</th><th scope="col">{tr!(p_catalog.sold_as)}</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
        }
        .into_any()
    };
    view! {
        <section class="card card-flush card-scroll" aria-labelledby="browsed-title">
            <h2 class="card-title card-title-padded" id="browsed-title">{title}</h2>
            {body}
        </section>
    }
}

fn page(
    p: CatalogPage,
    admin: bool,
    refresh: ServerAction<RefreshCatalog>,
    curate: ServerAction<CurateCatalogItem>,
) -> impl IntoView {
    let note = if p.last_refresh.is_empty() {
        tr!(p_catalog.never_read, name = p.connection_name.as_str()).to_string()
    } else {
        p.last_refresh.clone()
    };
    let waiting = p.rows.iter().filter(|r| r.state == "new").count();
    let empty = p.rows.is_empty();
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
                        {tr!(p_catalog.read_the, name = p.connection_name.as_str(), country = p.country.as_str()).to_string()}
                    </button>
                </ActionForm>
            })}
        </div>
        {(waiting > 0).then(|| view! {
            <div class="alert alert-info" role="status">
                {tr_n!(waiting, p_catalog.waiting_single | p_catalog.waiting_many, n = waiting)}
            </div>
        })}
        {if empty {
            view! {
                <p class="muted">{tr!(p_catalog.nothing_is_in_this_connection)}</p>
            }
            .into_any()
        } else {
            view! {
                <div class="card card-flush card-scroll" tabindex="0" role="region" aria-label=tr!(p_catalog.catalog)>
                    <table class="table">
                        <thead>
                            <tr>
                                <th scope="col">{tr!(p_catalog.product_and_sku)}</th>
                                <th scope="col">{tr!(p_catalog.sold_as)}</th>
                                <th scope="col">{tr!(p_catalog.state)}</th>
                                <th scope="col">{tr!(p_catalog.offered_through_seatwise)}</th>
                            </tr>
                        </thead>
                        <tbody>{rows}</tbody>
                    </table>
                </div>
            }
            .into_any()
        }}
    }
}

fn catalog_row(
    r: CatalogRow,
    connection: &str,
    curate: Option<ServerAction<CurateCatalogItem>>,
) -> impl IntoView {
    let (badge, state) = match r.state.as_str() {
        "new" => ("badge badge-info", tr!(p_catalog.state_new)),
        "discontinued" => ("badge badge-danger", tr!(p_catalog.discontinued)),
        _ => ("badge badge-neutral", tr!(p_catalog.reviewed)),
    };
    let offered_now = if r.offered {
        let name = if r.display_name.is_empty() {
            r.sku.clone()
        } else {
            r.display_name.clone()
        };
        let cycles: Vec<&str> = r.offered_cycles.iter().map(|c| billed(c)).collect();
        let per = if r.add_to_existing {
            tr!(p_catalog.one_per_customer)
        } else {
            ""
        };
        tr!(
            p_catalog.offered_as,
            name = name.as_str(),
            cycles = cycles.join(tr!(p_catalog.or)),
            per
        )
        .to_string()
    } else {
        tr!(p_catalog.not_offered).to_owned()
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
                let aria = tr!(p_catalog.billed_aria, cycle = billed(c), label = label.as_str()).to_string();
                view! {
                    <label class="choice">
                        <input type="checkbox" name=c.clone() value="on" checked=checked aria-label=aria />
                        {format!(" {}", billed(c))}
                    </label>
                }
            })
            .collect_view();
        let (connection, product, sku) = (connection.to_owned(), r.product_id.clone(), r.sku_id.clone());
        let (offer_label, name_label) = (
            tr!(p_catalog.offer_who, label = label.as_str()).to_string(),
            tr!(p_catalog.name_of, label = label.as_str()).to_string(),
        );
        let existing_label = tr!(p_catalog.existing_of, label = label.as_str()).to_string();
        let display = r.display_name.clone();
        view! {
            <ActionForm action=action attr:class="curate-form">
                <input type="hidden" name="connection" value=connection />
                <input type="hidden" name="product_id" value=product />
                <input type="hidden" name="sku_id" value=sku />
                <label class="choice">
                    <input type="checkbox" name="offered" value="on" checked=r.offered disabled=discontinued aria-label=offer_label />
                    {tr!(p_catalog.offer)}
                </label>
                <input class="input" name="display_name" value=display placeholder=tr!(p_catalog.display_name_optional) maxlength="100" aria-label=name_label />
                <div class="curate-cycles">{cycles}</div>
                <label class="choice" title=tr!(p_catalog.off_every_order_is_a)>
                    <input type="checkbox" name="existing" value="on" checked=r.add_to_existing aria-label=existing_label />
                    {tr!(p_catalog.one_per_customer_choice)}
                </label>
                <button type="submit" class="button button-secondary button-small">{tr!(p_catalog.save)}</button>
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
        "monthly" => tr!(p_catalog.monthly),
        "annual" => tr!(p_catalog.annually),
        "triennial" => tr!(p_catalog.triennially),
        "one_time" => tr!(p_catalog.once),
        other => other,
    }
}
