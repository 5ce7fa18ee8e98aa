//! The catalog: products, SKUs and availabilities per country.

use std::collections::HashMap;

use axum::{
    extract::{Path, Query, State},
    response::{IntoResponse, Response},
};
use partner_center::wire::{self, Collection};

use crate::{catalog, lock, world::R};

use super::*;

pub(super) fn country(p: &HashMap<String, String>) -> R<String> {
    match p.get("country") {
        Some(c) if c.len() == 2 => Ok(c.to_uppercase()),
        _ => crate::world::err(
            400,
            "400008",
            "The country query parameter is required (ISO 3166 two-letter code).",
        ),
    }
}

pub(super) fn sold_in(country: &str) -> bool {
    catalog::COUNTRIES.contains(&country)
}

/// The SKUs withdrawn from sale, to leave out of the lists.
fn on_sale(e: &Shared) -> impl Fn(&&'static catalog::CatalogItem) -> bool {
    let world = lock(&e.world);
    let withdrawn = world.withdrawn.clone();
    move |item| !withdrawn.contains(&item.sku_key())
}

pub(super) async fn products(State(e): State<Shared>, Query(p): Params) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    if !p.contains_key("targetView") {
        return api_error(400, "400008", "The targetView query parameter is required.");
    }
    // The sandbox sells to the commercial segment only.
    let segment = p.get("targetSegment").map(|s| s.to_lowercase());
    match segment.as_deref() {
        None | Some("commercial" | "education" | "government" | "nonprofit") => {}
        Some(_) => {
            return api_error(
                400,
                "400008",
                "targetSegment must be commercial, education, government or nonprofit.",
            )
        }
    }
    let mut items: Vec<wire::Product> = Vec::new();
    if sold_in(&country) && segment.as_deref().is_none_or(|s| s == "commercial") {
        for item in catalog::all().filter(on_sale(&e)) {
            if !items.iter().any(|x| x.id.as_str() == item.product_id) {
                items.push(item.product(&country));
            }
        }
    }
    reply(200, &Collection::of(items))
}

pub(super) fn find(
    product: &str,
    sku: Option<&str>,
    availability: Option<&str>,
) -> impl Iterator<Item = &'static catalog::CatalogItem> {
    let (product, sku, availability) = (
        product.to_owned(),
        sku.map(str::to_owned),
        availability.map(str::to_owned),
    );
    catalog::all().filter(move |i| {
        i.product_id.eq_ignore_ascii_case(&product)
            && sku.as_deref().is_none_or(|s| i.sku_id == s)
            && availability
                .as_deref()
                .is_none_or(|a| i.availability_id.eq_ignore_ascii_case(a))
    })
}

pub(super) async fn product(
    State(e): State<Shared>,
    Path(pid): Path<String>,
    Query(p): Params,
) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match find(&pid, None, None)
        .find(on_sale(&e))
        .filter(|_| sold_in(&country))
    {
        Some(item) => reply(200, &item.product(&country)),
        None => api_error(404, "400013", "Product not found."),
    }
}

pub(super) async fn skus(
    State(e): State<Shared>,
    Path(pid): Path<String>,
    Query(p): Params,
) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let items: Vec<_> = find(&pid, None, None)
        .filter(on_sale(&e))
        .filter(|_| sold_in(&country))
        .map(|i| i.sku(&country))
        .collect();
    if items.is_empty() {
        return api_error(404, "400013", "Product not found.");
    }
    reply(200, &Collection::of(items))
}

pub(super) async fn sku(
    State(e): State<Shared>,
    Path((pid, sid)): Path<(String, String)>,
    Query(p): Params,
) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match find(&pid, Some(&sid), None)
        .find(on_sale(&e))
        .filter(|_| sold_in(&country))
    {
        Some(item) => reply(200, &item.sku(&country)),
        None => api_error(404, "400018", "SKU not found."),
    }
}

pub(super) async fn availabilities(
    State(e): State<Shared>,
    Path((pid, sid)): Path<(String, String)>,
    Query(p): Params,
) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    let items: Vec<_> = find(&pid, Some(&sid), None)
        .filter(on_sale(&e))
        .filter(|_| sold_in(&country))
        .map(|i| i.availability(&country))
        .collect();
    if items.is_empty() {
        return api_error(404, "400018", "SKU not found.");
    }
    reply(200, &Collection::of(items))
}

pub(super) async fn availability(
    State(e): State<Shared>,
    Path((pid, sid, aid)): Path<(String, String, String)>,
    Query(p): Params,
) -> Response {
    let country = match country(&p) {
        Ok(c) => c,
        Err(r) => return r.into_response(),
    };
    match find(&pid, Some(&sid), Some(&aid))
        .find(on_sale(&e))
        .filter(|_| sold_in(&country))
    {
        Some(item) => reply(200, &item.availability(&country)),
        None => api_error(404, "400019", "Availability not found."),
    }
}
