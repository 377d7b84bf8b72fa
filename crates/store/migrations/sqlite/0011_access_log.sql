-- The access log: who read which protected record (an account, later a case), apart from the
-- audit log of changes so that readers never wait for writers (docs/decisions/0010-core.md).
-- Entries are written in batches by one background writer per node; each batch's hash covers
-- its entries and the previous batch's hash, so removing or changing an entry breaks the chain.

CREATE TABLE access_log (
    seq BIGINT PRIMARY KEY,
    batch BIGINT NOT NULL,
    at BIGINT NOT NULL,
    actor_id TEXT,
    actor_name TEXT NOT NULL,
    entity TEXT NOT NULL,
    record_id TEXT NOT NULL
);
CREATE INDEX access_log_record ON access_log (entity, record_id, at);
CREATE INDEX access_log_actor ON access_log (actor_id, at);

CREATE TABLE access_batches (
    batch BIGINT PRIMARY KEY,
    first_seq BIGINT NOT NULL,
    last_seq BIGINT NOT NULL,
    written_at BIGINT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);

-- The head of the batch chain: taken once per batch (FOR UPDATE on PostgreSQL), so the writers
-- of several nodes append one after the other without forking the chain.
CREATE TABLE access_head (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    batch BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO access_head (id, batch, seq, hash) VALUES (1, 0, 0, '0000000000000000000000000000000000000000000000000000000000000000');

CREATE TRIGGER access_log_no_update BEFORE UPDATE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_log_no_delete BEFORE DELETE ON access_log
BEGIN SELECT RAISE(ABORT, 'access_log is append-only'); END;
CREATE TRIGGER access_batches_no_update BEFORE UPDATE ON access_batches
BEGIN SELECT RAISE(ABORT, 'access_batches is append-only'); END;
CREATE TRIGGER access_batches_no_delete BEFORE DELETE ON access_batches
BEGIN SELECT RAISE(ABORT, 'access_batches is append-only'); END;
