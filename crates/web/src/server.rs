//! Serving HTTP/1.1 over TCP with the limits that keep one client from starving the others.
//!
//! `axum::serve` waits for a request as long as a client likes: about 1,100 half-sent requests
//! from one address used up the process's file descriptors, and `/healthz`, `/angebote` and
//! `/login` stopped answering. Here every connection must send its request head within
//! [`ServerLimits::header_read`] (hyper's timer also closes idle keep-alive connections after
//! that long), one client address may hold at most [`ServerLimits::per_client`] connections, all
//! clients together at most [`ServerLimits::total`] (kept below the file-descriptor limit, which
//! `lotse serve` raises at start), and a refused connection is told so and closed at once.
//! Handlers are bounded separately by the request timeout in [`crate::app`].

use std::collections::HashMap;
use std::future::Future;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::Router;
use hyper_util::rt::{TokioIo, TokioTimer};
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::Semaphore;

/// The limits of [`serve`].
#[derive(Debug, Clone, Copy)]
pub struct ServerLimits {
    /// Time for a client to send a request's head (line and headers), and for an idle
    /// keep-alive connection to start its next request.
    pub header_read: Duration,
    /// Open connections per client address. Behind a reverse proxy every connection comes from
    /// the proxy, so it is set higher there (`LOTSE_MAX_CONNECTIONS_PER_CLIENT`).
    pub per_client: usize,
    /// Open connections in all.
    pub total: usize,
    /// Time to finish open requests after SIGTERM before the remaining connections are cut.
    pub shutdown_grace: Duration,
}

impl Default for ServerLimits {
    fn default() -> Self {
        ServerLimits {
            header_read: Duration::from_secs(10),
            per_client: 256,
            total: 4_096,
            shutdown_grace: Duration::from_secs(30),
        }
    }
}

/// Open connections per client address; an entry leaves with the last connection.
#[derive(Default)]
struct Clients(Mutex<HashMap<IpAddr, usize>>);

/// One admitted connection; dropping it gives its place back.
struct Admitted {
    clients: Arc<Clients>,
    ip: IpAddr,
}

impl Clients {
    /// Admits a connection unless its client or everyone together is at the limit.
    fn admit(self: &Arc<Self>, ip: IpAddr, limits: &ServerLimits) -> Result<Admitted, Refusal> {
        // A poisoned lock only means another connection's task panicked mid-update; the
        // counts are still usable.
        let mut open = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let total: usize = open.values().sum();
        let mine = open.get(&ip).copied().unwrap_or(0);
        if mine >= limits.per_client {
            return Err(Refusal::Client);
        }
        if total >= limits.total {
            return Err(Refusal::Server);
        }
        *open.entry(ip).or_insert(0) += 1;
        Ok(Admitted {
            clients: Arc::clone(self),
            ip,
        })
    }
}

impl Drop for Admitted {
    fn drop(&mut self) {
        let mut open = self.clients.0.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(n) = open.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.remove(&self.ip);
            }
        }
    }
}

#[derive(Debug, Clone, Copy)]
enum Refusal {
    Client,
    Server,
}

impl Refusal {
    fn response(self) -> &'static [u8] {
        match self {
            Refusal::Client => {
                b"HTTP/1.1 429 Too Many Requests\r\nconnection: close\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 48\r\n\r\nZu viele gleichzeitige Verbindungen von Ihnen.\r\n"
            }
            Refusal::Server => {
                b"HTTP/1.1 503 Service Unavailable\r\nconnection: close\r\nretry-after: 5\r\ncontent-type: text/plain; charset=utf-8\r\ncontent-length: 29\r\n\r\nLotse ist gerade ausgelastet."
            }
        }
    }
}

/// Refused connections being told why at one time; more are closed without a word.
const REFUSALS_AT_ONCE: usize = 256;

/// Tells a refused client why and closes the connection. The request it already sent is read
/// and discarded first (for a second at most): closing a socket with unread data makes the
/// kernel reset it, and the client would never see the answer.
fn refuse(mut stream: TcpStream, why: Refusal, refusals: &Arc<Semaphore>) {
    let Ok(permit) = Arc::clone(refusals).try_acquire_owned() else {
        let _ = stream.try_write(why.response());
        return;
    };
    tokio::spawn(async move {
        let linger = async {
            stream.write_all(why.response()).await?;
            stream.shutdown().await?;
            let mut buf = [0u8; 4096];
            while stream.read(&mut buf).await? > 0 {}
            Ok::<_, std::io::Error>(())
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), linger).await;
        drop(permit);
    });
}

/// Serves `app` on `listener` until `shutdown` completes, then lets open requests finish (at
/// most [`ServerLimits::shutdown_grace`]).
pub async fn serve(
    listener: TcpListener,
    app: Router,
    limits: ServerLimits,
    shutdown: impl Future<Output = ()>,
) {
    let clients = Arc::new(Clients::default());
    let refusals = Arc::new(Semaphore::new(REFUSALS_AT_ONCE));
    let graceful = GracefulShutdown::new();
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(TokioTimer::new())
        .header_read_timeout(limits.header_read)
        .keep_alive(true);
    tokio::pin!(shutdown);
    loop {
        let (stream, peer) = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok(accepted) => accepted,
                Err(e) => {
                    // Out of file descriptors or a connection reset before it was accepted:
                    // wait a moment rather than spin, as hyper's own server loop does.
                    tracing::warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let admitted = match clients.admit(peer.ip(), &limits) {
            Ok(admitted) => admitted,
            Err(why) => {
                tracing::warn!(client = %peer.ip(), ?why, "connection refused");
                refuse(stream, why, &refusals);
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        // Every request learns which address it came from (the public forms' limits).
        let address = crate::public_forms::ClientAddress(peer.ip());
        let service = tower::ServiceExt::map_request(
            app.clone(),
            move |mut req: axum::http::Request<hyper::body::Incoming>| {
                req.extensions_mut().insert(address);
                req
            },
        );
        let connection =
            http.serve_connection(TokioIo::new(stream), TowerToHyperService::new(service));
        let connection = graceful.watch(connection);
        tokio::spawn(async move {
            // Timeouts and clients that go away end here; neither is the server's problem.
            if let Err(e) = connection.await {
                tracing::debug!(error = %e, "connection ended");
            }
            drop(admitted);
        });
    }
    drop(listener);
    if tokio::time::timeout(limits.shutdown_grace, graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("open connections cut after the shutdown grace period");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn places_are_counted_per_client_and_given_back() {
        let limits = ServerLimits {
            per_client: 2,
            total: 3,
            ..ServerLimits::default()
        };
        let clients = Arc::new(Clients::default());
        let a: IpAddr = [127, 0, 0, 1].into();
        let b: IpAddr = [127, 0, 0, 2].into();
        let first = clients.admit(a, &limits).expect("first");
        let _second = clients.admit(a, &limits).expect("second");
        assert!(matches!(clients.admit(a, &limits), Err(Refusal::Client)));
        let _third = clients.admit(b, &limits).expect("another client");
        assert!(matches!(clients.admit(b, &limits), Err(Refusal::Server)));
        drop(first);
        assert!(clients.admit(a, &limits).is_ok());
    }

    #[test]
    fn refusals_are_well_formed_http() {
        for why in [Refusal::Client, Refusal::Server] {
            let text = std::str::from_utf8(why.response()).expect("utf-8");
            let (head, body) = text.split_once("\r\n\r\n").expect("head and body");
            let length: usize = head
                .lines()
                .find_map(|l| l.strip_prefix("content-length: "))
                .and_then(|n| n.parse().ok())
                .expect("length");
            assert_eq!(body.len(), length, "{why:?}");
        }
    }
}
