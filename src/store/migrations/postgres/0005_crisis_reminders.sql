-- The PostgreSQL twin of migrations/sqlite/0005_crisis_reminders.sql.
ALTER TABLE review_items ADD COLUMN reminded_at BIGINT;
UPDATE review_items SET reminded_at = created_at WHERE created_at < EXTRACT(EPOCH FROM now())::BIGINT - 86400;
