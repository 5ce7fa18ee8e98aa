//! The demo of the embedded sandbox: three of its tenants imported, a reseller, and one
//! account of each kind. Demo accounts exist only while every connection is the sandbox: they
//! are made once, their passwords shown once (at creation, never stored in the clear), and
//! `seatwise demo remove` deletes them, which adding a real connection requires first.

use domain::{
    access::{NewAccount, ProviderAdmin, Role},
    connections::Connection,
    crypto::Sealer,
    Store,
};
use partner_center::PartnerCenter;
use rand::{distributions::Alphanumeric, Rng};

/// Set once the demo was made, so that removing its accounts does not bring them back.
const SEEDED: &str = "demo.seeded";

/// The demo accounts' addresses.
pub const ACCOUNTS: [&str; 4] = domain::access::DEMO_ACCOUNTS;

/// Seeds the demo the first time; returns the sign-in lines to print then (and nothing on
/// later starts). `password`, when given, is every demo account's password (tests); otherwise
/// each gets a random one.
pub async fn seed(
    store: &Store,
    sealer: &Sealer,
    sandbox: &Connection,
    password: Option<&str>,
) -> anyhow::Result<Vec<String>> {
    let settings = store.settings();
    if settings.get(SEEDED).await?.is_some() {
        return Ok(Vec::new());
    }
    let connections = store.connections(sealer).list().await?;
    if connections.iter().any(|c| !c.is_sandbox) {
        return Ok(Vec::new());
    }
    let access = store.access();
    let by = ProviderAdmin::command_line();
    let pc: PartnerCenter = store
        .connections(sealer)
        .client(PartnerCenter::http_client(), &sandbox.id)
        .await?;
    // Three of the sandbox's five tenants are imported; the others wait on the Customers page.
    let tenants = pc.customers(500).all().await?;
    let mut imported = Vec::new();
    for t in tenants.iter().take(3) {
        imported.push(
            access
                .import_customer(&by, &sandbox.id, &t.id, t.company_name(), t.domain())
                .await?,
        );
    }
    let reseller = access
        .create_reseller(&by, "Northwind Partners", Some("4455667"))
        .await?;
    for c in imported.iter().skip(1) {
        access
            .assign_reseller(&by, &c.id, Some(&reseller.id))
            .await?;
    }
    let mut lines = Vec::new();
    let accounts = [
        ("Sam Admin", Role::SpAdmin, None, None),
        ("Sasha Support", Role::SpSupport, None, None),
        (
            "Riley Reseller",
            Role::ResellerAdmin,
            Some(reseller.id.clone()),
            None,
        ),
        (
            "Casey Contoso",
            Role::CustomerAdmin,
            None,
            imported.first().map(|c| c.id.clone()),
        ),
    ];
    for (email, (name, role, reseller, customer)) in ACCOUNTS.into_iter().zip(accounts) {
        if role == Role::CustomerAdmin && customer.is_none() {
            continue;
        }
        let password = password.map(str::to_owned).unwrap_or_else(|| {
            rand::thread_rng()
                .sample_iter(&Alphanumeric)
                .take(16)
                .map(char::from)
                .collect()
        });
        access
            .create_account(NewAccount {
                email: email.into(),
                display_name: name.into(),
                role,
                reseller,
                customer,
                password: Some(password.clone()),
            })
            .await?;
        lines.push(format!(
            "{:<26} {:<24} password {password}",
            role.label(),
            email
        ));
    }
    settings.set(SEEDED, "1").await?;
    Ok(lines)
}

/// Whether any demo account still exists.
pub async fn present(store: &Store) -> anyhow::Result<bool> {
    Ok(store.access().accounts_present(&ACCOUNTS).await?)
}

/// Deletes the demo accounts (their sessions end with them); returns how many there were.
pub async fn remove(store: &Store) -> anyhow::Result<u64> {
    Ok(store.access().delete_accounts(&ACCOUNTS).await?)
}
