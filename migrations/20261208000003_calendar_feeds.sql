-- A secret calendar address per person and tenant (iCal: milestones and absences). Only
-- the token's hash is kept; a new address replaces the old one.
create table calendar_feeds (
    token_hash bytea primary key,
    tenant_id uuid not null references tenants on delete cascade,
    user_id uuid not null references users on delete cascade,
    created_at timestamptz not null default now(),
    unique (tenant_id, user_id)
);
