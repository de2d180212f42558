-- Counted messages no longer claim a day to tell the governance core about: each counted message
-- moves `last_message_at`, and the scheduler notes the conversation from it before it would
-- remind a quiet IG (see src/discord/activity.rs). The day marker is gone.
ALTER TABLE channel_activity DROP COLUMN noted_day;
