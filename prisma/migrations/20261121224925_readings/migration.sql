-- CreateEnum
CREATE TYPE "ReadingSource" AS ENUM ('customer', 'operator', 'import', 'aggregator');

-- CreateEnum
CREATE TYPE "ReadingStatus" AS ENUM ('accepted', 'cancelled', 'superseded', 'billed');

-- AlterTable
ALTER TABLE "account" ADD COLUMN     "readingsCollectedBy" TEXT;

-- AlterTable
ALTER TABLE "supplier" ADD COLUMN     "acceptReadingsOutsideWindow" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "suspiciousReadingFactor" DECIMAL(6,2) NOT NULL DEFAULT 3;

-- CreateTable
CREATE TABLE "reading" (
    "id" UUID NOT NULL,
    "meterId" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "period" DATE NOT NULL,
    "t1" DECIMAL(14,3) NOT NULL,
    "t2" DECIMAL(14,3),
    "t3" DECIMAL(14,3),
    "t1Consumption" DECIMAL(14,3),
    "t2Consumption" DECIMAL(14,3),
    "t3Consumption" DECIMAL(14,3),
    "takenAt" TIMESTAMPTZ(3) NOT NULL,
    "source" "ReadingSource" NOT NULL,
    "status" "ReadingStatus" NOT NULL DEFAULT 'accepted',
    "flags" TEXT[],
    "submittedById" UUID,
    "supersedesId" UUID,
    "changedById" UUID,
    "changedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reading_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "idempotency_record" (
    "scope" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "requestHash" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "responseStatus" INTEGER,
    "responseBody" JSONB,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "idempotency_record_pkey" PRIMARY KEY ("scope","key")
);

-- CreateTable
CREATE TABLE "reminder_run" (
    "supplierId" UUID NOT NULL,
    "period" DATE NOT NULL,
    "sentCount" INTEGER NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "reminder_run_pkey" PRIMARY KEY ("supplierId","period")
);

-- CreateIndex
CREATE UNIQUE INDEX "reading_supersedesId_key" ON "reading"("supersedesId");

-- CreateIndex
CREATE INDEX "reading_meterId_status_takenAt_idx" ON "reading"("meterId", "status", "takenAt");

-- CreateIndex
CREATE INDEX "reading_accountId_period_idx" ON "reading"("accountId", "period");

-- CreateIndex
CREATE INDEX "idempotency_record_expiresAt_idx" ON "idempotency_record"("expiresAt");

-- AddForeignKey
ALTER TABLE "reading" ADD CONSTRAINT "reading_meterId_fkey" FOREIGN KEY ("meterId") REFERENCES "meter"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "reading" ADD CONSTRAINT "reading_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
