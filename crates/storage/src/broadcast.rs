//! Telling every replica that something it may hold in memory changed. On
//! PostgreSQL a change announces itself with `NOTIFY` on one channel from
//! inside its own transaction, so the notice is delivered if and when the
//! change commits, never for a change that rolled back; each replica
//! listens on a connection of its pool. On SQLite there is one process,
//! which forgets its own memory, so nothing is sent.
//!
//! A notice is a hint that saves a replica from acting on a stale copy for
//! long; it is never what keeps a rule. A notice can arrive after the
//! request that made the change has returned, and notices sent while a
//! listener was reconnecting are lost, so whatever a stale copy could let
//! through is also checked by the database in the statement that would do
//! it (see `participation::submit_responses`).

use sea_orm::sqlx::postgres::PgListener;
use sea_orm::{ConnectionTrait, DbBackend, DbErr, RuntimeErr, Statement};
use uuid::Uuid;

use crate::Db;

/// The channel every replica listens on.
pub const CHANNEL: &str = "langnghe_changes";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Notice {
    /// A session was closed.
    Session(Uuid),
    /// A survey was closed.
    Survey(Uuid),
}

impl Notice {
    fn payload(self) -> String {
        match self {
            Notice::Session(id) => format!("session:{id}"),
            Notice::Survey(id) => format!("survey:{id}"),
        }
    }

    /// `None` for a payload this version does not know (sent by a newer
    /// replica during a rolling upgrade).
    fn parse(payload: &str) -> Option<Notice> {
        let (kind, id) = payload.split_once(':')?;
        let id = id.parse::<Uuid>().ok()?;
        match kind {
            "session" => Some(Notice::Session(id)),
            "survey" => Some(Notice::Survey(id)),
            _ => None,
        }
    }
}

/// Announces `notice` to every replica when the transaction of `conn`
/// commits (PostgreSQL); nothing on SQLite.
pub(crate) async fn announce<C: ConnectionTrait>(conn: &C, notice: Notice) -> Result<(), DbErr> {
    if conn.get_database_backend() != DbBackend::Postgres {
        return Ok(());
    }
    conn.execute_raw(Statement::from_sql_and_values(
        DbBackend::Postgres,
        "SELECT pg_notify($1, $2)",
        [CHANNEL.into(), notice.payload().into()],
    ))
    .await?;
    Ok(())
}

/// What a listener heard.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Heard {
    Notice(Notice),
    /// The connection dropped and was made again: notices sent meanwhile
    /// are lost, so whatever was kept in memory may be stale.
    Reconnected,
}

/// A replica's ear on the channel, holding one connection of the pool.
pub struct Listener(PgListener);

/// Starts listening (PostgreSQL); `Ok(None)` on SQLite, where there is
/// nobody else to hear.
pub async fn listen(db: &Db) -> Result<Option<Listener>, DbErr> {
    if db.get_database_backend() != DbBackend::Postgres {
        return Ok(None);
    }
    let mut listener = PgListener::connect_with(db.get_postgres_connection_pool())
        .await
        .map_err(sqlx_err)?;
    listener.listen(CHANNEL).await.map_err(sqlx_err)?;
    Ok(Some(Listener(listener)))
}

impl Listener {
    /// The next notice, or word that some may have been lost. An error
    /// means the connection is gone and could not be made again: drop the
    /// listener and listen afresh.
    pub async fn next(&mut self) -> Result<Heard, DbErr> {
        loop {
            match self.0.try_recv().await.map_err(sqlx_err)? {
                Some(n) => {
                    if let Some(notice) = Notice::parse(n.payload()) {
                        return Ok(Heard::Notice(notice));
                    }
                }
                // sqlx has already reconnected and listens again.
                None => return Ok(Heard::Reconnected),
            }
        }
    }
}

fn sqlx_err(e: sea_orm::sqlx::Error) -> DbErr {
    DbErr::Conn(RuntimeErr::SqlxError(std::sync::Arc::new(e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back() {
        let id = Uuid::now_v7();
        for n in [Notice::Session(id), Notice::Survey(id)] {
            assert_eq!(Notice::parse(&n.payload()), Some(n));
        }
        assert_eq!(Notice::parse("account:x"), None);
        assert_eq!(Notice::parse("session:not-a-uuid"), None);
        assert_eq!(Notice::parse(""), None);
    }
}
