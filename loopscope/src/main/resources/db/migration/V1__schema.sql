-- The overview demo's tables (the article's fetch_user_from_db, fetch_user_orders, fetch_user_preferences)
CREATE TABLE users (
  id         BIGINT PRIMARY KEY,
  name       TEXT        NOT NULL,
  email      TEXT        NOT NULL UNIQUE,
  created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE orders (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  user_id     BIGINT      NOT NULL REFERENCES users (id),
  total_cents INTEGER     NOT NULL CHECK (total_cents >= 0),
  status      TEXT        NOT NULL,
  created_at  TIMESTAMPTZ NOT NULL
);

-- "the latest 20 orders of a user" reads this index only
CREATE INDEX orders_user_latest ON orders (user_id, created_at DESC, id DESC);

CREATE TABLE preferences (
  user_id    BIGINT PRIMARY KEY REFERENCES users (id),
  theme      TEXT    NOT NULL,
  language   TEXT    NOT NULL,
  newsletter BOOLEAN NOT NULL
);

-- Durable background tasks (the article's create_task)
CREATE TABLE tasks (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  kind        TEXT        NOT NULL CHECK (kind IN ('sort', 'fetch')),
  state       TEXT        NOT NULL DEFAULT 'queued' CHECK (state IN ('queued', 'running', 'done', 'failed')),
  input       JSONB       NOT NULL,
  result      JSONB,
  error       JSONB,
  attempts    INTEGER     NOT NULL DEFAULT 0,
  created_at  TIMESTAMPTZ NOT NULL DEFAULT now(),
  started_at  TIMESTAMPTZ,
  finished_at TIMESTAMPTZ,
  -- a running task whose lease ran out (its process died) is claimed again
  lease_until TIMESTAMPTZ
);

CREATE INDEX tasks_waiting ON tasks (id) WHERE state = 'queued';
CREATE INDEX tasks_running ON tasks (lease_until) WHERE state = 'running';
CREATE INDEX tasks_by_state ON tasks (state, id);
