-- Messages handed to each relay per clock second and per clock hour, shared by every worker replica,
-- so a relay's rate limit holds however many workers send through it.
CREATE TABLE relay_rate_window (
    relay        text        NOT NULL,
    unit         text        NOT NULL CHECK (unit IN ('SECOND', 'HOUR')),
    window_start timestamptz NOT NULL,
    used         integer     NOT NULL DEFAULT 0,
    PRIMARY KEY (relay, unit, window_start)
);

-- When a delivery was first tried: temporary failures stop being retried past a maximum age.
ALTER TABLE delivery ADD COLUMN first_attempt_at timestamptz;
