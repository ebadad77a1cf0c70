-- Contacts, marketing lists, bulk actions, launches, deliveries and the transactional outbox.

CREATE TABLE contact (
    id            bigserial PRIMARY KEY,
    external_id   text UNIQUE,
    email         text        NOT NULL,
    first_name    text,
    last_name     text,
    company       text,
    language      text,
    custom_fields jsonb       NOT NULL DEFAULT '{}'::jsonb,
    opted_out     boolean     NOT NULL DEFAULT false,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
-- Addresses compare case-insensitively but are stored as given.
CREATE INDEX contact_email_ci ON contact (lower(email));

CREATE TABLE marketing_list (
    id          bigserial PRIMARY KEY,
    name        text        NOT NULL,
    description text,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE list_member (
    list_id    bigint      NOT NULL REFERENCES marketing_list (id) ON DELETE CASCADE,
    contact_id bigint      NOT NULL REFERENCES contact (id) ON DELETE CASCADE,
    added_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (list_id, contact_id)
);
CREATE INDEX list_member_contact ON list_member (contact_id);

CREATE TABLE bulk_action (
    id               bigserial PRIMARY KEY,
    name             text        NOT NULL,
    from_address     text        NOT NULL,
    subject_template text        NOT NULL,
    text_template    text        NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE launch (
    id                  bigserial PRIMARY KEY,
    bulk_action_id      bigint      NOT NULL REFERENCES bulk_action (id),
    status              text        NOT NULL,
    total               integer     NOT NULL DEFAULT 0,
    pending             integer     NOT NULL DEFAULT 0,
    sent                integer     NOT NULL DEFAULT 0,
    failed              integer     NOT NULL DEFAULT 0,
    skipped             integer     NOT NULL DEFAULT 0,
    cancelled           integer     NOT NULL DEFAULT 0,
    possible_duplicates integer     NOT NULL DEFAULT 0,
    launched_by         text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    started_at          timestamptz,
    finished_at         timestamptz,
    -- The worker that drives the launch renews this lease; a launch whose lease ran out is taken over.
    lease_owner         text,
    lease_until         timestamptz
);
CREATE INDEX launch_status ON launch (status, lease_until);

CREATE TABLE launch_list (
    launch_id bigint NOT NULL REFERENCES launch (id) ON DELETE CASCADE,
    list_id   bigint NOT NULL REFERENCES marketing_list (id),
    PRIMARY KEY (launch_id, list_id)
);

CREATE TABLE delivery (
    id                 bigserial PRIMARY KEY,
    launch_id          bigint      NOT NULL REFERENCES launch (id) ON DELETE CASCADE,
    contact_id         bigint      REFERENCES contact (id) ON DELETE SET NULL,
    email              text        NOT NULL,
    status             text        NOT NULL,
    attempts           integer     NOT NULL DEFAULT 0,
    next_attempt_at    timestamptz NOT NULL DEFAULT now(),
    last_reply         text,
    message_id         text,
    claimed_by         text,
    claimed_until      timestamptz,
    possible_duplicate boolean     NOT NULL DEFAULT false,
    sent_at            timestamptz
);
-- One delivery per address and launch, whatever the case and however many lists hold it.
CREATE UNIQUE INDEX delivery_launch_address ON delivery (launch_id, lower(email));
CREATE INDEX delivery_launch_status ON delivery (launch_id, status, id);

CREATE TABLE outbox (
    id          bigserial PRIMARY KEY,
    topic       text        NOT NULL,
    message_key text        NOT NULL,
    payload     text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    attempts    integer     NOT NULL DEFAULT 0,
    last_error  text
);
