-- The PostgreSQL twin of migrations/sqlite/0005_crisis_reminders.sql.
ALTER TABLE review_items ADD COLUMN reminded_at BIGINT;
