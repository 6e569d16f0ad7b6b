-- Registrar reconciliation: each uploaded domain list with its report rows.

create table registrar_imports (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    registrar text not null check (length(trim(registrar)) between 1 and 100),
    layout text not null check (layout in ('generic', 'inwx', 'key_systems')),
    file_name text not null default '',
    file_sha256 text not null,
    encoding text not null,
    delimiter text not null,
    dry_run boolean not null,
    status text not null default 'running' check (status in ('running', 'done', 'failed')),
    -- the tenant's date the report was made for: "active contract" means active that day
    reconciled_on date not null,
    rows_total integer not null default 0,
    rows_done integer not null default 0,
    ok_count integer not null default 0,
    unbilled_count integer not null default 0,
    orphaned_count integer not null default 0,
    inactive_count integer not null default 0,
    rejected_count integer not null default 0,
    mismatch_count integer not null default 0,
    drift_count integer not null default 0,
    -- domains whose expiry/auto-renew/registrar were taken over from the list
    updated_domains integer not null default 0,
    error text not null default '',
    imported_by uuid references users on delete set null,
    started_at timestamptz not null default now(),
    finished_at timestamptz
);
create index registrar_imports_tenant_idx on registrar_imports (tenant_id, started_at desc);

-- One row per line of the file, plus one per billed Kontor domain the file lacks (line null).
create table registrar_import_rows (
    import_id uuid not null references registrar_imports on delete cascade,
    position integer not null,
    line integer,
    domain text not null default '',
    ascii_name text,
    tld text,
    registrar_status text not null default '',
    registrar_active boolean not null default true,
    registrar_expires_on date,
    registered_on date,
    auto_renew boolean,
    renewal_cost numeric(14, 2),
    currency text,
    outcome text not null default 'pending'
        check (outcome in ('pending', 'ok', 'unbilled', 'orphaned', 'inactive', 'rejected')),
    problem text,
    problem_field text,
    duplicate_of integer,
    domain_id uuid,
    customer_id uuid,
    contract_id uuid,
    kontor_expires_on date,
    expiry_mismatch boolean not null default false,
    price_note text check (price_note in ('cost_changed', 'no_list_price', 'below_cost')),
    list_cost numeric(14, 2),
    yearly_price numeric(14, 2),
    created_contract_id uuid references contracts on delete set null,
    primary key (import_id, position)
);
create index registrar_import_rows_name_idx on registrar_import_rows (import_id, ascii_name);
create index registrar_import_rows_outcome_idx on registrar_import_rows (import_id, outcome, position);

-- Orphan search: a tenant's domains at one registrar.
create index domains_tenant_registrar_idx on domains (tenant_id, lower(registrar));
