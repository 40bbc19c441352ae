-- Rate-limit buckets (forum/rate_limiter.h) shared by every node of a cluster. UNLOGGED: a
-- bucket is worth nothing after a crash (a full bucket is the safe restart), so its writes skip
-- the write-ahead log and cost no flush.
CREATE UNLOGGED TABLE rate_buckets (
  key        TEXT PRIMARY KEY,
  tokens     DOUBLE PRECISION NOT NULL,
  updated_at DOUBLE PRECISION NOT NULL,
  granted    BOOLEAN NOT NULL
);
CREATE INDEX rate_buckets_by_age ON rate_buckets(updated_at);
