-- Contacts: opt-out provenance and search; lists: a maintained member count; CRM users.

ALTER TABLE contact
    ADD COLUMN opted_out_at   timestamptz,
    ADD COLUMN opt_out_source text;
-- Prefix search by name and company (text_pattern_ops serves LIKE 'abc%' under any collation).
CREATE INDEX contact_last_name_ci ON contact (lower(last_name) text_pattern_ops);
CREATE INDEX contact_first_name_ci ON contact (lower(first_name) text_pattern_ops);
CREATE INDEX contact_company_ci ON contact (lower(company) text_pattern_ops);

-- Kept in step with list_member by the statements that add and remove members, so listing lists never counts.
ALTER TABLE marketing_list
    ADD COLUMN member_count bigint      NOT NULL DEFAULT 0,
    ADD COLUMN updated_at   timestamptz NOT NULL DEFAULT now();
UPDATE marketing_list l SET member_count = (SELECT count(*) FROM list_member m WHERE m.list_id = l.id);

CREATE TABLE crm_user (
    id          bigserial PRIMARY KEY,
    external_id text UNIQUE,
    email       text        NOT NULL,
    first_name  text,
    last_name   text,
    active      boolean     NOT NULL DEFAULT true,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX crm_user_email_ci ON crm_user (lower(email));
