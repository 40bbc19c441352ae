-- A crisis item no moderator has acted on within the set time is brought back to the
-- moderators' (or, once escalated, the admins') attention once: this records when, so it is
-- sent once, by whichever server claims it first.
ALTER TABLE review_items ADD COLUMN reminded_at INTEGER;
-- Items from before this version are not reminded of all at once on the first run after the upgrade.
UPDATE review_items SET reminded_at = created_at;
