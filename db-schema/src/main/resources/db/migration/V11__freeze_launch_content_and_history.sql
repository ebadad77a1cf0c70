-- A launch sends exactly what its history says: it references an immutable version of its bulk action's
-- content, taken at acceptance; editing the action makes a new version. Attachment bytes are stored once
-- per SHA-256 and referenced by whatever carries them. Deleting a list or a contact leaves history as it was.

CREATE TABLE content_blob (
    sha256     text PRIMARY KEY,
    size_bytes integer     NOT NULL,
    content    bytea       NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO content_blob (sha256, size_bytes, content)
SELECT DISTINCT ON (sha256) sha256, size_bytes, content
FROM (SELECT sha256, size_bytes, content FROM attachment
      UNION ALL SELECT sha256, size_bytes, content FROM activity_attachment) a
ORDER BY sha256;

-- An uploaded file of a bulk action; which of them a version carries is bulk_action_version_attachment.
ALTER TABLE attachment DROP COLUMN content;
ALTER TABLE attachment ADD CONSTRAINT attachment_blob FOREIGN KEY (sha256) REFERENCES content_blob (sha256);
CREATE INDEX attachment_sha256 ON attachment (sha256);
ALTER TABLE activity_attachment DROP COLUMN content;
ALTER TABLE activity_attachment ADD CONSTRAINT activity_attachment_blob FOREIGN KEY (sha256) REFERENCES content_blob (sha256);
CREATE INDEX activity_attachment_sha256 ON activity_attachment (sha256);

CREATE TABLE bulk_action_version (
    id                     bigserial PRIMARY KEY,
    bulk_action_id         bigint      NOT NULL REFERENCES bulk_action (id) ON DELETE CASCADE,
    version                integer     NOT NULL,
    from_address           text        NOT NULL,
    from_name              text,
    reply_to               text,
    subject_template       text        NOT NULL,
    text_template          text,
    html_template          text,
    create_activity        boolean     NOT NULL,
    activity_type          text,
    -- LAUNCHER: the user who launched; FIXED: activity_owner_user_id.
    activity_owner         text,
    activity_owner_user_id bigint REFERENCES crm_user (id),
    created_at             timestamptz NOT NULL DEFAULT now(),
    created_by             text,
    UNIQUE (bulk_action_id, version)
);

CREATE TABLE bulk_action_version_attachment (
    version_id    bigint  NOT NULL REFERENCES bulk_action_version (id) ON DELETE CASCADE,
    position      integer NOT NULL,
    attachment_id bigint  NOT NULL REFERENCES attachment (id),
    PRIMARY KEY (version_id, position)
);
CREATE INDEX bulk_action_version_attachment_attachment ON bulk_action_version_attachment (attachment_id);

-- Every existing action's content becomes its version 1.
INSERT INTO bulk_action_version (bulk_action_id, version, from_address, reply_to, subject_template, text_template,
                                 html_template, create_activity, activity_type, activity_owner, activity_owner_user_id,
                                 created_at)
SELECT id, 1, from_address, reply_to, subject_template, text_template, html_template, create_activity, activity_type,
       activity_owner, activity_owner_user_id, updated_at
FROM bulk_action;
INSERT INTO bulk_action_version_attachment (version_id, position, attachment_id)
SELECT v.id, row_number() OVER (PARTITION BY a.bulk_action_id ORDER BY a.id), a.id
FROM attachment a JOIN bulk_action_version v ON v.bulk_action_id = a.bulk_action_id;

-- The action is its name and the pointer to its current content, set in the transaction that creates it.
ALTER TABLE bulk_action ADD COLUMN current_version_id bigint REFERENCES bulk_action_version (id);
UPDATE bulk_action b SET current_version_id = v.id FROM bulk_action_version v WHERE v.bulk_action_id = b.id;
ALTER TABLE bulk_action
    DROP COLUMN from_address,
    DROP COLUMN reply_to,
    DROP COLUMN subject_template,
    DROP COLUMN text_template,
    DROP COLUMN html_template,
    DROP COLUMN create_activity,
    DROP COLUMN activity_type,
    DROP COLUMN activity_owner,
    DROP COLUMN activity_owner_user_id;

-- Launches and test sends accepted before this migration kept no content of their own: they get the
-- action's content as it stood when the migration ran.
ALTER TABLE launch ADD COLUMN content_version_id bigint REFERENCES bulk_action_version (id);
UPDATE launch l SET content_version_id = b.current_version_id FROM bulk_action b WHERE b.id = l.bulk_action_id;
ALTER TABLE launch ALTER COLUMN content_version_id SET NOT NULL;
ALTER TABLE test_send ADD COLUMN content_version_id bigint REFERENCES bulk_action_version (id);
UPDATE test_send t SET content_version_id = b.current_version_id FROM bulk_action b WHERE b.id = t.bulk_action_id;
ALTER TABLE test_send ALTER COLUMN content_version_id SET NOT NULL;

-- A launch's lists keep their IDs and names after the list is deleted.
ALTER TABLE launch_list ADD COLUMN list_name text;
UPDATE launch_list ll SET list_name = l.name FROM marketing_list l WHERE l.id = ll.list_id;
ALTER TABLE launch_list DROP CONSTRAINT launch_list_list_id_fkey;

-- A delivery keeps the contact it was for after the contact is deleted (the worker skips a deleted one).
ALTER TABLE delivery DROP CONSTRAINT delivery_contact_id_fkey;

-- A mail job carries the attachments its activity had when the task ran, not whatever it has later.
CREATE TABLE mail_job_attachment (
    mail_job_id  bigint  NOT NULL REFERENCES mail_job (id) ON DELETE CASCADE,
    position     integer NOT NULL,
    filename     text    NOT NULL,
    content_type text    NOT NULL,
    size_bytes   integer NOT NULL,
    sha256       text    NOT NULL REFERENCES content_blob (sha256),
    PRIMARY KEY (mail_job_id, position)
);
CREATE INDEX mail_job_attachment_sha256 ON mail_job_attachment (sha256);
INSERT INTO mail_job_attachment (mail_job_id, position, filename, content_type, size_bytes, sha256)
SELECT j.id, row_number() OVER (PARTITION BY j.id ORDER BY a.id), a.filename, a.content_type, a.size_bytes, a.sha256
FROM mail_job j JOIN activity_attachment a ON a.activity_id = j.activity_id;
