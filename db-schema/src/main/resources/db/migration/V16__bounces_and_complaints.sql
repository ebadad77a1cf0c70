-- What comes back after the relay's 250: bounces (RFC 3464 reports and the common non-standard ones) and complaints
-- (RFC 5965 feedback reports), each kept as received and linked to the delivery it is about. Written by mail-worker,
-- except that api-service's intake endpoint inserts received reports.

-- Every report as received, by IMAP or HTTP; the SHA-256 of its bytes makes a report received twice one report.
CREATE TABLE inbound_report (
    id           bigserial PRIMARY KEY,
    source       text        NOT NULL CHECK (source IN ('IMAP', 'HTTP')),
    digest       bytea       NOT NULL UNIQUE,
    raw          bytea       NOT NULL,
    received_by  text,
    received_at  timestamptz NOT NULL DEFAULT now(),
    -- Set once it was read: what it was (UNCLASSIFIED when no format was understood, never guessed) and in which format.
    processed_at timestamptz,
    kind         text CHECK (kind IN ('BOUNCE', 'DELAY', 'COMPLAINT', 'UNCLASSIFIED')),
    format       text
);
CREATE INDEX inbound_report_unprocessed ON inbound_report (id) WHERE processed_at IS NULL;

-- One row per recipient a report speaks of: the class it got, the status and diagnostic, and the delivery it is about
-- (NULL when neither the return path nor the Message-ID named one of ours).
CREATE TABLE bounce (
    id           bigserial PRIMARY KEY,
    report_id    bigint      NOT NULL REFERENCES inbound_report (id) ON DELETE CASCADE,
    delivery_id  bigint      REFERENCES delivery (id) ON DELETE SET NULL,
    address      text,
    class        text        NOT NULL CHECK (class IN ('HARD', 'SOFT', 'DELAY', 'COMPLAINT')),
    status       text,
    diagnostic   text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX bounce_delivery ON bounce (delivery_id);
CREATE INDEX bounce_address_soft ON bounce (address, created_at) WHERE class = 'SOFT';

-- A delivery's outcome after the relay: its worst bounce (HARD over SOFT) with the diagnostic, and a complaint.
ALTER TABLE delivery
    ADD COLUMN bounce            text CHECK (bounce IN ('HARD', 'SOFT')),
    ADD COLUMN bounce_diagnostic text,
    ADD COLUMN bounced_at        timestamptz,
    ADD COLUMN complained_at     timestamptz;
CREATE INDEX delivery_launch_hard_bounce ON delivery (launch_id) WHERE bounce = 'HARD';

-- Launch counters of the deliveries that bounced (hard or soft) and that were complained about: counters = rows.
ALTER TABLE launch ADD COLUMN bounced integer NOT NULL DEFAULT 0, ADD COLUMN complained integer NOT NULL DEFAULT 0;

-- Repeated soft bounces within the configured window suppress an address too.
ALTER TABLE suppression DROP CONSTRAINT suppression_reason_check;
ALTER TABLE suppression ADD CONSTRAINT suppression_reason_check
    CHECK (reason IN ('UNSUBSCRIBED', 'HARD_BOUNCE', 'SOFT_BOUNCES', 'COMPLAINT', 'MANUAL', 'IMPORTED', 'ERASED'));

-- A report that names no return path is linked by the Message-ID of the message it returns.
CREATE INDEX delivery_message_id ON delivery (message_id);
