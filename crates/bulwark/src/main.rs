//! The `bulwark` binary: parses the command line, opens the database named by the URL, and
//! runs the command. Every error ends as one line on stderr and a non-zero exit.

mod asset_set;
mod audit;
mod backup;
mod bench;
mod catalog_set;
mod checklist_set;
mod cli;
mod demo;
mod incident_set;
mod policy_set;
mod risk_set;
mod seed;

use anyhow::{Context, bail};
use bulwark_core::identity::accounts::{self, NewAccountInput, NewTokenInput};
use bulwark_core::{Actor, CoreError, Store, time_util};
use bulwark_store::{DatabaseUrl, SqlStore};
use clap::Parser;
use cli::{
    AssetCommand, AuditCommand, CampaignCommand, ChannelCommand, Cli, Command, ExportFormat, FrameworkCommand,
    LogFormat, ScimTokenCommand, SmtpTlsArg, TokenCommand, UserCommand,
};
use std::io::Read;
use std::process::ExitCode;
use std::sync::Arc;

/// Writes every participant of a campaign to standard output, page by page.
async fn export_campaign(
    store: &SqlStore,
    id: bulwark_core::ids::CampaignId,
    format: ExportFormat,
) -> Result<(), bulwark_core::CoreError> {
    use bulwark_core::policies::campaigns::{self, PARTICIPANT_COLUMNS, Participant};
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let write = |out: &mut std::io::StdoutLock, bytes: &[u8]| -> Result<(), bulwark_core::CoreError> {
        out.write_all(bytes).map_err(|e| bulwark_core::CoreError::Internal(e.into()))
    };
    match format {
        ExportFormat::Csv => {
            write(&mut out, &bulwark_web::export::csv_bytes(PARTICIPANT_COLUMNS, Vec::<Vec<String>>::new()))?
        }
        ExportFormat::Json => write(&mut out, b"[")?,
    }
    let (mut after, mut first) = (None, true);
    loop {
        let page = campaigns::participants(store, &Actor::cli(), id, false, after.clone(), 500).await?;
        let rows: Vec<Vec<String>> = page.iter().map(Participant::export_row).collect();
        match format {
            ExportFormat::Csv => write(&mut out, &bulwark_web::export::csv_rows(rows))?,
            ExportFormat::Json => {
                for row in rows {
                    let object: serde_json::Map<String, serde_json::Value> = PARTICIPANT_COLUMNS
                        .iter()
                        .map(|c| c.to_string())
                        .zip(row.into_iter().map(Into::into))
                        .collect();
                    let sep: &[u8] = if first { b"" } else { b",\n" };
                    first = false;
                    write(&mut out, sep)?;
                    write(&mut out, &serde_json::to_vec(&object).unwrap_or_default())?;
                }
            }
        }
        match page.last() {
            Some(last) if page.len() == 500 => after = Some((last.name.clone(), last.person_id)),
            _ => break,
        }
    }
    if let ExportFormat::Json = format {
        write(&mut out, b"]\n")?;
    }
    Ok(())
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    init_tracing(cli.log_format);
    let runtime = match tokio::runtime::Runtime::new() {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {}", one_line(&e));
            ExitCode::FAILURE
        }
    }
}

/// The error and its causes on one line.
fn one_line(e: &anyhow::Error) -> String {
    e.chain().map(|c| c.to_string()).collect::<Vec<_>>().join(": ")
}

fn init_tracing(format: LogFormat) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_env("BULWARK_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    match format {
        LogFormat::Json => builder.json().init(),
        LogFormat::Pretty => builder.compact().init(),
    }
}

/// The database URL given, or the embedded default in ./bulwark-data.
pub fn database_url(given: Option<&str>, default_dir: &str) -> anyhow::Result<DatabaseUrl> {
    match given {
        Some(url) => DatabaseUrl::parse(url),
        None => {
            let dir = std::env::current_dir().context("cannot read the current directory")?.join(default_dir);
            Ok(DatabaseUrl::sqlite_file(&dir.join("bulwark.db")))
        }
    }
}

/// Opens (and migrates) the database; a new instance gets the default security areas.
/// Opens the database, creating and migrating it if needed (`serve`, `migrate`, `seed`).
async fn open(cli: &Cli) -> anyhow::Result<SqlStore> {
    let url = database_url(cli.database.as_deref(), "bulwark-data")?;
    let store = SqlStore::open(&url).await?;
    bulwark_core::organisation::areas::ensure_default_areas(&store, time_util::now()).await.map_err(explain)?;
    Ok(store)
}

/// Opens a database that already exists and is migrated; every other command uses this, so
/// a typo in `--database` is an error, never a fresh empty database.
async fn open_existing(cli: &Cli) -> anyhow::Result<SqlStore> {
    SqlStore::open_existing(&database_url(cli.database.as_deref(), "bulwark-data")?).await
}

/// Turns a domain error into a message for the terminal.
fn explain(e: CoreError) -> anyhow::Error {
    match e {
        CoreError::Invalid(fields) => {
            anyhow::anyhow!(
                fields
                    .iter()
                    .map(|f| format!("--{} {}", f.field.replace('_', "-"), f.message))
                    .collect::<Vec<_>>()
                    .join("; ")
            )
        }
        other => anyhow::Error::new(other),
    }
}

async fn run(cli: Cli) -> anyhow::Result<ExitCode> {
    match &cli.command {
        Command::Serve(args) => {
            let store = open(&cli).await?;
            if store.read().await?.counts().await?.accounts == 0 {
                println!(
                    "No accounts yet. Create the first admin with:\n  bulwark user create --email you@example.com --name \"Your Name\" --role admin"
                );
            }
            let public_url = args.public_url.clone().unwrap_or_else(|| format!("http://{}", args.listen));
            let smtp =
                args.smtp_host.clone().filter(|h| !h.is_empty()).map(|host| bulwark_web::delivery::SmtpSettings {
                    host,
                    port: args.smtp_port,
                    tls: match args.smtp_tls {
                        SmtpTlsArg::None => bulwark_web::delivery::SmtpTls::None,
                        SmtpTlsArg::Starttls => bulwark_web::delivery::SmtpTls::StartTls,
                        SmtpTlsArg::Tls => bulwark_web::delivery::SmtpTls::Tls,
                    },
                    username: args.smtp_username.clone(),
                    password: args.smtp_password.clone(),
                    from: args.smtp_from.clone(),
                });
            let mfa = bulwark_core::identity::mfa::MfaPolicy::parse(&args.mfa_required_roles)
                .map_err(|e| anyhow::anyhow!("--mfa-required-roles: {e}"))?;
            let sso = args.oidc.settings().map_err(|e| anyhow::anyhow!(e))?;
            let config = bulwark_web::WebConfig {
                mfa,
                sso,
                metrics_token: args.metrics_token.clone().filter(|t| !t.is_empty()),
                trusted_proxies: args.trusted_proxies.clone(),
                webhook_internal_hosts: args.webhook_internal_hosts.clone(),
                smtp,
                checkpoints: audit::checkpoint_plan(args.audit_checkpoint_key.as_deref(), args.audit_checkpoint_hours)?,
                ..bulwark_web::WebConfig::new(&public_url)
            };
            serve(Arc::new(store), &args.listen, config).await?;
        }
        Command::Migrate => {
            open(&cli).await?;
            println!("ok: migrations applied");
        }
        Command::User(UserCommand::Create { email, name, roles, password_stdin, public_url }) => {
            let store = open_existing(&cli).await?;
            let password = if *password_stdin {
                let mut s = String::new();
                std::io::stdin().read_to_string(&mut s).context("cannot read the password from standard input")?;
                Some(s.trim_end_matches(['\r', '\n']).to_string())
            } else {
                None
            };
            let input = NewAccountInput {
                email: email.clone(),
                name: name.clone(),
                roles: roles.clone(),
                password,
                ..Default::default()
            };
            let (account, link) =
                accounts::create_account(&store, &Actor::cli(), time_util::now(), &input).await.map_err(explain)?;
            match link {
                Some(secret) => println!(
                    "created account {} ({}); set-password link (valid 72 hours, once): {}/set-password/{}",
                    account.email,
                    account.roles.iter().map(|r| r.as_str()).collect::<Vec<_>>().join(", "),
                    public_url.trim_end_matches('/'),
                    secret.0
                ),
                None => println!("created account {}", account.email),
            }
        }
        Command::User(UserCommand::ResetMfa { email }) => {
            let store = open_existing(&cli).await?;
            let Some((account, _)) = store.read().await?.find_account_by_email(&email.to_lowercase()).await? else {
                bail!("no account with e-mail {email}");
            };
            bulwark_core::identity::mfa::reset(&store, &Actor::cli(), time_util::now(), account.id)
                .await
                .map_err(explain)?;
            println!("removed the authenticator of {} and ended its sessions", account.email);
        }
        Command::Asset(AssetCommand::Import { file }) => {
            let store = open_existing(&cli).await?;
            let shown = file.display();
            let text = std::fs::read_to_string(file).with_context(|| format!("cannot read {shown} as UTF-8 text"))?;
            match bulwark_core::assets::import_csv(&store, &Actor::cli(), time_util::now(), &text).await {
                Ok(n) => println!("imported {n} assets from {shown}"),
                Err(CoreError::Invalid(fields)) => {
                    let problems: Vec<String> = fields.into_iter().map(|f| f.message).collect();
                    bail!("{shown}: nothing imported: {}", problems.join("; "));
                }
                Err(other) => return Err(explain(other)),
            }
        }
        Command::Framework(command) => framework(&cli, command).await?,
        Command::Token(TokenCommand::Create { email, name, expires_days }) => {
            let store = open_existing(&cli).await?;
            let Some((account, _)) = store.read().await?.find_account_by_email(&email.to_lowercase()).await? else {
                bail!("no account with e-mail {email}");
            };
            let actor = account.actor(bulwark_core::access::Via::Cli);
            let input = NewTokenInput { name: name.clone(), expires_days: expires_days.map(|d| d.to_string()) };
            let (_, secret) =
                accounts::create_token(&store, &actor, time_util::now(), &input).await.map_err(explain)?;
            println!("{}", secret.0);
        }
        Command::ScimToken(ScimTokenCommand::Create { name }) => {
            let store = open_existing(&cli).await?;
            let (_, secret) =
                bulwark_core::identity::scim::tokens::create(&store, &Actor::cli(), time_util::now(), name)
                    .await
                    .map_err(explain)?;
            println!("{}", secret.0);
        }
        Command::Audit(AuditCommand::Keygen { output }) => audit::keygen(output)?,
        Command::Audit(AuditCommand::Checkpoint { key }) => audit::checkpoint(&open_existing(&cli).await?, key).await?,
        Command::Audit(AuditCommand::Verify { checkpoint, public_key }) => {
            let anchor = checkpoint.as_deref().zip(public_key.as_deref());
            if !audit::verify(&open_existing(&cli).await?, anchor).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Backup(args) => {
            let store = open_existing(&cli).await?;
            backup::write(&store, &args.output, args.key.as_deref()).await?;
        }
        Command::Restore(args) => {
            let url = database_url(cli.database.as_deref(), "bulwark-data")?;
            if !backup::restore(&url, &args.file, args.public_key.as_deref(), args.allow_unsigned).await? {
                return Ok(ExitCode::FAILURE);
            }
        }
        Command::Campaign(CampaignCommand::Export { id, format }) => {
            let store = open_existing(&cli).await?;
            let id = id.parse().map_err(|_| anyhow::anyhow!("{id} is not a campaign id"))?;
            export_campaign(&store, id, *format).await.map_err(explain)?;
        }
        Command::Channel(ChannelCommand::Add { name, webhook, email, events }) => {
            let store = open_existing(&cli).await?;
            let (kind, target) = match (webhook, email) {
                (Some(url), _) => ("webhook", url.as_str()),
                (None, Some(address)) => ("email", address.as_str()),
                (None, None) => bail!("give --webhook URL or --email ADDRESS"),
            };
            let now = time_util::now();
            let c = bulwark_core::notify::add_channel(&store, &Actor::cli(), now, name, kind, target, events)
                .await
                .map_err(explain)?;
            println!("ok: channel {} ({}) receives {}", c.name, c.kind.as_str(), c.events.join(", "));
        }
        Command::Channel(ChannelCommand::List) => {
            let store = open_existing(&cli).await?;
            let (channels, waiting) = bulwark_core::notify::status(&store, &Actor::cli()).await.map_err(explain)?;
            for c in channels {
                println!("{}\t{}\t{}", c.name, c.kind.as_str(), c.events.join(","));
            }
            for m in waiting {
                let error = m.last_error.unwrap_or_default();
                println!("waiting: {} {} attempts {} {}", m.channel, m.event, m.attempts, error);
            }
        }
        Command::Cvss(args) => match bulwark_core::incidents::cvss::score(args.vector.trim()) {
            Ok(scored) => println!("{}", serde_json::to_string(&scored)?),
            Err(message) => {
                eprintln!("error: the vector {message}");
                return Ok(ExitCode::from(2));
            }
        },
        Command::Demo(args) => demo::run(cli.database.as_deref(), &args.listen).await?,
        Command::Seed(args) => {
            let store = open(&cli).await?;
            let assets = args.assets.unwrap_or(args.people * 10);
            seed::seed(&store, args.people, assets, args.audit_entries, args.seed).await?;
            store.refresh_statistics().await?;
            println!(
                "ok: seeded {} people, {assets} assets, {} risks, {} incidents, the published policy set and {} audit entries",
                args.people,
                args.people / 2,
                args.people,
                args.audit_entries
            );
        }
        Command::Bench(args) => bench::run(args, cli.database.as_deref()).await?,
        Command::BenchBare(args) => {
            let url = database_url(cli.database.as_deref(), "bulwark-data")?;
            bench::serve_bare(url.expose(), &args.listen).await?
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// Serves until SIGTERM or Ctrl-C; in-flight requests finish first.
pub async fn serve(store: Arc<dyn Store>, listen: &str, config: bulwark_web::WebConfig) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(listen).await.with_context(|| format!("cannot listen on {listen}"))?;
    let addr = listener.local_addr()?;
    let stop = shutdown_signal()?;
    tracing::info!(%addr, "serving");
    println!("Bulwark is serving at http://{addr}");
    bulwark_web::serve(listener, store, config, stop).await?;
    tracing::info!("stopped");
    Ok(())
}

/// The signals that stop the server, caught from the moment this returns: before the address
/// is printed, so a supervisor's SIGTERM right after it stops the server gracefully instead
/// of killing it (a handler installed on the future's first poll could come too late).
fn shutdown_signal() -> anyhow::Result<impl std::future::Future<Output = ()> + Send + 'static> {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let (mut term, mut interrupt) = (signal(SignalKind::terminate())?, signal(SignalKind::interrupt())?);
        Ok(async move {
            tokio::select! { _ = term.recv() => {}, _ = interrupt.recv() => {} }
            tracing::info!("shutting down");
        })
    }
    #[cfg(not(unix))]
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
        tracing::info!("shutting down");
    })
}

/// `bulwark framework …`.
async fn framework(cli: &Cli, command: &FrameworkCommand) -> anyhow::Result<()> {
    use bulwark_core::compliance::frameworks;
    let store = open_existing(cli).await?;
    let (actor, now) = (Actor::cli(), time_util::now());
    match command {
        FrameworkCommand::Import { file } => {
            let shown = file.display();
            let bytes = std::fs::read(file).with_context(|| format!("cannot read {shown}"))?;
            let done = match frameworks::import(&store, &actor, now, &bytes).await {
                Ok(done) => done,
                Err(CoreError::Invalid(fields)) => {
                    let problems: Vec<String> = fields.into_iter().map(|f| f.message).collect();
                    bail!("{shown}: nothing imported: {}", problems.join("; "));
                }
                Err(other) => return Err(explain(other)),
            };
            let f = &done.framework;
            let how = if done.created { "imported" } else { "updated" };
            println!("{how} framework {} ({}): {} controls", f.id, f.title, f.control_count);
        }
        FrameworkCommand::Export { id, output } => {
            let id = id.parse().map_err(|_| anyhow::anyhow!("{id} is not a framework id"))?;
            let catalog = frameworks::export(&store, &actor, id).await.map_err(explain)?;
            write_json(&catalog, output.as_deref())?;
        }
        FrameworkCommand::AssessmentResults { id, output } => {
            let id = id.parse().map_err(|_| anyhow::anyhow!("{id} is not a framework id"))?;
            let base = std::env::var("BULWARK_PUBLIC_URL").unwrap_or_else(|_| "http://127.0.0.1:8080".into());
            let results = bulwark_core::compliance::coverage::assessment_results(&store, &actor, id, now, &base)
                .await
                .map_err(explain)?;
            write_json(&results, output.as_deref())?;
        }
        FrameworkCommand::Policies => {
            let done = frameworks::policy_catalog::build(&store, &actor, now).await.map_err(explain)?;
            let f = &done.framework;
            println!("framework {} ({}): {} controls", f.id, f.title, f.control_count);
        }
    }
    Ok(())
}

/// Writes JSON to a file, or to standard output.
fn write_json(value: &serde_json::Value, output: Option<&std::path::Path>) -> anyhow::Result<()> {
    let text = serde_json::to_string_pretty(value)?;
    match output {
        Some(path) => std::fs::write(path, text).with_context(|| format!("cannot write {}", path.display())),
        None => {
            println!("{text}");
            Ok(())
        }
    }
}
