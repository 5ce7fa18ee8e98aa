//! Plan templates: named bundles of licenses (each with the service plans it leaves off), a
//! usage location and a role, applied when a user is created. The service provider's admins keep
//! the provider's, a reseller's admins their own; support reads them.

use leptos::prelude::*;

use crate::{
    components::{error_panel::ErrorPanel, page_header::PageHeader},
    pages::users::dialogs::COUNTRIES,
    serverfns::templates::{
        templates, DeleteTemplate, LicenseOfferItem, SaveTemplate, TemplateItem, TemplatesPage,
    },
};

/// A license ticked in the form, with the plans unticked (left off).
#[derive(Debug, Clone, PartialEq)]
struct Chosen {
    sku_id: String,
    off: Vec<String>,
}

#[component]
pub fn Templates() -> impl IntoView {
    let save = ServerAction::<SaveTemplate>::new();
    let delete = ServerAction::<DeleteTemplate>::new();
    let data = crate::page_data::load(
        move || (save.version().get(), delete.version().get()),
        |_| templates(),
    );
    view! {
        <PageHeader title=tr!(p_templates.plan_templates) subtitle=tr!(p_templates.licenses_service_plans_a_location) />
        <Transition fallback=|| view! { <p class="muted">{tr!(p_templates.loading_the_templates)}</p> }>
            <ErrorBoundary fallback=|errors| view! { <ErrorPanel errors /> }>
                {move || data.get().map(|r| r.map(|page| view! { <Page page save delete /> }))}
            </ErrorBoundary>
        </Transition>
    }
}

#[component]
fn Page(
    page: TemplatesPage,
    save: ServerAction<SaveTemplate>,
    delete: ServerAction<DeleteTemplate>,
) -> impl IntoView {
    let editing = RwSignal::new(None::<TemplateItem>);
    let deleted = move || {
        delete.value().get().map(|r| match r {
            Ok(()) => {
                view! { <div class="alert alert-success" role="status">{tr!(p_templates.template_deleted)}</div> }
                    .into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    let can_keep = page.can_keep;
    let rows = page.templates.clone();
    view! {
        {deleted}
        <section class="card card-flush" aria-labelledby="templates-title">
            <h2 class="card-title card-title-padded" id="templates-title">{tr!(p_templates.templates)}</h2>
            <table class="table" aria-labelledby="templates-title">
                <thead>
                    <tr>
                        <th scope="col">{tr!(p_templates.name)}</th>
                        <th scope="col">{tr!(p_templates.licenses_service_plans_off)}</th>
                        <th scope="col">{tr!(p_templates.location)}</th>
                        <th scope="col">{tr!(p_templates.role)}</th>
                        <th scope="col">{tr!(p_templates.whose)}</th>
                        <th scope="col"><span class="visually-hidden">{tr!(p_templates.actions)}</span></th>
                    </tr>
                </thead>
                <tbody>
                    {rows.is_empty().then(|| view! {
                        <tr><td colspan="6" class="muted">{tr!(p_templates.no_templates_yet)}</td></tr>
                    })}
                    {rows.into_iter().map(|t| template_row(t, editing, delete)).collect_view()}
                </tbody>
            </table>
        </section>
        {can_keep.then(|| view! { <Editor page=page.clone() editing save /> })}
    }
}

fn template_row(
    t: TemplateItem,
    editing: RwSignal<Option<TemplateItem>>,
    delete: ServerAction<DeleteTemplate>,
) -> impl IntoView {
    let licenses = t
        .licenses
        .iter()
        .map(|l| {
            if l.plans_off_names.is_empty() {
                l.name.clone()
            } else {
                let plans = l.plans_off_names.join(", ");
                tr!(p_templates.plans_off_list, name = l.name.as_str(), plans).to_string()
            }
        })
        .collect::<Vec<_>>();
    let item = t.clone();
    let (id, name) = (t.id.clone(), t.name.clone());
    view! {
        <tr>
            <td>
                <div>{t.name.clone()}</div>
                <div class="muted small">{t.updated.clone()}</div>
            </td>
            <td>
                <ul class="plain-list">{licenses.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul>
            </td>
            <td>{t.usage_location.clone().unwrap_or_else(|| "—".into())}</td>
            <td>{t.role.as_deref().map_or_else(|| "—".into(), crate::language::directory_role)}</td>
            <td>{t.owner.clone()}</td>
            <td class="actions-cell nowrap">
                {t.editable.then(|| view! {
                    <button type="button" class="button button-secondary button-small" aria-label=format!("Edit {name}")
                        on:click=move |_| editing.set(Some(item.clone()))>{tr!(p_templates.edit)}</button>
                    " "
                    <button type="button" class="button button-secondary button-small" aria-label=format!("Delete {}", t.name)
                        on:click=move |_| { delete.dispatch(DeleteTemplate { id: id.clone() }); }>{tr!(p_templates.delete)}</button>
                })}
            </td>
        </tr>
    }
}

/// The form: a new template, or the one being edited.
#[component]
fn Editor(
    page: TemplatesPage,
    editing: RwSignal<Option<TemplateItem>>,
    save: ServerAction<SaveTemplate>,
) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let chosen = RwSignal::new(Vec::<Chosen>::new());
    // Editing fills the form; saving one empties it.
    Effect::new(move |_| {
        let t = editing.get();
        name.set(t.as_ref().map(|t| t.name.clone()).unwrap_or_default());
        location.set(
            t.as_ref()
                .and_then(|t| t.usage_location.clone())
                .unwrap_or_default(),
        );
        role.set(t.as_ref().and_then(|t| t.role.clone()).unwrap_or_default());
        chosen.set(
            t.map(|t| {
                t.licenses
                    .into_iter()
                    .map(|l| Chosen {
                        sku_id: l.sku_id,
                        off: l.plans_off,
                    })
                    .collect()
            })
            .unwrap_or_default(),
        );
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = save.value().get() {
            editing.set(None);
        }
    });
    let said = move || {
        save.value().get().map(|r| match r {
            Ok(_) => {
                view! { <div class="alert alert-success" role="status">{tr!(p_templates.template_saved)}</div> }
                    .into_any()
            }
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let licenses = chosen
            .get_untracked()
            .iter()
            .map(|c| format!("{}={}", c.sku_id, c.off.join(",")))
            .collect::<Vec<_>>()
            .join(";");
        save.dispatch(SaveTemplate {
            id: editing.get_untracked().map(|t| t.id),
            name: name.get_untracked(),
            licenses,
            usage_location: Some(location.get_untracked()),
            role: Some(role.get_untracked()),
        });
    };
    let offers = page.licenses.clone();
    let roles = page.roles.clone();
    view! {
        <section class="card" aria-labelledby="editor-title">
            <h2 class="card-title" id="editor-title">
                {move || if editing.get().is_some() { tr!(p_templates.edit_template) } else { tr!(p_templates.new_template) }}
            </h2>
            {said}
            <form class="stack-form" on:submit=submit>
                <div class="field">
                    <label for="template-name">{tr!(p_templates.name)}</label>
                    <input class="input" id="template-name" required maxlength="80" bind:value=name />
                </div>
                <fieldset class="choices">
                    <legend>{tr!(p_templates.licenses_those_your_customers_have)}</legend>
                    {offers.is_empty().then(|| view! {
                        <p class="muted">{tr!(p_templates.no_licenses_known_yet_open)}</p>
                    })}
                    {offers.into_iter().map(|o| license_choice(o, chosen)).collect_view()}
                </fieldset>
                <div class="form-grid">
                    <div class="field">
                        <label for="template-location">{tr!(p_templates.usage_location_for_users_without)}</label>
                        <select class="select" id="template-location" prop:value=move || location.get()
                            on:change=move |ev| location.set(event_target_value(&ev))>
                            <option value="">{tr!(p_templates.none)}</option>
                            {COUNTRIES.iter().map(|(code, country)| view! { <option value=*code>{format!("{} ({code})", country(crate::language::current()))}</option> }).collect_view()}
                        </select>
                    </div>
                    <div class="field">
                        <label for="template-role">{tr!(p_templates.role)}</label>
                        <select class="select" id="template-role" prop:value=move || role.get()
                            on:change=move |ev| role.set(event_target_value(&ev))>
                            <option value="">{tr!(p_templates.none_a_user)}</option>
                            {roles.into_iter().map(|r| view! { <option value=r.clone()>{crate::language::directory_role(&r)}</option> }).collect_view()}
                        </select>
                    </div>
                </div>
                <div class="inline-form">
                    <button type="submit" class="button button-primary" disabled=move || save.pending().get()>{tr!(p_templates.save_template)}</button>
                    {move || editing.get().is_some().then(|| view! {
                        <button type="button" class="button button-secondary" on:click=move |_| editing.set(None)>{tr!(p_templates.cancel)}</button>
                    })}
                </div>
            </form>
        </section>
    }
}

/// A license's box, and once ticked, a box per service plan (unticked: left off).
fn license_choice(o: LicenseOfferItem, chosen: RwSignal<Vec<Chosen>>) -> impl IntoView {
    let sku = o.sku_id.clone();
    let is_chosen = {
        let sku = sku.clone();
        move || chosen.with(|c| c.iter().any(|c| c.sku_id == sku))
    };
    let toggle = {
        let sku = sku.clone();
        move |_| {
            chosen.update(|c| {
                if let Some(i) = c.iter().position(|c| c.sku_id == sku) {
                    c.remove(i);
                } else {
                    c.push(Chosen {
                        sku_id: sku.clone(),
                        off: Vec::new(),
                    });
                }
            })
        }
    };
    let plans = o.plans.clone();
    let box_id = format!("license-{}", o.sku_id);
    let label_for = box_id.clone();
    view! {
        <div class="template-license">
            <label class="choice" for=label_for>
                <input type="checkbox" id=box_id prop:checked=is_chosen.clone() on:change=toggle />
                " " {o.name.clone()}
            </label>
            {move || (is_chosen() && !plans.is_empty()).then(|| {
                let sku = sku.clone();
                view! {
                    <div class="plan-choices">
                        {plans.iter().map(|(id, name)| {
                            let (sku, id) = (sku.clone(), id.clone());
                            let on = {
                                let (sku, id) = (sku.clone(), id.clone());
                                move || chosen.with(|c| c.iter().any(|c| c.sku_id == sku && !c.off.contains(&id)))
                            };
                            let flip = move |_| {
                                chosen.update(|c| {
                                    if let Some(c) = c.iter_mut().find(|c| c.sku_id == sku) {
                                        if let Some(i) = c.off.iter().position(|o| *o == id) {
                                            c.off.remove(i);
                                        } else {
                                            c.off.push(id.clone());
                                        }
                                    }
                                })
                            };
                            view! {
                                <label class="choice">
                                    <input type="checkbox" prop:checked=on on:change=flip />
                                    " " {name.clone()}
                                </label>
                            }
                        }).collect_view()}
                    </div>
                }
            })}
        </div>
    }
}
