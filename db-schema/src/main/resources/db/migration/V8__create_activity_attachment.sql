-- Attachments of an activity: every mail task of the activity carries them, and so does its .eml draft.
CREATE TABLE activity_attachment (
    id           bigserial PRIMARY KEY,
    activity_id  bigint      NOT NULL REFERENCES activity (id) ON DELETE CASCADE,
    filename     text        NOT NULL,
    content_type text        NOT NULL,
    size_bytes   integer     NOT NULL,
    sha256       text        NOT NULL,
    content      bytea       NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activity_attachment_activity ON activity_attachment (activity_id);
