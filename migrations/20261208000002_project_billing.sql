-- Project billing: which invoices bill a project (time, milestone, retainer month), and
-- drafts that are discarded give their time and milestones back.

alter table time_entries drop constraint time_entries_invoice_id_fkey,
    add constraint time_entries_invoice_id_fkey foreign key (invoice_id) references invoices on delete set null;
create index time_entries_invoice_idx on time_entries (invoice_id) where invoice_id is not null;

alter table milestones drop constraint milestones_invoice_id_fkey,
    add constraint milestones_invoice_id_fkey foreign key (invoice_id) references invoices on delete set null;
create index milestones_invoice_idx on milestones (invoice_id) where invoice_id is not null;

create table project_invoices (
    invoice_id uuid primary key references invoices on delete cascade,
    tenant_id uuid not null references tenants on delete cascade,
    project_id uuid not null references projects on delete cascade,
    kind text not null check (kind in ('time', 'milestone', 'retainer')),
    -- the month a retainer invoice bills
    period_start date
);
create index project_invoices_project_idx on project_invoices (project_id);
-- a retainer month is billed once
create unique index project_invoices_retainer_month_key on project_invoices (project_id, period_start)
    where kind = 'retainer';
