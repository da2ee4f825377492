//! `kenpo serve`: the HTTP API.

use std::net::SocketAddr;

use anyhow::Context;
use clap::Args;

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "KENPO_LISTEN", default_value = "127.0.0.1:8080")]
    listen: SocketAddr,
    /// Apply pending migrations first, as the owner role (KENPO_OWNER_DATABASE_URL, else
    /// DATABASE_URL). Without it, serve refuses to start while migrations are pending. The
    /// embedded default (no DATABASE_URL) is always migrated.
    #[arg(long, env = "KENPO_MIGRATE")]
    migrate: bool,
}

pub async fn run(args: ServeArgs) -> anyhow::Result<()> {
    let edge = crate::edge::EdgeConfig::from_env().context("reading the HTTP edge settings")?;
    use crate::database::{Role, Schema};
    let schema = if args.migrate {
        Schema::Migrate
    } else {
        Schema::Current
    };
    let db = crate::database::connect(32, Role::Service, schema).await?;
    crate::application::parameters::seed_statutory(&db.pool)
        .await
        .context("seeding the statutory parameters")?;
    let state = crate::startup::state(db.pool.clone()).await?;
    crate::application::command::start_idempotency_purge(db.pool.clone())?;
    crate::application::event_chain::start_chainer(db.pool.clone())?;
    let listener = tokio::net::TcpListener::bind(args.listen)
        .await
        .with_context(|| format!("listening on {}", args.listen))?;
    let address = listener.local_addr()?;
    tracing::info!(
        %address,
        database = %db.description,
        header_read_timeout_s = edge.header_read_timeout.as_secs(),
        request_timeout_s = edge.request_timeout.as_secs(),
        max_concurrent_requests = edge.max_concurrent_requests,
        trusted_proxies = edge.trusted_proxies.len(),
        "kenpo is serving"
    );
    println!("kenpo is serving the API at http://{address}/api/v1 (OpenAPI: http://{address}/api/v1/openapi.json)");
    println!("database: {}", db.description);
    match state.signing_key.idp() {
        Some(idp) => println!(
            "tokens: from the identity provider {} only",
            idp.config().issuer
        ),
        None => {
            println!("mint a token with: kenpo token --user <staff-id> --role qualification")
        }
    }
    crate::edge::serve(
        listener,
        crate::startup::router_with(state, &edge),
        &edge,
        shutdown_signal(),
    )
    .await?;
    db.pool.close().await;
    if let Some(pg) = db.embedded {
        if !pg.was_already_running() {
            pg.stop().await;
        }
    }
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}
