-- Erasure (GDPR Art. 17): the suppression list keeps only a keyed hash of an erased address, so that the person is
-- never mailed again while no table names them. pgcrypto's hmac is HMAC-SHA256; the key is configuration, not data.
CREATE EXTENSION IF NOT EXISTS pgcrypto;

-- STABLE as convert_to is: so PostgreSQL inlines it into launch_stop_reason (as IMMUTABLE it would be a call per row).
CREATE FUNCTION address_hash(p_email text, p_key bytea) RETURNS bytea
    LANGUAGE sql STABLE STRICT AS $$ SELECT hmac(convert_to(lower(p_email), 'UTF8'), p_key, 'sha256') $$;

ALTER TABLE suppression ALTER COLUMN address DROP NOT NULL,
    ADD COLUMN address_hash bytea,
    ADD CONSTRAINT suppression_address_or_hash CHECK (num_nonnulls(address, address_hash) = 1);
ALTER TABLE suppression DROP CONSTRAINT suppression_reason_check;
ALTER TABLE suppression ADD CONSTRAINT suppression_reason_check
    CHECK (reason IN ('UNSUBSCRIBED', 'HARD_BOUNCE', 'COMPLAINT', 'MANUAL', 'IMPORTED', 'ERASED'));
CREATE UNIQUE INDEX suppression_hash_scope ON suppression (address_hash, coalesce(list_id, 0)) WHERE address_hash IS NOT NULL;

-- The consent log keeps its rows of an erased person without the address.
ALTER TABLE consent_event ALTER COLUMN email DROP NOT NULL;
ALTER TABLE consent_event DROP CONSTRAINT consent_event_action_check;
ALTER TABLE consent_event ADD CONSTRAINT consent_event_action_check
    CHECK (action IN ('OPT_OUT', 'RE_CONSENT', 'SUPPRESSED', 'UNSUPPRESSED', 'ERASED'));

-- The audit of each erasure: who, why, and how many rows of each table it rewrote; never the address.
CREATE TABLE erasure (
    id         bigserial PRIMARY KEY,
    contact_id bigint,
    reason     text        NOT NULL,
    actor      text        NOT NULL,
    rewritten  jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);

-- The same rule as V14's; an erased address, of which only the keyed hash is kept, is suppressed for all marketing mail.
-- Two lookups, each by its own index (an OR of the two would cost twice as much per recipient).
DROP FUNCTION launch_stop_reason(bigint, text, boolean);
CREATE FUNCTION launch_stop_reason(p_launch bigint, p_email text, p_opted_out boolean, p_erasure_key bytea) RETURNS text
    LANGUAGE sql STABLE AS $$
    SELECT CASE WHEN p_opted_out THEN 'skipped: contact opted out of marketing' ELSE coalesce((
        SELECT 'skipped: suppressed (' || s.reason || CASE WHEN s.list_id IS NULL THEN ', all marketing mail)'
                                                         ELSE ', list ' || s.list_id || ')' END
        FROM suppression s
        WHERE s.address = lower(p_email)
          AND (s.list_id IS NULL OR s.list_id IN (SELECT ll.list_id FROM launch_list ll WHERE ll.launch_id = p_launch))
        ORDER BY s.list_id NULLS FIRST, s.id
        LIMIT 1), (
        SELECT 'skipped: suppressed (' || s.reason || ', all marketing mail)'
        FROM suppression s
        WHERE s.address_hash = address_hash(p_email, p_erasure_key)
        LIMIT 1)) END
$$;
