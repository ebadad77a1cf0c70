-- A recipient's unsubscribe request sent to the mailto: address of a campaign message's List-Unsubscribe (RFC 2369)
-- reaches the bounce mailbox or the intake endpoint like a report; it is read as kind UNSUBSCRIBE. Its raw bytes are
-- emptied once applied (the consent log records the act; the person's mail is not kept), its digest still deduplicates.
ALTER TABLE inbound_report DROP CONSTRAINT inbound_report_kind_check;
ALTER TABLE inbound_report ADD CONSTRAINT inbound_report_kind_check
    CHECK (kind IN ('BOUNCE', 'DELAY', 'COMPLAINT', 'UNSUBSCRIBE', 'UNCLASSIFIED'));
