-- Customers (CRM): number ranges, customers, contacts, call notes.

create extension if not exists pg_trgm;

-- Gapless numbering per tenant and document kind: the row is locked by the transaction that
-- takes a number, so a rolled-back transaction leaves no gap.
create table number_ranges (
    tenant_id uuid not null references tenants on delete cascade,
    kind text not null check (kind in ('customer', 'contract', 'invoice', 'credit_note', 'quote')),
    pattern text not null check (pattern ~ '\{#+\}'),
    next_value bigint not null default 1 check (next_value > 0),
    yearly_reset boolean not null default false,
    current_year integer,
    primary key (tenant_id, kind)
);

create table customers (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    number text not null,
    kind text not null check (kind in ('company', 'person')),
    company_name text not null default '',
    first_name text not null default '',
    last_name text not null default '',
    display_name text generated always as (
        case when kind = 'company' then company_name else trim(first_name || ' ' || last_name) end
    ) stored,
    email text not null default '',
    phone text not null default '',
    website text not null default '',
    billing_street text not null default '',
    billing_postal_code text not null default '',
    billing_city text not null default '',
    billing_country text not null default 'DE' check (billing_country ~ '^[A-Z]{2}$'),
    -- postal address only when it differs from the billing address
    postal_street text,
    postal_postal_code text,
    postal_city text,
    postal_country text check (postal_country is null or postal_country ~ '^[A-Z]{2}$'),
    vat_id text,
    tax_treatment text not null default 'domestic'
        check (tax_treatment in ('domestic', 'eu_reverse_charge', 'third_country', 'small_business')),
    payment_terms_days integer not null default 14 check (payment_terms_days between 0 and 365),
    language text not null default 'de' check (language in ('de', 'en')),
    tags text[] not null default '{}',
    notes text not null default '',
    custom_fields jsonb not null default '{}' check (jsonb_typeof(custom_fields) = 'object'),
    archived_at timestamptz,
    -- what the list search looks in (a generated column may not use another one: name repeated)
    search_text text generated always as (lower(
        number || ' ' || case when kind = 'company' then company_name else first_name || ' ' || last_name end
        || ' ' || email || ' ' || billing_city
    )) stored,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, number),
    check (kind = 'person' or length(trim(company_name)) > 0),
    check (kind = 'company' or length(trim(last_name)) > 0)
);
create index customers_tenant_name_idx on customers (tenant_id, lower(display_name), id);
create index customers_name_trgm_idx on customers using gin (display_name gin_trgm_ops);
create index customers_search_idx on customers using gin (search_text gin_trgm_ops);
create index customers_vat_idx on customers (tenant_id, vat_id) where vat_id is not null;
create index customers_email_domain_idx on customers (tenant_id, lower(split_part(email, '@', 2)));

-- the portal users of a customer: memberships.customer_id points here
alter table memberships add constraint memberships_customer_fk
    foreign key (customer_id) references customers on delete cascade;

create table contacts (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null references customers on delete cascade,
    salutation text not null default '',
    first_name text not null default '',
    last_name text not null check (length(trim(last_name)) > 0),
    role text not null default 'other' check (role in ('management', 'billing', 'technical', 'other')),
    email text not null default '',
    phone text not null default '',
    is_primary boolean not null default false,
    created_at timestamptz not null default now()
);
create index contacts_customer_idx on contacts (customer_id);

create table call_notes (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null references customers on delete cascade,
    contact_id uuid references contacts on delete set null,
    author_id uuid references users on delete set null,
    at timestamptz not null default now(),
    subject text not null check (length(trim(subject)) > 0),
    body text not null default ''
);
create index call_notes_customer_idx on call_notes (customer_id, at desc);
