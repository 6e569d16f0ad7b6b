-- Service checks: probes of a server's or domain's services (HTTP(S), TLS, mail, FTP,
-- databases) on a schedule, their bounded history, and the alerts they raise.

create table service_checks (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    -- exactly one target: a server (the customer's or the agency's) or a domain
    server_id uuid,
    domain_id uuid references domains on delete cascade,
    name text not null check (length(trim(name)) between 1 and 200),
    kind text not null check (kind in ('http', 'tls', 'smtp', 'imap', 'pop3', 'ftp', 'mysql', 'postgres')),
    -- empty: the server's host name or the domain's ASCII name, so a rename follows
    host text not null default '',
    port integer not null check (port between 1 and 65535),
    tls_mode text not null default 'none' check (tls_mode in ('none', 'starttls', 'implicit')),
    path text not null default '/',
    expected_status_min integer not null default 200,
    expected_status_max integer not null default 399,
    accept_untrusted boolean not null default false,
    interval_seconds integer not null default 300 check (interval_seconds between 60 and 86400),
    timeout_seconds integer not null default 10 check (timeout_seconds between 1 and 60),
    enabled boolean not null default true,
    next_run_at timestamptz not null default now(),
    -- the latest result, kept here for the overview and the alerts
    last_checked_at timestamptz,
    last_ok boolean,
    last_problem text,
    last_detail text not null default '',
    last_response_ms integer,
    last_status_code integer,
    cert_expires_at timestamptz,
    consecutive_failures integer not null default 0,
    -- start of the current outage; one alert per outage is keyed on it
    failing_since timestamptz,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    check (num_nonnulls(server_id, domain_id) = 1),
    check (expected_status_min between 100 and 599 and expected_status_max between expected_status_min and 599),
    foreign key (server_id, tenant_id) references servers (id, tenant_id) on delete cascade
);
create index service_checks_due_idx on service_checks (next_run_at) where enabled;
create index service_checks_tenant_idx on service_checks (tenant_id, name);
create index service_checks_server_idx on service_checks (server_id) where server_id is not null;
create index service_checks_domain_idx on service_checks (domain_id) where domain_id is not null;

-- Append-only history, pruned after 90 days by the check job.
create table service_check_results (
    check_id uuid not null references service_checks on delete cascade,
    checked_at timestamptz not null,
    ok boolean not null,
    response_ms integer,
    status_code integer,
    problem text,
    detail text not null default '',
    cert_expires_at timestamptz
);
-- uptime is counted from this index alone (index-only scans)
create index service_check_results_check_idx on service_check_results (check_id, checked_at desc) include (ok);
-- rows arrive in time order, so a BRIN index finds the old ones cheaply
create index service_check_results_age_idx on service_check_results using brin (checked_at);

insert into job_schedules (kind, every, next_run_at) values ('service_checks', interval '1 minute', now());
