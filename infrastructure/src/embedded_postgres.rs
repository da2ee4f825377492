//! A private PostgreSQL cluster for `kenpo serve` when no `DATABASE_URL` is given.
//!
//! [`EmbeddedPostgres::start`] finds the PostgreSQL server binaries installed on the
//! machine, creates a cluster in [`EmbeddedOptions::data_dir`] (default
//! `./.kenpo/pgdata`) if it does not exist yet, starts it listening only on
//! `127.0.0.1:<port>` (default 54329), and creates the application database
//! (default `kenpo`) and its roles (see "Roles and authentication").
//! [`EmbeddedPostgres::connect_options`] then gives the connection of a role, with its
//! password; [`EmbeddedPostgres::database_url`] a URL for people (no password), e.g.
//! `postgres://kenpo_service@127.0.0.1:54329/kenpo`.
//!
//! # Roles and authentication
//!
//! As Message DB does, the schema belongs to one role and the service runs as another
//! (issue 8, item 4; docs/operations.md "Database roles"):
//!
//! - `kenpo` ([`EmbeddedOptions::user`]), the bootstrap superuser of `initdb`: used only by
//!   kenpo's own set-up (below) and by `kenpo bench`;
//! - [`OWNER_ROLE`] `kenpo_owner`: owns the database, its `public` schema and every object in
//!   it; runs the migrations and `kenpo projections rebuild`;
//! - [`SERVICE_ROLE`] `kenpo_service`: a login member of [`APPLICATION_ROLE`] `kenpo_app` (the
//!   NOLOGIN role the migrations grant to): what `kenpo serve` and the other commands use.
//!   It may SELECT and INSERT events, never UPDATE, DELETE, TRUNCATE them or alter the table.
//!
//! Each has a random password (64 hex digits) in its own secret file in
//! [`EmbeddedOptions::secrets_dir`] (default `./.kenpo/secrets`, i.e. `KENPO_HOME/secrets`):
//! `postgres-kenpo.password`, `postgres-kenpo_owner.password`,
//! `postgres-kenpo_service.password`, created with [`crate::secret_file`] (mode 0600, directory
//! 0700). `pg_hba.conf` is kenpo's (rewritten on every start, see [`pg_hba_conf`]): SCRAM
//! passwords for exactly these three roles, over the socket in the data directory and
//! 127.0.0.1; nothing is trusted, no other role may connect. A new cluster is created by
//! `initdb -A scram-sha-256` with the superuser's password (never a moment of trust).
//!
//! On every start kenpo connects as the superuser (with its password) and makes sure of the
//! roles, their passwords and attributes, the membership of `kenpo_service` in `kenpo_app`,
//! that the database, `public` and every table, sequence and function in it belong to
//! `kenpo_owner`, and that no one else may create objects in `public`; then it writes
//! `pg_hba.conf` and reloads the server if that file changed. A cluster created before these
//! roles existed (trust authentication, everything owned by the superuser `kenpo`) is thus
//! upgraded in place on its next start, rows untouched. The set-up session does not log
//! statements (`log_statement = none`, `log_min_error_statement = panic`,
//! `log_min_duration_statement = -1`), so no password reaches the server log.
//!
//! # Finding the binaries
//!
//! In this order, the first directory that contains `initdb` and `pg_ctl` wins:
//! 1. [`EmbeddedOptions::bin_dir`] (which [`EmbeddedOptions::from_env`] takes from
//!    `KENPO_PG_BIN`), else the environment variable `KENPO_PG_BIN`; if set, it must
//!    be right: there is no fallback;
//! 2. if the data directory already holds a cluster of major version N:
//!    `/usr/lib/postgresql/N/bin` (so an upgrade of the default PostgreSQL does not
//!    orphan the cluster; with other layouts a mismatch is reported as
//!    [`EmbeddedPostgresError::VersionMismatch`]);
//! 3. `pg_config --bindir`;
//! 4. the highest version under `/usr/lib/postgresql/*/bin` (Debian/Ubuntu layout);
//! 5. the directory of `initdb` on `PATH` (symlinks resolved);
//! 6. Homebrew's keg-only `postgresql@N` (`/opt/homebrew/opt`, `/usr/local/opt`).
//!
//! None found: [`EmbeddedPostgresError::BinariesNotFound`], whose message says how
//! to install them (`apt-get install postgresql`, `brew install postgresql@16`) or
//! to set `DATABASE_URL`.
//!
//! # Files
//!
//! Everything lives in the data directory: the cluster itself, the server log
//! (`postgres.log`), the unix socket (`.s.PGSQL.<port>`, never `/var/run`; disabled
//! if the path would exceed the OS limit of ~107 bytes, TCP is used anyway) and
//! `kenpo.conf`, the settings kenpo manages (included from `postgresql.conf`,
//! rewritten on every start; if it changed while the server runs, the server is
//! restarted).
//!
//! # Running as root
//!
//! PostgreSQL refuses to run as root. When the process runs as root, `initdb` and
//! `pg_ctl` are run as the unprivileged system user `postgres` (created by the
//! Debian/Ubuntu package; override with `KENPO_PG_OS_USER`) through `runuser`, and
//! the data directory is created with mode 0700 and owned by that user. Missing
//! parent directories are created with mode 0755.
//!
//! Decision: a data directory the operator **chose** (`KENPO_PG_DATA`, or
//! [`EmbeddedOptions::data_dir`] with [`EmbeddedOptions::data_dir_is_default`]
//! false) is **never moved** somewhere else behind their back (these are an
//! insurance society's records; they must be where the operator expects). If a
//! parent directory cannot be entered by that user (typically a data directory
//! below `/root`, which is mode 0700), `start` fails with
//! [`EmbeddedPostgresError::DataDirNotReachable`], which names the blocking
//! directory and suggests a reachable location (e.g. `/var/lib/kenpo/pgdata`) or
//! running as a normal user.
//!
//! Only the **default** `./.kenpo/pgdata` is relocated, so that `kenpo serve` works
//! as root from any checkout (e.g. a CI clone below `/root`): if it holds no cluster
//! yet and the server user cannot reach it, the cluster goes to
//! `/var/lib/kenpo/<hash>/pgdata` instead, `<hash>` being the first 12 hex digits
//! of the SHA-256 of the absolute default path (so each checkout keeps its own,
//! stable cluster; missing parents are created with mode 0755). A warning is
//! logged and [`EmbeddedPostgres::data_dir`] tells where the cluster is.
//!
//! # Lifetime
//!
//! If the cluster is already running (`pg_ctl status`), it is reused. The server is
//! a separate process: it keeps running if the [`EmbeddedPostgres`] is dropped
//! without calling [`EmbeddedPostgres::stop`] and is then reused by the next
//! `start`. Stop it by hand with `pg_ctl -D .kenpo/pgdata stop` (as `postgres` when
//! root).

use std::io::ErrorKind;
use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Output, Stdio};

use sqlx::postgres::{PgConnectOptions, PgSslMode};
use sqlx::{ConnectOptions, Connection, PgConnection};
use tokio::process::Command;

/// Default data directory, relative to the current working directory.
pub const DEFAULT_DATA_DIR: &str = ".kenpo/pgdata";
/// Default TCP port (on 127.0.0.1) of the embedded cluster.
pub const DEFAULT_PORT: u16 = 54329;
/// Default application database.
pub const DEFAULT_DATABASE: &str = "kenpo";
/// Default database superuser created by `initdb`.
pub const DEFAULT_USER: &str = "kenpo";
/// OS user that runs PostgreSQL when kenpo runs as root.
pub const DEFAULT_OS_USER: &str = "postgres";
/// Default directory of the roles' password files, relative to the current directory
/// (`KENPO_HOME/secrets`).
pub const DEFAULT_SECRETS_DIR: &str = ".kenpo/secrets";
/// The login role that owns the schema and migrates (module docs).
pub const OWNER_ROLE: &str = "kenpo_owner";
/// The login role of the service, a member of [`APPLICATION_ROLE`] (module docs).
pub const SERVICE_ROLE: &str = "kenpo_service";
/// The NOLOGIN role the migrations grant what the service may do (migration
/// 20261207000001_application_role.sql).
pub const APPLICATION_ROLE: &str = "kenpo_app";

const CONF_FILE: &str = "kenpo.conf";
const HBA_FILE: &str = "pg_hba.conf";
/// The longest password file read (kenpo writes 64 hex digits).
const PASSWORD_FILE_LIMIT: u64 = 1024;
const LOG_FILE: &str = "postgres.log";
const INCLUDE_LINE: &str = "include_if_exists = 'kenpo.conf'";
/// `sizeof(sockaddr_un.sun_path)` is 108 on Linux (104 on macOS), including NUL.
const MAX_SOCKET_PATH: usize = 103;
const START_TIMEOUT_SECS: &str = "120";
/// Parent of the relocated default data directories (root only; module docs).
const FALLBACK_DATA_ROOT: &str = "/var/lib/kenpo";

const INSTALL_HINT: &str = "install the PostgreSQL server: `sudo apt-get install postgresql` \
on Debian/Ubuntu, `brew install postgresql@16` on macOS; or set KENPO_PG_BIN to the \
directory that contains initdb and pg_ctl; or set DATABASE_URL to use an existing server";

/// Where and how to run the private cluster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmbeddedOptions {
    /// Cluster directory; relative paths are resolved against the current directory.
    pub data_dir: PathBuf,
    /// TCP port on 127.0.0.1.
    pub port: u16,
    /// Application database, created if missing.
    pub database: String,
    /// Database superuser (`initdb -U`), used only for kenpo's own set-up (module docs).
    pub user: String,
    /// Directory of the roles' password files (module docs); created with mode 0700.
    pub secrets_dir: PathBuf,
    /// Directory of `initdb`/`pg_ctl`; `None` searches (see the module docs).
    pub bin_dir: Option<PathBuf>,
    /// `max_connections` of the server; `None` keeps PostgreSQL's default (100).
    pub max_connections: Option<u32>,
    /// True when `data_dir` is the default (not chosen by the operator): as root,
    /// an unreachable default is then relocated to `/var/lib/kenpo/<hash>/pgdata`
    /// (see the module docs). [`Default`] sets it; [`EmbeddedOptions::from_env`]
    /// clears it when `KENPO_PG_DATA` is set. Set it to `false` when you set
    /// `data_dir` yourself (`..Default::default()` would keep it `true`), or use
    /// [`EmbeddedOptions::with_data_dir`].
    pub data_dir_is_default: bool,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        Self {
            data_dir: PathBuf::from(DEFAULT_DATA_DIR),
            port: DEFAULT_PORT,
            database: DEFAULT_DATABASE.to_owned(),
            user: DEFAULT_USER.to_owned(),
            secrets_dir: PathBuf::from(DEFAULT_SECRETS_DIR),
            bin_dir: None,
            max_connections: None,
            data_dir_is_default: true,
        }
    }
}

impl EmbeddedOptions {
    /// Defaults, overridden by `KENPO_PG_DATA` (data directory), `KENPO_PG_PORT`,
    /// `KENPO_PG_BIN` and `KENPO_HOME` (password files in `KENPO_HOME/secrets`) when set and
    /// non-empty. An unparsable port is an error.
    pub fn from_env() -> Result<Self, EmbeddedPostgresError> {
        let mut options = Self::default();
        if let Some(home) = non_empty_env("KENPO_HOME") {
            options.secrets_dir = PathBuf::from(home).join("secrets");
        }
        if let Some(dir) = non_empty_env("KENPO_PG_DATA") {
            options = options.with_data_dir(dir);
        }
        if let Some(port) = non_empty_env("KENPO_PG_PORT") {
            options.port = port
                .parse()
                .map_err(|_| EmbeddedPostgresError::InvalidPort { value: port })?;
        }
        if let Some(bin) = non_empty_env("KENPO_PG_BIN") {
            options.bin_dir = Some(PathBuf::from(bin));
        }
        Ok(options)
    }

    /// These options with an operator-chosen data directory (never relocated).
    pub fn with_data_dir(self, data_dir: impl Into<PathBuf>) -> Self {
        Self {
            data_dir: data_dir.into(),
            data_dir_is_default: false,
            ..self
        }
    }
}

/// Errors of [`EmbeddedPostgres`]; every message says what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum EmbeddedPostgresError {
    #[error("PostgreSQL server binaries (initdb, pg_ctl) not found ({detail}); {INSTALL_HINT}")]
    BinariesNotFound { detail: String },

    #[error("KENPO_PG_PORT={value:?} is not a port number (1-65535)")]
    InvalidPort { value: String },

    #[error(
        "kenpo runs as root, and PostgreSQL refuses to run as root, but the system user \
         `{user}` that should run it does not exist; create it (`useradd --system --home-dir \
         /var/lib/postgresql {user}`; the Debian `postgresql` package does this), choose \
         another user with KENPO_PG_OS_USER, run kenpo as a normal user, or set DATABASE_URL"
    )]
    NoUnprivilegedUser { user: String },

    #[error(
        "kenpo runs as root and must run PostgreSQL as `{user}` via `runuser`, but `runuser` \
         was not found; install util-linux, run kenpo as a normal user, or set DATABASE_URL"
    )]
    RunuserNotFound { user: String },

    #[error(
        "the data directory {data_dir} cannot be used by the OS user `{user}` that runs \
         PostgreSQL (kenpo runs as root): `{user}` cannot enter {blocking}; put the data \
         directory somewhere `{user}` can reach (e.g. KENPO_PG_DATA=/var/lib/kenpo/pgdata), \
         make {blocking} traversable (`chmod o+x`), run kenpo as a normal user, or set \
         DATABASE_URL"
    )]
    DataDirNotReachable {
        data_dir: PathBuf,
        blocking: PathBuf,
        user: String,
    },

    #[error(
        "the data directory {data_dir} exists and is not empty but holds no PostgreSQL \
         cluster (no PG_VERSION); choose another directory (KENPO_PG_DATA) or empty it"
    )]
    DataDirNotEmpty { data_dir: PathBuf },

    #[error(
        "the cluster in {data_dir} was created by PostgreSQL {data_version}, but the \
         binaries in {bin_dir} are version {bin_version}; install PostgreSQL {data_version} \
         and point KENPO_PG_BIN at it, or move the data directory away to start afresh"
    )]
    VersionMismatch {
        data_dir: PathBuf,
        data_version: String,
        bin_dir: PathBuf,
        bin_version: String,
    },

    #[error(
        "port {port} on 127.0.0.1 is already in use by another process (another PostgreSQL \
         server?); stop it, choose another port (KENPO_PG_PORT), or set DATABASE_URL to use \
         that server"
    )]
    PortInUse { port: u16 },

    #[error(
        "the embedded PostgreSQL in {data_dir} refused the password of its superuser `{user}` \
         kept in {password_file}: that file was not made for this cluster (was KENPO_HOME \
         different when the cluster was set up?); run kenpo with that KENPO_HOME, or move the \
         data directory away to start afresh"
    )]
    SuperuserPasswordRejected {
        data_dir: PathBuf,
        user: String,
        password_file: PathBuf,
    },

    #[error("the password file of the database role `{role}`: {source}")]
    PasswordFile {
        role: String,
        #[source]
        source: crate::secret_file::SecretFileError,
    },

    #[error("{action} failed: {source}")]
    Io {
        action: String,
        #[source]
        source: std::io::Error,
    },

    #[error("`{command}` failed ({status}): {output}")]
    CommandFailed {
        command: String,
        status: String,
        output: String,
    },

    #[error(
        "PostgreSQL in {data_dir} did not start on port {port}; see the server log \
         {log_file}; its last lines:\n{log_tail}"
    )]
    StartFailed {
        data_dir: PathBuf,
        port: u16,
        log_file: PathBuf,
        log_tail: String,
    },

    #[error(
        "the embedded PostgreSQL on 127.0.0.1:{port} is running but {action} failed: {source}; \
         see the server log {log_file}"
    )]
    Database {
        port: u16,
        action: String,
        log_file: PathBuf,
        #[source]
        source: sqlx::Error,
    },
}

fn io_err(action: impl Into<String>) -> impl FnOnce(std::io::Error) -> EmbeddedPostgresError {
    let action = action.into();
    move |source| EmbeddedPostgresError::Io { action, source }
}

/// The OS user PostgreSQL runs as when kenpo runs as root.
#[derive(Debug, Clone)]
struct RunAs {
    user: String,
    uid: u32,
    gid: u32,
    runuser: PathBuf,
}

/// A role of the embedded cluster (module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmbeddedRole {
    /// The bootstrap superuser ([`EmbeddedOptions::user`]).
    Superuser,
    /// [`OWNER_ROLE`]: owns the schema, migrates.
    Owner,
    /// [`SERVICE_ROLE`]: a member of [`APPLICATION_ROLE`].
    Service,
}

/// A database password, never shown by `Debug`; zeroed when dropped.
#[derive(Clone)]
struct Password(zeroize::Zeroizing<String>);

impl std::fmt::Debug for Password {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Password(..)")
    }
}

/// The passwords of the three roles, from their secret files.
#[derive(Debug, Clone)]
struct Passwords {
    superuser: Password,
    owner: Password,
    service: Password,
}

/// A running private PostgreSQL cluster. See the module docs.
#[derive(Debug)]
pub struct EmbeddedPostgres {
    data_dir: PathBuf,
    port: u16,
    bin_dir: PathBuf,
    database: String,
    user: String,
    secrets_dir: PathBuf,
    passwords: Passwords,
    run_as: Option<RunAs>,
    reused: bool,
}

impl EmbeddedPostgres {
    /// Finds the binaries, creates the cluster if needed, starts it (or reuses a
    /// running one) and creates the database if missing.
    pub async fn start(
        options: EmbeddedOptions,
    ) -> Result<EmbeddedPostgres, EmbeddedPostgresError> {
        let mut data_dir = std::path::absolute(&options.data_dir)
            .map_err(io_err(format!("resolving {}", options.data_dir.display())))?;
        let run_as = run_as().await?;
        if let Some(run_as) = &run_as {
            if options.data_dir_is_default && !data_dir.join("PG_VERSION").exists() {
                if let Some(blocking) = unreachable_ancestor(&data_dir, run_as)? {
                    let fallback = fallback_data_dir(&data_dir);
                    tracing::warn!(
                        default_data_dir = %data_dir.display(),
                        blocking = %blocking.display(),
                        os_user = %run_as.user,
                        data_dir = %fallback.display(),
                        "the PostgreSQL OS user cannot reach the default data directory; \
                         using the fallback data directory instead (set KENPO_PG_DATA to choose one)"
                    );
                    data_dir = fallback;
                }
            }
        }
        let has_cluster = data_dir.join("PG_VERSION").is_file();
        let data_version = if has_cluster {
            Some(
                std::fs::read_to_string(data_dir.join("PG_VERSION"))
                    .map_err(io_err(format!("reading {}/PG_VERSION", data_dir.display())))?
                    .trim()
                    .to_owned(),
            )
        } else {
            None
        };
        let bin_dir = match &options.bin_dir {
            Some(dir) => check_bin_dir(dir, "bin_dir / KENPO_PG_BIN")?,
            None => find_bin_dir(data_version.as_deref()).await?,
        };
        let bin_version = binary_major_version(&bin_dir).await?;
        if let Some(data_version) = &data_version {
            if *data_version != bin_version {
                return Err(EmbeddedPostgresError::VersionMismatch {
                    data_dir,
                    data_version: data_version.clone(),
                    bin_dir,
                    bin_version,
                });
            }
        }

        let secrets_dir = std::path::absolute(&options.secrets_dir).map_err(io_err(format!(
            "resolving {}",
            options.secrets_dir.display()
        )))?;
        let passwords = load_or_create_passwords(&secrets_dir, &options.user)?;
        let pg = EmbeddedPostgres {
            data_dir,
            port: options.port,
            bin_dir,
            database: options.database.clone(),
            user: options.user.clone(),
            secrets_dir,
            passwords,
            run_as,
            reused: false,
        };
        tracing::info!(
            data_dir = %pg.data_dir.display(),
            port = pg.port,
            bin_dir = %pg.bin_dir.display(),
            postgres_version = %bin_version,
            os_user = pg.run_as.as_ref().map(|r| r.user.as_str()).unwrap_or("(current)"),
            "starting embedded PostgreSQL"
        );

        pg.prepare_data_dir(has_cluster)?;
        if !has_cluster {
            pg.initdb().await?;
        }
        let conf_changed = pg.write_config(options.max_connections)?;

        let mut running = pg.is_running().await?;
        if running && conf_changed {
            tracing::info!(data_dir = %pg.data_dir.display(), "kenpo.conf changed; restarting PostgreSQL");
            pg.pg_ctl_stop().await?;
            running = false;
        }
        let pg = if running {
            tracing::info!(data_dir = %pg.data_dir.display(), port = pg.port, "reusing running PostgreSQL");
            EmbeddedPostgres { reused: true, ..pg }
        } else {
            pg.pg_ctl_start().await?;
            pg
        };
        pg.ensure_roles_and_database().await?;
        pg.ensure_pg_hba().await?;
        tracing::info!(url = %pg.database_url(), "embedded PostgreSQL ready");
        Ok(pg)
    }

    /// `postgres://kenpo_service@127.0.0.1:<port>/<database>`: where the service connects, for
    /// people (no password; it is in the secret file, see the module docs).
    pub fn database_url(&self) -> String {
        format!(
            "postgres://{SERVICE_ROLE}@127.0.0.1:{}/{}",
            self.port, self.database
        )
    }

    /// The connection the co-located kenpo process should use as `role` (with its password):
    /// through the cluster's Unix-domain socket in the data directory when it has one, else
    /// TCP to 127.0.0.1 ([`Self::tcp_connect_options`]).
    ///
    /// A local socket only skips the TCP loopback stack, which costs about as much CPU per
    /// round trip as the statement itself (measured with `kenpo bench http`, see
    /// docs/operations.md); authentication is the same.
    pub fn connect_options(&self, role: EmbeddedRole) -> PgConnectOptions {
        match self.socket_dir() {
            Some(dir) => self.tcp_connect_options(role).socket(dir),
            None => self.tcp_connect_options(role),
        }
    }

    /// The connection of `role` (with its password) over TCP to 127.0.0.1.
    pub fn tcp_connect_options(&self, role: EmbeddedRole) -> PgConnectOptions {
        let (user, password) = match role {
            EmbeddedRole::Superuser => (self.user.as_str(), &self.passwords.superuser),
            EmbeddedRole::Owner => (OWNER_ROLE, &self.passwords.owner),
            EmbeddedRole::Service => (SERVICE_ROLE, &self.passwords.service),
        };
        PgConnectOptions::new()
            .host("127.0.0.1")
            .port(self.port)
            .username(user)
            .password(password.0.as_str())
            .database(&self.database)
            .ssl_mode(PgSslMode::Disable)
    }

    /// The directory of the roles' password files.
    pub fn secrets_dir(&self) -> &Path {
        &self.secrets_dir
    }

    /// The socket directory `kenpo.conf` configures: the data directory, unless the socket
    /// path would be too long for a Unix-domain socket address.
    fn socket_dir(&self) -> Option<&Path> {
        let socket_path = self.data_dir.join(format!(".s.PGSQL.{}.lock", self.port));
        (socket_path.as_os_str().len() <= MAX_SOCKET_PATH).then_some(self.data_dir.as_path())
    }

    /// Stops the server (`pg_ctl stop -m fast`), also if it was reused rather than
    /// started by this process. Failures are logged, not returned.
    pub async fn stop(self) {
        match self.pg_ctl_stop().await {
            Ok(()) => {
                tracing::info!(data_dir = %self.data_dir.display(), "embedded PostgreSQL stopped")
            }
            Err(error) => tracing::warn!(%error, "stopping embedded PostgreSQL failed"),
        }
    }

    /// Absolute path of the cluster directory.
    pub fn data_dir(&self) -> &Path {
        &self.data_dir
    }

    /// TCP port on 127.0.0.1.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Directory of the PostgreSQL binaries in use.
    pub fn bin_dir(&self) -> &Path {
        &self.bin_dir
    }

    /// The server log (inside the data directory).
    pub fn log_file(&self) -> PathBuf {
        self.data_dir.join(LOG_FILE)
    }

    /// True if the server was already running and was reused.
    pub fn was_already_running(&self) -> bool {
        self.reused
    }

    /// Connect options of the superuser for `database` (kenpo's own set-up).
    fn admin_connect_options(&self, database: &str) -> PgConnectOptions {
        self.tcp_connect_options(EmbeddedRole::Superuser)
            .database(database)
            .application_name("kenpo-embedded-postgres")
            .disable_statement_logging()
    }

    /// Creates the data directory (and, as root, makes it owned by the PostgreSQL
    /// OS user and checks that this user can reach it).
    fn prepare_data_dir(&self, has_cluster: bool) -> Result<(), EmbeddedPostgresError> {
        let dir = &self.data_dir;
        if !has_cluster && dir.exists() {
            let mut entries =
                std::fs::read_dir(dir).map_err(io_err(format!("reading {}", dir.display())))?;
            if entries.next().is_some() {
                return Err(EmbeddedPostgresError::DataDirNotEmpty {
                    data_dir: dir.clone(),
                });
            }
        }
        let Some(run_as) = &self.run_as else {
            if let Some(parent) = dir.parent() {
                std::fs::create_dir_all(parent)
                    .map_err(io_err(format!("creating {}", parent.display())))?;
            }
            return Ok(());
        };
        // Create missing ancestors one by one with mode 0755 (whatever the umask).
        let mut missing: Vec<&Path> = dir.ancestors().take_while(|p| !p.exists()).collect();
        missing.reverse();
        for path in missing {
            let mode = if path == dir { 0o700 } else { 0o755 };
            match std::fs::DirBuilder::new().mode(mode).create(path) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(io_err(format!("creating {}", path.display()))(e)),
            }
            std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode))
                .map_err(io_err(format!("chmod {}", path.display())))?;
        }
        if !has_cluster {
            std::os::unix::fs::chown(dir, Some(run_as.uid), Some(run_as.gid)).map_err(io_err(
                format!("chown {} to {}", dir.display(), run_as.user),
            ))?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))
                .map_err(io_err(format!("chmod {}", dir.display())))?;
        }
        // The server must be able to reach every ancestor.
        if let Some(blocking) = unreachable_ancestor(dir, run_as)? {
            return Err(EmbeddedPostgresError::DataDirNotReachable {
                data_dir: dir.clone(),
                blocking,
                user: run_as.user.clone(),
            });
        }
        Ok(())
    }

    /// `initdb` with password (SCRAM) authentication from the start: the superuser's password
    /// is handed over in a private file beside the data directory (readable by the server's OS
    /// user only), removed right after.
    async fn initdb(&self) -> Result<(), EmbeddedPostgresError> {
        tracing::info!(data_dir = %self.data_dir.display(), "creating PostgreSQL cluster (initdb)");
        let parent = self.data_dir.parent().unwrap_or(Path::new("/"));
        let pwfile = parent.join(format!(
            ".kenpo-initdb-{}.pw",
            uuid::Uuid::new_v4().simple()
        ));
        crate::secret_file::create_secret_file(&pwfile, self.passwords.superuser.0.as_bytes())
            .map_err(|source| EmbeddedPostgresError::PasswordFile {
                role: self.user.clone(),
                source,
            })?;
        let result = async {
            self.chown_to_server_user(&pwfile)?;
            let mut cmd = self.pg_command("initdb");
            cmd.arg("-D")
                .arg(&self.data_dir)
                .args([
                    "-A",
                    "scram-sha-256",
                    "-U",
                    &self.user,
                    "-E",
                    "UTF8",
                    "--locale=C",
                ])
                .arg(format!("--pwfile={}", pwfile.display()));
            run_checked(cmd, "initdb").await
        }
        .await;
        let removed = std::fs::remove_file(&pwfile);
        result?;
        removed.map_err(io_err(format!("removing {}", pwfile.display())))?;
        Ok(())
    }

    /// Writes `kenpo.conf` and includes it from `postgresql.conf`. Returns whether
    /// `kenpo.conf` changed.
    fn write_config(&self, max_connections: Option<u32>) -> Result<bool, EmbeddedPostgresError> {
        let socket_dir = if let Some(dir) = self.socket_dir() {
            conf_string(&dir.to_string_lossy())
        } else {
            tracing::info!(data_dir = %self.data_dir.display(), "data dir path too long for a unix socket; TCP only");
            "''".to_owned()
        };
        let mut conf = format!(
            "# Managed by kenpo (embedded_postgres.rs); rewritten on every start.\n\
             listen_addresses = '127.0.0.1'\n\
             port = {}\n\
             unix_socket_directories = {socket_dir}\n",
            self.port
        );
        if let Some(max) = max_connections {
            conf.push_str(&format!("max_connections = {max}\n"));
        }
        let conf_path = self.data_dir.join(CONF_FILE);
        let old = std::fs::read_to_string(&conf_path).ok();
        let changed = old.as_deref() != Some(conf.as_str());
        if changed {
            std::fs::write(&conf_path, &conf)
                .map_err(io_err(format!("writing {}", conf_path.display())))?;
            self.chown_to_server_user(&conf_path)?;
        }
        let main_conf = self.data_dir.join("postgresql.conf");
        let main = std::fs::read_to_string(&main_conf)
            .map_err(io_err(format!("reading {}", main_conf.display())))?;
        if !main.lines().any(|l| l.trim() == INCLUDE_LINE) {
            let mut appended = main;
            if !appended.ends_with('\n') {
                appended.push('\n');
            }
            appended.push_str(INCLUDE_LINE);
            appended.push('\n');
            std::fs::write(&main_conf, appended)
                .map_err(io_err(format!("writing {}", main_conf.display())))?;
        }
        Ok(changed && old.is_some())
    }

    fn chown_to_server_user(&self, path: &Path) -> Result<(), EmbeddedPostgresError> {
        if let Some(run_as) = &self.run_as {
            std::os::unix::fs::chown(path, Some(run_as.uid), Some(run_as.gid))
                .map_err(io_err(format!("chown {}", path.display())))?;
        }
        Ok(())
    }

    async fn is_running(&self) -> Result<bool, EmbeddedPostgresError> {
        let mut cmd = self.pg_command("pg_ctl");
        cmd.arg("status").arg("-D").arg(&self.data_dir);
        let output = run(cmd, "pg_ctl status").await?;
        // 0: running; 3: not running; 4: no accessible data directory.
        match output.status.code() {
            Some(0) => Ok(true),
            Some(3) => Ok(false),
            _ => Err(command_failed("pg_ctl status", &output)),
        }
    }

    async fn pg_ctl_start(&self) -> Result<(), EmbeddedPostgresError> {
        if let Err(e) = std::net::TcpListener::bind(("127.0.0.1", self.port)) {
            if e.kind() == ErrorKind::AddrInUse {
                return Err(EmbeddedPostgresError::PortInUse { port: self.port });
            }
        }
        let log_file = self.log_file();
        tracing::info!(data_dir = %self.data_dir.display(), port = self.port, log_file = %log_file.display(), "starting PostgreSQL (pg_ctl start)");
        let mut cmd = self.pg_command("pg_ctl");
        cmd.args(["start", "-w", "-t", START_TIMEOUT_SECS, "-D"])
            .arg(&self.data_dir)
            .arg("-l")
            .arg(&log_file);
        let output = run(cmd, "pg_ctl start").await?;
        if output.status.success() {
            return Ok(());
        }
        let log = std::fs::read_to_string(&log_file).unwrap_or_default();
        let tail: Vec<&str> = log.lines().rev().take(15).collect();
        let log_tail = tail.into_iter().rev().collect::<Vec<_>>().join("\n");
        if log_tail.contains("Address already in use") {
            return Err(EmbeddedPostgresError::PortInUse { port: self.port });
        }
        let log_tail = if log_tail.is_empty() {
            format!("(empty; pg_ctl said: {})", output_text(&output))
        } else {
            log_tail
        };
        Err(EmbeddedPostgresError::StartFailed {
            data_dir: self.data_dir.clone(),
            port: self.port,
            log_file,
            log_tail,
        })
    }

    async fn pg_ctl_stop(&self) -> Result<(), EmbeddedPostgresError> {
        let mut cmd = self.pg_command("pg_ctl");
        cmd.args(["stop", "-w", "-m", "fast", "-D"])
            .arg(&self.data_dir);
        run_checked(cmd, "pg_ctl stop").await?;
        Ok(())
    }

    fn db_error(&self, action: &str) -> impl FnOnce(sqlx::Error) -> EmbeddedPostgresError {
        let action = action.to_owned();
        let port = self.port;
        let log_file = self.log_file();
        move |source| EmbeddedPostgresError::Database {
            port,
            action,
            log_file,
            source,
        }
    }

    /// A set-up connection of the superuser to `database`, which logs no statement.
    async fn admin_connection(
        &self,
        database: &str,
    ) -> Result<PgConnection, EmbeddedPostgresError> {
        let mut conn = match PgConnection::connect_with(&self.admin_connect_options(database)).await
        {
            Ok(conn) => conn,
            // 28P01 invalid_password
            Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("28P01") => {
                return Err(EmbeddedPostgresError::SuperuserPasswordRejected {
                    data_dir: self.data_dir.clone(),
                    user: self.user.clone(),
                    password_file: password_file(&self.secrets_dir, &self.user),
                })
            }
            Err(e) => {
                return Err(self
                    .db_error(&format!("connecting to database `{database}`"))(
                    e
                ))
            }
        };
        sqlx::raw_sql(
            "SET log_statement = 'none'; SET log_min_error_statement = 'panic'; \
             SET log_min_duration_statement = -1",
        )
        .execute(&mut conn)
        .await
        .map_err(self.db_error("configuring the set-up session"))?;
        Ok(conn)
    }

    /// The roles, their passwords, the database and who owns what (module docs).
    async fn ensure_roles_and_database(&self) -> Result<(), EmbeddedPostgresError> {
        let mut conn = self.admin_connection("postgres").await?;
        let sql = roles_sql(&self.user, &self.passwords);
        sqlx::raw_sql(sql.as_str())
            .execute(&mut conn)
            .await
            .map_err(self.db_error("setting up the roles"))?;
        let owner: Option<String> = sqlx::query_scalar(
            "SELECT pg_get_userbyid(datdba)::text FROM pg_database WHERE datname = $1",
        )
        .bind(&self.database)
        .fetch_optional(&mut conn)
        .await
        .map_err(self.db_error("looking up the database"))?;
        match owner.as_deref() {
            None => {
                tracing::info!(database = %self.database, "creating database");
                let sql = format!(
                    "CREATE DATABASE {} OWNER {OWNER_ROLE}",
                    quote_ident(&self.database)
                );
                match sqlx::raw_sql(&sql).execute(&mut conn).await {
                    Ok(_) => {}
                    // 42P04 duplicate_database: created concurrently, fine.
                    Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("42P04") => {}
                    Err(e) => return Err(self.db_error("CREATE DATABASE")(e)),
                }
            }
            Some(OWNER_ROLE) => {}
            Some(previous) => {
                tracing::info!(database = %self.database, previous, owner = OWNER_ROLE, "handing the database to its owner role");
                let sql = format!(
                    "ALTER DATABASE {} OWNER TO {OWNER_ROLE}",
                    quote_ident(&self.database)
                );
                sqlx::raw_sql(&sql)
                    .execute(&mut conn)
                    .await
                    .map_err(self.db_error("ALTER DATABASE … OWNER"))?;
            }
        }
        conn.close().await.ok();

        let mut conn = self.admin_connection(&self.database).await?;
        sqlx::raw_sql(OWNERSHIP_SQL)
            .execute(&mut conn)
            .await
            .map_err(self.db_error("handing the schema to its owner role"))?;
        conn.close().await.ok();
        Ok(())
    }

    /// Writes kenpo's `pg_hba.conf` ([`pg_hba_conf`]) and reloads the server if it changed.
    async fn ensure_pg_hba(&self) -> Result<(), EmbeddedPostgresError> {
        let path = self.data_dir.join(HBA_FILE);
        let content = pg_hba_conf(&self.user);
        let old = std::fs::read_to_string(&path).unwrap_or_default();
        if old == content {
            return Ok(());
        }
        // Did the old rules admit anyone without a password (an earlier kenpo's `trust`)?
        let admitted_without_password = old
            .lines()
            .map(|line| line.split('#').next().unwrap_or_default().trim())
            .filter(|rule| !rule.is_empty())
            .any(|rule| !(rule.contains("scram-sha-256") || rule.contains("md5")));
        tracing::info!(path = %path.display(), "writing pg_hba.conf: password authentication for kenpo's roles only");
        let tmp = self.data_dir.join(format!("{HBA_FILE}.kenpo-new"));
        std::fs::write(&tmp, &content).map_err(io_err(format!("writing {}", tmp.display())))?;
        std::fs::set_permissions(&tmp, std::fs::Permissions::from_mode(0o600))
            .map_err(io_err(format!("chmod {}", tmp.display())))?;
        self.chown_to_server_user(&tmp)?;
        std::fs::rename(&tmp, &path).map_err(io_err(format!("replacing {}", path.display())))?;
        let mut conn = self.admin_connection("postgres").await?;
        let reloaded: bool = sqlx::query_scalar("SELECT pg_reload_conf()")
            .fetch_one(&mut conn)
            .await
            .map_err(self.db_error("reloading the configuration"))?;
        conn.close().await.ok();
        if reloaded && !admitted_without_password {
            return Ok(());
        }
        if reloaded {
            // The reload is asynchronous: wait until a wrong password is refused, so that no
            // caller ever connects under the old rules.
            let probe = self
                .admin_connect_options("postgres")
                .password("kenpo-pg-hba-reload-probe");
            for _ in 0..50 {
                match PgConnection::connect_with(&probe).await {
                    Err(sqlx::Error::Database(e)) if e.code().as_deref() == Some("28P01") => {
                        return Ok(())
                    }
                    Ok(conn) => {
                        conn.close().await.ok();
                    }
                    Err(_) => {}
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
        }
        Err(EmbeddedPostgresError::CommandFailed {
            command: "SELECT pg_reload_conf()".to_owned(),
            status: format!("reloaded: {reloaded}"),
            output: format!(
                "the server did not put the new {HBA_FILE} in force; see the server log"
            ),
        })
    }

    /// A command for a PostgreSQL binary, run as the server's OS user if root.
    fn pg_command(&self, program: &str) -> Command {
        let program = self.bin_dir.join(program);
        let mut cmd = match &self.run_as {
            Some(run_as) => {
                let mut cmd = Command::new(&run_as.runuser);
                cmd.args(["-u", &run_as.user, "--"]).arg(program);
                cmd
            }
            None => Command::new(program),
        };
        // Run from a directory the server user can enter (not e.g. /root).
        let cwd = self.data_dir.parent().unwrap_or(Path::new("/"));
        cmd.current_dir(cwd)
            .env("LC_MESSAGES", "C")
            .env_remove("PGDATA")
            .env_remove("PGPORT")
            .env_remove("PGHOST");
        cmd
    }
}

/// The first (outermost) existing ancestor of `dir` (itself included) that
/// `run_as.user` cannot enter, if any. Missing ones are skipped: kenpo creates
/// them with mode 0755.
fn unreachable_ancestor(
    dir: &Path,
    run_as: &RunAs,
) -> Result<Option<PathBuf>, EmbeddedPostgresError> {
    for ancestor in dir.ancestors().collect::<Vec<_>>().into_iter().rev() {
        if !ancestor.exists() {
            break;
        }
        let ok = std::process::Command::new(&run_as.runuser)
            .args(["-u", &run_as.user, "--", "test", "-x"])
            .arg(ancestor)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map_err(io_err("running runuser"))?
            .success();
        if !ok {
            return Ok(Some(ancestor.to_path_buf()));
        }
    }
    Ok(None)
}

/// Where an unreachable default data directory goes when running as root:
/// `/var/lib/kenpo/<first 12 hex digits of sha256(absolute default)>/pgdata`.
fn fallback_data_dir(default_data_dir: &Path) -> PathBuf {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(default_data_dir.as_os_str().as_encoded_bytes());
    let hash = hex::encode(digest);
    PathBuf::from(FALLBACK_DATA_ROOT)
        .join(&hash[..12])
        .join("pgdata")
}

/// The password file of database role `role` in `secrets_dir`.
fn password_file(secrets_dir: &Path, role: &str) -> PathBuf {
    secrets_dir.join(format!("postgres-{role}.password"))
}

/// Reads the password of `role`, creating its file with a fresh random password (64 hex
/// digits) when missing.
fn load_or_create_password(
    secrets_dir: &Path,
    role: &str,
) -> Result<Password, EmbeddedPostgresError> {
    use rand::RngCore;
    let wrap = |source| EmbeddedPostgresError::PasswordFile {
        role: role.to_owned(),
        source,
    };
    let path = password_file(secrets_dir, role);
    if !path.exists() {
        crate::secret_file::ensure_private_dir(secrets_dir).map_err(wrap)?;
        let mut bytes = zeroize::Zeroizing::new([0_u8; 32]);
        rand::rngs::OsRng.fill_bytes(&mut bytes[..]);
        let text = zeroize::Zeroizing::new(hex::encode(&bytes[..]));
        if crate::secret_file::create_secret_file(&path, text.as_bytes()).map_err(wrap)? {
            tracing::info!(path = %path.display(), role, "created a database password file");
        }
    }
    let bytes = crate::secret_file::read_secret_file(&path, PASSWORD_FILE_LIMIT).map_err(wrap)?;
    let text = String::from_utf8_lossy(&bytes).trim().to_owned();
    if text.is_empty() {
        return Err(EmbeddedPostgresError::PasswordFile {
            role: role.to_owned(),
            source: crate::secret_file::SecretFileError::Io {
                path,
                source: std::io::Error::new(ErrorKind::InvalidData, "the file is empty"),
            },
        });
    }
    Ok(Password(zeroize::Zeroizing::new(text)))
}

fn load_or_create_passwords(
    secrets_dir: &Path,
    superuser: &str,
) -> Result<Passwords, EmbeddedPostgresError> {
    // Missing parents get the usual mode (e.g. `.kenpo`, 0755 under umask 022), not the
    // secret directory's 0700: the data directory may live beside it (`.kenpo/pgdata`), and as
    // root the server's OS user must be able to enter its parents.
    if let Some(parent) = secrets_dir.parent() {
        std::fs::create_dir_all(parent)
            .map_err(io_err(format!("creating {}", parent.display())))?;
    }
    Ok(Passwords {
        superuser: load_or_create_password(secrets_dir, superuser)?,
        owner: load_or_create_password(secrets_dir, OWNER_ROLE)?,
        service: load_or_create_password(secrets_dir, SERVICE_ROLE)?,
    })
}

/// The SQL (run as the superuser in the database `postgres`) that creates the roles when
/// missing and sets their attributes, passwords and membership (module docs). Idempotent, and
/// safe when two starts run it at once.
fn roles_sql(superuser: &str, passwords: &Passwords) -> zeroize::Zeroizing<String> {
    let create = |role: &str, attributes: &str| {
        format!(
            "DO $$ BEGIN
                 IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '{role}') THEN
                     CREATE ROLE {role} {attributes};
                 END IF;
             EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL;
             END $$;\n"
        )
    };
    let limited = "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS";
    // Room for all of it up front: a growing String would leave copies of the passwords behind.
    let mut sql = zeroize::Zeroizing::new(String::with_capacity(4096));
    sql.push_str(&format!(
        "ALTER ROLE {} WITH PASSWORD ",
        quote_ident(superuser)
    ));
    push_literal(&mut sql, &passwords.superuser.0);
    sql.push_str(";\n");
    sql.push_str(&create(APPLICATION_ROLE, "NOLOGIN"));
    sql.push_str(&format!(
        "ALTER ROLE {APPLICATION_ROLE} WITH NOLOGIN {limited};\n"
    ));
    for (role, password) in [
        (OWNER_ROLE, &passwords.owner),
        (SERVICE_ROLE, &passwords.service),
    ] {
        sql.push_str(&create(role, "LOGIN"));
        sql.push_str(&format!(
            "ALTER ROLE {role} WITH LOGIN INHERIT {limited} PASSWORD "
        ));
        push_literal(&mut sql, &password.0);
        sql.push_str(";\n");
    }
    sql.push_str(&format!(
        "DO $$ BEGIN
             GRANT {APPLICATION_ROLE} TO {SERVICE_ROLE};
         EXCEPTION WHEN unique_violation THEN NULL;
         END $$;\n"
    ));
    sql
}

/// Run as the superuser in the application database: `public` and every table, sequence,
/// function and type in it (except extension members) belong to the owner role, and only the
/// owner may create objects in `public`. Tables first: their serial sequences follow them.
const OWNERSHIP_SQL: &str = "
DO $$
DECLARE
    r record;
BEGIN
    IF (SELECT nspowner FROM pg_namespace WHERE nspname = 'public') <> 'kenpo_owner'::regrole THEN
        ALTER SCHEMA public OWNER TO kenpo_owner;
    END IF;
    FOR r IN
        SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
          AND c.relowner <> 'kenpo_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER TABLE %s OWNER TO kenpo_owner', r.name);
    END LOOP;
    FOR r IN
        SELECT c.oid::regclass AS name FROM pg_class c
        JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE n.nspname = 'public' AND c.relkind = 'S'
          AND c.relowner <> 'kenpo_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_class'::regclass
                          AND d.objid = c.oid AND d.deptype IN ('e', 'a', 'i'))
    LOOP
        EXECUTE format('ALTER SEQUENCE %s OWNER TO kenpo_owner', r.name);
    END LOOP;
    FOR r IN
        SELECT p.oid::regprocedure AS name FROM pg_proc p
        JOIN pg_namespace n ON n.oid = p.pronamespace
        WHERE n.nspname = 'public' AND p.proowner <> 'kenpo_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_proc'::regclass
                          AND d.objid = p.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER ROUTINE %s OWNER TO kenpo_owner', r.name);
    END LOOP;
    FOR r IN
        SELECT t.oid::regtype AS name, t.typtype FROM pg_type t
        JOIN pg_namespace n ON n.oid = t.typnamespace
        WHERE n.nspname = 'public' AND t.typtype IN ('e', 'd')
          AND t.typowner <> 'kenpo_owner'::regrole
          AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass
                          AND d.objid = t.oid AND d.deptype = 'e')
    LOOP
        EXECUTE format('ALTER %s %s OWNER TO kenpo_owner',
                       CASE r.typtype WHEN 'd' THEN 'DOMAIN' ELSE 'TYPE' END, r.name);
    END LOOP;
END
$$;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
";

/// kenpo's `pg_hba.conf` for the embedded cluster: SCRAM passwords for the superuser `superuser`
/// and the roles [`OWNER_ROLE`] and [`SERVICE_ROLE`], over the local socket and 127.0.0.1 only.
/// No line trusts anyone and no other role matches (so it is refused).
pub fn pg_hba_conf(superuser: &str) -> String {
    let users = format!("{},{OWNER_ROLE},{SERVICE_ROLE}", quote_hba(superuser));
    format!(
        "# Managed by kenpo (infrastructure/src/embedded_postgres.rs); rewritten on every start.\n\
         # Password (SCRAM) authentication for kenpo's roles only; no other role may connect.\n\
         # The passwords are in KENPO_HOME/secrets (postgres-<role>.password).\n\
         # TYPE  DATABASE  USER  ADDRESS  METHOD\n\
         local   all       {users}                 scram-sha-256\n\
         host    all       {users}  127.0.0.1/32   scram-sha-256\n"
    )
}

/// A role name for `pg_hba.conf` (double-quoted when it is not a plain identifier).
fn quote_hba(name: &str) -> String {
    if !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
    {
        name.to_owned()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

fn non_empty_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

/// `Some(RunAs)` when running as root.
async fn run_as() -> Result<Option<RunAs>, EmbeddedPostgresError> {
    if id(&["-u"]).await.as_deref() != Some("0") {
        return Ok(None);
    }
    let user = non_empty_env("KENPO_PG_OS_USER").unwrap_or_else(|| DEFAULT_OS_USER.to_owned());
    let (Some(uid), Some(gid)) = (id(&["-u", &user]).await, id(&["-g", &user]).await) else {
        return Err(EmbeddedPostgresError::NoUnprivilegedUser { user });
    };
    let parse = |s: String| {
        s.parse::<u32>()
            .map_err(|_| EmbeddedPostgresError::NoUnprivilegedUser { user: user.clone() })
    };
    let (uid, gid) = (parse(uid)?, parse(gid)?);
    let runuser = find_on_path("runuser")
        .or_else(|| {
            ["/usr/sbin/runuser", "/sbin/runuser"]
                .iter()
                .map(PathBuf::from)
                .find(|p| p.is_file())
        })
        .ok_or_else(|| EmbeddedPostgresError::RunuserNotFound { user: user.clone() })?;
    Ok(Some(RunAs {
        user,
        uid,
        gid,
        runuser,
    }))
}

/// Output of `id <args>`, or `None` if it fails.
async fn id(args: &[&str]) -> Option<String> {
    let output = Command::new("id")
        .args(args)
        .stdin(Stdio::null())
        .output()
        .await
        .ok()?;
    output
        .status
        .success()
        .then(|| String::from_utf8_lossy(&output.stdout).trim().to_owned())
}

fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
}

fn has_server_binaries(dir: &Path) -> bool {
    dir.join("initdb").is_file() && dir.join("pg_ctl").is_file()
}

fn check_bin_dir(dir: &Path, source: &str) -> Result<PathBuf, EmbeddedPostgresError> {
    if has_server_binaries(dir) {
        Ok(dir.to_path_buf())
    } else {
        Err(EmbeddedPostgresError::BinariesNotFound {
            detail: format!(
                "{source} is {} but it has no initdb and pg_ctl",
                dir.display()
            ),
        })
    }
}

/// Binary discovery; see the module docs for the order.
async fn find_bin_dir(prefer_major: Option<&str>) -> Result<PathBuf, EmbeddedPostgresError> {
    if let Some(dir) = non_empty_env("KENPO_PG_BIN") {
        return check_bin_dir(Path::new(&dir), "KENPO_PG_BIN");
    }
    // Debian/Ubuntu layout, highest version first (matching the cluster if any).
    let mut versioned: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .into_iter()
        .flatten()
        .flatten()
        .filter_map(|entry| {
            let version = entry.file_name().to_string_lossy().parse::<u32>().ok()?;
            let bin = entry.path().join("bin");
            has_server_binaries(&bin).then_some((version, bin))
        })
        .collect();
    versioned.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
    if let Some(major) = prefer_major {
        if let Some((_, bin)) = versioned.iter().find(|(v, _)| v.to_string() == major) {
            return Ok(bin.clone());
        }
    }
    let from_pg_config = Command::new("pg_config")
        .arg("--bindir")
        .stdin(Stdio::null())
        .output()
        .await
        .ok()
        .filter(|o| o.status.success())
        .map(|o| PathBuf::from(String::from_utf8_lossy(&o.stdout).trim()))
        .filter(|dir| has_server_binaries(dir));
    if let Some(dir) = from_pg_config {
        return Ok(dir);
    }
    if let Some((_, bin)) = versioned.into_iter().next() {
        return Ok(bin);
    }
    let from_path = find_on_path("initdb")
        .and_then(|p| std::fs::canonicalize(p).ok())
        .and_then(|p| p.parent().map(Path::to_path_buf))
        .filter(|dir| has_server_binaries(dir));
    if let Some(dir) = from_path {
        return Ok(dir);
    }
    for prefix in ["/opt/homebrew/opt", "/usr/local/opt"] {
        let mut kegs: Vec<(u32, PathBuf)> = std::fs::read_dir(prefix)
            .into_iter()
            .flatten()
            .flatten()
            .filter_map(|entry| {
                let name = entry.file_name().to_string_lossy().into_owned();
                let version = name.strip_prefix("postgresql@")?.parse::<u32>().ok()?;
                let bin = entry.path().join("bin");
                has_server_binaries(&bin).then_some((version, bin))
            })
            .collect();
        kegs.sort_by_key(|(v, _)| std::cmp::Reverse(*v));
        if let Some((_, bin)) = kegs.into_iter().next() {
            return Ok(bin);
        }
    }
    Err(EmbeddedPostgresError::BinariesNotFound {
        detail: "searched KENPO_PG_BIN, pg_config --bindir, /usr/lib/postgresql/*/bin, PATH"
            .to_owned(),
    })
}

/// Major version of the binaries, as written to PG_VERSION (e.g. "15").
async fn binary_major_version(bin_dir: &Path) -> Result<String, EmbeddedPostgresError> {
    let mut cmd = Command::new(bin_dir.join("pg_ctl"));
    cmd.arg("--version");
    let output = run_checked(cmd, "pg_ctl --version").await?;
    // "pg_ctl (PostgreSQL) 15.14 (Debian 15.14-0+deb12u1)"
    let text = String::from_utf8_lossy(&output.stdout);
    let version = text
        .split_whitespace()
        .find(|w| w.starts_with(|c: char| c.is_ascii_digit()))
        .unwrap_or("");
    let major = version
        .split(|c: char| !c.is_ascii_digit())
        .next()
        .unwrap_or("")
        .to_owned();
    if major.is_empty() {
        return Err(command_failed("pg_ctl --version", &output));
    }
    Ok(major)
}

async fn run(mut cmd: Command, what: &str) -> Result<Output, EmbeddedPostgresError> {
    cmd.stdin(Stdio::null()).kill_on_drop(true);
    cmd.output()
        .await
        .map_err(io_err(format!("running {what}")))
}

async fn run_checked(cmd: Command, what: &str) -> Result<Output, EmbeddedPostgresError> {
    let output = run(cmd, what).await?;
    if output.status.success() {
        Ok(output)
    } else {
        Err(command_failed(what, &output))
    }
}

fn output_text(output: &Output) -> String {
    let mut text = String::from_utf8_lossy(&output.stderr).trim().to_owned();
    let stdout = String::from_utf8_lossy(&output.stdout);
    if text.is_empty() {
        text = stdout.trim().to_owned();
    }
    text
}

fn command_failed(what: &str, output: &Output) -> EmbeddedPostgresError {
    EmbeddedPostgresError::CommandFailed {
        command: what.to_owned(),
        status: output.status.to_string(),
        output: output_text(output),
    }
}

/// A single-quoted postgresql.conf string.
fn conf_string(value: &str) -> String {
    format!("'{}'", value.replace('\\', "\\\\").replace('\'', "''"))
}

/// A double-quoted SQL identifier.
fn quote_ident(ident: &str) -> String {
    format!("\"{}\"", ident.replace('"', "\"\""))
}

/// Appends `text` to `sql` as a single-quoted SQL string literal (standard_conforming_strings
/// is on), without a temporary copy.
fn push_literal(sql: &mut String, text: &str) {
    sql.push('\'');
    for c in text.chars() {
        if c == '\'' {
            sql.push('\'');
        }
        sql.push(c);
    }
    sql.push('\'');
}

#[cfg(test)]
mod tests {

    use super::*;
    use std::time::Duration;

    /// Stops the cluster and removes its directory even if the test panics.
    struct Cleanup {
        root: PathBuf,
        data_dir: PathBuf,
        bin_dir: Option<PathBuf>,
        run_as: Option<RunAs>,
    }

    impl Drop for Cleanup {
        fn drop(&mut self) {
            if let Some(bin_dir) = &self.bin_dir {
                let pg_ctl = bin_dir.join("pg_ctl");
                let mut cmd = match &self.run_as {
                    Some(r) => {
                        let mut c = std::process::Command::new(&r.runuser);
                        c.args(["-u", &r.user, "--"]).arg(pg_ctl);
                        c
                    }
                    None => std::process::Command::new(pg_ctl),
                };
                let _ = cmd
                    .args(["stop", "-w", "-m", "immediate", "-D"])
                    .arg(&self.data_dir)
                    .current_dir(&self.root)
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .status();
            }
            let _ = std::fs::remove_dir_all(&self.root);
        }
    }

    fn free_port() -> u16 {
        std::net::TcpListener::bind(("127.0.0.1", 0))
            .expect("bind an ephemeral port")
            .local_addr()
            .expect("local addr")
            .port()
    }

    async fn select_one(options: PgConnectOptions) -> i32 {
        let mut conn = PgConnection::connect_with(&options)
            .await
            .expect("connect to embedded PostgreSQL");
        let one: i32 = sqlx::query_scalar("SELECT 1")
            .fetch_one(&mut conn)
            .await
            .expect("SELECT 1");
        conn.close().await.ok();
        one
    }

    /// Starts a cluster in a temp dir, queries it, stops it, starts it again from
    /// the existing data dir. Runs in the normal `cargo test` (also as root). It is
    /// skipped only when no PostgreSQL binaries exist *and* DATABASE_URL is set
    /// (a developer using an external server).
    #[tokio::test]
    async fn embedded_postgres_starts_stops_and_reuses_data_dir() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let root =
            std::env::temp_dir().join(format!("kenpo-embedded-{}-{nanos}", std::process::id()));
        let data_dir = root.join("pgdata");
        let mut cleanup = Cleanup {
            root: root.clone(),
            data_dir: data_dir.clone(),
            bin_dir: None,
            run_as: run_as().await.expect("run_as"),
        };
        let options = EmbeddedOptions {
            data_dir: data_dir.clone(),
            data_dir_is_default: false,
            port: free_port(),
            database: "kenpo_embedded_test".to_owned(),
            secrets_dir: root.join("secrets"),
            ..EmbeddedOptions::default()
        };
        let pg = match EmbeddedPostgres::start(options.clone()).await {
            Ok(pg) => pg,
            Err(EmbeddedPostgresError::BinariesNotFound { .. })
                if std::env::var_os("DATABASE_URL").is_some() =>
            {
                eprintln!("skipping: no PostgreSQL server binaries and DATABASE_URL is set");
                return;
            }
            Err(e) => panic!("first start failed: {e}"),
        };
        cleanup.bin_dir = Some(pg.bin_dir().to_path_buf());
        assert!(!pg.was_already_running());
        assert!(data_dir.join("PG_VERSION").is_file());
        assert!(pg.log_file().starts_with(&data_dir));
        assert_eq!(
            pg.database_url(),
            format!(
                "postgres://kenpo_service@127.0.0.1:{}/kenpo_embedded_test",
                options.port
            )
        );
        // every role with its password, over TCP and through the socket in the data directory
        let roles = [
            EmbeddedRole::Superuser,
            EmbeddedRole::Owner,
            EmbeddedRole::Service,
        ];
        for role in roles {
            assert_eq!(select_one(pg.tcp_connect_options(role)).await, 1);
            let local = pg.connect_options(role);
            assert!(
                local.get_socket().is_some(),
                "{role:?} does not use the socket"
            );
            assert_eq!(select_one(local).await, 1);
        }
        assert_the_roles_are_set_up(&pg).await;

        // A second start while running reuses the server.
        let again = EmbeddedPostgres::start(options.clone())
            .await
            .expect("start while running");
        assert!(again.was_already_running());
        drop(again);

        let pg_tcp = pg.tcp_connect_options(EmbeddedRole::Service);
        pg.stop().await;
        tokio::time::sleep(Duration::from_millis(100)).await;
        assert!(
            PgConnection::connect_with(&pg_tcp).await.is_err(),
            "server still answers after stop"
        );

        // Start again from the existing data dir.
        let pg = EmbeddedPostgres::start(options)
            .await
            .expect("restart from existing data dir");
        assert!(!pg.was_already_running());
        assert_eq!(
            select_one(pg.connect_options(EmbeddedRole::Service)).await,
            1
        );
        pg.stop().await;
    }

    #[tokio::test]
    async fn embedded_postgres_reports_port_in_use() {
        let listener = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
        let port = listener.local_addr().unwrap().port();
        let root = std::env::temp_dir().join(format!("kenpo-embedded-port-{}", std::process::id()));
        let mut cleanup = Cleanup {
            root: root.clone(),
            data_dir: root.join("pgdata"),
            bin_dir: None,
            run_as: run_as().await.expect("run_as"),
        };
        let options = EmbeddedOptions {
            data_dir: root.join("pgdata"),
            data_dir_is_default: false,
            port,
            secrets_dir: root.join("secrets"),
            ..EmbeddedOptions::default()
        };
        match EmbeddedPostgres::start(options).await {
            Err(e @ EmbeddedPostgresError::PortInUse { .. }) => {
                eprintln!("{e}");
                assert!(matches!(e, EmbeddedPostgresError::PortInUse { port: p } if p == port));
            }
            Err(EmbeddedPostgresError::BinariesNotFound { .. })
                if std::env::var_os("DATABASE_URL").is_some() => {}
            Ok(pg) => {
                cleanup.bin_dir = Some(pg.bin_dir().to_path_buf());
                panic!("started on a port that is in use");
            }
            Err(e) => panic!("expected PortInUse, got: {e}"),
        }
        drop(listener);
    }

    /// A data dir whose socket path would exceed `sun_path` still works (TCP only).
    #[tokio::test]
    async fn embedded_postgres_works_with_a_long_data_dir_path() {
        let root = std::env::temp_dir().join(format!("kenpo-embedded-long-{}", std::process::id()));
        let data_dir = root
            .join("a".repeat(60))
            .join("b".repeat(40))
            .join("pgdata");
        let mut cleanup = Cleanup {
            root: root.clone(),
            data_dir: data_dir.clone(),
            bin_dir: None,
            run_as: run_as().await.expect("run_as"),
        };
        let options = EmbeddedOptions {
            data_dir,
            data_dir_is_default: false,
            port: free_port(),
            secrets_dir: root.join("secrets"),
            ..EmbeddedOptions::default()
        };
        let pg = match EmbeddedPostgres::start(options).await {
            Ok(pg) => pg,
            Err(EmbeddedPostgresError::BinariesNotFound { .. })
                if std::env::var_os("DATABASE_URL").is_some() =>
            {
                return;
            }
            Err(e) => panic!("start with a long path failed: {e}"),
        };
        cleanup.bin_dir = Some(pg.bin_dir().to_path_buf());
        assert_eq!(
            select_one(pg.connect_options(EmbeddedRole::Service)).await,
            1
        );
        // no socket there: the co-located process uses TCP too
        assert!(pg
            .connect_options(EmbeddedRole::Service)
            .get_socket()
            .is_none());
        pg.stop().await;
    }

    /// As root, an explicitly chosen data dir below a directory `postgres` cannot
    /// enter is refused (not relocated) with a message naming that directory (no-op
    /// when not root).
    #[tokio::test]
    async fn embedded_postgres_explains_unreachable_data_dir_as_root() {
        let Some(run_as) = run_as().await.expect("run_as") else {
            return;
        };
        let root =
            std::env::temp_dir().join(format!("kenpo-embedded-private-{}", std::process::id()));
        let _cleanup = Cleanup {
            root: root.clone(),
            data_dir: root.join("pgdata"),
            bin_dir: None,
            run_as: Some(run_as.clone()),
        };
        std::fs::create_dir_all(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).unwrap();
        let options = EmbeddedOptions::default().with_data_dir(root.join("pgdata"));
        let options = EmbeddedOptions {
            port: free_port(),
            secrets_dir: root.join("secrets"),
            ..options
        };
        match EmbeddedPostgres::start(options).await {
            Err(e @ EmbeddedPostgresError::DataDirNotReachable { .. }) => {
                let message = e.to_string();
                eprintln!("{message}");
                assert!(message.contains(&root.display().to_string()), "{message}");
                assert!(message.contains(&run_as.user), "{message}");
            }
            Err(EmbeddedPostgresError::BinariesNotFound { .. })
                if std::env::var_os("DATABASE_URL").is_some() => {}
            Ok(pg) => {
                pg.stop().await;
                panic!("started in a directory the server user cannot enter");
            }
            Err(e) => panic!("expected DataDirNotReachable, got: {e}"),
        }
    }

    /// As root, the *default* data dir below a directory `postgres` cannot enter
    /// (e.g. a CI clone below /root) is relocated to /var/lib/kenpo/<hash>/pgdata,
    /// which then works (no-op when not root).
    #[tokio::test]
    async fn embedded_postgres_relocates_unreachable_default_data_dir_as_root() {
        let Some(run_as) = run_as().await.expect("run_as") else {
            return;
        };
        let root =
            std::env::temp_dir().join(format!("kenpo-embedded-default-{}", std::process::id()));
        let data_dir = root.join("pgdata");
        let expected = fallback_data_dir(&std::path::absolute(&data_dir).unwrap());
        let fallback_root_existed = Path::new(FALLBACK_DATA_ROOT).exists();
        let _private = Cleanup {
            root: root.clone(),
            data_dir: data_dir.clone(),
            bin_dir: None,
            run_as: Some(run_as.clone()),
        };
        // Declared after `_private`, so dropped (server stopped) first.
        let mut fallback = Cleanup {
            root: expected.parent().unwrap().to_path_buf(),
            data_dir: expected.clone(),
            bin_dir: None,
            run_as: Some(run_as.clone()),
        };
        std::fs::create_dir_all(&root).unwrap();
        std::fs::set_permissions(&root, std::fs::Permissions::from_mode(0o700)).unwrap();
        let options = EmbeddedOptions {
            data_dir: data_dir.clone(),
            port: free_port(),
            secrets_dir: root.join("secrets"),
            ..EmbeddedOptions::default()
        };
        assert!(options.data_dir_is_default);
        let pg = match EmbeddedPostgres::start(options).await {
            Ok(pg) => pg,
            Err(EmbeddedPostgresError::BinariesNotFound { .. })
                if std::env::var_os("DATABASE_URL").is_some() =>
            {
                return;
            }
            Err(e) => panic!("start with an unreachable default data dir failed: {e}"),
        };
        fallback.bin_dir = Some(pg.bin_dir().to_path_buf());
        assert_eq!(pg.data_dir(), expected.as_path());
        assert!(pg.data_dir().starts_with(FALLBACK_DATA_ROOT));
        assert!(expected.join("PG_VERSION").is_file());
        assert!(!data_dir.exists(), "the unreachable default was created");
        let mode = std::fs::metadata(expected.parent().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o755);
        assert_eq!(
            select_one(pg.connect_options(EmbeddedRole::Service)).await,
            1
        );
        pg.stop().await;
        drop(fallback);
        if !fallback_root_existed {
            let _ = std::fs::remove_dir(FALLBACK_DATA_ROOT);
        }
    }

    /// What every start guarantees (module docs, "Roles and authentication").
    async fn assert_the_roles_are_set_up(pg: &EmbeddedPostgres) {
        // kenpo's pg_hba.conf, which trusts no one
        let hba = std::fs::read_to_string(pg.data_dir().join(HBA_FILE)).unwrap();
        assert_eq!(hba, pg_hba_conf(&pg.user));
        // no connection without the right password, neither over TCP nor through the socket
        for options in [
            pg.tcp_connect_options(EmbeddedRole::Superuser),
            pg.connect_options(EmbeddedRole::Superuser),
        ] {
            let wrong = options.clone().password("not-the-password");
            let error = PgConnection::connect_with(&wrong).await.unwrap_err();
            assert_eq!(
                error.as_database_error().and_then(|e| e.code()).as_deref(),
                Some("28P01"),
                "{error}"
            );
            let unknown = options.username("postgres").password("");
            assert!(PgConnection::connect_with(&unknown).await.is_err());
        }
        // the password files are private
        for role in [pg.user.as_str(), OWNER_ROLE, SERVICE_ROLE] {
            let mode = std::fs::metadata(password_file(pg.secrets_dir(), role))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600, "{role}");
        }
        let mut conn = PgConnection::connect_with(&pg.connect_options(EmbeddedRole::Superuser))
            .await
            .unwrap();
        let (db_owner, schema_owner): (String, String) = sqlx::query_as(
            "SELECT pg_get_userbyid(d.datdba)::text, pg_get_userbyid(n.nspowner)::text
             FROM pg_database d, pg_namespace n
             WHERE d.datname = current_database() AND n.nspname = 'public'",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            (db_owner.as_str(), schema_owner.as_str()),
            (OWNER_ROLE, OWNER_ROLE)
        );
        let roles: Vec<(String, bool, bool, bool, bool)> = sqlx::query_as(
            "SELECT rolname::text, rolcanlogin, rolsuper, rolcreaterole, rolcreatedb
             FROM pg_roles WHERE rolname IN ('kenpo_app', 'kenpo_owner', 'kenpo_service')
             ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        assert_eq!(
            roles,
            vec![
                (APPLICATION_ROLE.to_owned(), false, false, false, false),
                (OWNER_ROLE.to_owned(), true, false, false, false),
                (SERVICE_ROLE.to_owned(), true, false, false, false),
            ]
        );
        let member: bool =
            sqlx::query_scalar("SELECT pg_has_role('kenpo_service', 'kenpo_app', 'USAGE')")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert!(member, "kenpo_service is not a member of kenpo_app");
        let create: bool =
            sqlx::query_scalar("SELECT has_schema_privilege('kenpo_service', 'public', 'CREATE')")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        assert!(!create, "kenpo_service may create objects in public");
        conn.close().await.ok();
    }

    /// A cluster made by an earlier kenpo (initdb -A trust, everything owned by the superuser
    /// `kenpo`, no roles, no password files), still running, is upgraded by the next start:
    /// its objects go to kenpo_owner, rows kept, and it stops trusting anyone.
    #[tokio::test]
    async fn embedded_postgres_upgrades_a_trusting_cluster_of_an_earlier_kenpo() {
        let root =
            std::env::temp_dir().join(format!("kenpo-embedded-legacy-{}", std::process::id()));
        let data_dir = root.join("pgdata");
        let run_as = run_as().await.expect("run_as");
        let mut cleanup = Cleanup {
            root: root.clone(),
            data_dir: data_dir.clone(),
            bin_dir: None,
            run_as: run_as.clone(),
        };
        let bin_dir = match find_bin_dir(None).await {
            Ok(dir) => dir,
            Err(EmbeddedPostgresError::BinariesNotFound { .. })
                if std::env::var_os("DATABASE_URL").is_some() =>
            {
                return;
            }
            Err(e) => panic!("{e}"),
        };
        cleanup.bin_dir = Some(bin_dir.clone());
        let options = EmbeddedOptions {
            data_dir: data_dir.clone(),
            data_dir_is_default: false,
            port: free_port(),
            database: "kenpo_legacy".to_owned(),
            secrets_dir: root.join("secrets"),
            ..EmbeddedOptions::default()
        };
        // The cluster as the earlier kenpo made it (its initdb, its database), with a table,
        // a serial, a sequence and a function of the superuser, and a row.
        let no_password = Password(zeroize::Zeroizing::new(String::new()));
        let legacy = EmbeddedPostgres {
            data_dir: data_dir.clone(),
            port: options.port,
            bin_dir,
            database: options.database.clone(),
            user: options.user.clone(),
            secrets_dir: root.join("unused"),
            passwords: Passwords {
                superuser: no_password.clone(),
                owner: no_password.clone(),
                service: no_password,
            },
            run_as,
            reused: false,
        };
        legacy.prepare_data_dir(false).unwrap();
        let mut initdb = legacy.pg_command("initdb");
        initdb.arg("-D").arg(&data_dir).args([
            "-A",
            "trust",
            "-U",
            "kenpo",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
        ]);
        run_checked(initdb, "initdb").await.unwrap();
        legacy.write_config(None).unwrap();
        legacy.pg_ctl_start().await.unwrap();
        let trusted = PgConnectOptions::new()
            .host("127.0.0.1")
            .port(options.port)
            .username("kenpo")
            .database("postgres");
        let mut conn = PgConnection::connect_with(&trusted).await.unwrap();
        sqlx::raw_sql("CREATE DATABASE kenpo_legacy")
            .execute(&mut conn)
            .await
            .unwrap();
        conn.close().await.ok();
        let mut conn = PgConnection::connect_with(&trusted.clone().database("kenpo_legacy"))
            .await
            .unwrap();
        sqlx::raw_sql(
            "CREATE SEQUENCE legacy_position_seq;
             CREATE TABLE legacy_events (seq bigserial PRIMARY KEY, payload text NOT NULL);
             CREATE FUNCTION legacy_immutable() RETURNS trigger LANGUAGE plpgsql
                 AS $$ BEGIN RAISE EXCEPTION 'immutable'; END $$;
             INSERT INTO legacy_events (payload) VALUES ('kept');",
        )
        .execute(&mut conn)
        .await
        .unwrap();
        conn.close().await.ok();

        let pg = EmbeddedPostgres::start(options).await.expect("upgrade");
        assert!(pg.was_already_running());
        assert_the_roles_are_set_up(&pg).await;
        // trust is gone: the superuser without its password is refused
        assert!(PgConnection::connect_with(&trusted).await.is_err());
        let mut conn = PgConnection::connect_with(&pg.connect_options(EmbeddedRole::Owner))
            .await
            .unwrap();
        let owners: Vec<(String, String)> = sqlx::query_as(
            "SELECT 'relation ' || c.relname, pg_get_userbyid(c.relowner)::text FROM pg_class c
               JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = 'public' AND c.relkind IN ('r', 'S')
             UNION ALL
             SELECT 'function ' || proname, pg_get_userbyid(proowner)::text FROM pg_proc
               WHERE pronamespace = 'public'::regnamespace
             ORDER BY 1",
        )
        .fetch_all(&mut conn)
        .await
        .unwrap();
        let expected: Vec<(String, String)> = [
            "function legacy_immutable",
            "relation legacy_events",
            "relation legacy_events_seq_seq",
            "relation legacy_position_seq",
        ]
        .iter()
        .map(|name| (name.to_string(), OWNER_ROLE.to_owned()))
        .collect();
        assert_eq!(owners, expected);
        let payload: String = sqlx::query_scalar("SELECT payload FROM legacy_events")
            .fetch_one(&mut conn)
            .await
            .unwrap();
        assert_eq!(payload, "kept");
        conn.close().await.ok();
        pg.stop().await;
    }

    #[test]
    fn the_pg_hba_conf_trusts_no_one_and_admits_only_kenpos_roles() {
        let hba = pg_hba_conf("kenpo");
        let rules: Vec<Vec<&str>> = hba
            .lines()
            .filter(|line| !line.trim().is_empty() && !line.trim_start().starts_with('#'))
            .map(|line| line.split_whitespace().collect())
            .collect();
        assert!(!hba.contains("trust"), "{hba}");
        assert_eq!(
            rules,
            vec![
                vec![
                    "local",
                    "all",
                    "kenpo,kenpo_owner,kenpo_service",
                    "scram-sha-256"
                ],
                vec![
                    "host",
                    "all",
                    "kenpo,kenpo_owner,kenpo_service",
                    "127.0.0.1/32",
                    "scram-sha-256"
                ],
            ]
        );
        assert!(pg_hba_conf("Kenpo Admin").contains("\"Kenpo Admin\",kenpo_owner"));
    }

    #[test]
    fn data_dir_is_default_only_when_not_chosen() {
        assert!(EmbeddedOptions::default().data_dir_is_default);
        let chosen = EmbeddedOptions::default().with_data_dir("/srv/kenpo/pgdata");
        assert!(!chosen.data_dir_is_default);
        assert_eq!(chosen.data_dir, PathBuf::from("/srv/kenpo/pgdata"));
        let a = fallback_data_dir(Path::new("/root/a/.kenpo/pgdata"));
        assert_eq!(a, fallback_data_dir(Path::new("/root/a/.kenpo/pgdata")));
        assert_ne!(a, fallback_data_dir(Path::new("/root/b/.kenpo/pgdata")));
        assert!(a.starts_with(FALLBACK_DATA_ROOT) && a.ends_with("pgdata"));
        assert_eq!(a.parent().unwrap().file_name().unwrap().len(), 12);
    }

    #[test]
    fn quoting() {
        assert_eq!(conf_string("/a/b'c\\d"), "'/a/b''c\\\\d'");
        assert_eq!(quote_ident("ke\"npo"), "\"ke\"\"npo\"");
        let mut sql = String::from("PASSWORD ");
        push_literal(&mut sql, "it's");
        assert_eq!(sql, "PASSWORD 'it''s'");
    }
}
