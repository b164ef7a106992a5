//! Wrong receipt codes from one network, counted together whether a code
//! was looked up or used to withdraw: a receipt is the only key to a
//! child's words, so guessing one is slowed as guessing a join code is,
//! while a class behind one address checks its receipts freely.

use chrono::{DateTime, Utc};
use langnghe_domain::consultation::ChildRefusal;
use langnghe_domain::text::Lang;
use langnghe_domain::throttle::ThrottlePolicy;
use langnghe_storage::throttle;

use crate::error::ApiError;
use crate::state::AppState;

/// 20 wrong codes an hour count for nothing; then each waits longer.
const POLICY: ThrottlePolicy = ThrottlePolicy::ADDRESS;

/// One request's place in its network's count of wrong receipt codes.
pub struct ReceiptGuess {
    network: String,
    now: DateTime<Utc>,
}

impl ReceiptGuess {
    /// Lets a request from `network` (`crate::network::client_network_key` for
    /// "receipt") try a code, or refuses it with 429 and the wait, in the
    /// child's language, while that network waits.
    pub async fn admit(state: &AppState, network: String, lang: Lang) -> Result<Self, ApiError> {
        let now = state.clock.now();
        if let Err(wait) = POLICY.check(throttle::get(&state.db, &network).await?, now) {
            let secs = (wait.num_milliseconds().max(0) as u64).div_ceil(1000);
            return Err(ApiError::too_many_requests(secs).to_child(ChildRefusal::TooManyAttempts, lang));
        }
        Ok(Self { network, now })
    }

    /// Counts the code tried as wrong.
    pub async fn wrong(&self, state: &AppState) -> Result<(), ApiError> {
        throttle::record_failure(&state.db, &self.network, self.now, self.now - POLICY.window).await?;
        Ok(())
    }
}
