-- Webhooks: who wants which events where (a subscription), and one delivery row per event and subscription, written by
-- emit_event in the transaction of the change it describes — none lost, none for a change that rolled back — and
-- dispatched by the workers (at least once, signed the Standard Webhooks way, retried until max age, then DEAD).
CREATE TABLE webhook_subscription (
    id          bigserial PRIMARY KEY,
    url         text        NOT NULL,
    event_types text[]      NOT NULL,
    secret      text        NOT NULL,
    active      boolean     NOT NULL DEFAULT true,
    description text,
    created_by  text        NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);

-- One event for one subscription: its attempts and the last answer. A claimed row's next_attempt_at is its lease's end,
-- and lease_owner with attempts names the one attempt a result may be recorded for.
CREATE TABLE webhook_delivery (
    id              bigserial PRIMARY KEY,
    subscription_id bigint      NOT NULL REFERENCES webhook_subscription (id) ON DELETE CASCADE,
    event_id        bigint      NOT NULL,
    status          text        NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'DELIVERED', 'DEAD')),
    replay          boolean     NOT NULL DEFAULT false,
    attempts        integer     NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_owner     text,
    last_attempt_at timestamptz,
    last_status     integer,
    last_answer     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    finished_at     timestamptz
);
-- A claim reads the due rows of one subscription in this order and stops at its limit: no sort, whatever the backlog.
CREATE INDEX webhook_delivery_due ON webhook_delivery (subscription_id, next_attempt_at, id) WHERE status = 'PENDING';
CREATE INDEX webhook_delivery_log ON webhook_delivery (subscription_id, id);

-- Each event also becomes a delivery for every active subscription to its type.
CREATE OR REPLACE FUNCTION emit_event(p_type text, p_subject text, p_key text, p_data jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    made bigint;
BEGIN
    INSERT INTO event (type, subject, data) VALUES (p_type, p_subject, jsonb_strip_nulls(p_data)) RETURNING id INTO made;
    INSERT INTO outbox (topic, message_key, payload, event_id) VALUES ('@events', p_key, NULL, made);
    INSERT INTO webhook_delivery (subscription_id, event_id)
        SELECT s.id, made FROM webhook_subscription s WHERE s.active AND p_type = ANY (s.event_types);
END
$$;

-- A contact's ERP key (external_id) travels with its events, so an ERP finds its own record without a lookup.
CREATE OR REPLACE FUNCTION delivery_outcome_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT enabled FROM event_setting WHERE name = 'delivery-outcomes') THEN
        PERFORM emit_event('org.crmbulk.delivery.' || lower(NEW.status) || '.v1', 'delivery/' || NEW.id,
            coalesce('launch-' || NEW.launch_id, 'contact-' || NEW.contact_id, 'delivery-' || NEW.id),
            jsonb_build_object('deliveryId', NEW.id, 'launchId', NEW.launch_id, 'mailJobId', NEW.mail_job_id, 'testSendId', NEW.test_send_id,
                               'contactId', NEW.contact_id,
                               'contactExternalId', (SELECT c.external_id FROM contact c WHERE c.id = NEW.contact_id),
                               'status', NEW.status, 'attempts', NEW.attempts, 'possibleDuplicate', NEW.possible_duplicate));
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION delivery_returned_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    ids jsonb := jsonb_build_object('deliveryId', NEW.id, 'launchId', NEW.launch_id, 'mailJobId', NEW.mail_job_id,
                                    'testSendId', NEW.test_send_id, 'contactId', NEW.contact_id, 'activityId', NEW.activity_id,
                                    'contactExternalId', (SELECT c.external_id FROM contact c WHERE c.id = NEW.contact_id));
    k text := coalesce('launch-' || NEW.launch_id, 'contact-' || NEW.contact_id, 'delivery-' || NEW.id);
BEGIN
    IF NEW.bounce IS DISTINCT FROM OLD.bounce AND NEW.bounce IS NOT NULL THEN
        PERFORM emit_event('org.crmbulk.delivery.bounced.v1', 'delivery/' || NEW.id, k, ids || jsonb_build_object('bounce', NEW.bounce));
    END IF;
    IF OLD.complained_at IS NULL AND NEW.complained_at IS NOT NULL THEN
        PERFORM emit_event('org.crmbulk.delivery.complained.v1', 'delivery/' || NEW.id, k, ids);
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION consent_event_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kind text := CASE NEW.action WHEN 'OPT_OUT' THEN 'contact.unsubscribed' WHEN 'RE_CONSENT' THEN 'contact.resubscribed'
                                 WHEN 'SUPPRESSED' THEN 'address.suppressed' WHEN 'UNSUPPRESSED' THEN 'address.unsuppressed'
                                 WHEN 'ERASED' THEN 'contact.erased' END;
    -- An act on an address names the contact of that address, so that it keeps its place among the contact's events.
    who bigint := coalesce(NEW.contact_id, (SELECT min(c.id) FROM contact c WHERE lower(c.email) = lower(NEW.email)));
BEGIN
    PERFORM emit_event('org.crmbulk.' || kind || '.v1', 'consent/' || NEW.id, coalesce('contact-' || who, 'consent-' || NEW.id),
        jsonb_build_object('contactId', who, 'contactExternalId', (SELECT c.external_id FROM contact c WHERE c.id = who),
                           'listId', NEW.list_id, 'launchId', NEW.launch_id, 'deliveryId', NEW.delivery_id,
                           'reason', NEW.reason, 'source', NEW.source));
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION mail_job_done_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM emit_event('org.crmbulk.mail-task.done.v1', 'mail-job/' || NEW.id, 'activity-' || NEW.activity_id, jsonb_build_object(
        'mailJobId', NEW.id, 'activityId', NEW.activity_id, 'taskId', NEW.task_id, 'mode', NEW.mode, 'status', NEW.status,
        'recipients', (SELECT coalesce(jsonb_agg(jsonb_build_object('deliveryId', d.id, 'contactId', d.contact_id,
                                                                    'contactExternalId', c.external_id, 'kind', d.recipient_kind,
                                                                    'status', d.status) ORDER BY d.id), '[]'::jsonb)
                       FROM delivery d LEFT JOIN contact c ON c.id = d.contact_id WHERE d.mail_job_id = NEW.id)));
    RETURN NULL;
END
$$;
