-- The PostgreSQL twin of migrations/sqlite/0005_crisis_reminders.sql.
ALTER TABLE review_items ADD COLUMN reminded_at BIGINT;
-- Items from before this version are not reminded of all at once on the first run after the upgrade.
UPDATE review_items SET reminded_at = created_at;
