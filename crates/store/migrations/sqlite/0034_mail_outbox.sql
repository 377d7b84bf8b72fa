-- Mail that Lotse owes someone (decision 0017): written in the transaction of the act that
-- causes it (an interpreter assigned, an appointment booked), sent by the mail-outbox job. A mail
-- is never lost when the SMTP server is away, and never sent for an act that was rolled back.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    -- An iCalendar file sent along (text/calendar), if any.
    calendar TEXT,
    -- What the mail is about (entity and id), to list a record's mails and to retract them.
    about_entity TEXT NOT NULL,
    about_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- The next attempt; after a failure it moves back by a growing pause.
    due_at INTEGER NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    last_error TEXT NOT NULL DEFAULT '',
    sent_at INTEGER,
    -- Given up after too many attempts: the administration sees it on the jobs page.
    failed_at INTEGER
);
CREATE INDEX mail_outbox_due ON mail_outbox (due_at) WHERE sent_at IS NULL AND failed_at IS NULL;
CREATE INDEX mail_outbox_about ON mail_outbox (about_entity, about_id);
