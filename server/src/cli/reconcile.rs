//! `seatwise reconcile`: the store against Partner Center for every customer (or one
//! connection's), printed as a report; with `--dry-run` nothing changes, without it every
//! finding's corrective action is applied and recorded in the history. The exit status is 1
//! when a customer could not be read or corrected.

use std::process::ExitCode;

use domain::{
    history::Author,
    service::{ApplyReport, Reconciliation},
    subscriptions::reconcile::Choice,
};
use server::config::Config;

#[derive(clap::Args)]
pub struct Args {
    /// The customers of one connection, by name.
    #[arg(long)]
    pub connection: Option<String>,
    /// Print the report and change nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Who the history names for corrective actions applied here.
const ACTOR: &str = "seatwise reconcile (command line)";

pub async fn run(config: Config, args: Args) -> ExitCode {
    super::exit_status("reconcile", reconcile(config, args).await)
}

/// Answers whether every customer was read (and corrected).
async fn reconcile(config: Config, args: Args) -> anyhow::Result<bool> {
    let services = super::open_services(&config).await?;
    let connection = match &args.connection {
        Some(name) => Some(services.connection_named(name).await?),
        None => None,
    };
    let report = services.reconciliation(connection.as_ref()).await?;
    print!("{}", words(&report));
    let mut ok = report.unreachable() == 0;
    if !args.dry_run && report.findings() > 0 {
        let choices: Vec<Choice> = report
            .connections
            .iter()
            .flat_map(|c| c.customers.iter())
            .filter_map(|c| c.outcome.as_ref().ok())
            .flatten()
            .map(|f| f.key().parse())
            .collect::<Result<_, _>>()
            .map_err(anyhow::Error::msg)?;
        let author = Author {
            email: ACTOR.to_owned(),
            role: "operator".to_owned(),
            request_id: String::new(),
        };
        let mut applied = ApplyReport {
            dry_run: false,
            customers: Vec::new(),
        };
        // At most so many per call, as for a request.
        for chunk in choices.chunks(domain::service::MOST_CHOICES) {
            let part = services
                .apply_reconciliation(chunk.to_vec(), &author, false)
                .await?;
            applied.customers.extend(part.customers);
        }
        for (customer, outcome) in &applied.customers {
            if let Err(e) = outcome {
                println!("{}: not corrected: {e}", customer.company_name);
            }
        }
        println!(
            "{} corrective actions applied, {} customers failed",
            applied.done(),
            applied.failed()
        );
        ok &= applied.failed() == 0;
    } else if args.dry_run {
        println!("Dry run: nothing changed.");
    }
    services.store().close().await;
    Ok(ok)
}

/// The report, one line per finding under its connection and customer.
fn words(report: &Reconciliation) -> String {
    let mut out = String::new();
    for connection in &report.connections {
        out.push_str(&format!("Connection {}\n", connection.name));
        for c in &connection.customers {
            match &c.outcome {
                Err(e) => out.push_str(&format!(
                    "  {}: Partner Center did not answer: {e}\n",
                    c.customer.company_name
                )),
                Ok(findings) if findings.is_empty() => {
                    out.push_str(&format!("  {}: in agreement\n", c.customer.company_name))
                }
                Ok(findings) => {
                    out.push_str(&format!("  {}\n", c.customer.company_name));
                    for f in findings {
                        out.push_str(&format!(
                            "    {} {} ({}): {}. {}.\n",
                            f.subscription_id,
                            f.product,
                            f.problem_words(),
                            f.change_words(),
                            f.action().words()
                        ));
                    }
                }
            }
        }
    }
    out.push_str(&format!(
        "{} customers, {} findings, {} customers not answering\n",
        report
            .connections
            .iter()
            .map(|c| c.customers.len())
            .sum::<usize>(),
        report.findings(),
        report.unreachable()
    ));
    out
}
