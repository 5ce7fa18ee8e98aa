//! The dialogs behind a user's actions: create, edit, manage licenses, reset password, delete
//! and restore. Each reads what it needs when it opens, changes nothing until its button is
//! pressed, and reports back with a message for the page.

use leptos::{either::Either, prelude::*};

use crate::{
    components::dialog::{Dialog, DialogAction},
    error::AppError,
    i18n::td_string,
    language::Words,
    serverfns::templates::customer_templates,
    serverfns::users::admin::{
        create_user, delete_user, reset_password, restore_user, update_user, update_user_licenses,
        user_edit_form, user_license_form, LicenseChoice, LicensesUpdated, NewUserFields,
        PasswordNotice, UserFields,
    },
};

/// Whose action it is.
#[derive(Debug, Clone, PartialEq)]
pub struct Target {
    pub customer: String,
    pub user: String,
    pub name: String,
    pub user_name: String,
}

#[derive(Debug, Clone, PartialEq)]
pub enum UserDialog {
    Create {
        customer: String,
        domains: Vec<String>,
    },
    Edit(Target),
    Licenses(Target),
    Password(Target),
    Delete(Target),
    Restore(Target),
}

/// Usage locations offered in the forms (ISO 3166 codes, as Microsoft wants them), each with
/// its name in a language.
pub const COUNTRIES: &[(&str, Words)] = &[
    ("AT", |l| td_string!(l, countries.c_at)),
    ("AU", |l| td_string!(l, countries.c_au)),
    ("BE", |l| td_string!(l, countries.c_be)),
    ("BR", |l| td_string!(l, countries.c_br)),
    ("CA", |l| td_string!(l, countries.c_ca)),
    ("CH", |l| td_string!(l, countries.c_ch)),
    ("CZ", |l| td_string!(l, countries.c_cz)),
    ("DE", |l| td_string!(l, countries.c_de)),
    ("DK", |l| td_string!(l, countries.c_dk)),
    ("ES", |l| td_string!(l, countries.c_es)),
    ("FI", |l| td_string!(l, countries.c_fi)),
    ("FR", |l| td_string!(l, countries.c_fr)),
    ("GB", |l| td_string!(l, countries.c_gb)),
    ("IE", |l| td_string!(l, countries.c_ie)),
    ("IN", |l| td_string!(l, countries.c_in)),
    ("IT", |l| td_string!(l, countries.c_it)),
    ("JP", |l| td_string!(l, countries.c_jp)),
    ("MX", |l| td_string!(l, countries.c_mx)),
    ("NL", |l| td_string!(l, countries.c_nl)),
    ("NO", |l| td_string!(l, countries.c_no)),
    ("NZ", |l| td_string!(l, countries.c_nz)),
    ("PL", |l| td_string!(l, countries.c_pl)),
    ("PT", |l| td_string!(l, countries.c_pt)),
    ("SE", |l| td_string!(l, countries.c_se)),
    ("SG", |l| td_string!(l, countries.c_sg)),
    ("US", |l| td_string!(l, countries.c_us)),
    ("ZA", |l| td_string!(l, countries.c_za)),
];

/// The open dialog, if any. `done` gets a message when a change went through; `closed` runs
/// when a dialog closes without one (it may still have changed something on the way, such as
/// a location set from the licenses dialog).
#[component]
pub fn UserDialogs(
    open: RwSignal<Option<UserDialog>>,
    done: Callback<String>,
    closed: Callback<()>,
) -> impl IntoView {
    let close = Callback::new(move |_| {
        open.set(None);
        closed.run(());
    });
    let finished = Callback::new(move |message: String| {
        open.set(None);
        done.run(message);
    });
    // Not inside a <Suspense>: that would build the dialog apart and then move it into place,
    // and a modal <dialog> that is moved stops being modal.
    move || {
        open.get()
            .map(|dialog| Suspend::new(dialog_view(dialog, close, finished)))
    }
}

/// A dialog's view, in a wasm chunk of its own (`#[lazy]`): the users page loads without the
/// dialogs' code, and the first dialog opened fetches it.
#[lazy]
fn dialog_view(dialog: UserDialog, close: Callback<()>, done: Callback<String>) -> AnyView {
    match dialog {
        UserDialog::Create { customer, domains } => {
            view! { <CreateDialog customer domains close done /> }.into_any()
        }
        UserDialog::Edit(target) => view! { <EditDialog target close done /> }.into_any(),
        UserDialog::Licenses(target) => view! { <LicensesDialog target close done /> }.into_any(),
        UserDialog::Password(target) => view! { <PasswordDialog target close done /> }.into_any(),
        UserDialog::Delete(target) => view! { <DeleteDialog target close done /> }.into_any(),
        UserDialog::Restore(target) => view! { <RestoreDialog target close done /> }.into_any(),
    }
}

/// The message of a failed call when it belongs to `field` (or to no field, for `None`).
fn field_error(error: RwSignal<Option<AppError>>, field: Option<&'static str>) -> impl IntoView {
    move || {
        error.get().and_then(|e| {
            (e.field.as_deref() == field).then(|| {
                let class = if field.is_some() {
                    "field-error"
                } else {
                    "alert alert-error"
                };
                view! { <p class=class role="alert">{e.message}</p> }
            })
        })
    }
}

fn country_options(selected: String) -> impl IntoView {
    let known = COUNTRIES.iter().any(|(c, _)| *c == selected);
    view! {
        <option value="" selected=selected.is_empty()>{tr!(dialogs.choose_country)}</option>
        {(!known && !selected.is_empty()).then(|| view! { <option value=selected.clone() selected=true>{selected.clone()}</option> })}
        {COUNTRIES
            .iter()
            .map(|(code, name)| {
                let name = tr!(dialogs.country, name = name(crate::language::current()), code = *code).to_string();
                view! { <option value=*code selected=selected == *code>{name}</option> }
            })
            .collect_view()}
    }
}

#[component]
fn CreateDialog(
    customer: String,
    domains: Vec<String>,
    close: Callback<()>,
    done: Callback<String>,
) -> impl IntoView {
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let display_edited = RwSignal::new(false);
    let local = RwSignal::new(String::new());
    let domain = RwSignal::new(domains.first().cloned().unwrap_or_default());
    let location = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let force = RwSignal::new(true);
    let notify = RwSignal::new(String::new());
    let template = RwSignal::new(String::new());
    let templates = {
        let customer = customer.clone();
        LocalResource::new(move || customer_templates(customer.clone()))
    };
    let action = DialogAction::new();
    let (busy, error) = (action.busy, action.error);
    let created = RwSignal::new(None::<PasswordNotice>);
    // A template with a usage location fills in the location when none is chosen yet.
    let choose_template = move |id: String| {
        let location_of = templates
            .get()
            .and_then(|r| r.ok())
            .and_then(|list| list.into_iter().find(|t| t.id == id))
            .and_then(|t| t.usage_location);
        if let Some(l) = location_of.filter(|_| location.get_untracked().is_empty()) {
            location.set(l);
        }
        template.set(id);
    };
    // The display name follows first and last name until someone types in it.
    Effect::new(move |_| {
        let full = format!("{} {}", first.get(), last.get()).trim().to_owned();
        if !display_edited.get_untracked() {
            display.set(full);
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let customer = customer.clone();
        let form = NewUserFields {
            first_name: first.get_untracked(),
            last_name: last.get_untracked(),
            display_name: display.get_untracked(),
            user_name: local.get_untracked(),
            domain: domain.get_untracked(),
            usage_location: location.get_untracked(),
            password: Some(password.get_untracked()),
            force_change: force.get_untracked().then(|| "true".to_owned()),
            notify: Some(notify.get_untracked()),
            template: Some(template.get_untracked()),
        };
        action.run(create_user(customer, form), move |notice| {
            created.set(Some(notice))
        });
    };
    view! {
        <Dialog title=tr!(dialogs.create_title) on_close=close>
            {move || match created.get() {
                Some(notice) => Either::Left(view! { <PasswordDone notice done message=tr!(dialogs.created) /> }),
                None => Either::Right(view! {
                    <form on:submit=submit.clone()>
                        <div class="dialog-body">
                            {field_error(error, None)}
                            <NameFields first last display error display_edited />
                            <div class="field">
                                <label for="new-user-name">{tr!(dialogs.user_name)}</label>
                                <div class="input-group">
                                    <input class="input" id="new-user-name" required autocomplete="off" bind:value=local />
                                    <span class="input-addon">"@"</span>
                                    <select class="select" aria-label=tr!(dialogs.domain) prop:value=move || domain.get()
                                        on:change=move |ev| domain.set(event_target_value(&ev))>
                                        {domains.iter().map(|d| view! { <option value=d.clone()>{d.clone()}</option> }).collect_view()}
                                    </select>
                                </div>
                                {field_error(error, Some("user_name"))}
                                {field_error(error, Some("domain"))}
                            </div>
                            <div class="field">
                                <label for="new-location">{tr!(dialogs.location)}</label>
                                <select class="select" id="new-location" required prop:value=move || location.get() on:change=move |ev| location.set(event_target_value(&ev))>
                                    {country_options(String::new())}
                                </select>
                                {field_error(error, Some("usage_location"))}
                            </div>
                            {move || templates.get().and_then(|r| r.ok()).filter(|t| !t.is_empty()).map(|list| view! {
                                <div class="field">
                                    <label for="new-template">{tr!(dialogs.template)}</label>
                                    <select class="select" id="new-template" prop:value=move || template.get() on:change=move |ev| choose_template(event_target_value(&ev))>
                                        <option value="">{tr!(dialogs.none)}</option>
                                        {list.into_iter().map(|t| view! { <option value=t.id.clone() title=t.summary.clone()>{t.name.clone()}</option> }).collect_view()}
                                    </select>
                                    <p class="muted small">{tr!(dialogs.template_hint)}</p>
                                    {field_error(error, Some("template"))}
                                </div>
                            })}
                            <PasswordFields password force notify error notify_hint=tr!(dialogs.notify_optional) />
                        </div>
                        <FormFooter close busy submit=tr!(dialogs.create) />
                    </form>
                }),
            }}
        </Dialog>
    }
}

/// First, last and display name: shared by create and edit. With `display_edited`, typing in
/// the display name marks it as chosen (create fills it from the names until then).
#[component]
fn NameFields(
    first: RwSignal<String>,
    last: RwSignal<String>,
    display: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    #[prop(optional)] display_edited: Option<RwSignal<bool>>,
) -> impl IntoView {
    view! {
        <div class="form-row">
            <div class="field">
                <label for="first-name">{tr!(dialogs.first_name)}</label>
                <input class="input" id="first-name" required bind:value=first />
                {field_error(error, Some("first_name"))}
            </div>
            <div class="field">
                <label for="last-name">{tr!(dialogs.last_name)}</label>
                <input class="input" id="last-name" required bind:value=last />
                {field_error(error, Some("last_name"))}
            </div>
        </div>
        <div class="field">
            <label for="display-name">{tr!(dialogs.display_name)}</label>
            <input
                class="input"
                id="display-name"
                required
                prop:value=move || display.get()
                on:input=move |ev| {
                    if let Some(edited) = display_edited {
                        edited.set(true);
                    }
                    display.set(event_target_value(&ev));
                }
            />
            {field_error(error, Some("display_name"))}
        </div>
    }
}

/// Password, "force change", and where to send the notice: shared by create and reset.
#[component]
fn PasswordFields(
    password: RwSignal<String>,
    force: RwSignal<bool>,
    notify: RwSignal<String>,
    error: RwSignal<Option<AppError>>,
    #[prop(into)] notify_hint: String,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for="password">{tr!(dialogs.password)}</label>
            <input class="input" id="password" type="text" autocomplete="new-password" placeholder=tr!(dialogs.password_placeholder) bind:value=password />
            {field_error(error, Some("password"))}
        </div>
        <label class="choice">
            <input type="checkbox" bind:checked=force />
            {tr!(dialogs.force_change)}
        </label>
        <div class="field">
            <label for="notify">{tr!(dialogs.notify)}</label>
            <input class="input" id="notify" type="email" placeholder=notify_hint bind:value=notify />
            {field_error(error, Some("notify"))}
        </div>
    }
}

/// A password that was set, and the button that closes the dialog with `message`.
#[component]
fn PasswordDone(
    notice: PasswordNotice,
    done: Callback<String>,
    message: &'static str,
) -> impl IntoView {
    view! {
        <div class="dialog-body"><PasswordShown notice /></div>
        <div class="dialog-footer">
            <button type="button" class="button button-primary" on:click=move |_| done.run(message.into())>{tr!(dialogs.done)}</button>
        </div>
    }
}

/// The buttons of a dialog's form: Close, and `submit`, off while the action runs or while
/// `blocked` says so.
#[component]
fn FormFooter(
    close: Callback<()>,
    busy: RwSignal<bool>,
    submit: &'static str,
    #[prop(optional, into)] blocked: Option<Signal<bool>>,
) -> impl IntoView {
    let off = move || busy.get() || blocked.is_some_and(|b| b.get());
    view! {
        <div class="dialog-footer">
            <button type="button" class="button button-secondary" on:click=move |_| close.run(())>{tr!(dialogs.close)}</button>
            <button type="submit" class="button button-primary" disabled=off>{submit}</button>
        </div>
    }
}

#[component]
fn PasswordShown(notice: PasswordNotice) -> impl IntoView {
    view! {
        <p>{tr!(dialogs.password_set, user = notice.user_name.as_str()).to_string()}</p>
        <p class="password-shown" aria-label=tr!(dialogs.new_password)>{notice.password}</p>
        <p class="muted">
            {match notice.notified {
                Some(to) => tr!(dialogs.notice_sent, to = to.as_str()).to_string(),
                None => tr!(dialogs.no_notice).to_owned(),
            }}
        </p>
        {notice.template_note.map(|note| view! { <p class="alert alert-info" role="status">{note}</p> })}
    }
}

#[component]
fn EditDialog(target: Target, close: Callback<()>, done: Callback<String>) -> impl IntoView {
    let form = {
        let (customer, user) = (target.customer.clone(), target.user.clone());
        LocalResource::new(move || user_edit_form(customer.clone(), user.clone()))
    };
    let first = RwSignal::new(String::new());
    let last = RwSignal::new(String::new());
    let display = RwSignal::new(String::new());
    let location = RwSignal::new(String::new());
    let role = RwSignal::new(String::new());
    let action = DialogAction::new();
    let (busy, error) = (action.busy, action.error);
    Effect::new(move |_| {
        if let Some(Ok(f)) = form.get() {
            first.set(f.first_name);
            last.set(f.last_name);
            display.set(f.display_name);
            location.set(f.usage_location);
            role.set(f.current_role);
        }
    });
    let submit = {
        let target = target.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (customer, user, name) = (
                target.customer.clone(),
                target.user.clone(),
                target.name.clone(),
            );
            let form = UserFields {
                first_name: first.get_untracked(),
                last_name: last.get_untracked(),
                display_name: display.get_untracked(),
                usage_location: location.get_untracked(),
                role: Some(role.get_untracked()),
            };
            let updated =
                move |()| done.run(tr!(dialogs.updated, name = name.as_str()).to_string());
            action.run(update_user(customer, user, form), updated);
        }
    };
    view! {
        <Dialog title=tr!(dialogs.edit_title, name = target.name.as_str()).to_string() on_close=close>
            <form on:submit=submit>
                <div class="dialog-body">
                    {field_error(error, None)}
                    <Suspense fallback=|| view! { <p class="muted">{tr!(dialogs.reading_user)}</p> }>
                        {move || form.get().map(|f| match f {
                            Err(e) => Either::Left(view! { <p class="alert alert-error" role="alert">{e.message}</p> }),
                            Ok(f) => Either::Right(view! {
                                <NameFields first last display error />
                                <div class="field">
                                    <label for="edit-location">{tr!(dialogs.location)}</label>
                                    <select class="select" id="edit-location" on:change=move |ev| location.set(event_target_value(&ev))>
                                        {country_options(f.usage_location.clone())}
                                    </select>
                                    {field_error(error, Some("usage_location"))}
                                </div>
                                <div class="field">
                                    <label for="edit-role">{tr!(dialogs.role)}</label>
                                    <select class="select" id="edit-role" on:change=move |ev| role.set(event_target_value(&ev))>
                                        <option value="" selected=f.current_role.is_empty()>{tr!(dialogs.no_admin_role)}</option>
                                        {f.roles.iter().map(|(id, name)| view! {
                                            <option value=id.clone() selected=*id == f.current_role>{name.clone()}</option>
                                        }).collect_view()}
                                    </select>
                                    {field_error(error, Some("role"))}
                                </div>
                            }),
                        })}
                    </Suspense>
                </div>
                <FormFooter close busy submit=tr!(dialogs.update) blocked=Signal::derive(move || !matches!(form.get(), Some(Ok(_)))) />
            </form>
        </Dialog>
    }
}

/// A license row in the dialog: what the user had, what the switch says now, seats left.
#[derive(Debug, Clone, PartialEq)]
struct Switch {
    choice: LicenseChoice,
    on: bool,
    /// Each service plan's switch, in the order of `choice.plans`.
    plans: Vec<bool>,
    /// Whether its service plans are shown.
    open: bool,
}

impl Switch {
    fn new(choice: LicenseChoice) -> Switch {
        Switch {
            on: choice.assigned,
            plans: choice.plans.iter().map(|p| p.on).collect(),
            open: false,
            choice,
        }
    }

    /// The license is kept or given with service plans other than it has now (a license not
    /// held has every plan on).
    fn plans_changed(&self) -> bool {
        self.on
            && self
                .choice
                .plans
                .iter()
                .zip(&self.plans)
                .any(|(p, on)| p.on != *on)
    }

    fn changed(&self) -> bool {
        self.on != self.choice.assigned || self.plans_changed()
    }

    /// `sku=plan,plan` with the plans to leave off, when they change.
    fn plans_off(&self) -> Option<String> {
        self.plans_changed().then(|| {
            let off: Vec<&str> = self
                .choice
                .plans
                .iter()
                .zip(&self.plans)
                .filter(|(_, on)| !**on)
                .map(|(p, _)| p.id.as_str())
                .collect();
            format!("{}={}", self.choice.sku_id, off.join(","))
        })
    }

    /// Seats left if the switches were applied: one fewer for a new assignment, one more for
    /// a removal.
    fn available(&self) -> i64 {
        match (self.choice.assigned, self.on) {
            (false, true) => self.choice.available - 1,
            (true, false) => self.choice.available + 1,
            _ => self.choice.available,
        }
    }
}

#[component]
fn LicensesDialog(target: Target, close: Callback<()>, done: Callback<String>) -> impl IntoView {
    let reload = RwSignal::new(0u32);
    let form = {
        let (customer, user) = (target.customer.clone(), target.user.clone());
        LocalResource::new(move || {
            reload.track();
            user_license_form(customer.clone(), user.clone())
        })
    };
    let switches = RwSignal::new(Vec::<Switch>::new());
    let location = RwSignal::new(None::<String>);
    let new_location = RwSignal::new(String::new());
    let action = DialogAction::new();
    let (busy, error) = (action.busy, action.error);
    Effect::new(move |_| {
        if let Some(Ok(f)) = form.get() {
            location.set(f.usage_location.clone());
            switches.set(f.choices.into_iter().map(Switch::new).collect());
        }
    });
    let changed = move || switches.with(|s| s.iter().any(Switch::changed));
    let update = {
        let target = target.clone();
        move |_| {
            let (assign, remove, plans): (Vec<_>, Vec<_>, Vec<_>) = switches.with_untracked(|s| {
                (
                    s.iter()
                        .filter(|s| s.on && !s.choice.assigned)
                        .map(|s| s.choice.sku_id.clone())
                        .collect(),
                    s.iter()
                        .filter(|s| !s.on && s.choice.assigned)
                        .map(|s| s.choice.sku_id.clone())
                        .collect(),
                    s.iter().filter_map(Switch::plans_off).collect(),
                )
            });
            let (customer, user, name) = (
                target.customer.clone(),
                target.user.clone(),
                target.name.clone(),
            );
            let update = update_user_licenses(
                customer,
                user,
                assign.join(","),
                remove.join(","),
                Some(plans.join(";")),
            );
            let updated = move |u: LicensesUpdated| {
                let mut said = tr!(dialogs.licenses_updated, name = name.as_str()).to_string();
                if !u.grown.is_empty() {
                    said += &tr!(dialogs.grown, what = u.grown.join("; ")).to_string();
                }
                if !u.warnings.is_empty() {
                    said += &tr!(dialogs.pc_says, what = u.warnings.join(" ")).to_string();
                }
                done.run(said)
            };
            // After a failure, back to the truth: what Partner Center has now.
            action.run_or(update, updated, move || reload.update(|n| *n += 1));
        }
    };
    let set_location = {
        let target = target.clone();
        move |_| {
            let (customer, user) = (target.customer.clone(), target.user.clone());
            let wanted = new_location.get_untracked();
            let work = async move {
                let f = user_edit_form(customer.clone(), user.clone()).await?;
                let form = UserFields {
                    first_name: f.first_name,
                    last_name: f.last_name,
                    display_name: f.display_name,
                    usage_location: wanted,
                    role: Some(f.current_role),
                };
                update_user(customer, user, form).await
            };
            action.run(work, move |()| reload.update(|n| *n += 1));
        }
    };
    view! {
        <Dialog title=tr!(dialogs.licenses_title, name = target.name.as_str()).to_string() on_close=close>
            <div class="dialog-body">
                {field_error(error, None)}
                {move || error.get().and_then(|e| e.field.is_some().then(|| view! { <p class="alert alert-error" role="alert">{e.message}</p> }))}
                {move || (matches!(form.get(), Some(Ok(_))) && location.get().is_none()).then(|| view! {
                    <div class="alert alert-warning" role="alert">
                        <p>{tr!(dialogs.no_location)}</p>
                        <div class="inline-form">
                            <select class="select" aria-label=tr!(dialogs.location) on:change=move |ev| new_location.set(event_target_value(&ev))>
                                {country_options(String::new())}
                            </select>
                            <button type="button" class="button button-secondary button-small" on:click=set_location.clone()>{tr!(dialogs.set_location)}</button>
                        </div>
                    </div>
                })}
                <Suspense fallback=|| view! { <p class="muted">{tr!(dialogs.reading_licenses)}</p> }>
                    {move || form.get().map(|f| match f {
                        Err(e) => Either::Left(view! { <p class="alert alert-error" role="alert">{e.message}</p> }),
                        Ok(f) if f.choices.is_empty() => Either::Right(Either::Left(view! {
                            <p class="muted">{tr!(dialogs.no_products)}</p>
                        })),
                        Ok(_) => Either::Right(Either::Right(view! {
                            <ul class="license-list">
                                {move || switches.get().into_iter().enumerate().map(|(i, s)| {
                                    let available = s.available();
                                    let blocked = !s.on && available <= 0;
                                    let no_location = location.get().is_none();
                                    let label_id = format!("license-{i}");
                                    let plans_id = format!("license-{i}-plans");
                                    let on_count = s.plans.iter().filter(|on| **on).count();
                                    let plans_label = tr!(dialogs.plans_on, on = on_count, total = s.plans.len()).to_string();
                                    let show_plans = s.on && !s.plans.is_empty();
                                    view! {
                                        <li class="license-entry">
                                            <div class="license-item">
                                                <div>
                                                    <div id=label_id.clone() class="license-name">{s.choice.name.clone()}</div>
                                                    <div class="muted small">
                                                        {tr_n!(available, dialogs.available_single | dialogs.available_many, n = available)}
                                                        {blocked.then_some(tr!(dialogs.none_left))}
                                                    </div>
                                                    {show_plans.then(|| view! {
                                                        <button
                                                            type="button"
                                                            class="plans-toggle"
                                                            aria-expanded=if s.open { "true" } else { "false" }
                                                            aria-controls=plans_id.clone()
                                                            on:click=move |_| switches.update(|all| all[i].open = !all[i].open)
                                                        ><span class="caret" aria-hidden="true">"▸"</span>{plans_label}</button>
                                                    })}
                                                </div>
                                                <button
                                                    type="button"
                                                    class="switch"
                                                    role="switch"
                                                    aria-checked=if s.on { "true" } else { "false" }
                                                    aria-labelledby=label_id
                                                    disabled=blocked || (no_location && !s.on)
                                                    on:click=move |_| switches.update(|all| all[i].on = !all[i].on)
                                                ></button>
                                            </div>
                                            {(show_plans && s.open).then(|| view! {
                                                <ul class="plan-list" id=plans_id>
                                                    {s.choice.plans.iter().zip(s.plans.clone()).enumerate().map(|(j, (plan, on))| {
                                                        let plan_label = format!("license-{i}-plan-{j}");
                                                        view! {
                                                            <li class="plan-item">
                                                                <span id=plan_label.clone()>{plan.name.clone()}</span>
                                                                <button
                                                                    type="button"
                                                                    class="switch"
                                                                    role="switch"
                                                                    aria-checked=if on { "true" } else { "false" }
                                                                    aria-labelledby=plan_label
                                                                    on:click=move |_| switches.update(|all| all[i].plans[j] = !all[i].plans[j])
                                                                ></button>
                                                            </li>
                                                        }
                                                    }).collect_view()}
                                                </ul>
                                            })}
                                        </li>
                                    }
                                }).collect_view()}
                            </ul>
                        })),
                    })}
                </Suspense>
            </div>
            <div class="dialog-footer">
                <button type="button" class="button button-secondary" on:click=move |_| close.run(())>{tr!(dialogs.close)}</button>
                <button type="button" class="button button-primary" disabled=move || busy.get() || !changed() on:click=update>{tr!(dialogs.update)}</button>
            </div>
        </Dialog>
    }
}

#[component]
fn PasswordDialog(target: Target, close: Callback<()>, done: Callback<String>) -> impl IntoView {
    let password = RwSignal::new(String::new());
    let force = RwSignal::new(true);
    let notify = RwSignal::new(String::new());
    let action = DialogAction::new();
    let (busy, error) = (action.busy, action.error);
    let result = RwSignal::new(None::<PasswordNotice>);
    let submit = {
        let target = target.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            let (customer, user) = (target.customer.clone(), target.user.clone());
            let reset = reset_password(
                customer,
                user,
                Some(password.get_untracked()),
                force.get_untracked().then(|| "true".to_owned()),
                Some(notify.get_untracked()),
            );
            action.run(reset, move |notice| result.set(Some(notice)));
        }
    };
    let hint = tr!(dialogs.reset_hint, user = target.user_name.as_str()).to_string();
    view! {
        <Dialog title=tr!(dialogs.reset_title, name = target.name.as_str()).to_string() on_close=close>
            {move || match result.get() {
                Some(notice) => Either::Left(view! { <PasswordDone notice done message=tr!(dialogs.reset_done) /> }),
                None => Either::Right(view! {
                    <form on:submit=submit.clone()>
                        <div class="dialog-body">
                            {field_error(error, None)}
                            <PasswordFields password force notify error notify_hint=hint.clone() />
                        </div>
                        <FormFooter close busy submit=tr!(dialogs.reset) />
                    </form>
                }),
            }}
        </Dialog>
    }
}

#[component]
fn DeleteDialog(target: Target, close: Callback<()>, done: Callback<String>) -> impl IntoView {
    let action = DialogAction::new();
    let (busy, error) = (action.busy, action.error);
    let accept = {
        let target = target.clone();
        move |_| {
            let (customer, user, name) = (
                target.customer.clone(),
                target.user.clone(),
                target.name.clone(),
            );
            let deleted =
                move |()| done.run(tr!(dialogs.deleted, name = name.as_str()).to_string());
            action.run(delete_user(customer, user), deleted);
        }
    };
    view! {
        <Dialog title=tr!(dialogs.delete_title, name = target.name.as_str()).to_string() on_close=close>
            <div class="dialog-body">
                {field_error(error, None)}
                <p>
                    {tr!(dialogs.delete_text)}
                </p>
            </div>
            <div class="dialog-footer">
                <button type="button" class="button button-secondary" on:click=move |_| close.run(())>{tr!(dialogs.cancel)}</button>
                <button type="button" class="button button-danger" disabled=move || busy.get() on:click=accept>{tr!(dialogs.delete)}</button>
            </div>
        </Dialog>
    }
}

#[component]
fn RestoreDialog(target: Target, close: Callback<()>, done: Callback<String>) -> impl IntoView {
    let action = DialogAction::new();
    let (busy, error) = (action.busy, action.error);
    let (local, domain) = target
        .user_name
        .split_once('@')
        .map(|(l, d)| (l.to_owned(), d.to_owned()))
        .unwrap_or_default();
    let new_name = RwSignal::new(format!("{local}.restored@{domain}"));
    let name_taken = move || {
        error.with(|e| {
            e.as_ref().is_some_and(|e| {
                e.field.as_deref() == Some("new_user_name")
                    || e.field.as_deref() == Some("user_name")
            })
        })
    };
    let restore = {
        let target = target.clone();
        move |_| {
            let (customer, user, name) = (
                target.customer.clone(),
                target.user.clone(),
                target.name.clone(),
            );
            let under = name_taken().then(|| new_name.get_untracked());
            let restored =
                move |()| done.run(tr!(dialogs.restored, name = name.as_str()).to_string());
            action.run(restore_user(customer, user, under), restored);
        }
    };
    view! {
        <Dialog title=tr!(dialogs.restore_title, name = target.name.as_str()).to_string() on_close=close>
            <div class="dialog-body">
                {field_error(error, None)}
                <p>
                    {tr!(dialogs.restore_text)}
                </p>
                {move || name_taken().then(|| view! {
                    <div class="field">
                        {field_error(error, Some("new_user_name"))}
                        {field_error(error, Some("user_name"))}
                        <label for="restore-name">{tr!(dialogs.restore_under)}</label>
                        <input class="input" id="restore-name" bind:value=new_name />
                    </div>
                })}
            </div>
            <div class="dialog-footer">
                <button type="button" class="button button-secondary" on:click=move |_| close.run(())>{tr!(dialogs.cancel)}</button>
                <button type="button" class="button button-primary" disabled=move || busy.get() on:click=restore>{tr!(dialogs.restore)}</button>
            </div>
        </Dialog>
    }
}
