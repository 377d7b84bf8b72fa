-- Dates are read as `lotse_domain::Date` now, which accepts only YYYY-MM-DD with digits. The old
-- check parsed each part as a number and let a sign through ("2024-+1-05" for 2024-01-05), so
-- such text may be stored; a sign can only stand where a leading zero belongs, so it becomes one.
-- (Dates inside offer content JSON are parsed by the import and form checks of that time, which
-- the offer form shared; see decision 0010, "Dates as dates".)
UPDATE meetings SET held_on = REPLACE(held_on, '+', '0') WHERE held_on LIKE '%+%';
UPDATE decisions SET decided_on = REPLACE(decided_on, '+', '0') WHERE decided_on LIKE '%+%';
UPDATE action_items SET due_on = REPLACE(due_on, '+', '0') WHERE due_on LIKE '%+%';
UPDATE reporting_deadlines SET due_on = REPLACE(due_on, '+', '0') WHERE due_on LIKE '%+%';
UPDATE reporting_deadlines SET submitted_on = REPLACE(submitted_on, '+', '0') WHERE submitted_on LIKE '%+%';
UPDATE grants SET period_from = REPLACE(period_from, '+', '0') WHERE period_from LIKE '%+%';
UPDATE grants SET period_to = REPLACE(period_to, '+', '0') WHERE period_to LIKE '%+%';
UPDATE grant_movements SET on_date = REPLACE(on_date, '+', '0') WHERE on_date LIKE '%+%';
UPDATE review_rounds SET reference_date = REPLACE(reference_date, '+', '0') WHERE reference_date LIKE '%+%';
UPDATE structural_issues SET reported_on = REPLACE(reported_on, '+', '0') WHERE reported_on LIKE '%+%';
UPDATE concepts SET adopted_on = REPLACE(adopted_on, '+', '0') WHERE adopted_on LIKE '%+%';
UPDATE measures SET planned_start = REPLACE(planned_start, '+', '0') WHERE planned_start LIKE '%+%';
UPDATE measures SET planned_end = REPLACE(planned_end, '+', '0') WHERE planned_end LIKE '%+%';
UPDATE offers SET verified_on = REPLACE(verified_on, '+', '0') WHERE verified_on LIKE '%+%';
UPDATE offer_revisions SET valid_from = REPLACE(valid_from, '+', '0') WHERE valid_from LIKE '%+%';
UPDATE offer_revisions SET valid_to = REPLACE(valid_to, '+', '0') WHERE valid_to LIKE '%+%';
UPDATE indicator_values SET as_of = REPLACE(as_of, '+', '0') WHERE as_of LIKE '%+%';

-- What the pick lists of accounts (owner of an action item) and structural issues search in:
-- the names folded like the organisation search (umlauts, case), which SQLite's LOWER cannot do
-- (sort_keys::user_search_text, issue_search_text; filled at start-up for older rows).
ALTER TABLE users ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE structural_issues ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
