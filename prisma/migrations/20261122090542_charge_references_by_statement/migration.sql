-- The references of charge lines, checked per statement instead of per row. A billing run inserts
-- millions of lines in one statement, and the foreign keys checked (and key-share locked) the
-- account and the tariff of each line one by one: half the time of the insert. These triggers
-- check all the lines of a statement in one join each, and refuse to delete (or renumber) an
-- account or a tariff that lines use. Unlike a foreign key they lock no parent row: a run locks
-- the tariffs of its supplier itself (billing/run-sql.ts), and accounts are never deleted (closed).
-- Written by hand. The migrator splits files at every semicolon: the function bodies are
-- E-strings with each semicolon written as its octal escape, and their own literals dollar-quoted.
ALTER TABLE "charge" DROP CONSTRAINT "charge_accountId_fkey";

ALTER TABLE "charge" DROP CONSTRAINT "charge_tariffId_fkey";

CREATE FUNCTION "charge_references_exist"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM new_lines n WHERE NOT EXISTS (SELECT 1 FROM account a WHERE a.id = n."accountId")) THEN
    RAISE EXCEPTION USING ERRCODE = $e$foreign_key_violation$e$, CONSTRAINT = $e$charge_accountId_fkey$e$,
      MESSAGE = $e$insert or update on table "charge" violates foreign key constraint "charge_accountId_fkey"$e$\073
  END IF\073
  IF EXISTS (SELECT 1 FROM new_lines n WHERE n."tariffId" IS NOT NULL AND NOT EXISTS (SELECT 1 FROM tariff t WHERE t.id = n."tariffId")) THEN
    RAISE EXCEPTION USING ERRCODE = $e$foreign_key_violation$e$, CONSTRAINT = $e$charge_tariffId_fkey$e$,
      MESSAGE = $e$insert or update on table "charge" violates foreign key constraint "charge_tariffId_fkey"$e$\073
  END IF\073
  RETURN NULL\073
END';

CREATE TRIGGER "charge_references_on_insert" AFTER INSERT ON "charge"
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION "charge_references_exist"();

CREATE TRIGGER "charge_references_on_update" AFTER UPDATE ON "charge"
  REFERENCING NEW TABLE AS new_lines FOR EACH STATEMENT EXECUTE FUNCTION "charge_references_exist"();

CREATE FUNCTION "account_without_charges"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM charge c WHERE c."accountId" = OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = $e$foreign_key_violation$e$, CONSTRAINT = $e$charge_accountId_fkey$e$,
      MESSAGE = $e$update or delete on table "account" violates foreign key constraint "charge_accountId_fkey" on table "charge": lines refer to it (accounts are closed, never deleted)$e$\073
  END IF\073
  RETURN COALESCE(NEW, OLD)\073
END';

CREATE TRIGGER "account_charges_restrict" BEFORE DELETE OR UPDATE OF id ON "account"
  FOR EACH ROW EXECUTE FUNCTION "account_without_charges"();

CREATE FUNCTION "tariff_without_charges"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  IF EXISTS (SELECT 1 FROM charge c WHERE c."tariffId" = OLD.id) THEN
    RAISE EXCEPTION USING ERRCODE = $e$foreign_key_violation$e$, CONSTRAINT = $e$charge_tariffId_fkey$e$,
      MESSAGE = $e$update or delete on table "tariff" violates foreign key constraint "charge_tariffId_fkey" on table "charge": lines were priced by it (versions in use are ended, never deleted)$e$\073
  END IF\073
  RETURN COALESCE(NEW, OLD)\073
END';

CREATE TRIGGER "tariff_charges_restrict" BEFORE DELETE OR UPDATE OF id ON "tariff"
  FOR EACH ROW EXECUTE FUNCTION "tariff_without_charges"();
