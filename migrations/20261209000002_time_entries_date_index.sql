-- The team's week on the dashboard, profit and payouts read a tenant's time by date across
-- all people; the (tenant, user, date) index cannot serve that without a skip scan.
create index time_entries_tenant_date_idx on time_entries (tenant_id, work_date);
