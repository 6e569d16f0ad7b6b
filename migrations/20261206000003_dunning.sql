-- Dunning: levels per tenant, the statutory base rate, runs, and the letters they wrote.
--
-- * A letter names a customer's overdue invoices with the level each reached, the fee and
--   the default interest; it is stored with its PDF and never changed (like invoices).
-- * An invoice's current level is the highest level of the letters naming it.
-- * A customer with `dunning_blocked` gets no letters (disputed invoice, payment plan).

alter table customers add column dunning_blocked boolean not null default false;

create table dunning_levels (
    tenant_id uuid not null references tenants on delete cascade,
    level integer not null check (level between 1 and 9),
    days_after_due integer not null check (days_after_due between 0 and 365),
    fee numeric(10, 2) not null default 0 check (fee >= 0),
    interest boolean not null default false,
    primary key (tenant_id, level)
);

-- the base rate of §247 BGB, published by the Bundesbank each 1 January and 1 July
create table base_rates (
    valid_from date primary key,
    percent numeric(5, 2) not null
);
insert into base_rates (valid_from, percent) values
    ('2023-01-01', 1.62), ('2023-07-01', 3.12), ('2024-01-01', 3.62), ('2024-07-01', 3.37),
    ('2025-01-01', 2.27), ('2025-07-01', 1.27);

create table dunning_runs (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    run_date date not null,
    letter_count integer not null default 0,
    created_by uuid references users on delete set null,
    created_at timestamptz not null default now(),
    unique (id, tenant_id)
);
create index dunning_runs_tenant_idx on dunning_runs (tenant_id, created_at desc);

create table dunning_letters (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    run_id uuid not null,
    customer_id uuid not null,
    level integer not null check (level between 1 and 9),
    letter_date date not null,
    pay_by date not null,
    fee numeric(10, 2) not null,
    interest numeric(12, 2) not null,
    open_total numeric(14, 2) not null,
    total numeric(14, 2) not null,
    currency text not null,
    language text not null check (language in ('de', 'en')),
    recipient_email text not null default '',
    pdf bytea not null,
    created_at timestamptz not null default now(),
    unique (id, tenant_id),
    foreign key (run_id, tenant_id) references dunning_runs (id, tenant_id),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id)
);
create index dunning_letters_run_idx on dunning_letters (run_id);
create index dunning_letters_customer_idx on dunning_letters (customer_id, created_at desc);

create table dunning_items (
    letter_id uuid not null references dunning_letters,
    invoice_id uuid not null references invoices,
    level integer not null,
    days_overdue integer not null,
    open numeric(14, 2) not null,
    interest numeric(12, 2) not null,
    primary key (letter_id, invoice_id)
);
create index dunning_items_invoice_idx on dunning_items (invoice_id, level desc);

create function dunning_letters_are_final() returns trigger language plpgsql as $$
begin
    raise exception 'dunning letters cannot be changed or deleted'
        using errcode = 'integrity_constraint_violation';
end
$$;
create trigger dunning_letters_are_final before update or delete on dunning_letters
    for each row execute function dunning_letters_are_final();
create trigger dunning_items_are_final before update or delete on dunning_items
    for each row execute function dunning_letters_are_final();

alter table outbox_mails add column dunning_letter_id uuid references dunning_letters;
