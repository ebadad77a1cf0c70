-- Storing a returned message once is one rule for both intakes (api-service's HTTP, mail-worker's IMAP): the report
-- with these bytes, made now or found from before. sha256() is PostgreSQL's own.
CREATE FUNCTION receive_report(p_source text, p_raw bytea, p_received_by text) RETURNS bigint
    LANGUAGE plpgsql AS $$
DECLARE
    made bigint;
BEGIN
    INSERT INTO inbound_report (source, digest, raw, received_by) VALUES (p_source, sha256(p_raw), p_raw, p_received_by)
    ON CONFLICT (digest) DO NOTHING RETURNING id INTO made;
    RETURN coalesce(made, (SELECT id FROM inbound_report WHERE digest = sha256(p_raw)));
END
$$;
