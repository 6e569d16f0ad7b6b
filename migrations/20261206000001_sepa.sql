-- SEPA direct debit: mandates per customer, the payment means an issued invoice names, and
-- the collection files handed to the bank.
--
-- * A customer has at most one active mandate; its reference is unique per tenant (creditor).
-- * A mandate's next collection is FRST until a file with it has been exported; the export
--   moves it to RCUR and clears any amendment it reported, in the same transaction.
-- * Each invoice is collected at most once (unique invoice_id among the collection items).

create table sepa_mandates (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null,
    reference text not null check (reference ~ '^[A-Za-z0-9+?/:().,''-]{1,35}$'),
    signed_on date not null,
    scheme text not null check (scheme in ('CORE', 'B2B')),
    account_holder text not null check (length(trim(account_holder)) between 1 and 70),
    iban text not null check (iban ~ '^[A-Z]{2}[0-9]{2}[A-Z0-9]{11,30}$'),
    bic text check (bic ~ '^[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?$'),
    next_sequence text not null default 'FRST' check (next_sequence in ('FRST', 'RCUR')),
    -- an amendment the bank has not been told yet: what the mandate said before
    amended_from_reference text,
    amended_from_iban text,
    status text not null default 'active' check (status in ('active', 'revoked')),
    revoked_on date,
    last_collection_on date,
    created_by uuid references users on delete set null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, reference),
    unique (id, tenant_id),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id),
    check ((status = 'revoked') = (revoked_on is not null))
);
create unique index sepa_mandates_one_active on sepa_mandates (customer_id) where status = 'active';
create index sepa_mandates_customer_idx on sepa_mandates (customer_id, created_at desc);

-- BG-16/BG-19: an invoice paid by direct debit names the mandate, the creditor id and the
-- debited account as on the day it was issued (frozen with the invoice).
alter table invoices add column mandate_id uuid references sepa_mandates;
alter table invoices add column mandate_reference text;
alter table invoices add column creditor_id text;
alter table invoices add column debtor_iban text;
alter table invoices add constraint invoices_direct_debit_complete check (
    (mandate_id is null and mandate_reference is null and creditor_id is null and debtor_iban is null)
    or (mandate_id is not null and mandate_reference is not null and creditor_id is not null
        and debtor_iban is not null and kind = 'invoice'));
create index invoices_mandate_idx on invoices (mandate_id) where mandate_id is not null;

create table direct_debits (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    message_id text not null,
    collection_date date not null,
    transaction_count integer not null check (transaction_count > 0),
    total numeric(14, 2) not null check (total > 0),
    -- the pain.008 file byte for byte as handed out
    content bytea not null,
    created_by uuid references users on delete set null,
    created_at timestamptz not null default now(),
    unique (tenant_id, message_id),
    unique (id, tenant_id)
);
create index direct_debits_tenant_idx on direct_debits (tenant_id, created_at desc);

create table direct_debit_items (
    direct_debit_id uuid not null references direct_debits on delete cascade,
    invoice_id uuid not null unique references invoices,
    mandate_id uuid not null references sepa_mandates,
    scheme text not null check (scheme in ('CORE', 'B2B')),
    sequence text not null check (sequence in ('FRST', 'RCUR')),
    amount numeric(14, 2) not null check (amount > 0),
    end_to_end_id text not null,
    primary key (direct_debit_id, invoice_id)
);
create index direct_debit_items_mandate_idx on direct_debit_items (mandate_id);

create function direct_debits_are_final() returns trigger language plpgsql as $$
begin
    raise exception 'exported collection files cannot be changed or deleted'
        using errcode = 'integrity_constraint_violation';
end
$$;
create trigger direct_debits_are_final before update or delete on direct_debits
    for each row execute function direct_debits_are_final();
