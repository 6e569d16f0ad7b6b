-- Dunning letters' e-mails get a per-tenant, per-language template like invoices.
alter table mail_templates drop constraint mail_templates_kind_check;
alter table mail_templates add constraint mail_templates_kind_check
    check (kind in ('invoice', 'credit_note', 'dunning'));
