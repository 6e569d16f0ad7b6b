-- Billing: runs, invoices and credit notes with their lines, and the rules the law puts on them.
--
-- * A run bills customers in batches, each batch one transaction; a preview (dry run) writes
--   the same invoices marked `preview`, which bill nothing and can be thrown away.
-- * Exactly once: a contract's setup fee, each recurring period and each early-end credit is
--   billed by at most one invoice line (unique index), whatever runs at the same time.
-- * Issued documents are frozen: the database rejects any change to an issued invoice or its
--   lines, and their deletion (GoBD). Corrections are credit notes that reference them.

-- the seller contact an e-invoice names (XRechnung requires name, phone and e-mail)
alter table tenants add column contact_name text not null default '' check (length(contact_name) <= 120);
alter table tenants add column phone text not null default '' check (length(phone) <= 40);
alter table tenants add column email text not null default ''
    check (email = '' or email ~ '^[^@\s]+@[^@\s]+$');

alter table customers add column leitweg_id text
    check (leitweg_id is null or leitweg_id ~ '^[0-9]{2,12}(-[0-9A-Za-z]{1,30})?-[0-9]{2}$');
alter table customers add column invoice_email text not null default ''
    check (invoice_email = '' or invoice_email ~ '^[^@\s]+@[^@\s]+$');

create table billing_runs (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    -- everything due on or before this day is billed
    run_date date not null,
    preview boolean not null,
    status text not null default 'running' check (status in ('running', 'done', 'failed')),
    started_via text not null check (started_via in ('ui', 'api', 'schedule')),
    customers_total integer not null default 0,
    customers_done integer not null default 0,
    invoice_count integer not null default 0,
    line_count integer not null default 0,
    net_total numeric(14, 2) not null default 0,
    gross_total numeric(14, 2) not null default 0,
    error text not null default '',
    started_by uuid references users on delete set null,
    started_at timestamptz not null default now(),
    finished_at timestamptz,
    unique (id, tenant_id)
);
create index billing_runs_tenant_idx on billing_runs (tenant_id, started_at desc);

create table invoices (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null,
    kind text not null default 'invoice' check (kind in ('invoice', 'credit_note')),
    status text not null default 'draft' check (status in ('preview', 'draft', 'issued')),
    number text,
    issue_date date,
    due_date date,
    -- BT-25: the invoice a credit note corrects
    corrects_id uuid references invoices,
    billing_run_id uuid,
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    language text not null check (language in ('de', 'en')),
    tax_treatment text not null
        check (tax_treatment in ('domestic', 'eu_reverse_charge', 'third_country', 'small_business')),
    -- the buyer as the document names them; copied again when the draft is issued
    customer_number text not null,
    buyer_name text not null,
    buyer_street text not null default '',
    buyer_postal_code text not null default '',
    buyer_city text not null default '',
    buyer_country text not null,
    buyer_vat_id text,
    buyer_leitweg_id text,
    buyer_email text not null default '',
    -- BG-14
    period_start date,
    period_end date,
    net_total numeric(14, 2) not null default 0,
    tax_total numeric(14, 2) not null default 0,
    gross_total numeric(14, 2) not null default 0,
    note text not null default '' check (length(note) <= 2000),
    created_by uuid references users on delete set null,
    created_at timestamptz not null default now(),
    issued_by uuid references users on delete set null,
    issued_at timestamptz,
    unique (tenant_id, number),
    unique (id, tenant_id),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id),
    foreign key (billing_run_id, tenant_id) references billing_runs (id, tenant_id),
    check ((status = 'issued') = (number is not null)),
    check (status <> 'issued' or (issue_date is not null and due_date is not null and issued_at is not null)),
    check ((kind = 'credit_note') = (corrects_id is not null)),
    check (period_end is null or period_end >= period_start)
);
create index invoices_tenant_idx on invoices (tenant_id, status, created_at desc, id);
create index invoices_customer_idx on invoices (customer_id, created_at desc);
create index invoices_run_idx on invoices (billing_run_id) where billing_run_id is not null;
create index invoices_search_idx on invoices using gin (lower(coalesce(number, '') || ' ' || buyer_name || ' ' || customer_number) gin_trgm_ops);

create table invoice_lines (
    id uuid primary key,
    invoice_id uuid not null references invoices on delete cascade,
    position integer not null check (position > 0),
    kind text not null check (kind in ('setup', 'recurring', 'credit', 'usage', 'manual')),
    -- copied from the invoice so the exactly-once index can leave previews out
    preview boolean not null default false,
    contract_id uuid references contracts,
    period_start date,
    period_end date,
    description text not null check (length(trim(description)) between 1 and 500),
    quantity numeric(18, 4) not null,
    -- UN/ECE recommendation 20 (C62 = piece, MON = month, GB = gigabyte, HUR = hour)
    unit_code text not null default 'C62' check (unit_code ~ '^[A-Z0-9]{1,3}$'),
    unit_price numeric(14, 4) not null,
    net_amount numeric(14, 2) not null,
    vat_code text not null check (vat_code in ('S', 'Z', 'E', 'AE', 'O')),
    vat_rate numeric(5, 2) not null check (vat_rate between 0 and 100),
    tax_note text check (tax_note in ('reverse_charge', 'small_business', 'exempt_supply', 'outside_scope')),
    unique (invoice_id, position),
    check (period_end is null or period_end >= period_start),
    check (kind = 'manual' or (contract_id is not null and period_start is not null))
);
create unique index invoice_lines_billed_once on invoice_lines (contract_id, kind, period_start)
    where not preview and kind in ('setup', 'recurring', 'credit');
create index invoice_lines_contract_idx on invoice_lines (contract_id, period_start) where contract_id is not null;

alter table usage_records add constraint usage_records_invoice_line_fk
    foreign key (invoice_line_id) references invoice_lines;
-- the referencing sides of foreign keys: without them, throwing away a preview of 100k
-- invoices checks every usage record and invoice once per deleted line
create index usage_records_invoice_line_idx on usage_records (invoice_line_id) where invoice_line_id is not null;
create index invoices_corrects_idx on invoices (corrects_id) where corrects_id is not null;

-- GoBD: once issued, an invoice and its lines never change and are never deleted.
create function invoices_issued_are_final() returns trigger language plpgsql as $$
begin
    if old.status = 'issued' then
        raise exception 'invoice % is issued and cannot be changed or deleted', old.number
            using errcode = 'integrity_constraint_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end
$$;
create trigger invoices_issued_are_final before update or delete on invoices
    for each row execute function invoices_issued_are_final();

create function invoice_lines_of_issued_are_final() returns trigger language plpgsql as $$
begin
    if exists (select 1 from invoices where id = old.invoice_id and status = 'issued') then
        raise exception 'the lines of an issued invoice cannot be changed or deleted'
            using errcode = 'integrity_constraint_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end
$$;
create trigger invoice_lines_of_issued_are_final before update or delete on invoice_lines
    for each row execute function invoice_lines_of_issued_are_final();

-- New lines only for drafts and previews: checked once per statement, since a run adds
-- hundreds of thousands of lines at a time.
create function invoice_lines_only_for_drafts() returns trigger language plpgsql as $$
begin
    if exists (select 1 from added a join invoices i on i.id = a.invoice_id where i.status = 'issued') then
        raise exception 'an issued invoice cannot get new lines'
            using errcode = 'integrity_constraint_violation';
    end if;
    return null;
end
$$;
create trigger invoice_lines_only_for_drafts after insert on invoice_lines
    referencing new table as added for each statement
    execute function invoice_lines_only_for_drafts();

-- The files of an issued document, byte for byte as first sent.
create table invoice_documents (
    invoice_id uuid not null references invoices,
    format text not null check (format in ('pdf', 'zugferd', 'xrechnung')),
    content bytea not null,
    sha256 text not null,
    created_at timestamptz not null default now(),
    primary key (invoice_id, format)
);
create function invoice_documents_are_final() returns trigger language plpgsql as $$
begin
    raise exception 'stored invoice documents cannot be changed or deleted'
        using errcode = 'integrity_constraint_violation';
end
$$;
create trigger invoice_documents_are_final before update or delete on invoice_documents
    for each row execute function invoice_documents_are_final();
