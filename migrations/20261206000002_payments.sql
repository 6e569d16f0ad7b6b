-- Payments: money received (or a direct debit returned), from manual entry or a bank
-- statement (CAMT.053), allocated to invoices. An invoice's open amount is its gross less
-- issued credit notes and allocations; what a payment leaves unallocated is the customer's
-- credit balance. Statements are imported once (by content hash); entries once (by the
-- bank's reference within the account).

create table bank_statements (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    account_iban text not null,
    statement_id text not null,
    from_date date,
    to_date date,
    entry_count integer not null,
    sha256 text not null,
    imported_by uuid references users on delete set null,
    imported_at timestamptz not null default now(),
    unique (tenant_id, sha256),
    unique (id, tenant_id)
);

create table payments (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid,
    received_on date not null,
    -- negative: a direct debit the debtor's bank returned
    amount numeric(14, 2) not null check (amount <> 0),
    currency text not null check (currency ~ '^[A-Z]{3}$'),
    method text not null check (method in ('transfer', 'direct_debit', 'cash', 'other')),
    payer_name text not null default '',
    payer_iban text not null default '',
    remittance text not null default '' check (length(remittance) <= 1000),
    end_to_end_id text not null default '',
    -- how it was matched; null while it waits for review
    match_reason text check (match_reason in ('direct_debit', 'invoice_number', 'unique_amount', 'payer_account', 'manual')),
    status text not null check (status in ('allocated', 'unmatched', 'ignored')),
    bank_statement_id uuid,
    -- the bank's reference of the entry: the same entry in a later statement is skipped
    bank_reference text,
    note text not null default '' check (length(note) <= 1000),
    created_by uuid references users on delete set null,
    created_at timestamptz not null default now(),
    unique (id, tenant_id),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id),
    foreign key (bank_statement_id, tenant_id) references bank_statements (id, tenant_id)
);
create unique index payments_bank_reference_once on payments (tenant_id, bank_reference)
    where bank_reference is not null;
create index payments_tenant_idx on payments (tenant_id, received_on desc, id);
create index payments_review_idx on payments (tenant_id, received_on) where status = 'unmatched';
create index payments_customer_idx on payments (customer_id) where customer_id is not null;

create table payment_allocations (
    payment_id uuid not null references payments on delete cascade,
    invoice_id uuid not null references invoices,
    amount numeric(14, 2) not null check (amount <> 0),
    primary key (payment_id, invoice_id)
);
create index payment_allocations_invoice_idx on payment_allocations (invoice_id);
