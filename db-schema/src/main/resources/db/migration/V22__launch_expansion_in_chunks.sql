-- A large launch starts sending after its first chunk of deliveries is made; the rest is made by a second
-- transaction of the worker that drives it. While that is pending the launch cannot complete, and its total and
-- pending counters already count every address (an estimate the second transaction corrects to the rows it made).
ALTER TABLE launch ADD COLUMN expanding boolean NOT NULL DEFAULT false;
