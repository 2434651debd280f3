-- What a person proves besides the surname to link an account, chosen per supplier
CREATE TYPE "LinkProof" AS ENUM ('access_code', 'premises', 'last_invoice_amount');

ALTER TABLE "supplier" ADD COLUMN "linkProof" "LinkProof" NOT NULL DEFAULT 'access_code';

-- Eight characters without look-alikes (no 0 O 1 I L), each from a fresh gen_random_uuid (a strong random source), about 40 bits
CREATE FUNCTION "account_access_code"() RETURNS text LANGUAGE sql VOLATILE AS E'
  SELECT string_agg(substr($e$ABCDEFGHJKMNPQRSTUVWXYZ23456789$e$, 1 + get_byte(uuid_send(gen_random_uuid()), 0) % 31, 1), $e$$e$)
  FROM generate_series(1, 8)';

ALTER TABLE "account" ADD COLUMN "accessCode" TEXT NOT NULL DEFAULT "account_access_code"();
