-- Password vault: customers' credentials whose secrets the server encrypts (AES-256-GCM)
-- under a key kept outside the database, and the check value that tells a right key from
-- a wrong one before anything is decrypted.

-- The pairs the credentials' foreign keys point at: a credential's server or domain must
-- belong to the credential's own customer (and so to its tenant).
alter table servers add constraint servers_id_customer_key unique (id, customer_id);
alter table domains add constraint domains_id_customer_key unique (id, customer_id);

-- The installation's one vault key, known here only by its id (a hash) and a check value:
-- the AES-256-GCM encryption of a fixed text. Never the key itself.
create table vault_keys (
    singleton boolean primary key default true check (singleton),
    key_id text not null check (key_id ~ '^[0-9a-f]{16}$'),
    check_nonce bytea not null check (length(check_nonce) = 12),
    check_value bytea not null check (length(check_value) > 16),
    created_at timestamptz not null default now(),
    rotated_at timestamptz
);

create table credentials (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null,
    server_id uuid,
    domain_id uuid,
    kind text not null
        check (kind in ('ftp', 'sftp', 'ssh', 'mail', 'cms', 'database', 'registrar', 'control_panel', 'other')),
    label text not null check (length(trim(label)) between 1 and 200),
    host text not null default '',
    port integer check (port between 1 and 65535),
    username text not null default '',
    url text not null default '',
    notes text not null default '',
    -- AES-256-GCM of the secret with a fresh nonce per encryption; the associated data is
    -- tenant id and credential id, so a ciphertext copied to another row does not decrypt
    nonce bytea not null check (length(nonce) = 12),
    ciphertext bytea not null check (length(ciphertext) >= 16),
    key_id text not null,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    foreign key (customer_id, tenant_id) references customers (id, tenant_id) on delete cascade,
    foreign key (server_id, customer_id) references servers (id, customer_id) on delete set null (server_id),
    foreign key (domain_id, customer_id) references domains (id, customer_id) on delete set null (domain_id)
);
create index credentials_customer_idx on credentials (customer_id, lower(label), id);
create index credentials_server_idx on credentials (server_id) where server_id is not null;
create index credentials_domain_idx on credentials (domain_id) where domain_id is not null;

-- A server or domain that moves to another customer leaves its credentials with their
-- customer, no longer attached (instead of the move failing on the foreign key).
create function credentials_detach() returns trigger language plpgsql as $$
begin
    if tg_table_name = 'servers' then
        update credentials set server_id = null, updated_at = now()
        where server_id = new.id and customer_id is distinct from new.customer_id;
    else
        update credentials set domain_id = null, updated_at = now()
        where domain_id = new.id and customer_id is distinct from new.customer_id;
    end if;
    return new;
end $$;

create trigger servers_credentials_detach before update of customer_id on servers
    for each row when (old.customer_id is distinct from new.customer_id)
    execute function credentials_detach();
create trigger domains_credentials_detach before update of customer_id on domains
    for each row when (old.customer_id is distinct from new.customer_id)
    execute function credentials_detach();
