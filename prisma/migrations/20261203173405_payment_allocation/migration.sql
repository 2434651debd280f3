-- CreateTable
CREATE TABLE "payment_allocation" (
    "id" UUID NOT NULL,
    "paymentId" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "invoiceId" UUID,
    "principal" DECIMAL(14,2) NOT NULL,
    "penalty" DECIMAL(14,2) NOT NULL,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_allocation_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payment_allocation_accountId_idx" ON "payment_allocation"("accountId");

-- CreateIndex
CREATE INDEX "payment_allocation_paymentId_idx" ON "payment_allocation"("paymentId");

-- CreateIndex
CREATE INDEX "payment_allocation_invoiceId_idx" ON "payment_allocation"("invoiceId");

-- AddForeignKey
ALTER TABLE "payment_allocation" ADD CONSTRAINT "payment_allocation_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_allocation" ADD CONSTRAINT "payment_allocation_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "payment_allocation" ADD CONSTRAINT "payment_allocation_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "payment_allocation" ADD CONSTRAINT "payment_allocation_moves_money" CHECK ("principal" <> 0 OR "penalty" <> 0);

-- Each receipt own debt (per row, no window: a filter by receipt or account reaches its index), as allocation pays it: the periods charges (the first receipt also the
-- balance it opened with, an advance deducted) and its penalties, never below zero.
CREATE VIEW "invoice_item" AS
  SELECT i."id" AS "invoiceId", i."accountId", i."period",
         greatest(i."charged" + CASE WHEN NOT EXISTS (SELECT 1 FROM "invoice" e WHERE e."accountId" = i."accountId" AND e."period" < i."period")
                                     THEN i."openingBalance" ELSE 0 END, 0) AS "principal",
         greatest(i."penalties", 0) AS "penalty"
  FROM "invoice" i;

-- Money that allocation places: settled payments net of refunds, from the first receipt period
-- on (money paid before it is in that receipt opening balance already).
CREATE VIEW "allocatable_payment" AS
  SELECT p."id", p."accountId", p."amount" - p."refundedAmount" AS "amount", p."paidAt"
  FROM "payment" p
  JOIN "account" a ON a."id" = p."accountId"
  JOIN "supplier" s ON s."id" = a."supplierId"
  WHERE p."status" IN ('succeeded', 'refunded') AND p."amount" > p."refundedAmount"
    AND (p."paidAt" AT TIME ZONE s."timeZone")::date >= COALESCE((SELECT min(f."period") FROM "invoice" f WHERE f."accountId" = p."accountId"), '-infinity'::date);
