//! The embedded demo: on a first run with the built-in emulator, import its tenants, make a
//! reseller, and create one account of each kind with a generated password, kept (for the
//! demo only) in `data/demo-accounts.txt` so `make run` can print them every time.

use std::{io::Write, path::Path};

use domain::{
    access::{NewAccount, Role},
    connections::Connection,
    crypto::Sealer,
    Store,
};
use partner_center::PartnerCenter;
use rand::{distributions::Alphanumeric, Rng};

const FILE: &str = "demo-accounts.txt";

/// Seeds the demo once; returns the sign-in lines to print.
pub async fn seed(
    store: &Store,
    sealer: &Sealer,
    sandbox: &Connection,
    data_dir: &Path,
) -> anyhow::Result<Vec<String>> {
    let file = data_dir.join(FILE);
    if let Ok(text) = std::fs::read_to_string(&file) {
        return Ok(text
            .lines()
            .filter(|l| !l.starts_with('#'))
            .map(str::to_owned)
            .collect());
    }
    let access = store.access();
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
                .import_customer(&sandbox.id, &t.id, t.company_name(), t.domain())
                .await?,
        );
    }
    let reseller = access
        .create_reseller("Northwind Partners", Some("4455667"))
        .await?;
    for c in imported.iter().skip(1) {
        access.assign_reseller(&c.id, Some(&reseller.id)).await?;
    }
    let mut lines = Vec::new();
    let accounts = [
        (
            "admin@seatwise.demo",
            "Sam Admin",
            Role::SpAdmin,
            None,
            None,
        ),
        (
            "support@seatwise.demo",
            "Sasha Support",
            Role::SpSupport,
            None,
            None,
        ),
        (
            "reseller@seatwise.demo",
            "Riley Reseller",
            Role::ResellerAdmin,
            Some(reseller.id.clone()),
            None,
        ),
        (
            "it@contoso.demo",
            "Casey Contoso",
            Role::CustomerAdmin,
            None,
            imported.first().map(|c| c.id.clone()),
        ),
    ];
    for (email, name, role, reseller, customer) in accounts {
        if role == Role::CustomerAdmin && customer.is_none() {
            continue;
        }
        let password: String = rand::thread_rng()
            .sample_iter(&Alphanumeric)
            .take(16)
            .map(char::from)
            .collect();
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
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut out = options.open(&file)?;
    writeln!(
        out,
        "# Demo accounts of the embedded sandbox. Delete this file and ./data to start over."
    )?;
    for line in &lines {
        writeln!(out, "{line}")?;
    }
    Ok(lines)
}
