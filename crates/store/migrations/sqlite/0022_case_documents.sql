-- Documents on a case (decision 0012, slice 4): notices, certificates, signed forms. Kept in the
-- database, not on a node's disk: every node of a PostgreSQL deployment serves them, backups and
-- copies carry them, and nothing lies in a directory a web server could publish.
CREATE TABLE case_documents (
    id TEXT PRIMARY KEY,
    case_id TEXT NOT NULL REFERENCES cases (id),
    kind TEXT NOT NULL CHECK (kind IN ('notice', 'identity', 'certificate', 'application', 'consent', 'other')),
    title TEXT NOT NULL DEFAULT '',
    file_name TEXT NOT NULL,
    content_type TEXT NOT NULL CHECK (content_type IN ('application/pdf', 'image/jpeg', 'image/png')),
    size BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    content BLOB NOT NULL,
    uploaded_by TEXT REFERENCES users (id),
    created_at BIGINT NOT NULL
);
CREATE INDEX case_documents_case ON case_documents (case_id, created_at);
