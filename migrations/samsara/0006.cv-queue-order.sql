-- The CV queue's hot query takes the oldest queued CV:
--   SELECT … FROM cvs WHERE status = 'queued' ORDER BY created_at ASC LIMIT 1
-- idx_cvs_status finds the queued CVs but leaves them to be sorted in a temporary B-tree on
-- every call; with created_at after status in the key, the first index entry is the answer.
-- (Found by the query-plan checks in schema/samsara.yaml.)
-- depends: 0005.outreach

CREATE INDEX idx_cvs_status_created_at ON cvs(status, created_at);
