-- How a quantity was found, for the other tariff bases: residents, area, a monthly fee.
ALTER TYPE "ChargeKind" ADD VALUE 'per_resident';
ALTER TYPE "ChargeKind" ADD VALUE 'per_area';
ALTER TYPE "ChargeKind" ADD VALUE 'fixed';

-- A penalty is on the overdue debt of the account: no service, no quantity, no tariff. Every other line has all three.
ALTER TABLE "charge" ALTER COLUMN "service" DROP NOT NULL,
ALTER COLUMN "quantity" DROP NOT NULL,
ALTER COLUMN "tariff" DROP NOT NULL;

ALTER TABLE "charge" ADD CONSTRAINT "charge_penalty_shape" CHECK (
  CASE WHEN kind = 'penalty' THEN service IS NULL AND quantity IS NULL AND tariff IS NULL
       ELSE service IS NOT NULL AND quantity IS NOT NULL AND tariff IS NOT NULL END);
