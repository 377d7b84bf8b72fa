-- Revisions still without a sort key (written before migration 0012): what `sort_keys::fill`
-- looks for at every start. A partial index holds only those rows, so once all are filled the
-- look-up costs nothing instead of a scan of every revision.
CREATE INDEX offer_revisions_unkeyed ON offer_revisions (id) WHERE title_key = '';
