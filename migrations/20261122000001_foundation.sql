-- Foundation: tenants, users, memberships, sessions, login throttling, API tokens,
-- idempotency keys, the hash-chained audit log and the job queue.

create table tenants (
    id uuid primary key,
    slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,40}$'),
    legal_name text not null check (length(legal_name) between 1 and 200),
    street text not null default '',
    postal_code text not null default '',
    city text not null default '',
    country text not null default 'DE' check (country ~ '^[A-Z]{2}$'),
    vat_id text,
    tax_number text,
    iban text,
    bic text,
    creditor_id text,
    time_zone text not null default 'Europe/Berlin',
    currency text not null default 'EUR' check (currency ~ '^[A-Z]{3}$'),
    -- a small image as data: URL, so the logo travels with the tenant and needs no file store
    logo_data_url text check (logo_data_url is null or length(logo_data_url) <= 300000),
    brand_primary text not null default '#1d4e89' check (brand_primary ~ '^#[0-9a-f]{6}$'),
    brand_accent text not null default '#b5530f' check (brand_accent ~ '^#[0-9a-f]{6}$'),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);

-- staff work in tenants; customer users belong to a customer, reseller admins to a reseller
create type user_kind as enum ('staff', 'customer', 'reseller');

create table users (
    id uuid primary key,
    email text not null check (email ~ '^[^@\s]+@[^@\s]+$'),
    display_name text not null check (length(display_name) between 1 and 120),
    kind user_kind not null default 'staff',
    password_hash text,
    language text not null default 'de' check (language in ('de', 'en')),
    active boolean not null default true,
    totp_secret bytea,
    totp_enabled_at timestamptz,
    totp_pending_secret bytea,
    -- the last accepted TOTP time step: a code is never accepted twice
    totp_last_step bigint,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create unique index users_email_key on users (lower(email));

create table recovery_codes (
    user_id uuid not null references users on delete cascade,
    code_hash bytea not null,
    used_at timestamptz,
    primary key (user_id, code_hash)
);

create table memberships (
    tenant_id uuid not null references tenants on delete cascade,
    user_id uuid not null references users on delete cascade,
    roles text[] not null check (
        cardinality(roles) > 0
        and roles <@ array['admin', 'accountant', 'project_manager', 'staff', 'support',
                           'customer_owner', 'customer_billing', 'customer_technical',
                           'reseller_admin']
    ),
    -- set for portal users (customers issue) and reseller admins (reseller issue)
    customer_id uuid,
    reseller_id uuid,
    active boolean not null default true,
    created_at timestamptz not null default now(),
    primary key (tenant_id, user_id)
);
create index memberships_user_idx on memberships (user_id);

create table user_invitations (
    token_hash bytea primary key,
    user_id uuid not null references users on delete cascade,
    tenant_id uuid not null references tenants on delete cascade,
    expires_at timestamptz not null,
    used_at timestamptz
);

create table sessions (
    token_hash bytea primary key,
    user_id uuid not null references users on delete cascade,
    tenant_id uuid references tenants on delete set null,
    -- password accepted, second factor still outstanding
    mfa_pending boolean not null,
    created_at timestamptz not null default now(),
    last_seen_at timestamptz not null default now(),
    expires_at timestamptz not null,
    ip inet,
    user_agent text
);
create index sessions_user_idx on sessions (user_id);
create index sessions_expiry_idx on sessions (expires_at);

create table login_attempts (
    id bigserial primary key,
    email text not null,
    ip inet,
    at timestamptz not null default now(),
    success boolean not null
);
create index login_attempts_email_idx on login_attempts (lower(email), at);
create index login_attempts_ip_idx on login_attempts (ip, at);

create table api_tokens (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    name text not null check (length(name) between 1 and 100),
    token_prefix text not null,
    token_hash bytea not null unique,
    scopes text[] not null,
    created_by uuid references users on delete set null,
    created_at timestamptz not null default now(),
    last_used_at timestamptz,
    revoked_at timestamptz
);
create index api_tokens_tenant_idx on api_tokens (tenant_id, created_at desc);

create table idempotency_keys (
    tenant_id uuid not null references tenants on delete cascade,
    key text not null,
    request_hash bytea not null,
    status smallint not null,
    body bytea not null,
    created_at timestamptz not null default now(),
    primary key (tenant_id, key)
);

-- Audit log: append-only, hash-chained per tenant.
create table audit_log (
    tenant_id uuid not null references tenants,
    seq bigint not null,
    at timestamptz not null,
    actor_id uuid,
    actor_label text not null,
    action text not null,
    entity_type text not null,
    entity_id text,
    before jsonb,
    after jsonb,
    ip inet,
    prev_hash bytea,
    hash bytea not null,
    primary key (tenant_id, seq)
);
create index audit_log_at_idx on audit_log (tenant_id, at desc);
create index audit_log_action_idx on audit_log (tenant_id, action, at desc);

create table audit_heads (
    tenant_id uuid primary key references tenants,
    seq bigint not null,
    hash bytea
);

-- The hash covers every column, separated by a unit separator so no two rows can collide
-- by shifting text between fields.
create function audit_entry_hash(
    prev bytea, seq bigint, tenant uuid, at timestamptz, actor uuid, actor_label text,
    action text, entity_type text, entity_id text, before jsonb, after jsonb, ip inet
) returns bytea language sql immutable as $$
    select sha256(coalesce(prev, '\x'::bytea) || convert_to(concat_ws(E'\x1f',
        seq::text, tenant::text, extract(epoch from at)::text, coalesce(actor::text, '-'),
        actor_label, action, entity_type, coalesce(entity_id, '-'),
        coalesce(before::text, '-'), coalesce(after::text, '-'), coalesce(host(ip), '-')), 'UTF8'))
$$;

create function audit_append(
    p_tenant uuid, p_actor uuid, p_actor_label text, p_action text, p_entity_type text,
    p_entity_id text, p_before jsonb, p_after jsonb, p_ip inet
) returns bigint language plpgsql as $$
declare
    v_seq bigint;
    v_prev bytea;
    v_hash bytea;
    v_at timestamptz := clock_timestamp();
begin
    insert into audit_heads (tenant_id, seq, hash) values (p_tenant, 0, null)
        on conflict (tenant_id) do nothing;
    -- the row lock serialises writers of one tenant's chain
    select seq, hash into v_seq, v_prev from audit_heads where tenant_id = p_tenant for update;
    v_seq := v_seq + 1;
    v_hash := audit_entry_hash(v_prev, v_seq, p_tenant, v_at, p_actor, p_actor_label, p_action,
                               p_entity_type, p_entity_id, p_before, p_after, p_ip);
    insert into audit_log (tenant_id, seq, at, actor_id, actor_label, action, entity_type,
                           entity_id, before, after, ip, prev_hash, hash)
        values (p_tenant, v_seq, v_at, p_actor, p_actor_label, p_action, p_entity_type,
                p_entity_id, p_before, p_after, p_ip, v_prev, v_hash);
    update audit_heads set seq = v_seq, hash = v_hash where tenant_id = p_tenant;
    return v_seq;
end
$$;

-- First sequence number whose entry does not match the chain, or null when intact.
create function audit_verify(p_tenant uuid) returns bigint language sql stable as $$
    with chain as (
        select l.*,
               lag(hash) over (order by seq) as expected_prev,
               coalesce(lag(seq) over (order by seq), 0) as previous_seq
        from audit_log l where tenant_id = p_tenant
    ), broken as (
        select seq from chain
        where seq <> previous_seq + 1
           or prev_hash is distinct from expected_prev
           or hash <> audit_entry_hash(prev_hash, seq, tenant_id, at, actor_id, actor_label, action,
                                       entity_type, entity_id, before, after, ip)
        union all
        -- the head remembers the last entry: removing entries at the end is detected too
        select h.seq from audit_heads h
        where h.tenant_id = p_tenant
          and h.hash is distinct from (select hash from audit_log where tenant_id = p_tenant
                                       order by seq desc limit 1)
    )
    select min(seq) from broken
$$;

create function audit_log_is_append_only() returns trigger language plpgsql as $$
begin
    raise exception 'audit_log is append-only: % is not allowed', tg_op
        using errcode = 'insufficient_privilege';
end
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_is_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_is_append_only();

-- Job queue: claimed with FOR UPDATE SKIP LOCKED, so several servers share it safely.
create table jobs (
    id uuid primary key,
    kind text not null,
    tenant_id uuid references tenants on delete cascade,
    payload jsonb not null default '{}',
    status text not null default 'queued'
        check (status in ('queued', 'running', 'succeeded', 'failed')),
    run_at timestamptz not null default now(),
    attempts integer not null default 0,
    max_attempts integer not null default 5,
    locked_by text,
    locked_at timestamptz,
    last_error text,
    created_at timestamptz not null default now(),
    finished_at timestamptz
);
create index jobs_due_idx on jobs (run_at) where status = 'queued';
create index jobs_history_idx on jobs (created_at desc);

create table job_schedules (
    kind text primary key,
    every interval not null check (every >= interval '1 minute'),
    next_run_at timestamptz not null,
    enabled boolean not null default true
);
insert into job_schedules (kind, every, next_run_at) values ('session_cleanup', interval '1 hour', now());
