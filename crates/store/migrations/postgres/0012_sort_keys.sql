-- Sort keys as columns, so that lists are ordered, filtered and paged by the database (keyset
-- paging over (key, id), docs/decisions/0010-core.md). A key is the German collation of
-- lotse_domain::collation::column_key, computed in Rust when a row is written; compared as bytes
-- on both backends (COLLATE "C" on PostgreSQL, whose default would follow the server's locale).
-- Rows written before this version get their keys when the program starts (sort_keys.rs).

ALTER TABLE offers ADD COLUMN title_key TEXT COLLATE "C" NOT NULL DEFAULT '';
CREATE INDEX offers_title_key ON offers (title_key, id);
CREATE INDEX offers_organisation_title_key ON offers (organisation_id, title_key, id);
ALTER TABLE offer_revisions ADD COLUMN title_key TEXT COLLATE "C" NOT NULL DEFAULT '';

ALTER TABLE concepts ADD COLUMN name_key TEXT COLLATE "C" NOT NULL DEFAULT '';
-- A measure's place in lists: its concept's key, then its code as people number them
-- (1.2 before 1.10); searched text folded (case, umlauts) in one column.
ALTER TABLE measures ADD COLUMN list_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE measures ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
-- The tags lower-cased between commas (",sprache,familie,"), so one tag is found exactly.
ALTER TABLE measures ADD COLUMN tags_key TEXT NOT NULL DEFAULT '';
CREATE INDEX measures_list_key ON measures (list_key, id);
CREATE INDEX measures_concept_list_key ON measures (concept_id, list_key, id);

-- The organisation directory: by name in German order, searched in name and city.
ALTER TABLE organisations ADD COLUMN list_key TEXT COLLATE "C" NOT NULL DEFAULT '';
ALTER TABLE organisations ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
CREATE INDEX organisations_list_key ON organisations (list_key, id);
