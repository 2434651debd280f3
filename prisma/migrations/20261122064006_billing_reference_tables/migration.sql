-- CreateEnum
CREATE TYPE "TariffBasis" AS ENUM ('metered', 'per_resident', 'per_area', 'fixed');

-- CreateEnum
CREATE TYPE "NormativeBasis" AS ENUM ('per_resident', 'per_area');

-- AlterTable
ALTER TABLE "charge" ADD COLUMN     "tariffId" UUID;

-- CreateTable
CREATE TABLE "tariff" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "service" "Service" NOT NULL,
    "zone" TEXT NOT NULL DEFAULT 'T1',
    "basis" "TariffBasis" NOT NULL,
    "price" DECIMAL(12,4) NOT NULL,
    "unit" TEXT NOT NULL,
    "effectiveFrom" DATE NOT NULL,
    "effectiveTo" DATE,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "tariff_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "normative" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "service" "Service" NOT NULL,
    "basis" "NormativeBasis" NOT NULL,
    "quantity" DECIMAL(12,6) NOT NULL,
    "unit" TEXT NOT NULL,
    "effectiveFrom" DATE NOT NULL,
    "effectiveTo" DATE,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "normative_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "increasing_coefficient" (
    "id" UUID NOT NULL,
    "service" "Service" NOT NULL,
    "value" DECIMAL(6,3) NOT NULL,
    "effectiveFrom" DATE NOT NULL,
    "effectiveTo" DATE,
    "source" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "increasing_coefficient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "key_rate" (
    "id" UUID NOT NULL,
    "effectiveFrom" DATE NOT NULL,
    "percent" DECIMAL(5,2) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "key_rate_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "tariff_supplierId_service_effectiveFrom_idx" ON "tariff"("supplierId", "service", "effectiveFrom");

-- CreateIndex
CREATE INDEX "normative_supplierId_service_effectiveFrom_idx" ON "normative"("supplierId", "service", "effectiveFrom");

-- CreateIndex
CREATE INDEX "increasing_coefficient_service_effectiveFrom_idx" ON "increasing_coefficient"("service", "effectiveFrom");

-- CreateIndex
CREATE UNIQUE INDEX "key_rate_effectiveFrom_key" ON "key_rate"("effectiveFrom");

-- CreateIndex
CREATE INDEX "charge_tariffId_idx" ON "charge"("tariffId");

-- AddForeignKey
ALTER TABLE "charge" ADD CONSTRAINT "charge_tariffId_fkey" FOREIGN KEY ("tariffId") REFERENCES "tariff"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "tariff" ADD CONSTRAINT "tariff_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "normative" ADD CONSTRAINT "normative_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Written by hand (Prisma has no CHECK or EXCLUDE constraints, and its diff ignores both).
-- Keep semicolons and apostrophes out of these comments: the migrator splits at every semicolon.
-- Versions of one thing never overlap in time: an exclusion constraint over the inclusive date
-- range of each version, so two operators adding versions at once cannot both succeed.
CREATE EXTENSION IF NOT EXISTS btree_gist;

ALTER TABLE "tariff"
  ADD CONSTRAINT "tariff_zone_check" CHECK ("zone" IN ('T1', 'T2', 'T3')),
  ADD CONSTRAINT "tariff_price_check" CHECK ("price" >= 0),
  ADD CONSTRAINT "tariff_dates_check" CHECK ("effectiveTo" IS NULL OR "effectiveTo" >= "effectiveFrom"),
  ADD CONSTRAINT "tariff_no_overlap" EXCLUDE USING gist (
    "supplierId" WITH =, "service" WITH =, "zone" WITH =, daterange("effectiveFrom", "effectiveTo", '[]') WITH &&);

ALTER TABLE "normative"
  ADD CONSTRAINT "normative_quantity_check" CHECK ("quantity" >= 0),
  ADD CONSTRAINT "normative_dates_check" CHECK ("effectiveTo" IS NULL OR "effectiveTo" >= "effectiveFrom"),
  ADD CONSTRAINT "normative_no_overlap" EXCLUDE USING gist (
    "supplierId" WITH =, "service" WITH =, "basis" WITH =, daterange("effectiveFrom", "effectiveTo", '[]') WITH &&);

ALTER TABLE "increasing_coefficient"
  ADD CONSTRAINT "increasing_coefficient_value_check" CHECK ("value" >= 1),
  ADD CONSTRAINT "increasing_coefficient_dates_check" CHECK ("effectiveTo" IS NULL OR "effectiveTo" >= "effectiveFrom"),
  ADD CONSTRAINT "increasing_coefficient_no_overlap" EXCLUDE USING gist (
    "service" WITH =, daterange("effectiveFrom", "effectiveTo", '[]') WITH &&);

ALTER TABLE "key_rate" ADD CONSTRAINT "key_rate_percent_check" CHECK ("percent" > 0);

-- Reference figures set by law, as the product ships them (an admin keeps them current).
-- Coefficient 1.5 on the normative for metered services (Decree 354 item 59 a), cold water 3.0
-- from 2025-12-06 (Decree No. 1871 of 25.11.2025). Re-check the legal texts before a release.
INSERT INTO "increasing_coefficient" ("id", "service", "value", "effectiveFrom", "effectiveTo", "source", "updatedAt") VALUES
  (gen_random_uuid(), 'cold_water', 1.5, '2017-01-01', '2025-12-05', 'Decree 354 item 59 a', now()),
  (gen_random_uuid(), 'cold_water', 3.0, '2025-12-06', NULL, 'Decree No. 1871 of 25.11.2025', now()),
  (gen_random_uuid(), 'hot_water', 1.5, '2017-01-01', NULL, 'Decree 354 item 59 a', now()),
  (gen_random_uuid(), 'electricity', 1.5, '2017-01-01', NULL, 'Decree 354 item 59 a', now());

-- The key rate as seeded: 9.5 percent. Until 2027-01-01 penalties use the lower of the key rate
-- and 9.5 percent anyway (Decree No. 329 of 18.03.2025). An admin enters the real table.
INSERT INTO "key_rate" ("id", "effectiveFrom", "percent", "updatedAt") VALUES (gen_random_uuid(), '2025-01-01', 9.5, now());
