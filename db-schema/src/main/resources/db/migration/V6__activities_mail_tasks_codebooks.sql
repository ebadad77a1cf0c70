-- CRM activities with their parties, the mail jobs of their five mail tasks (the mail log), and
-- codebooks (O0ciselnik) with an audit trail.

ALTER TABLE activity
    ADD COLUMN body_html  text,
    ADD COLUMN starts_at  timestamptz,
    ADD COLUMN updated_at timestamptz NOT NULL DEFAULT now();
CREATE INDEX activity_owner ON activity (owner_user_id);

-- RESPONSIBLE (a user), PARTICIPANT and CC (a contact, a user, or a plain address with a name).
CREATE TABLE activity_party (
    id           bigserial PRIMARY KEY,
    activity_id  bigint NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    role         text   NOT NULL,
    contact_id   bigint REFERENCES contact (id) ON DELETE SET NULL,
    user_id      bigint REFERENCES crm_user (id),
    email        text,
    display_name text
);
CREATE INDEX activity_party_activity ON activity_party (activity_id);

-- One run of a mail task on an activity: the activity's mail log.
CREATE TABLE mail_job (
    id           bigserial PRIMARY KEY,
    activity_id  bigint      NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    task_id      text        NOT NULL,
    mode         text        NOT NULL,
    status       text        NOT NULL,
    subject      text        NOT NULL,
    text_body    text,
    html_body    text,
    from_address text        NOT NULL,
    requested_by text,
    lease_owner  text,
    lease_until  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    finished_at  timestamptz
);
CREATE INDEX mail_job_activity ON mail_job (activity_id, id DESC);
CREATE INDEX mail_job_open ON mail_job (status, lease_until) WHERE status IN ('QUEUED', 'SENDING');

CREATE TABLE mail_job_recipient (
    id           bigserial PRIMARY KEY,
    mail_job_id  bigint  NOT NULL REFERENCES mail_job (id) ON DELETE CASCADE,
    email        text    NOT NULL,
    display_name text,
    kind         text    NOT NULL, -- TO or CC
    status       text    NOT NULL, -- PENDING, SENT, FAILED, SKIPPED, DRAFTED
    attempts     integer NOT NULL DEFAULT 0,
    reply        text,
    message_id   text,
    sent_at      timestamptz
);
CREATE INDEX mail_job_recipient_job ON mail_job_recipient (mail_job_id, id);

CREATE TABLE codebook_entry (
    codebook    text        NOT NULL,
    key         text        NOT NULL,
    value       text        NOT NULL,
    description text,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text,
    PRIMARY KEY (codebook, key)
);

CREATE TABLE codebook_audit (
    id         bigserial PRIMARY KEY,
    codebook   text        NOT NULL,
    key        text        NOT NULL,
    old_value  text,
    new_value  text,
    changed_by text,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX codebook_audit_entry ON codebook_audit (codebook, key, id DESC);

-- A null payload publishes a tombstone (a deleted codebook entry on a compacted topic).
ALTER TABLE outbox ALTER COLUMN payload DROP NOT NULL;
