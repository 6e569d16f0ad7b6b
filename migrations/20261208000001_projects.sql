-- Projects: work packages, tasks, milestones, time tracking with a running timer,
-- budgets with traffic lights, and what resource planning needs (profiles, absences,
-- assignments).

alter table number_ranges drop constraint number_ranges_kind_check;
alter table number_ranges add constraint number_ranges_kind_check
    check (kind in ('customer', 'contract', 'invoice', 'credit_note', 'quote', 'project'));

-- How a tenant counts project work: traffic-light thresholds (percent of the budget),
-- the rate when no other applies, time rounding, the federal state for public holidays,
-- and the date up to which time is closed (no entry on or before it changes).
create table project_settings (
    tenant_id uuid primary key references tenants on delete cascade,
    yellow_at numeric(5,1) not null default 80 check (yellow_at > 0),
    red_at numeric(5,1) not null default 100 check (red_at > yellow_at),
    forecast_tolerance numeric(5,1) not null default 10 check (forecast_tolerance >= 0),
    default_rate numeric(10,2) not null default 95 check (default_rate >= 0),
    rounding_step integer not null default 1 check (rounding_step between 0 and 60),
    rounding_mode text not null default 'up' check (rounding_mode in ('up', 'down', 'nearest')),
    federal_state text not null default 'BE'
        check (federal_state in ('BW', 'BY', 'BE', 'BB', 'HB', 'HH', 'HE', 'MV',
                                 'NI', 'NW', 'RP', 'SL', 'SN', 'ST', 'SH', 'TH')),
    time_locked_until date
);

-- Job roles and their hourly sale rate (quotes price hours per role).
create table job_roles (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    name text not null check (length(name) between 1 and 80),
    hourly_rate numeric(10,2) not null check (hourly_rate >= 0),
    unique (tenant_id, name)
);

-- A staff member's working profile in a tenant: role, own sale rate, payout rate,
-- hours per weekday (Monday first) and the federal state whose holidays apply.
create table staff_profiles (
    tenant_id uuid not null references tenants on delete cascade,
    user_id uuid not null references users on delete cascade,
    job_role_id uuid references job_roles on delete set null,
    hourly_rate numeric(10,2) check (hourly_rate >= 0),
    cost_rate numeric(10,2) check (cost_rate >= 0),
    weekly_hours numeric(4,2)[] not null default '{8,8,8,8,8,0,0}'
        check (cardinality(weekly_hours) = 7 and 0 <= all (weekly_hours) and 24 >= all (weekly_hours)),
    federal_state text,
    primary key (tenant_id, user_id)
);

alter table customers add column hourly_rate numeric(10,2) check (hourly_rate >= 0);

create table projects (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    customer_id uuid not null references customers,
    number text not null,
    name text not null check (length(name) between 1 and 200),
    description text not null default '',
    billing_mode text not null
        check (billing_mode in ('fixed_price', 'time_and_material', 'retainer')),
    status text not null default 'active'
        check (status in ('planned', 'active', 'on_hold', 'done', 'cancelled')),
    manager_id uuid references users,
    starts_on date,
    ends_on date check (ends_on is null or starts_on is null or ends_on >= starts_on),
    budget_hours numeric(10,2) not null default 0 check (budget_hours >= 0),
    budget_amount numeric(12,2) not null default 0 check (budget_amount >= 0),
    hourly_rate numeric(10,2) check (hourly_rate >= 0),
    retainer_hours numeric(8,2) check (retainer_hours >= 0),
    retainer_fee numeric(12,2) check (retainer_fee >= 0),
    -- the traffic light as of the last change of time or plan; a worse one notifies
    light text not null default 'green' check (light in ('green', 'yellow', 'red')),
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now(),
    unique (tenant_id, number)
);
create index projects_tenant_idx on projects (tenant_id, status, light, number);
create index projects_customer_idx on projects (customer_id);

create table work_packages (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    project_id uuid not null references projects on delete cascade,
    position integer not null default 0,
    name text not null check (length(name) between 1 and 200),
    planned_hours numeric(10,2) not null default 0 check (planned_hours >= 0),
    planned_amount numeric(12,2) not null default 0 check (planned_amount >= 0),
    -- percent complete as the team judges it (earned value); tasks with estimates override it
    progress numeric(5,2) not null default 0 check (progress between 0 and 100),
    starts_on date,
    ends_on date check (ends_on is null or starts_on is null or ends_on >= starts_on)
);
create index work_packages_project_idx on work_packages (project_id, position);

create table tasks (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    project_id uuid not null references projects on delete cascade,
    work_package_id uuid references work_packages on delete cascade,
    parent_id uuid references tasks on delete cascade,
    title text not null check (length(title) between 1 and 300),
    assignee_id uuid references users,
    estimate_hours numeric(8,2) check (estimate_hours >= 0),
    status text not null default 'open' check (status in ('open', 'in_progress', 'done')),
    due_on date,
    position integer not null default 0,
    created_at timestamptz not null default now()
);
create index tasks_project_idx on tasks (project_id, work_package_id, position);
create index tasks_assignee_idx on tasks (assignee_id) where status <> 'done';

create table milestones (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    project_id uuid not null references projects on delete cascade,
    name text not null check (length(name) between 1 and 200),
    due_on date not null,
    -- what reaching it earns on a fixed-price project (a partial invoice)
    amount numeric(12,2) check (amount >= 0),
    status text not null default 'open' check (status in ('open', 'reached', 'accepted')),
    reached_at timestamptz,
    accepted_at timestamptz,
    accepted_by uuid references users,
    invoice_id uuid references invoices
);
create index milestones_due_idx on milestones (tenant_id, due_on) where status <> 'accepted';
create index milestones_project_idx on milestones (project_id, due_on);

create table time_entries (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    user_id uuid not null references users,
    project_id uuid not null references projects,
    work_package_id uuid references work_packages on delete set null,
    task_id uuid references tasks on delete set null,
    work_date date not null,
    minutes integer not null check (minutes between 1 and 1440),
    note text not null default '' check (length(note) <= 2000),
    billable boolean not null default true,
    -- the sale and payout rates that applied when the time was written
    rate numeric(10,2) not null check (rate >= 0),
    cost_rate numeric(10,2) not null default 0 check (cost_rate >= 0),
    source text not null default 'manual' check (source in ('manual', 'timer', 'sheet', 'api')),
    approved_at timestamptz,
    approved_by uuid references users,
    invoice_id uuid references invoices,
    created_at timestamptz not null default now(),
    updated_at timestamptz not null default now()
);
create index time_entries_user_date_idx on time_entries (tenant_id, user_id, work_date);
create index time_entries_project_idx on time_entries (project_id, work_date);
create index time_entries_unbilled_idx on time_entries (project_id, work_date)
    where invoice_id is null and billable;

-- Time that is approved, billed by an issued invoice, or in a closed period stays as it is;
-- the server explains it first, this is the guarantee.
create function time_entries_closed() returns trigger language plpgsql as $$
declare
    locked date;
begin
    select time_locked_until into locked from project_settings
    where tenant_id = coalesce(new.tenant_id, old.tenant_id);
    if tg_op <> 'INSERT' then
        if old.invoice_id is not null
           and exists (select 1 from invoices where id = old.invoice_id and status = 'issued') then
            raise exception 'time entry % is billed and cannot be changed', old.id
                using errcode = 'integrity_constraint_violation';
        end if;
        if tg_op = 'DELETE' or (old.user_id, old.project_id, old.work_date, old.minutes,
                                old.billable, old.rate, old.note, old.work_package_id, old.task_id)
                    is distinct from (new.user_id, new.project_id, new.work_date, new.minutes,
                                      new.billable, new.rate, new.note, new.work_package_id, new.task_id) then
            if old.approved_at is not null and (tg_op = 'DELETE' or new.approved_at is not null) then
                raise exception 'time entry % is approved and cannot be changed', old.id
                    using errcode = 'integrity_constraint_violation';
            end if;
            if locked is not null and old.work_date <= locked then
                raise exception 'time on % is closed', old.work_date
                    using errcode = 'integrity_constraint_violation';
            end if;
        end if;
    end if;
    if tg_op <> 'DELETE' and locked is not null and new.work_date <= locked
       and (tg_op = 'INSERT' or new.work_date is distinct from old.work_date) then
        raise exception 'time on % is closed', new.work_date
            using errcode = 'integrity_constraint_violation';
    end if;
    return case when tg_op = 'DELETE' then old else new end;
end
$$;
create trigger time_entries_closed before insert or update or delete on time_entries
    for each row execute function time_entries_closed();

-- The running timer: at most one per user, kept on the server so that it survives a
-- reload, a second tab and a second device.
create table timers (
    user_id uuid primary key references users on delete cascade,
    tenant_id uuid not null references tenants on delete cascade,
    project_id uuid not null references projects on delete cascade,
    work_package_id uuid references work_packages on delete set null,
    task_id uuid references tasks on delete set null,
    note text not null default '' check (length(note) <= 2000),
    billable boolean not null default true,
    started_at timestamptz not null default now()
);

create table absences (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    user_id uuid not null references users on delete cascade,
    kind text not null check (kind in ('vacation', 'sick', 'training', 'other')),
    starts_on date not null,
    ends_on date not null check (ends_on >= starts_on),
    note text not null default ''
);
create index absences_user_idx on absences (tenant_id, user_id, starts_on);

-- Planned work: a person on a project for some weeks with hours per week.
create table assignments (
    id uuid primary key,
    tenant_id uuid not null references tenants on delete cascade,
    user_id uuid not null references users on delete cascade,
    project_id uuid not null references projects on delete cascade,
    work_package_id uuid references work_packages on delete set null,
    starts_on date not null,
    ends_on date not null check (ends_on >= starts_on),
    hours_per_week numeric(5,2) not null check (hours_per_week > 0 and hours_per_week <= 80)
);
create index assignments_user_idx on assignments (tenant_id, user_id, starts_on);
create index assignments_project_idx on assignments (project_id);
