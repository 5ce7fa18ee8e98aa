//! `seatwise optimise`: licenses bought and not assigned given back, for every customer of the
//! partner's own connections. `--dry-run` prints what would change and changes nothing; without
//! it each reduction is sent (now inside the window, at renewal outside it) and recorded in the
//! subscription history. The exit status is 1 when a customer could not be read or reduced.

use std::process::ExitCode;

use domain::{history::Author, service::Optimisation};
use server::config::Config;

#[derive(clap::Args)]
pub struct Args {
    /// Print the report and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Who the history names for the reductions made here.
const ACTOR: &str = "seatwise optimise (command line)";

pub async fn run(config: Config, args: Args) -> ExitCode {
    super::exit_status("optimise", optimise(config, args).await)
}

/// Answers whether every customer was read (and reduced).
async fn optimise(config: Config, args: Args) -> anyhow::Result<bool> {
    let services = super::open_services(&config).await?;
    let report = services.optimisation().await?;
    print!("{}", words(&report));
    let result = if args.dry_run {
        println!("Dry run: nothing changed.");
        report
    } else {
        let author = Author {
            email: ACTOR.to_owned(),
            role: "operator".to_owned(),
            request_id: String::new(),
        };
        let done = services.apply_optimisation(report, &author).await;
        for (customer, outcome) in &done.customers {
            if let Err(e) = outcome {
                println!("{}: not reduced: {e}", customer.company_name);
            }
        }
        done
    };
    println!("{result}");
    services.store().close().await;
    Ok(result.failed() == 0)
}

/// One line per reduction under its customer.
fn words(report: &Optimisation) -> String {
    let mut out = String::new();
    for (customer, planned) in &report.customers {
        match planned {
            Err(e) => out.push_str(&format!(
                "{}: Partner Center did not answer: {e}\n",
                customer.company_name
            )),
            Ok(reductions) if reductions.is_empty() => {}
            Ok(reductions) => {
                out.push_str(&format!("{}\n", customer.company_name));
                for r in reductions {
                    out.push_str(&format!(
                        "  {} {}: {}\n",
                        r.subscription_id,
                        r.product,
                        r.words()
                    ));
                }
            }
        }
    }
    out
}
