-- Whether the registrar's data for a line's domain differs from Kontor's (expiry, renewal
-- mode, empty registrar), decided while classifying: taking the list over then visits only
-- the domains that change instead of probing one domain per line.
alter table registrar_import_rows add column needs_update boolean not null default false;
