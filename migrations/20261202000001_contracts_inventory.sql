-- Products and prices, term contracts with price changes, and the hosting inventory
-- (domains, servers, certificates, DNS zones), plus in-app notifications.

-- customers.id is unique; the pair lets children require "same tenant" by foreign key
alter table customers add constraint customers_id_tenant_key unique (id, tenant_id);

create table products (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    sku text not null check (length(trim(sku)) between 1 and 40),
    name text not null check (length(trim(name)) between 1 and 200),
    description text not null default '',
    kind text not null default 'service'
        check (kind in ('hosting', 'domain', 'server', 'certificate', 'email', 'service', 'other')),
    unit text not null default 'Stück',
    cost_price numeric(14, 4) not null default 0 check (cost_price >= 0),
    sale_price numeric(14, 4) not null default 0 check (sale_price >= 0),
    setup_fee numeric(14, 2) not null default 0 check (setup_fee >= 0),
    vat_category text not null default 'standard' check (vat_category in ('standard', 'reduced', 'zero', 'exempt')),
    fee_unit text not null default 'month' check (fee_unit in ('month', 'quarter', 'year', 'two_years')),
    billing_interval text not null default 'monthly'
        check (billing_interval in ('monthly', 'quarterly', 'half_yearly', 'yearly', 'biennial')),
    active boolean not null default true,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, sku),
    unique (id, tenant_id)
);
create index products_tenant_name_idx on products (tenant_id, lower(name), id);

-- Quantity tiers: from `min_quantity` on, one unit costs `unit_price` (the whole quantity).
create table product_price_tiers (
    product_id uuid not null references products on delete cascade,
    min_quantity numeric(14, 4) not null check (min_quantity > 0),
    unit_price numeric(14, 4) not null check (unit_price >= 0),
    primary key (product_id, min_quantity)
);

-- Domain prices per top-level domain (ASCII form without dot: 'de', 'co.uk', 'xn--p1ai').
create table tld_prices (
    tenant_id uuid not null references tenants on delete cascade,
    tld text not null check (tld ~ '^[a-z0-9-]+(\.[a-z0-9-]+)*$'),
    registration_cost numeric(14, 2) not null default 0 check (registration_cost >= 0),
    registration_price numeric(14, 2) not null default 0 check (registration_price >= 0),
    renewal_cost numeric(14, 2) not null default 0 check (renewal_cost >= 0),
    renewal_price numeric(14, 2) not null default 0 check (renewal_price >= 0),
    transfer_cost numeric(14, 2) not null default 0 check (transfer_cost >= 0),
    transfer_price numeric(14, 2) not null default 0 check (transfer_price >= 0),
    updated_at timestamptz not null default now(),
    primary key (tenant_id, tld)
);

create table contracts (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null,
    number text not null,
    product_id uuid,
    description text not null check (length(trim(description)) between 1 and 500),
    start_date date not null,
    end_date date,
    minimum_term_months integer not null default 0 check (minimum_term_months between 0 and 120),
    notice_amount integer not null default 0 check (notice_amount between 0 and 730),
    notice_unit text not null default 'months' check (notice_unit in ('days', 'weeks', 'months')),
    setup_fee numeric(14, 2) not null default 0 check (setup_fee between 0 and 10000000),
    -- the price at the start; later prices live in contract_prices
    fee numeric(14, 4) not null check (fee between 0 and 10000000),
    fee_unit text not null check (fee_unit in ('month', 'quarter', 'year', 'two_years')),
    quantity numeric(14, 4) not null default 1 check (quantity > 0 and quantity <= 1000000),
    discount_percent numeric(5, 2) not null default 0 check (discount_percent between 0 and 100),
    vat_category text not null default 'standard' check (vat_category in ('standard', 'reduced', 'zero', 'exempt')),
    billing_interval text not null
        check (billing_interval in ('monthly', 'quarterly', 'half_yearly', 'yearly', 'biennial')),
    billing_mode text not null default 'in_advance' check (billing_mode in ('in_advance', 'in_arrears')),
    -- last day already invoiced; null = nothing billed yet (the billing run advances it)
    billed_until date,
    setup_fee_billed boolean not null default false,
    notes text not null default '',
    cancelled_at timestamptz,
    notice_given_on date,
    cancellation_reason text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, number),
    unique (id, customer_id),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id),
    foreign key (product_id, tenant_id) references products (id, tenant_id),
    check (end_date is null or end_date >= start_date),
    check (billed_until is null or billed_until >= start_date - 1),
    check ((cancelled_at is null) = (notice_given_on is null))
);
create index contracts_customer_idx on contracts (customer_id, start_date desc);
create index contracts_tenant_start_idx on contracts (tenant_id, start_date desc, id);
create index contracts_tenant_end_idx on contracts (tenant_id, end_date, id);
create index contracts_tenant_number_idx on contracts (tenant_id, number, id);
-- what the list search looks in: the contract's number and description and its customer's
-- number and name (kept current by triggers, so one trigram index answers every search)
alter table contracts add column search_text text not null default '';
create index contracts_search_idx on contracts using gin (search_text gin_trgm_ops);

create function contracts_search_text() returns trigger language plpgsql as $$
begin
    new.search_text := lower(new.number || ' ' || new.description || ' ' ||
        coalesce((select number || ' ' || display_name from customers where id = new.customer_id), ''));
    return new;
end
$$;
create trigger contracts_search_text before insert or update of number, description, customer_id on contracts
    for each row execute function contracts_search_text();

create function customers_contract_search_text() returns trigger language plpgsql as $$
begin
    update contracts set description = description where customer_id = new.id;
    return null;
end
$$;
create trigger customers_contract_search_text after update of number, company_name, first_name, last_name on customers
    for each row when (old.display_name is distinct from new.display_name or old.number is distinct from new.number)
    execute function customers_contract_search_text();

-- Price changes from a date on: the fee valid on a period's first day applies to that period.
create table contract_prices (
    contract_id uuid not null references contracts on delete cascade,
    valid_from date not null,
    fee numeric(14, 4) not null check (fee between 0 and 10000000),
    created_at timestamptz not null default now(),
    primary key (contract_id, valid_from)
);

create table domains (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null,
    contract_id uuid,
    -- Unicode form as people write it, ASCII (punycode) form as registries store it
    name text not null,
    ascii_name text not null check (ascii_name ~ '^[a-z0-9.-]+$'),
    tld text not null,
    registrar text not null default '',
    owner_handle text not null default '',
    admin_handle text not null default '',
    tech_handle text not null default '',
    zone_handle text not null default '',
    registered_on date,
    expires_on date,
    auto_renew boolean not null default true,
    status text not null default 'active'
        check (status in ('active', 'pending', 'transfer_in', 'transfer_out', 'expired', 'redemption', 'deleted')),
    notes text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, ascii_name),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id),
    -- a domain's contract belongs to the same customer
    foreign key (contract_id, customer_id) references contracts (id, customer_id),
    check (expires_on is null or registered_on is null or expires_on >= registered_on)
);
create index domains_customer_idx on domains (customer_id, ascii_name);
create index domains_tenant_expiry_idx on domains (tenant_id, expires_on, id);
create index domains_tenant_name_idx on domains (tenant_id, ascii_name, id);
create index domains_contract_idx on domains (contract_id) where contract_id is not null;
create index domains_search_idx on domains using gin (lower(name || ' ' || ascii_name) gin_trgm_ops);

create table servers (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    -- null: the agency's own infrastructure
    customer_id uuid,
    hostname text not null check (hostname ~ '^[a-z0-9.-]+$'),
    ip_addresses inet[] not null default '{}',
    server_type text not null default 'vps'
        check (server_type in ('dedicated', 'vps', 'managed', 'shared', 'colocation', 'cloud')),
    location text not null default '',
    operating_system text not null default '',
    cpu_cores integer check (cpu_cores between 1 and 1024),
    memory_gb integer check (memory_gb between 1 and 65536),
    storage_gb integer check (storage_gb between 1 and 10000000),
    notes text not null default '',
    decommissioned_on date,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, hostname),
    unique (id, tenant_id),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id)
);
create index servers_customer_idx on servers (customer_id, hostname);

create table contract_servers (
    contract_id uuid not null references contracts on delete cascade,
    server_id uuid not null references servers on delete cascade,
    primary key (contract_id, server_id)
);
create index contract_servers_server_idx on contract_servers (server_id);

create table certificates (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null,
    contract_id uuid,
    domain_id uuid references domains on delete set null,
    server_id uuid references servers on delete set null,
    -- as for domains: Unicode for people, ASCII for DNS; either may start with a wildcard `*.`
    common_name text not null,
    ascii_name text not null check (ascii_name ~ '^(\*\.)?[a-z0-9.-]+$'),
    alt_names text[] not null default '{}',
    issuer text not null default '',
    valid_from date,
    expires_on date not null,
    auto_renew boolean not null default false,
    notes text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id),
    foreign key (contract_id, customer_id) references contracts (id, customer_id),
    check (valid_from is null or expires_on >= valid_from)
);
create index certificates_customer_idx on certificates (customer_id, expires_on);
create index certificates_tenant_expiry_idx on certificates (tenant_id, expires_on, id);

create table dns_zones (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null,
    contract_id uuid,
    domain_id uuid references domains on delete set null,
    name text not null,
    ascii_name text not null check (ascii_name ~ '^[a-z0-9.-]+$'),
    primary_ns text not null default '',
    -- zones hosted at a third party or signed (DNSSEC keys) expire too
    expires_on date,
    notes text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, ascii_name),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id),
    foreign key (contract_id, customer_id) references contracts (id, customer_id)
);
create index dns_zones_customer_idx on dns_zones (customer_id, ascii_name);
create index dns_zones_tenant_expiry_idx on dns_zones (tenant_id, expires_on, id) where expires_on is not null;

-- In-app notifications per user; the dedupe key makes a daily job safe to run twice.
create table notifications (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    user_id uuid not null references users on delete cascade,
    kind text not null,
    title text not null,
    body text not null default '',
    link text not null default '',
    dedupe_key text not null,
    created_at timestamptz not null default now(),
    read_at timestamptz,
    unique (user_id, dedupe_key)
);
create index notifications_unread_idx on notifications (user_id, created_at desc) where read_at is null;

-- Daily expiry reminders (domains, certificates, zones); early in the morning, Central European time.
insert into job_schedules (kind, every, next_run_at)
values ('inventory_expiry_reminders', interval '1 day', date_trunc('day', now()) + interval '4 hours');
