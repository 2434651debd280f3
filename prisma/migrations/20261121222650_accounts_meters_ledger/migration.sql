-- CreateEnum
CREATE TYPE "MeterStatus" AS ENUM ('active', 'replaced', 'removed');

-- CreateEnum
CREATE TYPE "ChargeKind" AS ENUM ('metered', 'average', 'normative', 'recalculation', 'penalty');

-- CreateEnum
CREATE TYPE "PaymentStatus" AS ENUM ('pending', 'succeeded', 'failed', 'refunded');

-- AlterTable
ALTER TABLE "account" ADD COLUMN     "closedAt" TIMESTAMPTZ(3),
ADD COLUMN     "openingBalance" DECIMAL(14,2) NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "meter" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "service" "Service" NOT NULL,
    "serialNumber" TEXT NOT NULL,
    "zones" SMALLINT NOT NULL DEFAULT 1,
    "digitCapacity" SMALLINT NOT NULL DEFAULT 5,
    "installedAt" DATE,
    "verificationDueAt" DATE,
    "status" "MeterStatus" NOT NULL DEFAULT 'active',
    "replacedById" UUID,
    "closedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "meter_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "charge" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "period" DATE NOT NULL,
    "service" "Service" NOT NULL,
    "kind" "ChargeKind" NOT NULL,
    "quantity" DECIMAL(14,3) NOT NULL,
    "tariff" DECIMAL(12,4) NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "charge_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "status" "PaymentStatus" NOT NULL,
    "provider" TEXT NOT NULL,
    "externalId" TEXT,
    "paidAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "audit_log" (
    "id" UUID NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actorId" UUID,
    "actorRole" TEXT NOT NULL,
    "supplierId" UUID,
    "entity" TEXT NOT NULL,
    "entityId" TEXT NOT NULL,
    "action" TEXT NOT NULL,
    "before" JSONB,
    "after" JSONB,
    "requestId" TEXT,
    "ip" TEXT,

    CONSTRAINT "audit_log_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "meter_accountId_service_serialNumber_key" ON "meter"("accountId", "service", "serialNumber");

-- CreateIndex
CREATE INDEX "charge_accountId_period_idx" ON "charge"("accountId", "period");

-- CreateIndex
CREATE INDEX "payment_accountId_paidAt_idx" ON "payment"("accountId", "paidAt");

-- CreateIndex
CREATE UNIQUE INDEX "payment_provider_externalId_key" ON "payment"("provider", "externalId");

-- CreateIndex
CREATE INDEX "audit_log_supplierId_at_idx" ON "audit_log"("supplierId", "at");

-- CreateIndex
CREATE INDEX "audit_log_entity_entityId_idx" ON "audit_log"("entity", "entityId");

-- AddForeignKey
ALTER TABLE "meter" ADD CONSTRAINT "meter_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "charge" ADD CONSTRAINT "charge_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
