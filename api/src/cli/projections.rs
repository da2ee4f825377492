//! `kenpo projections ...`: read-model maintenance.

use std::io::IsTerminal;

use anyhow::Context;
use clap::Subcommand;
use indicatif::{ProgressBar, ProgressStyle};

#[derive(Debug, Subcommand)]
pub enum ProjectionsCommand {
    /// Rebuild every read model from position 0 of the event log.
    ///
    /// Runs in one transaction: commands wait while it runs; readers see the old read models
    /// until it commits. Shows a progress bar on a terminal and a summary at the end.
    Rebuild {
        /// Events read and applied per batch.
        #[arg(long, default_value_t = 5000)]
        batch: i64,
    },
}

pub async fn run(command: ProjectionsCommand) -> anyhow::Result<()> {
    match command {
        ProjectionsCommand::Rebuild { batch } => rebuild(batch).await,
    }
}

async fn rebuild(batch: i64) -> anyhow::Result<()> {
    // the owner: a rebuild truncates the read models, which the service role may not
    let db = crate::database::connect(
        2,
        crate::database::Role::Owner,
        crate::database::Schema::Current,
    )
    .await?;
    let upcasters = crate::startup::upcasters();
    let bar = if std::io::stderr().is_terminal() {
        let bar = ProgressBar::new(0);
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} rebuilding [{bar:40}] {pos}/{len} events ({per_sec}, eta {eta})",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
        Some(bar)
    } else {
        None
    };
    let progress = |done: u64, total: u64| {
        if let Some(bar) = &bar {
            bar.set_length(total);
            bar.set_position(done);
        }
    };
    let summary = kenpo_projections::rebuild(&db.pool, &upcasters, batch, &progress)
        .await
        .with_context(|| {
            format!(
                "rebuilding the read models as {}: a rebuild truncates them and needs the owner \
                 role (KENPO_OWNER_DATABASE_URL)",
                db.description
            )
        })?;
    if let Some(bar) = &bar {
        bar.finish_and_clear();
    }
    let seconds = summary.elapsed.as_secs_f64();
    let rate = if seconds > 0.0 {
        summary.events as f64 / seconds
    } else {
        0.0
    };
    println!(
        "rebuilt read models from {} events (positions 1..={}) in {:.1} s ({:.0} events/s); members: {}",
        summary.events, summary.up_to, seconds, rate, summary.members
    );
    tracing::info!(
        events = summary.events,
        up_to = summary.up_to,
        members = summary.members,
        seconds,
        "projections rebuilt"
    );
    Ok(())
}
