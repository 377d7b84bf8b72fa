-- Subject rights and retention (decision 0012, slice 7): an anonymised person keeps the year of
-- birth (for figures by age) without a day that, with the town, could still point at someone.
ALTER TABLE persons ADD COLUMN birth_year TEXT;
CREATE INDEX cases_closed ON cases (closed_on);
