-- The suppression list: addresses (lower case) that get no campaign mail, for all marketing mail (list_id NULL) or
-- one list; why (reason), from where (source) and, when a recipient left through a message, which launch and delivery.
-- list_id has no foreign key: the entry outlives a deleted list as history.
CREATE TABLE suppression (
    id          bigserial PRIMARY KEY,
    address     text        NOT NULL CHECK (address = lower(address)),
    list_id     bigint,
    reason      text        NOT NULL CHECK (reason IN ('UNSUBSCRIBED', 'HARD_BOUNCE', 'COMPLAINT', 'MANUAL', 'IMPORTED')),
    source      text        NOT NULL,
    launch_id   bigint,
    delivery_id bigint,
    actor       text,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX suppression_address_scope ON suppression (address, coalesce(list_id, 0));

-- The consent log also records suppression entries added and removed, the launch and delivery an opt-out came
-- through, the scope (a list, or NULL for all marketing mail) and the reason given.
ALTER TABLE consent_event DROP CONSTRAINT consent_event_action_check;
ALTER TABLE consent_event ADD CONSTRAINT consent_event_action_check
    CHECK (action IN ('OPT_OUT', 'RE_CONSENT', 'SUPPRESSED', 'UNSUPPRESSED'));
ALTER TABLE consent_event ADD COLUMN list_id bigint, ADD COLUMN launch_id bigint, ADD COLUMN delivery_id bigint,
    ADD COLUMN reason text;

-- Why a launch must not mail this address now, or NULL: one rule for the launch's expansion and for the check just
-- before each message (an unsubscribe that arrives mid-launch stops the rest of it).
CREATE FUNCTION launch_stop_reason(p_launch bigint, p_email text, p_opted_out boolean) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_opted_out THEN 'skipped: contact opted out of marketing' ELSE (
        SELECT 'skipped: suppressed (' || s.reason || CASE WHEN s.list_id IS NULL THEN ', all marketing mail)'
                                                         ELSE ', list ' || s.list_id || ')' END
        FROM suppression s
        WHERE s.address = lower(p_email)
          AND (s.list_id IS NULL OR s.list_id IN (SELECT ll.list_id FROM launch_list ll WHERE ll.launch_id = p_launch))
        ORDER BY s.list_id NULLS FIRST, s.id
        LIMIT 1) END
$$;
