-- A crisis item no moderator has acted on within the set time is brought back to the
-- moderators' (or, once escalated, the admins') attention once: this records when, so it is
-- sent once, by whichever server claims it first.
ALTER TABLE review_items ADD COLUMN reminded_at INTEGER;
-- Items older than a day at the upgrade are not all reminded of at once on its first run; a crisis
-- post from the last day still waiting is.
UPDATE review_items SET reminded_at = created_at WHERE created_at < CAST(strftime('%s', 'now') AS INTEGER) - 86400;
