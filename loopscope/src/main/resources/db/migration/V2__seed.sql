-- Deterministic demo data: 10,000 users, about 110,000 orders (0 to 22 per user, so some users have
-- none and some more than the 20 the overview shows), one preferences row per user.
INSERT INTO users (id, name, email, created_at)
SELECT u, 'User ' || u, 'user' || u || '@example.com',
       timestamptz '2024-01-01 00:00:00+00' + u * interval '37 minutes'
FROM generate_series(1, 10000) AS u;

INSERT INTO orders (user_id, total_cents, status, created_at)
SELECT u,
       500 + (u * 7919 + k * 104729) % 99500,
       (ARRAY['pending', 'paid', 'shipped', 'delivered', 'cancelled'])[1 + (u + k) % 5],
       timestamptz '2025-01-01 00:00:00+00' + ((u * 131 + k * 977) % 525600) * interval '1 minute'
FROM generate_series(1, 10000) AS u,
     generate_series(1, (u * 37) % 23) AS k;

INSERT INTO preferences (user_id, theme, language, newsletter)
SELECT u,
       (ARRAY['light', 'dark', 'system'])[1 + u % 3],
       (ARRAY['it', 'en', 'de', 'fr', 'es'])[1 + u % 5],
       u % 2 = 0
FROM generate_series(1, 10000) AS u;

ANALYZE users;
ANALYZE orders;
ANALYZE preferences;
