-- Written by hand: Prisma's schema language has no CHECK constraints (nor functions), so
-- `npm run db:migration` cannot write this, and the migration diff ignores both, so db:check
-- neither asks for them nor drops them. Keep semicolons out of comments and function bodies:
-- the migrator splits the file at every one.
--
-- The settings an admin edits are checked as a whole by src/admin/supplier-service.ts under a
-- row lock. These constraints hold the cross-field rules in the database as well, so that two
-- edits at once can never store a BIK with an account that belongs to another bank.
-- They mirror src/suppliers/requisites.ts: change both together.

-- The control key of a bank account: 3 digits from the BIK (or "0" and 2 of them) put before the
-- 20 digits of the account, weighted 7, 1, 3 in turn: the last digits of the products sum to a
-- multiple of 10.
CREATE FUNCTION "bank_account_key_ok"(prefix text, account text) RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT CASE WHEN prefix ~ '^[0-9]{3}$' AND account ~ '^[0-9]{20}$' THEN
    (SELECT sum((substr(prefix || account, i, 1)::int * (ARRAY[7, 1, 3])[(i - 1) % 3 + 1]) % 10)
     FROM generate_series(1, 23) AS i) % 10 = 0
  ELSE false END
$$;

ALTER TABLE "supplier"
  ADD CONSTRAINT "supplier_bik_check" CHECK ("bik" ~ '^04[0-9]{7}$'),
  ADD CONSTRAINT "supplier_settlementAccount_check" CHECK ("bank_account_key_ok"(right("bik", 3), "settlementAccount")),
  ADD CONSTRAINT "supplier_correspondentAccount_check" CHECK (
    "correspondentAccount" LIKE '301%'
    AND right("correspondentAccount", 3) = right("bik", 3)
    AND "bank_account_key_ok"('0' || substr("bik", 5, 2), "correspondentAccount")),
  ADD CONSTRAINT "supplier_readingWindow_check" CHECK (
    "readingWindowStartDay" BETWEEN 1 AND 31 AND "readingWindowEndDay" BETWEEN "readingWindowStartDay" AND 31),
  ADD CONSTRAINT "supplier_paymentDueDay_check" CHECK ("paymentDueDay" BETWEEN 1 AND 28);
