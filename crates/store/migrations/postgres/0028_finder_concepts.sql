-- The finder's concepts (decision 0013): words and abbreviations that mean the same for someone
-- looking for an offer, with labels in every finder language, edited by the coordination.
-- A shipped set is loaded with the reference data; a removed concept stays as a withdrawn row,
-- so that loading the reference data again does not bring it back.
CREATE TABLE finder_concepts (
    id TEXT PRIMARY KEY,
    -- JSON object: finder language → list of labels (words and short phrases).
    labels TEXT NOT NULL,
    withdrawn BOOLEAN NOT NULL DEFAULT FALSE,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
