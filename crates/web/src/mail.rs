//! Sending e-mail over SMTP (lettre). Lotse sends little mail: reminders to organisations that owe
//! reports, and confirmations of appointments from the outbox (`jobs::mail_outbox`). The server is
//! configured with `--smtp-url smtp://HOST:PORT` (`LOTSE_SMTP_URL`); mail is handed to the
//! district's own relay, so no TLS or credentials are handled here.

use lettre::message::{Attachment, Mailbox, MultiPart, SinglePart, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

#[derive(Debug, Clone)]
pub struct MailConfig {
    pub host: String,
    pub port: u16,
    pub from: String,
}

impl MailConfig {
    /// Parses `smtp://host:port` (port 25 if omitted).
    pub fn from_url(url: &str, from: &str) -> Result<MailConfig, String> {
        let rest = url
            .strip_prefix("smtp://")
            .ok_or_else(|| format!("SMTP URL '{url}' must start with smtp://"))?;
        let rest = rest.trim_end_matches('/');
        let (host, port) = match rest.rsplit_once(':') {
            Some((h, p)) => (
                h.to_owned(),
                p.parse()
                    .map_err(|_| format!("SMTP URL '{url}': bad port"))?,
            ),
            None => (rest.to_owned(), 25),
        };
        if host.is_empty() {
            return Err(format!("SMTP URL '{url}' has no host"));
        }
        from.parse::<Mailbox>()
            .map_err(|e| format!("mail sender '{from}': {e}"))?;
        Ok(MailConfig {
            host,
            port,
            from: from.to_owned(),
        })
    }
}

/// Sends one plain-text message.
pub async fn send(
    config: &MailConfig,
    to: &str,
    subject: &str,
    body: String,
) -> Result<(), String> {
    send_with_calendar(config, to, subject, body, None).await
}

/// Sends a plain-text message with an iCalendar file (`termin.ics`) if one is given: the
/// confirmations of appointments, which the recipient adds to their calendar with one tap.
pub async fn send_with_calendar(
    config: &MailConfig,
    to: &str,
    subject: &str,
    body: String,
    calendar: Option<&str>,
) -> Result<(), String> {
    let from: Mailbox = config.from.parse().map_err(|e| format!("Absender: {e}"))?;
    let to: Mailbox = to.parse().map_err(|e| format!("Empfänger „{to}“: {e}"))?;
    let builder = Message::builder().from(from).to(to).subject(subject);
    let message = match calendar {
        None => builder.header(ContentType::TEXT_PLAIN).body(body),
        Some(ics) => {
            let method = if ics.contains("METHOD:CANCEL") {
                "CANCEL"
            } else {
                "PUBLISH"
            };
            let kind =
                ContentType::parse(&format!("text/calendar; charset=utf-8; method={method}"))
                    .map_err(|e| format!("Kalenderdatei: {e}"))?;
            builder.multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(body))
                    .singlepart(
                        Attachment::new("termin.ics".to_owned()).body(ics.to_owned(), kind),
                    ),
            )
        }
    }
    .map_err(|e| format!("Nachricht: {e}"))?;
    let transport = AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(config.host.clone())
        .port(config.port)
        .build();
    transport
        .send(message)
        .await
        .map(|_| ())
        .map_err(|e| format!("Versand: {e}"))
}

#[cfg(test)]
mod tests {
    use super::MailConfig;

    #[test]
    fn smtp_urls() {
        let c = MailConfig::from_url("smtp://127.0.0.1:2525", "lotse@kreis-warendorf.de")
            .expect("valid");
        assert_eq!((c.host.as_str(), c.port), ("127.0.0.1", 2525));
        assert_eq!(
            MailConfig::from_url("smtp://relay", "a@b.de")
                .expect("valid")
                .port,
            25
        );
        assert!(MailConfig::from_url("http://x", "a@b.de").is_err());
        assert!(MailConfig::from_url("smtp://x", "kein absender").is_err());
    }
}
