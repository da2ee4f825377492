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
    /// Count the 10 years to this date (ISO or 和暦; default: today in Japan). A date after
    /// today in Japan is refused.
    #[arg(long, value_parser = parse_date)]
    as_of: Option<kenpo_domain::calendar::Date>,
    /// Persons per transaction.
    #[arg(long, default_value_t = 500)]
    batch: i64,
    /// Who runs it: the 職員ID of a ユーザ管理簿 account, active today, holding the
    /// data_protection role (データ保護担当者). Recorded in the 管理簿 and on each event.
    /// Required unless --dry-run.
    #[arg(long, required_unless_present = "dry_run")]
    actor: Option<String>,
    /// Test hook: abort the process after this many erasures (crash test). Only in builds with
    /// the `crash-hooks` feature; a release binary has no such option.
    #[cfg(feature = "crash-hooks")]
    #[arg(long, hide = true)]
    abort_after: Option<u64>,
}

fn parse_date(text: &str) -> Result<kenpo_domain::calendar::Date, String> {
    kenpo_domain::calendar::parse(text).map_err(|e| e.to_string())
}

pub async fn run(command: RetentionCommand) -> anyhow::Result<()> {
    let RetentionCommand::Run(args) = command;
    let today = retention::jst_today();
    let as_of = args.as_of.unwrap_or(today);
    // refused before the database is even opened
    retention::check_as_of(as_of, today)?;
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    let actor = match &args.actor {
        Some(actor) => retention::authorize_actor(&db.pool, actor, today)
            .await?
            .to_string(),
        None => String::new(), // a dry run, which records nobody
    };
    #[cfg(feature = "crash-hooks")]
    let abort_after = args.abort_after;
    #[cfg(not(feature = "crash-hooks"))]
    let abort_after = None;
    let options = RetentionOptions {
        as_of,
        batch: args.batch.clamp(1, 10_000),
        dry_run: args.dry_run,
        actor,
        abort_after,
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

#[cfg(test)]
mod tests {
    use clap::Args;

    use super::RunArgs;

    #[test]
    fn the_crash_hook_option_exists_only_with_the_crash_hooks_feature() {
        let command = RunArgs::augment_args(clap::Command::new("run"));
        let has_hook = command
            .get_arguments()
            .any(|arg| arg.get_long() == Some("abort-after"));
        // `cargo test` builds with the feature (api/Cargo.toml dev-dependency); a release build
        // does not, and there `--abort-after` is an unknown argument
        assert_eq!(has_hook, cfg!(feature = "crash-hooks"));
    }
}
