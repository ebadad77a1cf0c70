-- Events of every delivery's outcome (sent, failed), for the ERP's records: one per delivery, on the send path, so a
-- deployment may turn them off (api-service writes this setting at start from CRM_EVENTS_DELIVERY_OUTCOMES).
CREATE TABLE event_setting (
    name    text PRIMARY KEY,
    enabled boolean NOT NULL
);
INSERT INTO event_setting (name, enabled) VALUES ('delivery-outcomes', true);

CREATE FUNCTION delivery_outcome_event() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT enabled FROM event_setting WHERE name = 'delivery-outcomes') THEN
        PERFORM emit_event('org.crmbulk.delivery.' || lower(NEW.status) || '.v1', 'delivery/' || NEW.id,
            coalesce('launch-' || NEW.launch_id, 'contact-' || NEW.contact_id, 'delivery-' || NEW.id),
            jsonb_build_object('deliveryId', NEW.id, 'launchId', NEW.launch_id, 'mailJobId', NEW.mail_job_id, 'testSendId', NEW.test_send_id,
                               'contactId', NEW.contact_id, 'status', NEW.status, 'attempts', NEW.attempts,
                               'possibleDuplicate', NEW.possible_duplicate));
    END IF;
    RETURN NULL;
END
$$;
-- Only the change to a final outcome fires it: claims, retries and the rest of the send path do not.
CREATE TRIGGER delivery_outcome_event AFTER UPDATE OF status ON delivery
    FOR EACH ROW WHEN (NEW.status IN ('SENT', 'FAILED') AND OLD.status IS DISTINCT FROM NEW.status)
    EXECUTE FUNCTION delivery_outcome_event();
