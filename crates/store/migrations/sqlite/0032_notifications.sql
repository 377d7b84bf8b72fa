-- In-app notifications (decision 0014): what concerns one person (a report returned or
-- accepted, an offer approved or returned, a new round, a deadline, work waiting for review),
-- each with the address of the thing itself. Written in the transaction of the act that causes
-- it; an unread one for the same address is refreshed rather than repeated.
CREATE TABLE notifications (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL REFERENCES users (id),
    created_at BIGINT NOT NULL,
    text TEXT NOT NULL,
    href TEXT NOT NULL,
    read_at BIGINT
);
CREATE INDEX notifications_user ON notifications (user_id, read_at, created_at);
