//! `seatwise serve` (the default): the portal, with what to sign in with.

use server::{config::Config, prepare, shutdown_signal};

pub async fn run(config: Config) -> anyhow::Result<()> {
    let ready = prepare(&config).await?;
    let url = format!("http://{}", ready.addr);
    tracing::info!(%url, "listening");
    println!();
    println!("  Seatwise is running at {url}");
    if ready.demo_accounts.is_empty() {
        println!(
            "  Sign in with an account made by `seatwise create-admin --email you@example.com`."
        );
    } else {
        println!("  Sign in with one of the demo accounts:");
        for line in &ready.demo_accounts {
            println!("    {line}");
        }
    }
    if let Some(emulator) = &ready.emulator {
        println!(
            "  Partner Center: the built-in emulator (connection \"Sandbox\") at {}",
            emulator.url()
        );
    }
    println!("  Stop it with Ctrl-C.");
    println!();
    ready.serve(shutdown_signal()).await?;
    Ok(())
}
