-- Quotes (Angebote): numbered offers to a customer, in versions. A version's text and items
-- are frozen once it is sent (the PDF is kept as sent); changing a sent quote makes the next
-- version. Accepting the latest sent version turns it into a project whose work packages
-- carry the quoted hours and money.

create table quotes (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null references customers,
    number text not null,
    title text not null check (length(title) between 1 and 200),
    -- how the resulting project is billed
    billing_mode text not null default 'fixed_price'
        check (billing_mode in ('fixed_price', 'time_and_material')),
    manager_id uuid references users,
    status text not null default 'draft' check (status in ('draft', 'sent', 'accepted', 'declined')),
    -- the latest version; earlier ones stay as they were sent
    version integer not null default 1 check (version >= 1),
    -- positions of the optional items the customer took on acceptance
    accepted_options integer[] not null default '{}',
    project_id uuid references projects on delete set null,
    decided_at timestamptz,
    -- who accepted or declined: a colleague's or the customer contact's name
    decided_by text,
    decline_reason text not null default '',
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, number),
    check ((status in ('accepted', 'declined')) = (decided_at is not null)),
    check (status = 'accepted' or project_id is null)
);
create index quotes_tenant_idx on quotes (tenant_id, status, number desc);
create index quotes_customer_idx on quotes (customer_id);

create table quote_versions (
    tenant_id uuid not null references tenants on delete cascade,
    quote_id uuid not null references quotes on delete cascade,
    version integer not null check (version >= 1),
    intro text not null default '' check (length(intro) <= 5000),
    valid_until date not null,
    -- net of the items that are not optional, for lists
    net_total numeric(14,2) not null default 0,
    created_at timestamptz not null default now(),
    created_by uuid references users on delete set null,
    sent_at timestamptz,
    -- the PDF exactly as it went to the customer
    pdf bytea,
    primary key (quote_id, version),
    check ((sent_at is null) = (pdf is null))
);

create table quote_items (
    tenant_id uuid not null references tenants on delete cascade,
    quote_id uuid not null,
    version integer not null,
    position integer not null check (position >= 1),
    -- hours × rate (per job role), or a fixed item (quantity × price)
    kind text not null check (kind in ('hours', 'fixed')),
    title text not null check (length(title) between 1 and 200),
    description text not null default '' check (length(description) <= 2000),
    -- a role priced in a quote stays (rename it rather than delete it)
    job_role_id uuid references job_roles,
    quantity numeric(12,2) not null check (quantity > 0),
    unit_price numeric(12,2) not null check (unit_price >= 0),
    optional boolean not null default false,
    primary key (quote_id, version, position),
    foreign key (quote_id, version) references quote_versions on delete cascade
);

-- What was sent stays as it was sent: a sent version and its items cannot change.
create function quote_version_frozen() returns trigger language plpgsql as $$
begin
    raise exception 'quote % version % was sent and cannot change', old.quote_id, old.version
        using errcode = 'check_violation';
end $$;
create trigger quote_versions_frozen before update or delete on quote_versions
    for each row when (old.sent_at is not null and pg_trigger_depth() = 0)
    execute function quote_version_frozen();

create function quote_items_frozen() returns trigger language plpgsql as $$
declare
    item quote_items;
begin
    if tg_op = 'INSERT' then item := new; else item := old; end if;
    if exists (select 1 from quote_versions v
               where v.quote_id = item.quote_id and v.version = item.version and v.sent_at is not null) then
        raise exception 'quote % version % was sent; its items cannot change', item.quote_id, item.version
            using errcode = 'check_violation';
    end if;
    return coalesce(new, old);
end $$;
-- (deletes cascading from a removed tenant run deeper and pass)
create trigger quote_items_frozen before insert or update or delete on quote_items
    for each row when (pg_trigger_depth() = 0) execute function quote_items_frozen();

-- A quote's e-mail carries the PDF of the version it sends.
alter table outbox_mails add column quote_id uuid references quotes on delete cascade,
                         add column quote_version integer;
alter table mail_templates drop constraint mail_templates_kind_check;
alter table mail_templates add constraint mail_templates_kind_check
    check (kind in ('invoice', 'credit_note', 'dunning', 'quote'));
