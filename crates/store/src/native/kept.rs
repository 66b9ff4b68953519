//! Department names kept in memory between reads on PostgreSQL, where each statement is a round
//! trip to the database server: the people page and every person form show them all, and they
//! change seldom.
//!
//! A trigger notifies channel `bulwark_departments` of every change committed to the departments
//! table, by any instance, a restore or by hand. Each instance listens on one connection of its
//! own, started on first use, and forgets the names on every notification, on every write it
//! commits itself (so a write is seen at once by the next page of the same instance), and
//! whenever it is not listening: until the listener is connected again, nothing is kept and
//! every read goes to the database.
//!
//! A read that raced a change never keeps stale names: it notes the generation before reading
//! and keeps its result only if no change was counted meanwhile. Kept names are read again
//! after half a minute at most, so that even where notifications are silently lost (a
//! connection pooler in transaction mode passes LISTEN on but delivers nothing) a change shows
//! within that time.

use bulwark_core::ids::DepartmentId;
use sqlx::postgres::{PgConnectOptions, PgListener, PgPoolOptions};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, OnceLock};
use std::time::{Duration, Instant};
use tokio::task::JoinHandle;

/// The channel the departments trigger notifies.
const CHANNEL: &str = "bulwark_departments";

/// How long names are kept at most, notified or not.
const MAX_AGE: Duration = Duration::from_secs(30);

pub(crate) type DepartmentNames = Vec<(DepartmentId, String)>;

/// What one instance keeps, and the listener that tells it when to forget.
pub(crate) struct Kept {
    state: Arc<State>,
    options: PgConnectOptions,
    /// Started on first use, once: a closed store does not start it again.
    listener: OnceLock<JoinHandle<()>>,
}

#[derive(Default)]
struct State {
    /// Counts the changes seen; kept names carry the generation they were read in.
    generation: AtomicU64,
    listening: AtomicBool,
    /// The names, the generation they were read in, and when they were kept.
    names: Mutex<Option<(u64, Instant, DepartmentNames)>>,
}

impl State {
    fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
    }
}

impl Kept {
    pub(super) fn new(options: PgConnectOptions) -> Self {
        Self { state: Arc::default(), options: options.application_name("bulwark-listen"), listener: OnceLock::new() }
    }

    /// The kept names if they are current, and otherwise the generation a read should note.
    pub(crate) fn department_names(&self) -> Result<DepartmentNames, u64> {
        self.listen();
        let generation = self.state.generation.load(Ordering::SeqCst);
        if self.state.listening.load(Ordering::SeqCst)
            && let Ok(names) = self.state.names.lock()
            && let Some((read_in, kept_at, names)) = names.as_ref()
            && *read_in == generation
            && kept_at.elapsed() < MAX_AGE
        {
            return Ok(names.clone());
        }
        Err(generation)
    }

    /// Keeps names read in `generation`, unless a change was counted since.
    pub(crate) fn keep_department_names(&self, generation: u64, names: &DepartmentNames) {
        if let Ok(mut kept) = self.state.names.lock()
            && self.state.listening.load(Ordering::SeqCst)
            && self.state.generation.load(Ordering::SeqCst) == generation
        {
            *kept = Some((generation, Instant::now(), names.clone()));
        }
    }

    /// Forgets everything kept (this instance committed a write).
    pub(crate) fn forget(&self) {
        self.state.forget();
    }

    /// Stops listening; nothing is kept afterwards.
    pub(super) fn close(&self) {
        self.state.listening.store(false, Ordering::SeqCst);
        self.state.forget();
        if let Some(listener) = self.listener.get() {
            listener.abort();
        }
    }

    /// Starts the listener once.
    fn listen(&self) {
        self.listener.get_or_init(|| tokio::spawn(listen(self.options.clone(), self.state.clone())));
    }
}

/// Listens for changes for as long as the instance runs, connecting again after a lost
/// connection (one second later, then up to half a minute apart while the server is away).
async fn listen(options: PgConnectOptions, state: Arc<State>) {
    let mut pause = Duration::from_secs(1);
    loop {
        match listening(&options, &state).await {
            Ok(()) => pause = Duration::from_secs(1),
            Err(e) => {
                tracing::warn!(error = %e, "not listening for department changes; department names are read every time");
                pause = (pause * 2).min(Duration::from_secs(30));
            }
        }
        tokio::time::sleep(pause).await;
    }
}

/// One connection's listening: counts every notification until the connection is lost.
async fn listening(options: &PgConnectOptions, state: &State) -> Result<(), sqlx::Error> {
    let pool = PgPoolOptions::new().max_connections(1).connect_lazy_with(options.clone());
    let mut listener = PgListener::connect_with(&pool).await?;
    listener.listen(CHANNEL).await?;
    // Whatever was read before this point may have missed a notification.
    state.forget();
    state.listening.store(true, Ordering::SeqCst);
    let lost = loop {
        match listener.try_recv().await {
            Ok(Some(_)) => state.forget(),
            Ok(None) => break Ok(()),
            Err(e) => break Err(e),
        }
    };
    state.listening.store(false, Ordering::SeqCst);
    state.forget();
    pool.close().await;
    lost
}
