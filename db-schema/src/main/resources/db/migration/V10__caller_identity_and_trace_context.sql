-- Who last paused, resumed or cancelled a launch (the caller's identity from the bearer token);
-- launched_by has held the launching caller's identity since api-service took it from the token.
ALTER TABLE launch ADD COLUMN status_changed_by text;

-- The W3C traceparent of the request that wrote an outbox message; the relay sends it as a Kafka
-- header, so one trace runs from the HTTP request to the SMTP send.
ALTER TABLE outbox ADD COLUMN trace_parent text;
