//! `kenpo accounts ...`: the ユーザ管理簿 (staff account registry) from the command line.

use anyhow::Context;
use clap::{Args, Subcommand};
use kenpo_domain::calendar::Date;
use kenpo_domain::staff::{self as registry, AccountDetails, Department, StaffId};
use kenpo_projections::staff_accounts::{query, StaffAccountView};

use crate::application::staff::{self, BootstrapMode};

#[derive(Debug, Subcommand)]
pub enum AccountsCommand {
    /// Create an account directly, without the approval flow, on a fresh installation.
    ///
    /// A fresh database has no accounts, so every token is refused (401 account_not_active)
    /// until its user is in the registry. Bootstrap the first システム担当 (system_admin) and
    /// データ保護担当者 (data_protection); every later change goes through
    /// POST /api/v1/accounts/changes and its approval. Allowed only while fewer than two
    /// accounts exist, unless --force. The events record the actor "bootstrap".
    Bootstrap(BootstrapArgs),
    /// Print the ユーザ管理簿: every account with its roles, validity and pending change.
    List,
}

#[derive(Debug, Args)]
pub struct BootstrapArgs {
    /// 職員ID (the `sub` of the user's tokens).
    #[arg(long)]
    user: String,
    /// 課, e.g. IT推進課.
    #[arg(long)]
    department: String,
    /// Role(s); repeat for several: qualification, benefits, premiums, review, system_admin,
    /// data_protection, auditor (`-` for `_` is accepted too).
    #[arg(long = "role", value_parser = parse_role, required = true)]
    roles: Vec<registry::Role>,
    /// Grant 個人番号 取扱権限 (off unless given).
    #[arg(long)]
    my_number_permission: bool,
    /// First day the rights apply (default: today in Japan). ISO or 和暦.
    #[arg(long, value_parser = parse_date)]
    valid_from: Option<Date>,
    /// Last day the rights apply (default: open-ended). ISO or 和暦.
    #[arg(long, value_parser = parse_date)]
    valid_to: Option<Date>,
    /// Bootstrap even though two or more accounts exist.
    #[arg(long)]
    force: bool,
}

fn parse_role(text: &str) -> Result<registry::Role, String> {
    text.replace('-', "_")
        .parse()
        .map_err(|e: kenpo_domain::qualification::ValueError| e.to_string())
}

fn parse_date(text: &str) -> Result<Date, String> {
    kenpo_domain::calendar::parse(text).map_err(|e| e.to_string())
}

pub async fn run(command: AccountsCommand) -> anyhow::Result<()> {
    let db = crate::database::connect(
        2,
        crate::database::Role::Service,
        crate::database::Schema::Current,
    )
    .await?;
    match command {
        AccountsCommand::Bootstrap(args) => bootstrap(&db.pool, args).await,
        AccountsCommand::List => list(&db.pool).await,
    }
}

async fn bootstrap(pool: &sqlx::PgPool, args: BootstrapArgs) -> anyhow::Result<()> {
    let staff_id = StaffId::parse(&args.user).context("--user")?;
    let details = AccountDetails {
        department: Department::parse(&args.department).context("--department")?,
        roles: args.roles,
        my_number_permission: args.my_number_permission,
        valid_from: args.valid_from.unwrap_or_else(staff::today),
        valid_to: args.valid_to,
    };
    let mode = if args.force {
        BootstrapMode::Force
    } else {
        BootstrapMode::FreshInstallation
    };
    let upcasters = crate::startup::upcasters();
    let done = staff::bootstrap_account(pool, &upcasters, staff_id, details, mode).await?;
    println!(
        "bootstrapped account {} in the ユーザ管理簿 ({} account(s) existed before)",
        done.account.staff_id, done.accounts_before
    );
    println!("  {}", describe(&done.account));
    println!(
        "  events: ChangeProposed, ChangeApproved, AccountCreated by actor \"bootstrap\" in {} (positions {}..={})",
        done.stream_id, done.positions.0, done.positions.1
    );
    Ok(())
}

async fn list(pool: &sqlx::PgPool) -> anyhow::Result<()> {
    let accounts = query::list(pool).await?;
    if accounts.is_empty() {
        println!("the ユーザ管理簿 is empty: bootstrap the first accounts with `kenpo accounts bootstrap`");
    }
    for account in &accounts {
        println!("{:<20} {}", account.staff_id, describe(account));
    }
    Ok(())
}

fn describe(account: &StaffAccountView) -> String {
    let roles: Vec<&str> = account.roles.iter().map(|r| r.as_str()).collect();
    let mut text = format!(
        "{}; 課 {}; roles {}; 個人番号取扱権限 {}; valid {}..{}",
        account.status.as_str(),
        account.department.as_deref().unwrap_or("-"),
        if roles.is_empty() {
            "-".to_owned()
        } else {
            roles.join(",")
        },
        if account.my_number_permission {
            "yes"
        } else {
            "no"
        },
        account
            .valid_from
            .map_or_else(|| "-".to_owned(), |d| d.to_string()),
        account
            .valid_to
            .map_or_else(|| "(open)".to_owned(), |d| d.to_string()),
    );
    if let Some(pending) = &account.pending_change {
        text.push_str(&format!(
            "; pending {} {} by {}",
            pending.change.kind(),
            pending.change_id,
            pending.proposed_by
        ));
    }
    text
}
