-- CreateEnum
CREATE TYPE "BillingRunStatus" AS ENUM ('queued', 'running', 'completed', 'failed');

-- AlterTable
ALTER TABLE "charge" ADD COLUMN     "basis" JSONB,
ADD COLUMN     "coefficient" DECIMAL(6,3),
ADD COLUMN     "meterId" UUID,
ADD COLUMN     "runId" UUID,
ADD COLUMN     "unit" TEXT,
ADD COLUMN     "zone" TEXT;

-- CreateTable
CREATE TABLE "billing_run" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "period" DATE NOT NULL,
    "dryRun" BOOLEAN NOT NULL DEFAULT false,
    "status" "BillingRunStatus" NOT NULL DEFAULT 'queued',
    "requestedById" UUID,
    "summary" JSONB,
    "error" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "startedAt" TIMESTAMPTZ(3),
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "billing_run_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "closed_period" (
    "supplierId" UUID NOT NULL,
    "period" DATE NOT NULL,
    "runId" UUID NOT NULL,
    "closedById" UUID,
    "closedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "closed_period_pkey" PRIMARY KEY ("supplierId","period")
);

-- CreateIndex
CREATE INDEX "billing_run_supplierId_period_createdAt_idx" ON "billing_run"("supplierId", "period", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "billing_run_one_active" ON "billing_run"("supplierId", "period") WHERE (status = ANY (ARRAY['queued'::"BillingRunStatus", 'running'::"BillingRunStatus"]));

-- CreateIndex
CREATE INDEX "charge_meterId_period_idx" ON "charge"("meterId", "period");
