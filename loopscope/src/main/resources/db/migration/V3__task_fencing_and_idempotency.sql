-- Which runner holds a task's current attempt (pid@host): with several processes on one database, who ran what
ALTER TABLE tasks ADD COLUMN claimed_by TEXT;

-- POST /tasks with an Idempotency-Key: a retry with the same key gets the same task, the same key with another
-- task (kind and input compared as jsonb) is refused. Kept as long as the task, so at least 24 h.
ALTER TABLE tasks ADD COLUMN idempotency_key TEXT;
CREATE UNIQUE INDEX tasks_idempotency_key ON tasks (idempotency_key) WHERE idempotency_key IS NOT NULL;
