-- The unique (tenant_id, ascii_name) index already orders a tenant's domains by name (names are
-- unique, so the id never breaks a tie); the second index only made every domain write
-- (a registrar list updates thousands at once) pay twice.
drop index domains_tenant_name_idx;
