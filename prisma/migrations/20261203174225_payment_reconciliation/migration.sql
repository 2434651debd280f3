-- CreateTable
CREATE TABLE "payment_reconciliation" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "client" TEXT NOT NULL,
    "date" DATE NOT NULL,
    "createdBy" UUID NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "counts" JSONB NOT NULL,

    CONSTRAINT "payment_reconciliation_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_reconciliation_line" (
    "id" UUID NOT NULL,
    "reconciliationId" UUID NOT NULL,
    "kind" TEXT NOT NULL,
    "line" INTEGER,
    "externalId" TEXT,
    "accountNumber" TEXT,
    "amount" DECIMAL(14,2),
    "paidAt" TIMESTAMPTZ(3),
    "paymentId" UUID,
    "code" TEXT,
    "detail" TEXT,

    CONSTRAINT "payment_reconciliation_line_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payment_reconciliation_supplierId_date_idx" ON "payment_reconciliation"("supplierId", "date");

-- CreateIndex
CREATE INDEX "payment_reconciliation_line_reconciliationId_kind_idx" ON "payment_reconciliation_line"("reconciliationId", "kind");

-- AddForeignKey
ALTER TABLE "payment_reconciliation" ADD CONSTRAINT "payment_reconciliation_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_reconciliation_line" ADD CONSTRAINT "payment_reconciliation_line_reconciliationId_fkey" FOREIGN KEY ("reconciliationId") REFERENCES "payment_reconciliation"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "payment_reconciliation_line" ADD CONSTRAINT "payment_reconciliation_line_kind" CHECK ("kind" IN ('matched', 'missing', 'extra', 'mismatched', 'rejected'));
