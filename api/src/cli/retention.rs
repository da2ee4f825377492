//! `kenpo retention run`: crypto-shred the 個人番号 of persons past their retention period.

use std::io::IsTerminal;

use clap::{Args, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};

use crate::application::retention::{self, RetentionOptions};

#[derive(Debug, Subcommand)]
pub enum RetentionCommand {
    /// Erase (crypto-shred) the 個人番号 of every person whose latest 資格喪失 is 10 years or
    /// more before --as-of and who is not qualified now; record each erasure in the 管理簿.
    ///
    /// Batched (one transaction per batch), resumable after a crash at any point, idempotent:
    /// run it again and it erases only what is left.
    Run(RunArgs),
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// List how many persons are due; change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Count the 10 years to this date (ISO or 和暦; default: today in Japan).
    #[arg(long, value_parser = parse_date)]
    as_of: Option<kenpo_domain::calendar::Date>,
    /// Persons per transaction.
    #[arg(long, default_value_t = 500)]
    batch: i64,
    /// Who runs it, for the ledger (default: the OS user).
    #[arg(long)]
    actor: Option<String>,
    /// Test hook: abort the process after this many erasures (crash test).
    #[arg(long, hide = true)]
    abort_after: Option<u64>,
}

fn parse_date(text: &str) -> Result<kenpo_domain::calendar::Date, String> {
    kenpo_domain::calendar::parse(text).map_err(|e| e.to_string())
}

pub async fn run(command: RetentionCommand) -> anyhow::Result<()> {
    let RetentionCommand::Run(args) = command;
    let db = crate::database::connect(2).await?;
    kenpo_infrastructure::migrate::run(&db.pool).await?;
    let actor = args
        .actor
        .or_else(|| std::env::var("USER").ok())
        .unwrap_or_else(|| "retention".to_owned());
    let options = RetentionOptions {
        as_of: args.as_of.unwrap_or_else(retention::jst_today),
        batch: args.batch.clamp(1, 10_000),
        dry_run: args.dry_run,
        actor: format!("system:{actor}"),
        abort_after: args.abort_after,
    };
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new_spinner();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({per_sec}, {elapsed})")
                .unwrap_or_else(|_| ProgressStyle::default_spinner()),
        );
        bar
    });
    let verb = if options.dry_run { "due" } else { "erased" };
    let progress = |n: u64| {
        if let Some(bar) = &bar {
            bar.set_position(n);
            bar.set_message(format!("{n} persons {verb}"));
        }
    };
    let upcasters = crate::startup::upcasters();
    let summary = retention::run(&db.pool, &upcasters, &options, &progress).await?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    if summary.dry_run {
        println!(
            "dry run as of {}: {} persons are due for erasure; nothing was changed",
            summary.as_of, summary.due
        );
    } else {
        println!(
            "retention run {} as of {}: erased {} persons in {} batches ({} skipped: qualified again) in {:.1} s; each erasure is in the 管理簿 (erasure_ledger)",
            summary.run_id,
            summary.as_of,
            summary.erased,
            summary.batches,
            summary.skipped_rejoined,
            summary.elapsed.as_secs_f64()
        );
    }
    tracing::info!(
        run_id = %summary.run_id,
        dry_run = summary.dry_run,
        due = summary.due,
        erased = summary.erased,
        "retention run finished"
    );
    Ok(())
}
