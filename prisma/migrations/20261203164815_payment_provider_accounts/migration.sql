-- CreateTable
CREATE TABLE "payment_provider_account" (
    "supplierId" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "merchantId" TEXT NOT NULL,
    "secretSealed" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "payment_provider_account_pkey" PRIMARY KEY ("supplierId")
);

-- CreateIndex
CREATE UNIQUE INDEX "payment_provider_account_provider_merchantId_key" ON "payment_provider_account"("provider", "merchantId");

-- AddForeignKey
ALTER TABLE "payment_provider_account" ADD CONSTRAINT "payment_provider_account_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

ALTER TABLE "payment_provider_account" ADD CONSTRAINT "payment_provider_account_provider" CHECK ("provider" IN ('cloudpayments', 'tbank'));
