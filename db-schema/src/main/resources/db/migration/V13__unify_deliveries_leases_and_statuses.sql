-- One lifecycle for every kind of mail work (a launch, an activity's mail job, a test send): their
-- recipients are all deliveries, their leases all work leases, their statuses all checked here.

-- Every recipient of every kind of work is a delivery; exactly one of the three references says whose.
ALTER TABLE delivery ALTER COLUMN launch_id DROP NOT NULL;
ALTER TABLE delivery
    ADD COLUMN mail_job_id    bigint REFERENCES mail_job (id) ON DELETE CASCADE,
    ADD COLUMN test_send_id   bigint REFERENCES test_send (id) ON DELETE CASCADE,
    ADD COLUMN display_name   text,
    ADD COLUMN recipient_kind text NOT NULL DEFAULT 'TO' CHECK (recipient_kind IN ('TO', 'CC')),
    ADD CONSTRAINT delivery_one_work CHECK (num_nonnulls(launch_id, mail_job_id, test_send_id) = 1);
-- The work a delivery belongs to as (kind, id), named as the send job names it: one claim query serves every kind.
ALTER TABLE delivery
    ADD COLUMN work_kind text GENERATED ALWAYS AS (
        CASE WHEN launch_id IS NOT NULL THEN 'LAUNCH' WHEN mail_job_id IS NOT NULL THEN 'ACTIVITY_MAIL' ELSE 'TEST_SEND' END) STORED,
    ADD COLUMN work_id bigint GENERATED ALWAYS AS (coalesce(launch_id, mail_job_id, test_send_id)) STORED;
DROP INDEX delivery_launch_status;
CREATE INDEX delivery_work_status ON delivery (work_kind, work_id, status, id);
-- One delivery per address and launch; other kinds' rows need no entry in it.
DROP INDEX delivery_launch_address;
CREATE UNIQUE INDEX delivery_launch_address ON delivery (launch_id, lower(email)) WHERE launch_id IS NOT NULL;

INSERT INTO delivery (mail_job_id, email, display_name, recipient_kind, status, attempts, last_reply, message_id, sent_at,
                      first_attempt_at)
SELECT mail_job_id, email, display_name, kind, status, attempts, reply, message_id, sent_at,
       CASE WHEN attempts > 0 THEN coalesce(sent_at, now()) END
FROM mail_job_recipient ORDER BY id;
DROP TABLE mail_job_recipient;

-- A test send's answers were a JSON array on the test send; they are its deliveries now.
INSERT INTO delivery (test_send_id, contact_id, email, status, attempts, last_reply, message_id, sent_at, first_attempt_at)
SELECT t.id, t.contact_id, r ->> 'address', CASE WHEN (r ->> 'accepted')::boolean THEN 'SENT' ELSE 'FAILED' END, 1,
       r ->> 'reply', r ->> 'messageId', CASE WHEN (r ->> 'accepted')::boolean THEN t.finished_at END, t.created_at
FROM test_send t CROSS JOIN LATERAL jsonb_array_elements(t.results) WITH ORDINALITY AS e(r, n)
WHERE t.results IS NOT NULL ORDER BY t.id, e.n;
INSERT INTO delivery (test_send_id, contact_id, email, status)
SELECT t.id, t.contact_id, a.address, 'PENDING'
FROM test_send t CROSS JOIN LATERAL unnest(t.addresses) WITH ORDINALITY AS a(address, n)
WHERE t.status <> 'DONE' ORDER BY t.id, a.n;
ALTER TABLE test_send DROP COLUMN results;

-- Who drives a piece of work and until when; with no owner, the time before which nobody needs to (a retry
-- it waits for). Written only by mail-worker.
CREATE TABLE work_lease (
    work_kind text   NOT NULL CHECK (work_kind IN ('LAUNCH', 'ACTIVITY_MAIL', 'TEST_SEND')),
    work_id   bigint NOT NULL,
    owner     text,
    until     timestamptz,
    PRIMARY KEY (work_kind, work_id)
);
INSERT INTO work_lease (work_kind, work_id, owner, until)
SELECT 'LAUNCH', id, lease_owner, lease_until FROM launch WHERE lease_until IS NOT NULL AND status IN ('QUEUED', 'RUNNING');
INSERT INTO work_lease (work_kind, work_id, owner, until)
SELECT 'ACTIVITY_MAIL', id, lease_owner, lease_until FROM mail_job WHERE lease_until IS NOT NULL AND status IN ('QUEUED', 'SENDING');
ALTER TABLE launch DROP COLUMN lease_owner, DROP COLUMN lease_until;
ALTER TABLE mail_job DROP COLUMN lease_owner, DROP COLUMN lease_until;
-- A mail job waiting for a retry stays SENDING now (its lease says when), as a launch stays RUNNING.
UPDATE mail_job SET status = 'SENDING' WHERE status = 'QUEUED' AND EXISTS (SELECT 1 FROM delivery d WHERE d.mail_job_id = mail_job.id AND d.attempts > 0);

-- Named view "open work": work a worker drives or should. What "open" and "started" mean is all that
-- differs by kind; the lease, the sweep and the takeover are the same for every kind.
CREATE VIEW open_work AS
    SELECT 'LAUNCH' AS work_kind, id AS work_id, status = 'RUNNING' AS started, created_at
    FROM launch WHERE status IN ('QUEUED', 'RUNNING')
    UNION ALL
    SELECT 'ACTIVITY_MAIL', id, status = 'SENDING', created_at FROM mail_job WHERE status IN ('QUEUED', 'SENDING')
    UNION ALL
    SELECT 'TEST_SEND', id, status = 'SENDING', created_at FROM test_send WHERE status IN ('QUEUED', 'SENDING');
CREATE INDEX launch_open ON launch (id) WHERE status IN ('QUEUED', 'RUNNING');
CREATE INDEX mail_job_open ON mail_job (id) WHERE status IN ('QUEUED', 'SENDING');
CREATE INDEX test_send_open ON test_send (id) WHERE status IN ('QUEUED', 'SENDING');

-- Statuses as the enums of mail-contract's org.crmbulk.contract.status define them (StatusConstraintsTest compares).
ALTER TABLE launch ADD CONSTRAINT launch_status CHECK (status IN (
    'SCHEDULED', 'QUEUED', 'RUNNING', 'PAUSED', 'COMPLETED', 'COMPLETED_WITH_ERRORS', 'CANCELLED'));
ALTER TABLE delivery ADD CONSTRAINT delivery_status CHECK (status IN (
    'PENDING', 'SENDING', 'SENT', 'FAILED', 'SKIPPED', 'CANCELLED', 'DRAFTED'));
ALTER TABLE mail_job ADD CONSTRAINT mail_job_status CHECK (status IN ('QUEUED', 'SENDING', 'DONE', 'DONE_WITH_ERRORS', 'DRAFTED'));
ALTER TABLE mail_job ADD CONSTRAINT mail_job_mode CHECK (mode IN ('INDIVIDUAL', 'BULK', 'CLIENT'));
ALTER TABLE test_send ADD CONSTRAINT test_send_status CHECK (status IN ('QUEUED', 'SENDING', 'DONE'));
