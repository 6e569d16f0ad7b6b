-- A reconciliation writes a report line per registrar line (100k and more) in one statement.
-- Per-row foreign-key checks cost more than the rest of the report together (measured: 1.4 s
-- of 1.9 s per 100k lines), so the report lines carry none:
-- * the lines are written only by the import that owns them, in the transaction that checks
--   the import once per statement, and they go with their import through a statement trigger;
-- * the contract made from a line ("create contract") lives in its own small table, which
--   keeps the foreign keys.
-- The name index served only the search for billed domains missing from the list, which now
-- reads the lines of the import once (hash anti-join); the outcome index made every insert
-- pay for the filtered report views, which read one import's lines by primary key instead.

create table registrar_import_contracts (
    import_id uuid not null,
    position integer not null,
    contract_id uuid not null references contracts on delete cascade,
    created_at timestamptz not null default now(),
    primary key (import_id, position),
    foreign key (import_id, position) references registrar_import_rows on delete cascade
);

insert into registrar_import_contracts (import_id, position, contract_id)
select import_id, position, created_contract_id
from registrar_import_rows where created_contract_id is not null;

alter table registrar_import_rows drop column created_contract_id;
alter table registrar_import_rows drop constraint registrar_import_rows_import_id_fkey;
drop index registrar_import_rows_name_idx;
drop index registrar_import_rows_outcome_idx;

create function registrar_import_rows_follow_import() returns trigger
language plpgsql as $$
begin
    delete from registrar_import_rows r using gone_imports g where r.import_id = g.id;
    return null;
end $$;

create trigger registrar_import_rows_follow_import
    after delete on registrar_imports
    referencing old table as gone_imports
    for each statement execute function registrar_import_rows_follow_import();
