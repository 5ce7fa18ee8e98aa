//! `seatwise create-admin`: a service provider admin account.

use server::config::Config;

#[derive(clap::Args)]
pub struct Args {
    #[arg(long)]
    email: String,
    #[arg(long, default_value = "Administrator")]
    name: String,
    /// The password; generated and printed once when not given.
    #[arg(long, env = "SEATWISE_ADMIN_PASSWORD", hide_env_values = true)]
    password: Option<String>,
}

pub async fn run(config: Config, args: Args) -> anyhow::Result<()> {
    use rand::Rng;
    let store = domain::Store::open(&config.database_url).await?;
    let generated = args.password.is_none();
    let password = args.password.unwrap_or_else(|| {
        rand::thread_rng()
            .sample_iter(&rand::distributions::Alphanumeric)
            .take(20)
            .map(char::from)
            .collect()
    });
    let account = store
        .access()
        .create_account(domain::access::NewAccount {
            email: args.email,
            display_name: args.name,
            role: domain::access::Role::SpAdmin,
            reseller: None,
            customer: None,
            password: Some(password.clone()),
        })
        .await?;
    println!("Created service provider admin {}.", account.email);
    if generated {
        println!("Password (shown once): {password}");
    }
    Ok(())
}
