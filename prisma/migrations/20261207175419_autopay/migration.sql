-- CreateEnum
CREATE TYPE "AutopayStatus" AS ENUM ('awaiting_card', 'active', 'stopped', 'canceled');

-- CreateEnum
CREATE TYPE "AutopayChargeStatus" AS ENUM ('scheduled', 'charging', 'succeeded', 'declined', 'skipped', 'canceled');

-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "autopayId" UUID;

-- CreateTable
CREATE TABLE "autopay" (
    "id" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "userId" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "status" "AutopayStatus" NOT NULL,
    "monthlyLimit" DECIMAL(14,2) NOT NULL,
    "consentText" TEXT NOT NULL,
    "consentAt" TIMESTAMPTZ(3) NOT NULL,
    "consentIp" TEXT,
    "bindingPaymentId" UUID,
    "cardToken" TEXT,
    "cardMask" TEXT,
    "cardExpires" TEXT,
    "endReason" TEXT,
    "activatedAt" TIMESTAMPTZ(3),
    "endedAt" TIMESTAMPTZ(3),
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "autopay_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "autopay_charge" (
    "id" UUID NOT NULL,
    "autopayId" UUID NOT NULL,
    "invoiceId" UUID NOT NULL,
    "status" "AutopayChargeStatus" NOT NULL,
    "plannedAmount" DECIMAL(14,2) NOT NULL,
    "amount" DECIMAL(14,2),
    "chargeAt" TIMESTAMPTZ(3) NOT NULL,
    "paymentId" UUID,
    "reason" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "autopay_charge_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "autopay_bindingPaymentId_key" ON "autopay"("bindingPaymentId");

-- CreateIndex
CREATE INDEX "autopay_accountId_createdAt_idx" ON "autopay"("accountId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "autopay_charge_paymentId_key" ON "autopay_charge"("paymentId");

-- CreateIndex
CREATE INDEX "autopay_charge_status_chargeAt_idx" ON "autopay_charge"("status", "chargeAt");

-- CreateIndex
CREATE UNIQUE INDEX "autopay_charge_autopayId_invoiceId_key" ON "autopay_charge"("autopayId", "invoiceId");

-- AddForeignKey
ALTER TABLE "payment" ADD CONSTRAINT "payment_autopayId_fkey" FOREIGN KEY ("autopayId") REFERENCES "autopay"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "autopay" ADD CONSTRAINT "autopay_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "autopay" ADD CONSTRAINT "autopay_userId_fkey" FOREIGN KEY ("userId") REFERENCES "user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "autopay_charge" ADD CONSTRAINT "autopay_charge_autopayId_fkey" FOREIGN KEY ("autopayId") REFERENCES "autopay"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "autopay_charge" ADD CONSTRAINT "autopay_charge_invoiceId_fkey" FOREIGN KEY ("invoiceId") REFERENCES "invoice"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "autopay_charge" ADD CONSTRAINT "autopay_charge_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- One card pays an account: at most one autopay per account is awaiting its card or active
CREATE UNIQUE INDEX "autopay_one_per_account" ON "autopay"("accountId") WHERE "status" IN ('awaiting_card', 'active');

ALTER TABLE "autopay"
  ADD CONSTRAINT "autopay_monthly_limit" CHECK ("monthlyLimit" > 0),
  ADD CONSTRAINT "autopay_active_has_card" CHECK ("status" <> 'active' OR ("cardToken" IS NOT NULL AND "activatedAt" IS NOT NULL)),
  ADD CONSTRAINT "autopay_ended" CHECK (("status" IN ('stopped', 'canceled')) = ("endedAt" IS NOT NULL));

ALTER TABLE "autopay_charge"
  ADD CONSTRAINT "autopay_charge_planned" CHECK ("plannedAmount" > 0),
  ADD CONSTRAINT "autopay_charge_amount" CHECK ("amount" IS NULL OR "amount" > 0),
  ADD CONSTRAINT "autopay_charge_paid_by" CHECK (("status" IN ('charging', 'succeeded', 'declined')) = ("paymentId" IS NOT NULL AND "amount" IS NOT NULL));
