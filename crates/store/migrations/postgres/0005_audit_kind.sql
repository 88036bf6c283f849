-- The latest change to records of given kinds (what a cached delivery-risk model was trained on).
CREATE INDEX audit_kind ON audit_log (org_id, entity_kind, id);
