//! The command line: every command, its flags and environment variables.

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Parser, Debug)]
#[command(name = "bulwark", version, about = "Bulwark: the information security management system in one binary")]
pub struct Cli {
    /// Database URL: sqlite:///absolute/path.db or postgres://user@host:port/db
    /// (default: the embedded file ./bulwark-data/bulwark.db).
    #[arg(long, global = true, env = "BULWARK_DATABASE_URL")]
    pub database: Option<String>,

    /// Log format.
    #[arg(long, global = true, value_enum, default_value_t = LogFormat::Pretty, env = "BULWARK_LOG_FORMAT")]
    pub log_format: LogFormat,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Copy, Clone, Debug, ValueEnum)]
pub enum LogFormat {
    Pretty,
    Json,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Serve the web UI and the API.
    Serve(Box<ServeArgs>),
    /// Apply pending database migrations and exit.
    Migrate,
    /// Login accounts.
    #[command(subcommand)]
    User(UserCommand),
    /// API tokens.
    #[command(subcommand)]
    Token(TokenCommand),
    /// SCIM tokens, with which an identity provider provisions people at /scim/v2.
    #[command(subcommand, name = "scim-token")]
    ScimToken(ScimTokenCommand),
    /// The audit log.
    #[command(subcommand)]
    Audit(AuditCommand),
    /// Write a consistent backup of the database to a file while it may be serving.
    Backup(BackupArgs),
    /// Restore a backup into an empty database (--database; a new SQLite file or an empty
    /// PostgreSQL database), then verify its audit chain.
    Restore(RestoreArgs),
    /// Acknowledgment campaigns.
    #[command(subcommand)]
    Campaign(CampaignCommand),
    /// Notification channels: chat webhooks and e-mail destinations, and their events.
    #[command(subcommand)]
    Channel(ChannelCommand),
    /// The asset inventory.
    #[command(subcommand)]
    Asset(AssetCommand),
    /// Frameworks: OSCAL catalogs of requirements.
    #[command(subcommand)]
    Framework(FrameworkCommand),
    /// Score a CVSS v3.0, v3.1 or v4.0 vector: prints its scores as JSON (exit 2 if invalid).
    Cvss(CvssArgs),
    /// Serve a sample organisation on a fresh embedded database.
    Demo(DemoArgs),
    /// Fill a database with a generated, deterministic organisation (for benchmarks).
    Seed(SeedArgs),
    /// Measure the SPEC's performance figures on a generated organisation.
    Bench(BenchArgs),
    /// The bare axum + sqlx server the bench compares against (used by `bench`).
    #[command(hide = true)]
    BenchBare(BenchBareArgs),
}

#[derive(Args, Debug)]
pub struct ServeArgs {
    /// Address to listen on.
    #[arg(long, env = "BULWARK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
    /// The URL people use to reach this instance (links in set-password messages).
    /// https:// here makes cookies Secure.
    #[arg(long, env = "BULWARK_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// Bearer token a Prometheus scraper sends to read /metrics (admins can read it signed in).
    #[arg(long, env = "BULWARK_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,
    /// Address of a reverse proxy whose X-Forwarded-For names the client (repeatable).
    #[arg(long = "trusted-proxy", env = "BULWARK_TRUSTED_PROXIES", value_delimiter = ',')]
    pub trusted_proxies: Vec<std::net::IpAddr>,
    /// A host chat webhooks may reach although it is not public, e.g. an internal chat
    /// server (repeatable); every other loopback, private or link-local destination is refused.
    #[arg(long = "webhook-internal-host", env = "BULWARK_WEBHOOK_INTERNAL_HOSTS", value_delimiter = ',')]
    pub webhook_internal_hosts: Vec<String>,
    /// The SMTP server e-mail notifications are sent through.
    #[arg(long, env = "BULWARK_SMTP_HOST")]
    pub smtp_host: Option<String>,
    #[arg(long, env = "BULWARK_SMTP_PORT", default_value_t = 587)]
    pub smtp_port: u16,
    /// none (a trusted relay only), starttls or tls.
    #[arg(long, env = "BULWARK_SMTP_TLS", value_enum, default_value = "starttls")]
    pub smtp_tls: SmtpTlsArg,
    #[arg(long, env = "BULWARK_SMTP_USERNAME")]
    pub smtp_username: Option<String>,
    #[arg(long, env = "BULWARK_SMTP_PASSWORD", hide_env_values = true)]
    pub smtp_password: Option<String>,
    /// The sender of notification e-mails, e.g. "Bulwark <security@example.com>".
    #[arg(long, env = "BULWARK_SMTP_FROM", default_value = "Bulwark <bulwark@localhost>")]
    pub smtp_from: String,
    /// Roles that must sign in with a second factor (TOTP), comma-separated, or "none".
    #[arg(long, env = "BULWARK_MFA_REQUIRED_ROLES", default_value = "admin,security,management,auditor")]
    pub mfa_required_roles: String,
    /// An Ed25519 private key (PKCS#8 PEM): sign the audit chain's head on a schedule and send
    /// the checkpoint to the channels subscribed to audit.checkpoint.
    #[arg(long, env = "BULWARK_AUDIT_CHECKPOINT_KEY")]
    pub audit_checkpoint_key: Option<std::path::PathBuf>,
    /// Hours between scheduled audit checkpoints.
    #[arg(long, env = "BULWARK_AUDIT_CHECKPOINT_HOURS", default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=8760))]
    pub audit_checkpoint_hours: u32,
    #[command(flatten)]
    pub oidc: OidcArgs,
}

/// Single sign-on through an OpenID Connect provider (Authorization Code flow with PKCE).
/// Register the redirect URL PUBLIC_URL/login/sso/callback with the provider.
#[derive(Args, Debug)]
pub struct OidcArgs {
    /// The provider's issuer URL; setting it turns single sign-on on.
    #[arg(long, env = "BULWARK_OIDC_ISSUER")]
    pub oidc_issuer: Option<String>,
    #[arg(long, env = "BULWARK_OIDC_CLIENT_ID", default_value = "bulwark")]
    pub oidc_client_id: String,
    #[arg(long, env = "BULWARK_OIDC_CLIENT_SECRET", hide_env_values = true)]
    pub oidc_client_secret: Option<String>,
    /// Scopes besides openid, comma-separated.
    #[arg(long, env = "BULWARK_OIDC_SCOPES", default_value = "email,profile", value_delimiter = ',')]
    pub oidc_scopes: Vec<String>,
    /// The ID token claim listing the person's groups.
    #[arg(long, env = "BULWARK_OIDC_GROUPS_CLAIM", default_value = "groups")]
    pub oidc_groups_claim: String,
    /// A provider group and the role it gives, as group=role (repeatable, or comma-separated);
    /// with any, roles follow the groups at every sign-in.
    #[arg(long = "oidc-role-map", env = "BULWARK_OIDC_ROLE_MAP", value_delimiter = ',')]
    pub oidc_role_map: Vec<String>,
    /// Create an account for a verified e-mail address no account has yet.
    #[arg(long, env = "BULWARK_OIDC_CREATE_ACCOUNTS")]
    pub oidc_create_accounts: bool,
    /// Accounts that have signed in through the provider may not use a password.
    #[arg(long, env = "BULWARK_OIDC_ONLY")]
    pub oidc_only: bool,
}

impl OidcArgs {
    /// The settings, when an issuer is given.
    pub fn settings(&self) -> Result<Option<bulwark_web::sso::SsoSettings>, String> {
        let Some(issuer) = self.oidc_issuer.clone().filter(|i| !i.trim().is_empty()) else {
            return Ok(None);
        };
        let role_map = bulwark_core::identity::sso::SsoRules::parse_role_map(&self.oidc_role_map)
            .map_err(|e| format!("--oidc-role-map: {e}"))?;
        Ok(Some(bulwark_web::sso::SsoSettings {
            issuer: issuer.trim_end_matches('/').to_string(),
            client_id: self.oidc_client_id.clone(),
            client_secret: self.oidc_client_secret.clone().filter(|s| !s.is_empty()),
            scopes: self.oidc_scopes.iter().map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect(),
            groups_claim: self.oidc_groups_claim.clone(),
            rules: bulwark_core::identity::sso::SsoRules { role_map, create_accounts: self.oidc_create_accounts },
            sso_only: self.oidc_only,
        }))
    }
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum SmtpTlsArg {
    None,
    Starttls,
    Tls,
}

#[derive(Subcommand, Debug)]
pub enum ChannelCommand {
    /// Add a channel, or change the one of that name.
    Add {
        #[arg(long)]
        name: String,
        /// A Slack-compatible incoming webhook URL (Slack, Mattermost, Rocket.Chat).
        #[arg(long, conflicts_with = "email", required_unless_present = "email")]
        webhook: Option<String>,
        /// An e-mail address (a person or a mailing list).
        #[arg(long)]
        email: Option<String>,
        /// Events routed to it, comma-separated: policy.publish, campaign.create.
        #[arg(long, value_delimiter = ',', required = true)]
        events: Vec<String>,
    },
    /// List the channels and the messages not delivered yet.
    List,
}

#[derive(Subcommand, Debug)]
pub enum UserCommand {
    /// Create a login account (and its person, if new).
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        /// admin, security, management, auditor, department-head or employee; repeat for several.
        #[arg(long = "role", required = true)]
        roles: Vec<String>,
        /// Read the password from standard input instead of printing a set-password link.
        #[arg(long)]
        password_stdin: bool,
        /// Base URL for the set-password link.
        #[arg(long, env = "BULWARK_PUBLIC_URL", default_value = "http://127.0.0.1:8080")]
        public_url: String,
    },
    /// Remove an account's authenticator (a lost phone, the last admin locked out) and sign it
    /// out everywhere; it sets up a new one at its next sign-in if its roles require one.
    ResetMfa {
        #[arg(long)]
        email: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AssetCommand {
    /// Import assets from a CSV file whose header names any of: name, kind, classification,
    /// status, owner_email, custodian_email, assigned_to_email, identifier, description.
    /// Every row is checked first: one broken row and nothing is imported.
    Import {
        /// The CSV file (UTF-8).
        file: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum FrameworkCommand {
    /// Import an OSCAL 1.x catalog (JSON); prints the framework's id and its number of
    /// controls. The same catalog again updates its framework. Nothing is imported from a
    /// catalog with a problem.
    Import {
        /// The catalog file.
        file: std::path::PathBuf,
    },
    /// Write a framework as an OSCAL catalog (JSON).
    Export {
        /// The framework's id.
        id: String,
        /// The file to write (default: standard output).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
    /// Build (or rebuild) the framework of the published policies' requirements.
    Policies,
    /// Write the framework's current state as an OSCAL assessment-results document.
    AssessmentResults {
        /// The framework's id.
        id: String,
        /// The file to write (default: standard output).
        #[arg(long)]
        output: Option<std::path::PathBuf>,
    },
}

#[derive(Subcommand, Debug)]
pub enum TokenCommand {
    /// Create an API token for an account; prints only the token.
    Create {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
        #[arg(long)]
        expires_days: Option<i64>,
    },
}

#[derive(Subcommand, Debug)]
pub enum ScimTokenCommand {
    /// Create a SCIM token; prints only the token.
    Create {
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand, Debug)]
pub enum AuditCommand {
    /// Verify the whole hash chain; exit 1 naming the first broken entry. With a checkpoint,
    /// also prove the chain up to it was not rewritten.
    Verify {
        /// A checkpoint `bulwark audit checkpoint` (or the server's schedule) signed.
        #[arg(long, requires = "public_key")]
        checkpoint: Option<std::path::PathBuf>,
        /// The Ed25519 public key (PEM) the checkpoint must be signed with.
        #[arg(long, requires = "checkpoint")]
        public_key: Option<std::path::PathBuf>,
    },
    /// Print the chain's head (sequence, hash, time) signed with an Ed25519 key, as JSON;
    /// keep it outside the database.
    Checkpoint {
        /// The Ed25519 private key (PKCS#8 PEM, e.g. from `bulwark audit keygen`).
        #[arg(long)]
        key: std::path::PathBuf,
    },
    /// Create an Ed25519 key pair for checkpoints: FILE (private, mode 600) and FILE.pub.
    Keygen {
        #[arg(long)]
        output: std::path::PathBuf,
    },
}

#[derive(Subcommand, Debug)]
pub enum CampaignCommand {
    /// Print one row per person in the campaign's audience: person, e-mail, department, state,
    /// signed at, and the versions signed (for auditors).
    Export {
        /// The campaign id.
        id: String,
        #[arg(long, value_enum, default_value = "csv")]
        format: ExportFormat,
    },
}

#[derive(clap::ValueEnum, Clone, Copy, Debug)]
pub enum ExportFormat {
    Csv,
    Json,
}

#[derive(Args, Debug)]
pub struct BackupArgs {
    /// The file to write (gzip-compressed JSON lines, readable by its owner only); replaced
    /// only once the backup is complete.
    #[arg(long)]
    pub output: std::path::PathBuf,
    /// Sign the backup with this Ed25519 private key (PKCS#8 PEM, e.g. the audit anchor key
    /// from `bulwark audit keygen`); restore then checks it with the public key.
    #[arg(long, env = "BULWARK_BACKUP_KEY")]
    pub key: Option<std::path::PathBuf>,
}

#[derive(Args, Debug)]
pub struct RestoreArgs {
    /// A file `bulwark backup` wrote.
    pub file: std::path::PathBuf,
    /// The Ed25519 public key (PEM) the backup must be signed with.
    #[arg(long, conflicts_with = "allow_unsigned")]
    pub public_key: Option<std::path::PathBuf>,
    /// Restore a backup without checking a signature (an unsigned one, or no key at hand).
    #[arg(long)]
    pub allow_unsigned: bool,
}

#[derive(Args, Debug)]
pub struct CvssArgs {
    /// The vector, e.g. CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H
    pub vector: String,
}

#[derive(Args, Debug)]
pub struct DemoArgs {
    #[arg(long, env = "BULWARK_LISTEN", default_value = "127.0.0.1:8080")]
    pub listen: String,
}

#[derive(Args, Debug)]
pub struct SeedArgs {
    #[arg(long, default_value_t = 10_000)]
    pub people: usize,
    /// Assets to generate (default: ten per person, as in SPEC §6).
    #[arg(long)]
    pub assets: Option<usize>,
    /// Audit entries to generate (default: SPEC §6's million).
    #[arg(long, default_value_t = 1_000_000)]
    pub audit_entries: usize,
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
}

#[derive(Args, Debug)]
pub struct BenchArgs {
    /// People to generate (ignored with --url).
    #[arg(long, default_value_t = 10_000)]
    pub people: usize,
    /// Audit entries to generate (ignored with --url).
    #[arg(long, default_value_t = 1_000_000)]
    pub audit_entries: usize,
    /// Concurrent connections per scenario.
    #[arg(long, default_value_t = 16)]
    pub concurrency: usize,
    /// Seconds each scenario runs.
    #[arg(long = "duration", default_value_t = 10.0)]
    pub duration_secs: f64,
    /// Measure this running server instead of generating one (needs --email and --password).
    #[arg(long)]
    pub url: Option<String>,
    /// An admin's e-mail address on the server at --url.
    #[arg(long)]
    pub email: Option<String>,
    /// That admin's password.
    #[arg(long, env = "BULWARK_BENCH_PASSWORD", hide_env_values = true)]
    pub password: Option<String>,
    /// That admin's authenticator key (base32), when the server asks for a second factor.
    #[arg(long, env = "BULWARK_BENCH_TOTP_SECRET", hide_env_values = true)]
    pub totp_secret: Option<String>,
    /// With --url: a SCIM token, to measure SCIM lookups too.
    #[arg(long, env = "BULWARK_BENCH_SCIM_TOKEN", hide_env_values = true)]
    pub scim_token: Option<String>,
    /// Only the scenarios whose name contains one of these `|`-separated words (the
    /// one-off timings are left out); for measuring a change quickly.
    #[arg(long)]
    pub only: Option<String>,
}

impl BenchArgs {
    /// Whether the scenario named `name` is measured.
    pub fn wants(&self, name: &str) -> bool {
        self.only.as_deref().is_none_or(|only| only.split('|').any(|word| name.contains(word.trim())))
    }
}

#[derive(Args, Debug)]
pub struct BenchBareArgs {
    #[arg(long, default_value = "127.0.0.1:0")]
    pub listen: String,
}
