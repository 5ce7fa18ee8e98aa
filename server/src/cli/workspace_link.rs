//! `seatwise workspace-link`: mint a link as a marketplace would (the URL is the last line).

use partner_center::CustomerId;
use server::{config::Config, secrets::Secrets};

#[derive(clap::Args)]
pub struct Args {
    /// The customer's tenant id ...
    #[arg(long, conflicts_with_all = ["first_customer", "reseller"])]
    customer: Option<String>,
    /// ... or the first customer Seatwise knows (for demos and scripts) ...
    #[arg(long, conflicts_with = "reseller")]
    first_customer: bool,
    /// ... or a reseller id (lands on the multi-customer view).
    #[arg(long)]
    reseller: Option<String>,
    #[arg(long)]
    email: String,
    #[arg(long, default_value = "")]
    name: String,
    /// Where Seatwise is reached (default: SEATWISE_PUBLIC_URL, else the listen address).
    #[arg(long)]
    base_url: Option<String>,
    /// Seconds the link stays valid (at most 600).
    #[arg(long, default_value_t = 300)]
    ttl: i64,
    #[arg(long, default_value = "seatwise-cli")]
    issuer: String,
}

pub async fn run(config: Config, args: Args) -> anyhow::Result<()> {
    use domain::workspace_links::{mint, LinkTarget, NewLink};
    let secrets = Secrets::load(&config)?;
    let Some(secret) = secrets.link_secret else {
        anyhow::bail!("workspace links are off: set SEATWISE_LINK_SECRET (at least 32 characters)");
    };
    let target = match (args.customer, args.first_customer, args.reseller) {
        (Some(c), _, _) => LinkTarget::Customer(CustomerId::new(c)),
        (None, true, _) => {
            let store = domain::Store::open(&config.database_url).await?;
            let id = store.access().first_customer_id().await?.ok_or_else(|| {
                anyhow::anyhow!("Seatwise knows no customers yet: import some first")
            })?;
            LinkTarget::Customer(CustomerId::new(id))
        }
        (None, false, Some(r)) => LinkTarget::Reseller(domain::access::ResellerId::new(r)),
        (None, false, None) => anyhow::bail!("give --customer, --first-customer or --reseller"),
    };
    let now = domain::time::now_millis() / 1000;
    let link = NewLink {
        issuer: &args.issuer,
        audience: &config.link_audience,
        target: &target,
        email: &args.email,
        name: &args.name,
        ttl_secs: args.ttl,
    };
    let token = mint(secret.bytes(), &link, now)
        .map_err(|e| anyhow::anyhow!("{e} (the lifetime must be 1 to 600 seconds)"))?;
    let base = (args.base_url.or(config.public_url.clone()))
        .unwrap_or_else(|| format!("http://{}", config.listen));
    println!(
        "A link for {}, valid for {} s and for one use:",
        args.email, args.ttl
    );
    println!("{}/workspace?token={token}", base.trim_end_matches('/'));
    Ok(())
}
