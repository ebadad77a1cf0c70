-- Why a launch is paused when the worker paused it (the relay failing again and again), not a user.
ALTER TABLE launch ADD COLUMN pause_reason text;
