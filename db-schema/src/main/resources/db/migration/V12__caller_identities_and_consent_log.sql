-- An Idempotency-Key belongs to the caller who used it: two callers with the same key are two requests.
-- Keys stored before this migration belong to no known caller.
ALTER TABLE idempotency_key ADD COLUMN caller text NOT NULL DEFAULT '';
ALTER TABLE idempotency_key ALTER COLUMN caller DROP DEFAULT;
ALTER TABLE idempotency_key DROP CONSTRAINT idempotency_key_pkey;
ALTER TABLE idempotency_key ADD PRIMARY KEY (caller, key);

-- The mail log records who ran a mail task (the caller's identity from the bearer token); the free text
-- the caller may send beside it is a label. What was stored before was free text, so it becomes the label.
ALTER TABLE mail_job ADD COLUMN label text;
UPDATE mail_job SET label = requested_by, requested_by = NULL;

-- Opt-outs and explicit re-consents of contacts, with who made them, from where and when; an import or
-- an upsert never re-subscribes a contact, so every re-consent here was asked for by name.
CREATE TABLE consent_event (
    id         bigserial PRIMARY KEY,
    contact_id bigint,
    email      text        NOT NULL,
    action     text        NOT NULL CHECK (action IN ('OPT_OUT', 'RE_CONSENT')),
    source     text,
    actor      text,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consent_event_contact ON consent_event (contact_id, id);

-- Activity mail goes out from its owner with the owner's name (or the configured sender and name).
ALTER TABLE mail_job ADD COLUMN from_name text;
