-- The references of invoices, checked per statement instead of per row, as for charge lines:
-- issuing inserts every invoice of a supplier in one statement, and the foreign keys checked (and
-- key-share locked) the account and the requisites of each invoice one by one. These triggers
-- check all the invoices of a statement in one join each. Invoices are never updated or deleted
-- (issued_never_changes), nor are requisites, so only a deleted or renumbered account needs a
-- guard. Written by hand (function bodies as E-strings, each semicolon as its octal escape).
-- DropForeignKey
ALTER TABLE "invoice" DROP CONSTRAINT "invoice_accountId_fkey";

-- DropForeignKey
ALTER TABLE "invoice" DROP CONSTRAINT "invoice_requisitesId_fkey";

CREATE FUNCTION "invoice_references_exist"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM new_invoices n WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.id = n."accountId")) THEN
    RAISE EXCEPTION USING ERRCODE = $e$foreign_key_violation$e$, CONSTRAINT = $e$invoice_accountId_fkey$e$,
      MESSAGE = $e$insert on table "invoice" violates foreign key constraint "invoice_accountId_fkey"$e$\073
  END IF\073
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT "requisitesId" FROM new_invoices) n WHERE NOT EXISTS (SELECT 1 FROM invoice_requisites q WHERE q.id = n."requisitesId")) THEN
    RAISE EXCEPTION USING ERRCODE = $e$foreign_key_violation$e$, CONSTRAINT = $e$invoice_requisitesId_fkey$e$,
      MESSAGE = $e$insert on table "invoice" violates foreign key constraint "invoice_requisitesId_fkey"$e$\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "invoice_references_on_insert" AFTER INSERT ON "invoice"
  REFERENCING NEW TABLE AS new_invoices FOR EACH STATEMENT EXECUTE FUNCTION "invoice_references_exist"();

CREATE FUNCTION "account_without_invoices"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM invoice i WHERE i."accountId" = OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = $e$foreign_key_violation$e$, CONSTRAINT = $e$invoice_accountId_fkey$e$,
      MESSAGE = $e$update or delete on table "account" violates foreign key constraint "invoice_accountId_fkey" on table "invoice": receipts were issued to it (accounts are closed, never deleted)$e$\073
  END IF\073
  RETURN COALESCE(NEW, OLD)\073
END';

CREATE TRIGGER "account_invoices_restrict" BEFORE DELETE OR UPDATE OF id ON "account"
  FOR EACH ROW EXECUTE FUNCTION "account_without_invoices"();
