-- A test send delivers a bulk action to given addresses only; it is no launch and leaves no delivery rows.
CREATE TABLE test_send (
    id             bigserial PRIMARY KEY,
    bulk_action_id bigint      NOT NULL REFERENCES bulk_action (id) ON DELETE CASCADE,
    contact_id     bigint      REFERENCES contact (id) ON DELETE SET NULL,
    addresses      text[]      NOT NULL,
    status         text        NOT NULL,
    results        jsonb,
    created_at     timestamptz NOT NULL DEFAULT now(),
    finished_at    timestamptz
);
