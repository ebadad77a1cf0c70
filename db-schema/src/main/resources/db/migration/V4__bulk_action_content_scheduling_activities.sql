-- Bulk actions get HTML, reply-to, attachments and the per-recipient activity option; launches get
-- scheduling and idempotency; SENT deliveries may carry the CRM activity they created.

ALTER TABLE bulk_action
    ADD COLUMN reply_to               text,
    ADD COLUMN html_template          text,
    ADD COLUMN create_activity        boolean NOT NULL DEFAULT false,
    ADD COLUMN activity_type          text,
    -- LAUNCHER: the user who launched; FIXED: activity_owner_user_id.
    ADD COLUMN activity_owner         text,
    ADD COLUMN activity_owner_user_id bigint REFERENCES crm_user (id);
ALTER TABLE bulk_action ALTER COLUMN text_template DROP NOT NULL;

-- Stored once per bulk action; every message of every launch references the same bytes.
CREATE TABLE attachment (
    id             bigserial PRIMARY KEY,
    bulk_action_id bigint      NOT NULL REFERENCES bulk_action (id) ON DELETE CASCADE,
    filename       text        NOT NULL,
    content_type   text        NOT NULL,
    size_bytes     integer     NOT NULL,
    sha256         text        NOT NULL,
    content        bytea       NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX attachment_bulk_action ON attachment (bulk_action_id);

ALTER TABLE launch
    ADD COLUMN scheduled_at      timestamptz,
    ADD COLUMN launched_by_user_id bigint REFERENCES crm_user (id);
CREATE INDEX launch_history ON launch (id DESC);
CREATE INDEX launch_scheduled ON launch (scheduled_at) WHERE status = 'SCHEDULED';

-- A replayed POST with the same key answers what the first one answered.
CREATE TABLE idempotency_key (
    key          text PRIMARY KEY,
    request_hash text        NOT NULL,
    status       integer     NOT NULL,
    location     text,
    body         text        NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE activity (
    id            bigserial PRIMARY KEY,
    type          text        NOT NULL,
    subject       text,
    body          text,
    status        text        NOT NULL,
    contact_id    bigint      REFERENCES contact (id) ON DELETE SET NULL,
    owner_user_id bigint      REFERENCES crm_user (id),
    launch_id     bigint      REFERENCES launch (id) ON DELETE SET NULL,
    occurred_at   timestamptz NOT NULL DEFAULT now(),
    created_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_contact ON activity (contact_id);
CREATE INDEX activity_launch ON activity (launch_id);

ALTER TABLE delivery ADD COLUMN activity_id bigint REFERENCES activity (id) ON DELETE SET NULL;
ALTER TABLE activity ADD COLUMN delivery_id bigint;
