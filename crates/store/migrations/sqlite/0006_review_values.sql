-- Indicator values reported with a review update; recorded as of the reference date on acceptance.
CREATE TABLE review_update_values (
    update_id TEXT NOT NULL REFERENCES review_updates (id) ON DELETE CASCADE,
    indicator_id TEXT NOT NULL REFERENCES measure_indicators (id),
    value REAL NOT NULL,
    PRIMARY KEY (update_id, indicator_id)
);
