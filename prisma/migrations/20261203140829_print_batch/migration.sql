-- The print batch of a closed period: its paper receipts as one PDF in storage.
-- The CHECK and the collation below are written by hand.
-- CreateEnum
CREATE TYPE "print_batch_status" AS ENUM ('pending', 'ready', 'empty');

-- CreateTable
CREATE TABLE "print_batch" (
    "supplierId" UUID NOT NULL,
    "period" DATE NOT NULL,
    "runId" UUID,
    "status" "print_batch_status" NOT NULL,
    "invoices" INTEGER NOT NULL,
    "pages" INTEGER,
    "bytes" BIGINT,
    "storageKey" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "readyAt" TIMESTAMPTZ(3),

    CONSTRAINT "print_batch_pkey" PRIMARY KEY ("supplierId","period")
);

-- CreateIndex
CREATE INDEX "print_batch_runId_idx" ON "print_batch"("runId");

-- A ready batch says where its file is and how big it is, an empty one has nothing to print.
ALTER TABLE "print_batch" ADD CONSTRAINT "print_batch_state" CHECK (
  CASE "status"
    WHEN 'ready' THEN "invoices" > 0 AND "storageKey" IS NOT NULL AND "pages" >= "invoices" AND "bytes" > 0 AND "readyAt" IS NOT NULL
    WHEN 'pending' THEN "invoices" > 0 AND "storageKey" IS NULL AND "readyAt" IS NULL
    ELSE "invoices" = 0 AND "storageKey" IS NULL
  END);

-- Russian order with numbers compared as numbers (house 9 before house 10, flat 2 before flat 12):
-- the order a postman walks the print batch in.
CREATE COLLATION IF NOT EXISTS "ru_natural" (provider = icu, locale = 'ru-u-kn-true');
