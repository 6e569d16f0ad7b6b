-- E-mail: per-tenant templates (built-in defaults when a tenant has none) and the outbox.
-- A mail is written in the same transaction as the business action that causes it (issuing
-- an invoice), so it is sent if and only if the action committed; a worker delivers it.

create table mail_templates (
    tenant_id uuid not null references tenants on delete cascade,
    kind text not null check (kind in ('invoice', 'credit_note')),
    language text not null check (language in ('de', 'en')),
    subject text not null check (length(subject) between 1 and 200),
    body text not null check (length(body) between 1 and 20000),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, kind, language)
);

create table outbox_mails (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    -- the attachments are the invoice's stored documents, byte for byte
    invoice_id uuid references invoices,
    recipient text not null check (recipient ~ '^[^@\s]+@[^@\s]+$'),
    subject text not null,
    body text not null,
    status text not null default 'queued' check (status in ('queued', 'sending', 'sent', 'failed')),
    attempts int not null default 0,
    next_attempt_at timestamptz not null default now(),
    locked_at timestamptz,
    last_error text,
    -- the SMTP server's reply on acceptance
    server_reply text,
    sent_at timestamptz,
    created_at timestamptz not null default now(),
    created_by uuid references users on delete set null
);
create index outbox_mails_due_idx on outbox_mails (next_attempt_at) where status in ('queued', 'sending');
create index outbox_mails_invoice_idx on outbox_mails (invoice_id) where invoice_id is not null;
create index outbox_mails_tenant_idx on outbox_mails (tenant_id, created_at desc);
