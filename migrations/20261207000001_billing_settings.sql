-- What a tenant decides about its billing: when runs happen by themselves, whether their
-- drafts are issued at once, whether credit notes need a second person, and the DATEV
-- numbers its tax advisor gave it.
create table billing_settings (
    tenant_id uuid primary key references tenants on delete cascade,
    schedule text not null default 'off' check (schedule in ('off', 'daily', 'weekly', 'monthly')),
    -- weekly: ISO weekday 1 (Monday) – 7; monthly: day of the month 1 – 28
    schedule_day integer not null default 1 check (schedule_day between 1 and 28),
    -- the next run's day in the tenant's time zone; runs are started from 06:00 on
    next_run_on date,
    auto_issue boolean not null default false,
    credit_note_approval boolean not null default false,
    datev_consultant integer check (datev_consultant between 1001 and 9999999),
    datev_client integer check (datev_client between 1 and 99999),
    datev_chart text not null default 'skr03' check (datev_chart in ('skr03', 'skr04')),
    -- the first month of the fiscal year
    fiscal_year_start integer not null default 1 check (fiscal_year_start between 1 and 12),
    check (schedule = 'off' or next_run_on is not null),
    check (schedule <> 'weekly' or schedule_day <= 7)
);
create index billing_settings_due_idx on billing_settings (next_run_on) where schedule <> 'off';

insert into job_schedules (kind, every, next_run_at) values ('scheduled_billing', interval '5 minutes', now());

-- Drafts are edited by people; four-eyes approval of credit notes names who approved and
-- is void again when the draft changes.
alter table invoices add column edited_by uuid references users on delete set null;
alter table invoices add column approved_by uuid references users on delete set null;
alter table invoices add column approved_at timestamptz;
