-- Rate-limit buckets (forum/rate_limiter.h) shared by every node of a cluster. A single node
-- keeps them in memory; the table exists in every store so that both backends have one schema.
CREATE TABLE rate_buckets (
  key        TEXT PRIMARY KEY,
  tokens     REAL NOT NULL,
  updated_at REAL NOT NULL,
  granted    INTEGER NOT NULL
);
CREATE INDEX rate_buckets_by_age ON rate_buckets(updated_at);
