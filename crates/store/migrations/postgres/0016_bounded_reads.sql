-- Indexes for the reads that staff pages, jobs and the HSDS API now bound (decision 0010, "No
-- request reads an unbounded table"): each serves a WHERE or a page that replaced a read of a
-- whole table.
CREATE INDEX offer_revisions_offer ON offer_revisions (offer_id, saved_at);
CREATE INDEX action_items_meeting ON action_items (meeting_id);
CREATE INDEX action_items_decision ON action_items (decision_id);
CREATE INDEX action_items_open ON action_items (state, created_at);
CREATE INDEX decisions_meeting ON decisions (meeting_id);
CREATE INDEX decisions_decided_on ON decisions (decided_on);
CREATE INDEX structural_issue_decisions_decision ON structural_issue_decisions (decision_id);
CREATE INDEX reporting_deadlines_grant ON reporting_deadlines (grant_id, due_on);
CREATE INDEX reporting_deadlines_open ON reporting_deadlines (due_on) WHERE submitted_on IS NULL;
CREATE INDEX grants_programme ON grants (programme_id);
CREATE INDEX review_updates_state ON review_updates (round_id, state);
CREATE INDEX audit_log_actor_name ON audit_log (actor_name, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX access_log_actor_name ON access_log (actor_name, seq);
CREATE INDEX access_log_record_id ON access_log (record_id, seq);

-- A body's decisions, newest first, as pages: the order as a key column
-- (sort_keys::decision_list_key; filled at start-up for older rows).
ALTER TABLE decisions ADD COLUMN list_key TEXT NOT NULL DEFAULT '';
CREATE INDEX decisions_body_list_key ON decisions (body_id, list_key, id);
