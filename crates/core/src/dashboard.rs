//! What the dashboard shows a signed-in person: instance counts and their own live tokens.

use crate::access::Actor;
use crate::error::CoreResult;
use crate::store::{Counts, Store};
use crate::time_util::Timestamp;

pub struct Dashboard {
    pub counts: Counts,
    pub my_live_tokens: usize,
}

pub async fn load(store: &dyn Store, actor: &Actor, now: Timestamp) -> CoreResult<Dashboard> {
    let mut r = store.read().await?;
    let counts = r.counts().await?;
    let my_live_tokens = match actor.account_id {
        Some(id) => r.count_usable_tokens(id, now).await? as usize,
        None => 0,
    };
    Ok(Dashboard { counts, my_live_tokens })
}
