-- Events out (CloudEvents, on the events topic): every state change an ERP needs to hear of, written by triggers in the
-- transaction that makes the change, whichever service or code path makes it — so none is lost and none is published
-- for a change that rolled back. The event log keeps them (for webhooks and replays); an outbox row per event hands each
-- to api-service's relay, which publishes it as a CloudEvent (id "crm-event-{id}") on the configured events topic.
CREATE TABLE event (
    id         bigserial PRIMARY KEY,
    type       text        NOT NULL,
    subject    text        NOT NULL,
    data       jsonb       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_created ON event (created_at);

-- An outbox row of an event names it; its topic is "@events", which the relay maps to the configured events topic.
ALTER TABLE outbox ADD COLUMN event_id bigint;

-- Records one event and queues it for Kafka, keyed so one contact's or one launch's events keep their order.
CREATE FUNCTION emit_event(p_type text, p_subject text, p_key text, p_data jsonb) RETURNS void
    LANGUAGE plpgsql AS $$
DECLARE
    made bigint;
BEGIN
    INSERT INTO event (type, subject, data) VALUES (p_type, p_subject, jsonb_strip_nulls(p_data)) RETURNING id INTO made;
    INSERT INTO outbox (topic, message_key, payload, event_id) VALUES ('@events', p_key, NULL, made);
END
$$;

-- A launch was accepted, or its status changed (by a caller, by the worker, by the guardrail): with its counters.
CREATE FUNCTION launch_status_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM emit_event('org.crmbulk.launch.status-changed.v1', 'launch/' || NEW.id, 'launch-' || NEW.id, jsonb_build_object(
        'launchId', NEW.id, 'bulkActionId', NEW.bulk_action_id, 'status', NEW.status,
        'previousStatus', CASE WHEN TG_OP = 'UPDATE' THEN OLD.status END,
        'pauseReason', NEW.pause_reason, 'changedBy', NEW.status_changed_by,
        'counters', jsonb_build_object('total', NEW.total, 'pending', NEW.pending, 'sent', NEW.sent, 'failed', NEW.failed,
                                       'skipped', NEW.skipped, 'cancelled', NEW.cancelled, 'bounced', NEW.bounced,
                                       'complained', NEW.complained)));
    RETURN NULL;
END
$$;
CREATE TRIGGER launch_accepted_event AFTER INSERT ON launch FOR EACH ROW EXECUTE FUNCTION launch_status_event();
CREATE TRIGGER launch_status_event AFTER UPDATE OF status ON launch
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status) EXECUTE FUNCTION launch_status_event();

-- What came back for a delivery after it was sent: its first bounce, a hard one after a soft one, a complaint.
CREATE FUNCTION delivery_returned_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    ids jsonb := jsonb_build_object('deliveryId', NEW.id, 'launchId', NEW.launch_id, 'mailJobId', NEW.mail_job_id,
                                    'testSendId', NEW.test_send_id, 'contactId', NEW.contact_id, 'activityId', NEW.activity_id);
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
CREATE TRIGGER delivery_returned_event AFTER UPDATE OF bounce, complained_at ON delivery
    FOR EACH ROW EXECUTE FUNCTION delivery_returned_event();

-- The consent log's acts: a contact unsubscribed or re-subscribed, an address suppressed or let back, a person erased.
CREATE FUNCTION consent_event_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    kind text := CASE NEW.action WHEN 'OPT_OUT' THEN 'contact.unsubscribed' WHEN 'RE_CONSENT' THEN 'contact.resubscribed'
                                 WHEN 'SUPPRESSED' THEN 'address.suppressed' WHEN 'UNSUPPRESSED' THEN 'address.unsuppressed'
                                 WHEN 'ERASED' THEN 'contact.erased' END;
    -- An act on an address names the contact of that address, so that it keeps its place among the contact's events.
    who bigint := coalesce(NEW.contact_id, (SELECT min(c.id) FROM contact c WHERE lower(c.email) = lower(NEW.email)));
BEGIN
    PERFORM emit_event('org.crmbulk.' || kind || '.v1', 'consent/' || NEW.id, coalesce('contact-' || who, 'consent-' || NEW.id),
        jsonb_build_object('contactId', who, 'listId', NEW.list_id, 'launchId', NEW.launch_id, 'deliveryId', NEW.delivery_id,
                           'reason', NEW.reason, 'source', NEW.source));
    RETURN NULL;
END
$$;
CREATE TRIGGER consent_event_event AFTER INSERT ON consent_event FOR EACH ROW EXECUTE FUNCTION consent_event_event();

-- An activity's mail task finished: each recipient's outcome (IDs and statuses, no addresses).
CREATE FUNCTION mail_job_done_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM emit_event('org.crmbulk.mail-task.done.v1', 'mail-job/' || NEW.id, 'activity-' || NEW.activity_id, jsonb_build_object(
        'mailJobId', NEW.id, 'activityId', NEW.activity_id, 'taskId', NEW.task_id, 'mode', NEW.mode, 'status', NEW.status,
        'recipients', (SELECT coalesce(jsonb_agg(jsonb_build_object('deliveryId', d.id, 'contactId', d.contact_id, 'kind', d.recipient_kind,
                                                                    'status', d.status) ORDER BY d.id), '[]'::jsonb)
                       FROM delivery d WHERE d.mail_job_id = NEW.id)));
    RETURN NULL;
END
$$;
CREATE TRIGGER mail_job_done_event AFTER UPDATE OF status ON mail_job
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status AND NEW.status IN ('DONE', 'DONE_WITH_ERRORS'))
    EXECUTE FUNCTION mail_job_done_event();

-- A codebook entry was created, changed or deleted (its audit row).
CREATE FUNCTION codebook_changed_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    PERFORM emit_event('org.crmbulk.codebook.changed.v1', 'codebook/' || NEW.codebook || '/' || NEW.key, 'codebook-' || NEW.codebook,
        jsonb_build_object('codebook', NEW.codebook, 'key', NEW.key, 'value', NEW.new_value, 'previousValue', NEW.old_value,
                           'changedBy', NEW.changed_by));
    RETURN NULL;
END
$$;
CREATE TRIGGER codebook_changed_event AFTER INSERT ON codebook_audit FOR EACH ROW EXECUTE FUNCTION codebook_changed_event();
