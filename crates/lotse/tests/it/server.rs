//! The real binary as a server, and a small HTTP/1.1 client that can choose its source address
//! (any of 127.0.0.0/8), so that a test can be two different clients on one machine.

use std::io::{BufRead, BufReader};
use std::net::{IpAddr, SocketAddr};
use std::process::{Child, Stdio};
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpSocket, TcpStream};

use crate::lotse;

/// A running `lotse serve`; killed when dropped.
pub struct Server {
    pub child: Child,
    pub addr: SocketAddr,
    /// What it printed until it listened (the demo logins, among others).
    pub printed: String,
}

impl Server {
    /// Starts `lotse [global…] serve --listen 127.0.0.1:0 [serve…]` and waits until it listens.
    pub fn start(global: &[&str], serve: &[&str]) -> Server {
        let mut args: Vec<&str> = global.to_vec();
        args.extend(["serve", "--listen", "127.0.0.1:0"]);
        args.extend(serve);
        let mut child = lotse(&args)
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut stdout = BufReader::new(child.stdout.take().unwrap());
        let mut printed = String::new();
        let addr = loop {
            let mut line = String::new();
            assert!(
                stdout.read_line(&mut line).unwrap() > 0,
                "server exited early: {printed}"
            );
            printed.push_str(&line);
            if let Some(rest) = line.trim().strip_prefix("Lotse is listening on http://") {
                break rest.parse().unwrap();
            }
        };
        // Keep reading stdout so that the server never blocks on a full pipe.
        std::thread::spawn(move || {
            let mut sink = String::new();
            while stdout.read_line(&mut sink).unwrap_or(0) > 0 {
                sink.clear();
            }
        });
        Server {
            child,
            addr,
            printed,
        }
    }

    /// SIGKILL: no shutdown, no flush beyond what the server already committed.
    pub fn kill_hard(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A TCP connection from the given loopback source address.
pub async fn connect_from(source: IpAddr, addr: SocketAddr) -> std::io::Result<TcpStream> {
    let socket = TcpSocket::new_v4()?;
    socket.bind(SocketAddr::new(source, 0))?;
    socket.connect(addr).await
}

pub struct Response {
    pub status: u16,
    pub head: String,
    pub body: String,
}

/// One request (`Connection: close`), answered within `limit` or an error.
pub async fn request(
    source: IpAddr,
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: &str,
    limit: Duration,
) -> std::io::Result<Response> {
    let exchange = async {
        let mut stream = connect_from(source, addr).await?;
        let mut text = format!(
            "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
            body.len()
        );
        for (name, value) in headers {
            text.push_str(&format!("{name}: {value}\r\n"));
        }
        text.push_str("\r\n");
        text.push_str(body);
        stream.write_all(text.as_bytes()).await?;
        let mut bytes = Vec::new();
        stream.read_to_end(&mut bytes).await?;
        let text = String::from_utf8_lossy(&bytes).into_owned();
        let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
        let status = head
            .split(' ')
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or_else(|| std::io::Error::other(format!("no status line: {head:?}")))?;
        Ok(Response {
            status,
            head: head.to_owned(),
            body: body.to_owned(),
        })
    };
    tokio::time::timeout(limit, exchange).await.map_err(|_| {
        std::io::Error::other(format!("{method} {path}: no answer within {limit:?}"))
    })?
}

pub async fn get(source: IpAddr, addr: SocketAddr, path: &str) -> std::io::Result<Response> {
    request(source, addr, "GET", path, &[], "", Duration::from_secs(10)).await
}

pub const CLIENT_A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 1));
pub const CLIENT_B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(127, 0, 0, 2));
