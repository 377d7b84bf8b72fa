-- What people looked for in the finder and did not find (decision 0013): the words of a search
-- without any filter that found no offer, per finder language, counted. Nothing about who
-- searched. Shown to the editors, who add concepts, words or offers and then clear the list.
CREATE TABLE finder_misses (
    term TEXT NOT NULL,
    locale TEXT NOT NULL,
    searches BIGINT NOT NULL,
    first_at BIGINT NOT NULL,
    last_at BIGINT NOT NULL,
    PRIMARY KEY (term, locale)
);
