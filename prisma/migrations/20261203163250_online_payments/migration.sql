-- CreateEnum
CREATE TYPE "PaymentNotificationStatus" AS ENUM ('received', 'applied', 'ignored', 'refused');

-- AlterEnum
ALTER TYPE "PaymentStatus" ADD VALUE 'canceled';

-- AlterTable
ALTER TABLE "payment" ADD COLUMN     "confirmationUrl" TEXT,
ADD COLUMN     "expiresAt" TIMESTAMPTZ(3),
ADD COLUMN     "failureReason" TEXT,
ADD COLUMN     "paysFor" JSONB,
ADD COLUMN     "refundedAmount" DECIMAL(14,2) NOT NULL DEFAULT 0,
ADD COLUMN     "returnUrl" TEXT,
ADD COLUMN     "updatedAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
ADD COLUMN     "userId" UUID;

-- CreateTable
CREATE TABLE "payment_event" (
    "id" UUID NOT NULL,
    "paymentId" UUID NOT NULL,
    "fromStatus" "PaymentStatus",
    "toStatus" "PaymentStatus" NOT NULL,
    "amount" DECIMAL(14,2),
    "actor" TEXT NOT NULL,
    "actorId" UUID,
    "providerStatus" TEXT,
    "notificationId" UUID,
    "reason" TEXT,
    "at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_event_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_refund" (
    "id" UUID NOT NULL,
    "paymentId" UUID NOT NULL,
    "amount" DECIMAL(14,2) NOT NULL,
    "externalId" TEXT NOT NULL,
    "refundedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "payment_refund_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "payment_notification" (
    "id" UUID NOT NULL,
    "provider" TEXT NOT NULL,
    "objectId" TEXT NOT NULL,
    "event" TEXT NOT NULL,
    "paymentId" UUID,
    "amount" DECIMAL(14,2),
    "facts" JSONB NOT NULL,
    "body" TEXT NOT NULL,
    "status" "PaymentNotificationStatus" NOT NULL DEFAULT 'received',
    "code" TEXT,
    "detail" TEXT,
    "receivedAt" TIMESTAMPTZ(3) NOT NULL,
    "processedAt" TIMESTAMPTZ(3),

    CONSTRAINT "payment_notification_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "payment_event_paymentId_at_idx" ON "payment_event"("paymentId", "at");

-- CreateIndex
CREATE UNIQUE INDEX "payment_refund_paymentId_externalId_key" ON "payment_refund"("paymentId", "externalId");

-- CreateIndex
CREATE INDEX "payment_notification_status_receivedAt_idx" ON "payment_notification"("status", "receivedAt");

-- CreateIndex
CREATE UNIQUE INDEX "payment_notification_provider_objectId_event_key" ON "payment_notification"("provider", "objectId", "event");

-- CreateIndex
CREATE INDEX "payment_status_expiresAt_idx" ON "payment"("status", "expiresAt");

-- AddForeignKey
ALTER TABLE "payment_event" ADD CONSTRAINT "payment_event_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_refund" ADD CONSTRAINT "payment_refund_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_event" ADD CONSTRAINT "payment_event_notificationId_fkey" FOREIGN KEY ("notificationId") REFERENCES "payment_notification"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "payment_notification" ADD CONSTRAINT "payment_notification_paymentId_fkey" FOREIGN KEY ("paymentId") REFERENCES "payment"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Money in is positive, refunds stay within it, and the status says refunded exactly when something was returned.
ALTER TABLE "payment"
  ADD CONSTRAINT "payment_amount_positive" CHECK ("amount" > 0),
  ADD CONSTRAINT "payment_refunded_within_amount" CHECK ("refundedAmount" >= 0 AND "refundedAmount" <= "amount"),
  ADD CONSTRAINT "payment_refunded_status" CHECK (("status" = 'refunded') = ("refundedAmount" > 0));

ALTER TABLE "payment_refund" ADD CONSTRAINT "payment_refund_amount_positive" CHECK ("amount" > 0);

ALTER TABLE "payment_event" ADD CONSTRAINT "payment_event_actor" CHECK ("actor" IN ('customer', 'provider', 'operator', 'bank', 'system'));

-- The ledger money in: settled payments on the day they were paid, each refund as a reversal on
-- the day it was returned. Balances, statements and receipts read payments through this alone.
CREATE VIEW "ledger_payment" AS
  SELECT p."accountId", p."amount", p."paidAt" AS "at"
  FROM "payment" p WHERE p."status" IN ('succeeded', 'refunded')
  UNION ALL
  SELECT p."accountId", -r."amount", r."refundedAt"
  FROM "payment_refund" r JOIN "payment" p ON p."id" = r."paymentId";
