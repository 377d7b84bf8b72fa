//! The server under hostile load and hard stops (issue 8): slow clients, request floods, and
//! `kill -9` in the middle of writes. Everything runs against the real binary on loopback,
//! bounded in count and time.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use lotse_store::Db;
use lotse_store::testing::{TestDb, temp_dir};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::server::{CLIENT_A, CLIENT_B, Server, connect_from, get, request};
use crate::{pg_url_for, run, sqlite_url, text};

/// The test opens more sockets than a default soft limit of 1,024 allows.
fn more_files() {
    let _ = rlimit::increase_nofile_limit(16_384);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_clients_cannot_starve_the_server() {
    more_files();
    let dir = temp_dir();
    let server = Server::start(
        &["--data-dir", dir.to_str().unwrap()],
        &[
            "--demo",
            "--header-timeout",
            "5",
            "--max-connections-per-client",
            "100",
        ],
    );
    let addr = server.addr;
    // 1,200 half-sent requests from one client: more than the 1,024 descriptors a service
    // starts with, which once made every other visitor wait.
    let mut slow = Vec::new();
    for _ in 0..1_200 {
        if let Ok(mut stream) = connect_from(CLIENT_A, addr).await {
            let _ = stream
                .write_all(b"GET /angebote HTTP/1.1\r\nHost: lotse\r\n")
                .await;
            slow.push(stream);
        }
    }
    assert!(slow.len() > 1_000, "{} connections opened", slow.len());
    for path in ["/healthz", "/angebote", "/login"] {
        let reply = get(CLIENT_B, addr, path).await.unwrap();
        assert_eq!(reply.status, 200, "{path} for another client");
    }
    // The slow client itself is told it holds too many connections (once the server has
    // finished telling the 1,100 refused ones, at most a second each).
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    let refused = get(CLIENT_A, addr, "/healthz").await.unwrap();
    assert_eq!(refused.status, 429, "{}", refused.body);

    // After the header timeout the half-sent requests are closed by the server…
    let mut closed = 0;
    for stream in slow.iter_mut().take(100) {
        let mut buf = [0u8; 256];
        if let Ok(Ok(_)) =
            tokio::time::timeout(Duration::from_secs(10), stream.read(&mut buf)).await
        {
            closed += 1;
        }
    }
    assert_eq!(
        closed, 100,
        "admitted slow connections are closed after the timeout"
    );
    // …and the client is served again.
    let again = get(CLIENT_A, addr, "/healthz").await.unwrap();
    assert_eq!(again.status, 200);
    drop(slow);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_request_flood_leaves_the_health_check_answered() {
    more_files();
    let dir = temp_dir();
    let server = Server::start(&["--data-dir", dir.to_str().unwrap()], &["--demo"]);
    let addr = server.addr;
    let done = Arc::new(AtomicBool::new(false));
    let mut flood = Vec::new();
    for task in 0..64 {
        flood.push(tokio::spawn(async move {
            let mut statuses = Vec::new();
            for i in 0..40 {
                let path = if (task + i) % 2 == 0 {
                    "/angebote?q=Sprachkurs".to_owned()
                } else {
                    format!("/api/v1/public/offers?q=beratung&offset={i}")
                };
                let status = request(
                    CLIENT_A,
                    addr,
                    "GET",
                    &path,
                    &[],
                    "",
                    Duration::from_secs(60),
                )
                .await
                .map_or(0, |r| r.status);
                statuses.push(status);
            }
            statuses
        }));
    }
    let watcher = {
        let done = Arc::clone(&done);
        tokio::spawn(async move {
            let mut answered = 0;
            while !done.load(Ordering::Relaxed) {
                let reply = get(CLIENT_B, addr, "/healthz").await.unwrap();
                assert_eq!(reply.status, 200);
                answered += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
            answered
        })
    };
    let mut statuses = Vec::new();
    for task in flood {
        statuses.extend(task.await.unwrap());
    }
    done.store(true, Ordering::Relaxed);
    let answered = watcher.await.unwrap();
    assert!(answered > 0);
    assert!(
        statuses.iter().all(|s| matches!(s, 200 | 429)),
        "no server errors under load: {:?}",
        statuses
            .iter()
            .filter(|s| !matches!(s, 200 | 429))
            .collect::<Vec<_>>()
    );
    assert!(statuses.iter().filter(|s| **s == 200).count() > 2_000);
    drop(server);
    let _ = std::fs::remove_dir_all(dir);
}

/// Creates an API token for `admin` through the account page of a running server.
async fn admin_token(server: &Server) -> String {
    let login = request(
        CLIENT_A,
        server.addr,
        "POST",
        "/login",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Sec-Fetch-Site", "same-origin"),
        ],
        "username=admin&password=lotse-demo",
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    assert_eq!(login.status, 303, "{}", login.body);
    let cookie = login
        .head
        .lines()
        .filter_map(|l| l.strip_prefix("set-cookie: "))
        .find(|c| {
            c.starts_with("__Host-lotse_session=") && !c.starts_with("__Host-lotse_session=;")
        })
        .and_then(|c| c.split(';').next())
        .unwrap()
        .to_owned();
    let page = request(
        CLIENT_A,
        server.addr,
        "POST",
        "/account/tokens",
        &[
            ("Content-Type", "application/x-www-form-urlencoded"),
            ("Sec-Fetch-Site", "same-origin"),
            ("Cookie", &cookie),
        ],
        "name=Dauerlast",
        Duration::from_secs(30),
    )
    .await
    .unwrap();
    let start = page.body.find("value=\"lotse_").unwrap() + "value=\"".len();
    let len = page.body[start..].find('"').unwrap();
    page.body[start..start + len].to_owned()
}

/// Writes through the API from 8 clients, kills the server with SIGKILL in the middle, and
/// checks that every write it acknowledged is there and the audit chain is intact.
async fn acknowledged_writes_survive_kill_9(url: &str) {
    let mut server = Server::start(&["--database-url", url], &["--demo"]);
    let token = Arc::new(admin_token(&server).await);
    let addr = server.addr;
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for writer in 0..8 {
        let (token, stop) = (Arc::clone(&token), Arc::clone(&stop));
        writers.push(tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..10_000 {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let name = format!("Dauertest {writer}-{i}");
                let body = format!(r#"{{"name":"{name}","kind":"other"}}"#);
                let auth = format!("Bearer {token}");
                match request(
                    CLIENT_A,
                    addr,
                    "POST",
                    "/api/v1/organisations",
                    &[
                        ("Content-Type", "application/json"),
                        ("Authorization", &auth),
                    ],
                    &body,
                    Duration::from_secs(10),
                )
                .await
                {
                    Ok(reply) if reply.status == 201 => acknowledged.push(name),
                    Ok(reply) => panic!("write refused: {} {}", reply.status, reply.body),
                    // The server is gone: nothing more was acknowledged.
                    Err(_) => break,
                }
            }
            acknowledged
        }));
    }
    tokio::time::sleep(Duration::from_millis(1_500)).await;
    server.kill_hard();
    stop.store(true, Ordering::Relaxed);
    let mut acknowledged = Vec::new();
    for w in writers {
        acknowledged.extend(w.await.unwrap());
    }
    assert!(
        acknowledged.len() >= 20,
        "{} writes before the kill",
        acknowledged.len()
    );

    let db = Db::open(url).await.unwrap();
    let names: std::collections::HashSet<String> = lotse_store::organisations::list(&db, true)
        .await
        .unwrap()
        .into_iter()
        .map(|o| o.name)
        .collect();
    let lost: Vec<&String> = acknowledged
        .iter()
        .filter(|n| !names.contains(*n))
        .collect();
    assert!(lost.is_empty(), "acknowledged but lost: {lost:?}");
    db.close().await;
    let verify = run(&["--database-url", url, "audit", "verify"]);
    assert!(verify.status.success(), "{}", text(&verify));
    // And it starts again on what was left.
    let again = Server::start(&["--database-url", url], &[]);
    assert_eq!(
        get(CLIENT_B, again.addr, "/readyz").await.unwrap().status,
        200
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_sqlite() {
    let dir = temp_dir();
    acknowledged_writes_survive_kill_9(&sqlite_url(&dir, "lotse.db")).await;
    let _ = std::fs::remove_dir_all(dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn acknowledged_writes_survive_kill_9_on_postgres() {
    let Some(pg) = TestDb::postgres().await else {
        return;
    };
    acknowledged_writes_survive_kill_9(&pg_url_for(&pg.db).await).await;
}
