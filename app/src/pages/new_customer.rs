//! New customer: a Microsoft 365 tenant created in Partner Center and imported into Seatwise
//! (the service provider's admins, for a reseller or direct; a reseller's admins, for itself). The `onmicrosoft.com` domain is checked as it is typed; the
//! contact's acceptance of the Microsoft Customer Agreement is recorded with it; the first
//! global administrator's sign-in is shown once (and mailed to the contact when asked).

use leptos::prelude::*;

use crate::{
    auth::use_me,
    components::page_header::PageHeader,
    serverfns::{
        customers_admin::tenants,
        new_customer::{tenant_domain, CreateTenant, RelationshipLink, TenantCreated},
    },
};

#[component]
pub fn NewCustomer() -> impl IntoView {
    let create = ServerAction::<CreateTenant>::new();
    // The service provider chooses the reseller; a reseller's admin creates for itself.
    let provider = use_me().is_some_and(|m| m.service_provider);
    let resellers = crate::page_data::load(
        || (),
        move |_| async move {
            if provider {
                tenants(String::new()).await.ok()
            } else {
                None
            }
        },
    );
    // The domain prefix as typed, and the one checked (400 ms after the last key).
    let (typed, checked) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let check = crate::page_data::load(
        move || checked.get(),
        |prefix| async move {
            if prefix.trim().is_empty() {
                None
            } else {
                Some(tenant_domain(prefix).await)
            }
        },
    );
    let on_prefix = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        typed.set(value.clone());
        set_timeout(
            move || {
                if typed.get_untracked() == value {
                    checked.set(value);
                }
            },
            std::time::Duration::from_millis(400),
        );
    };
    let domain_note = move || {
        check.get().flatten().map(|answer| match answer {
            Ok(a) => {
                let class = match a.state.as_str() {
                    "free" => "field-hint field-ok",
                    _ => "field-hint field-error",
                };
                view! { <p class=class id="domain-state">{a.words}</p> }.into_any()
            }
            Err(e) => {
                view! { <p class="field-hint field-error" id="domain-state">{e.to_string()}</p> }
                    .into_any()
            }
        })
    };
    let reseller_options = move || {
        resellers.get().flatten().map(|p| {
            p.resellers
                .into_iter()
                .map(|r| view! { <option value=r.id>{r.name}</option> })
                .collect_view()
        })
    };
    let outcome = move || {
        create.value().get().map(|r| match r {
            Ok(created) => created_card(created).into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    let field = |id: &'static str, label: &'static str, required: bool| {
        view! {
            <div class="field">
                <label for=id>{label}</label>
                <input class="input" id=id name=id required=required />
            </div>
        }
    };
    view! {
        <PageHeader
            title=tr!(p_new_customer.new_customer)
            subtitle=tr!(p_new_customer.a_new_microsoft_365_tenant)
        />
        {move || if provider {
            view! { <p><a href="/customers">{tr!(p_new_customer.customers)}</a></p> }.into_any()
        } else {
            view! { <p><a href="/">{tr!(p_new_customer.overview)}</a></p> }.into_any()
        }}
        <ExistingTenant />
        {outcome}
        <ActionForm action=create attr:class="card form-card">
            <h2 class="card-title">{tr!(p_new_customer.company)}</h2>
            <div class="form-grid form-grid-top">
                {field("company_name", tr!(p_new_customer.company_name), true)}
                <div class="field">
                    <label for="domain_prefix">{tr!(p_new_customer.domain)}</label>
                    <div class="input-suffix">
                        <input class="input" id="domain_prefix" name="domain_prefix" required
                            autocomplete="off" spellcheck="false" aria-describedby="domain-state"
                            on:input=on_prefix />
                        <span class="muted">{tr!(p_new_customer.onmicrosoft_com)}</span>
                    </div>
                    <div aria-live="polite">{domain_note}</div>
                </div>
            </div>
            <h2 class="card-title">{tr!(p_new_customer.contact)}</h2>
            <div class="form-grid">
                {field("first_name", tr!(p_new_customer.first_name), true)}
                {field("last_name", tr!(p_new_customer.last_name), true)}
                <div class="field">
                    <label for="email">{tr!(p_new_customer.e_mail)}</label>
                    <input class="input" id="email" name="email" type="email" required />
                </div>
                {field("phone", tr!(p_new_customer.phone), false)}
            </div>
            <h2 class="card-title">{tr!(p_new_customer.address)}</h2>
            <div class="form-grid">
                {field("address_line1", tr!(p_new_customer.street), true)}
                {field("city", tr!(p_new_customer.city), true)}
                {field("state", tr!(p_new_customer.state), false)}
                {field("postal_code", tr!(p_new_customer.postal_code), true)}
                <div class="field">
                    <label for="country">{tr!(p_new_customer.country_two_letters)}</label>
                    <input class="input" id="country" name="country" required maxlength="2" value="US" />
                </div>
                {provider.then(|| view! {
                    <div class="field">
                        <label for="reseller">{tr!(p_new_customer.reseller)}</label>
                        <select class="select" id="reseller" name="reseller">
                            <option value="">{tr!(p_new_customer.none_a_direct_customer)}</option>
                            <Transition fallback=|| ()>{reseller_options}</Transition>
                        </select>
                    </div>
                })}
            </div>
            <label class="check">
                <input type="checkbox" name="agreement" value="on" required />
                {tr!(p_new_customer.the_contact_has_accepted_the)}
            </label>
            <label class="check">
                <input type="checkbox" name="mail" value="on" checked />
                {tr!(p_new_customer.mail_the_administrator_s_sign)}
            </label>
            <button type="submit" class="button button-primary" disabled=move || create.pending().get()>
                {move || if create.pending().get() { tr!(p_new_customer.creating) } else { tr!(p_new_customer.create) }}
            </button>
        </ActionForm>
    }
}

/// An existing tenant: the invitation link its global administrator accepts.
#[component]
fn ExistingTenant() -> impl IntoView {
    let link = ServerAction::<RelationshipLink>::new();
    let shown = move || {
        link.value().get().map(|r| match r {
            Ok(url) => view! {
                <div class="field">
                    <label for="invitation">{tr!(p_new_customer.invitation_link_send_it_to)}</label>
                    <input class="input mono" id="invitation" readonly value=url />
                </div>
            }
            .into_any(),
            Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }
                .into_any(),
        })
    };
    view! {
        <section class="card" aria-labelledby="existing-title">
            <h2 class="card-title" id="existing-title">{tr!(p_new_customer.an_existing_microsoft_365_tenant)}</h2>
            <p class="muted">{tr!(p_new_customer.its_global_administrator_accepts_an)}</p>
            <button type="button" class="button button-secondary" on:click=move |_| { link.dispatch(RelationshipLink {}); }>
                {tr!(p_new_customer.get_the_invitation_link)}
            </button>
            {shown}
        </section>
    }
}

/// The new tenant, with its administrator's sign-in (shown this once).
fn created_card(c: TenantCreated) -> impl IntoView {
    let users = format!("/users?customer={}", c.id);
    let order = format!("/subscriptions/new?customer={}", c.id);
    let mailed = c
        .mailed_to
        .map(|to| view! { <p class="small">{format!("The sign-in was mailed to {to}.")}</p> });
    let agreement = c.agreement_problem.map(|why| {
        view! { <div class="alert alert-warning" role="status">{format!("The agreement was not recorded ({why}): record it when ordering.")}</div> }
    });
    view! {
        <section class="card" aria-labelledby="created-title" role="status">
            <h2 class="card-title" id="created-title">{format!("{} is ready", c.company_name)}</h2>
            <dl class="facts">
                <dt>{tr!(p_new_customer.domain)}</dt><dd class="mono">{c.domain}</dd>
                <dt>{tr!(p_new_customer.global_administrator)}</dt><dd class="mono">{c.admin_user}</dd>
                <dt>{tr!(p_new_customer.password)}</dt><dd class="mono">{c.admin_password}</dd>
            </dl>
            <p class="small muted">{tr!(p_new_customer.the_password_is_shown_this)}</p>
            {mailed}
            {agreement}
            <p>
                <a class="button button-secondary" href=users>{tr!(p_new_customer.its_users)}</a>
                " "
                <a class="button button-secondary" href=order>{tr!(p_new_customer.order_a_subscription)}</a>
            </p>
        </section>
    }
}
