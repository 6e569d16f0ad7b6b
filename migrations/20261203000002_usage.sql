-- Usage billing: what a product charges for metered usage (included quantity, graduated
-- overage tiers) and the usage records imported per contract, metric and month.

-- contracts.id is unique; the pair lets usage records require "same tenant" by foreign key
alter table contracts add constraint contracts_id_tenant_key unique (id, tenant_id);

-- Per product and metric: the unit usage is counted in and the quantity the fee includes.
create table product_usage_prices (
    product_id uuid not null references products on delete cascade,
    metric text not null check (metric ~ '^[a-z][a-z0-9_]{0,39}$'),
    unit text not null check (length(trim(unit)) between 1 and 20),
    included_quantity numeric(18, 4) not null default 0 check (included_quantity >= 0),
    primary key (product_id, metric)
);

-- Graduated overage: the units of a month's total quantity from `from_quantity` up to the
-- next tier cost `unit_price` each; units up to the included quantity cost nothing.
create table product_usage_tiers (
    product_id uuid not null,
    metric text not null,
    from_quantity numeric(18, 4) not null check (from_quantity >= 0),
    unit_price numeric(14, 4) not null check (unit_price >= 0),
    primary key (product_id, metric, from_quantity),
    foreign key (product_id, metric) references product_usage_prices on delete cascade
);

-- One quantity per contract, metric and calendar month; a re-import replaces it until the
-- billing run has billed it (`billed_at`, `invoice_line_id`), after which it never changes.
create table usage_records (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    contract_id uuid not null,
    metric text not null check (metric ~ '^[a-z][a-z0-9_]{0,39}$'),
    -- the first day of the month the quantity was used in
    period_start date not null check (extract(day from period_start) = 1),
    quantity numeric(18, 4) not null check (quantity >= 0),
    unit text not null default '' check (length(unit) <= 20),
    source text not null check (source in ('csv', 'api', 'ui')),
    imported_by uuid references users on delete set null,
    -- who imported it as the audit log names them (user e-mail or `api:<token name>`)
    imported_by_label text not null default '',
    created_at timestamptz not null default now(),
    imported_at timestamptz not null default now(),
    -- set by the billing run; the invoice line table comes with the billing issue
    billed_at timestamptz,
    invoice_line_id uuid,
    unique (contract_id, metric, period_start),
    foreign key (contract_id, tenant_id) references contracts (id, tenant_id) on delete cascade,
    check ((billed_at is null) = (invoice_line_id is null))
);
create index usage_records_tenant_period_idx on usage_records (tenant_id, period_start desc, id);
create index usage_records_unbilled_idx on usage_records (tenant_id, period_start)
    where billed_at is null;

-- A billed quantity is part of an issued invoice: only the billing run's own marking may
-- touch the row, never its quantity, unit, contract, metric or period.
create function usage_records_billed_is_final() returns trigger language plpgsql as $$
begin
    if old.billed_at is not null and (
        new.quantity is distinct from old.quantity or new.unit is distinct from old.unit
        or new.contract_id is distinct from old.contract_id or new.metric is distinct from old.metric
        or new.period_start is distinct from old.period_start
        or new.billed_at is distinct from old.billed_at
        or new.invoice_line_id is distinct from old.invoice_line_id) then
        raise exception 'usage record % is billed and cannot change', old.id
            using errcode = 'check_violation';
    end if;
    return new;
end
$$;
create trigger usage_records_billed_is_final before update on usage_records
    for each row execute function usage_records_billed_is_final();
