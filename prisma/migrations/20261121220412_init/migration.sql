-- CreateEnum
CREATE TYPE "Service" AS ENUM ('heat', 'hot_water', 'cold_water', 'wastewater', 'gas', 'electricity');

-- CreateEnum
CREATE TYPE "ReceiptDelivery" AS ENUM ('paper', 'electronic');

-- CreateEnum
CREATE TYPE "AccountStatus" AS ENUM ('active', 'closed');

-- CreateTable
CREATE TABLE "supplier" (
    "id" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "shortName" TEXT NOT NULL,
    "inn" TEXT NOT NULL,
    "kpp" TEXT,
    "bankName" TEXT NOT NULL,
    "bik" TEXT NOT NULL,
    "settlementAccount" TEXT NOT NULL,
    "correspondentAccount" TEXT NOT NULL,
    "services" "Service"[],
    "accountNumberPattern" TEXT NOT NULL,
    "accountNumberExample" TEXT NOT NULL,
    "accountNumberShortPattern" TEXT,
    "accountNumberShortPrefix" TEXT,
    "accountNumberShortPadLength" INTEGER,
    "readingWindowStartDay" SMALLINT NOT NULL DEFAULT 15,
    "readingWindowEndDay" SMALLINT NOT NULL DEFAULT 25,
    "paymentDueDay" SMALLINT NOT NULL DEFAULT 15,
    "timeZone" TEXT NOT NULL DEFAULT 'Europe/Moscow',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "supplier_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "account" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "number" TEXT NOT NULL,
    "holderSurname" TEXT NOT NULL,
    "holderGivenNames" TEXT,
    "address" TEXT NOT NULL,
    "residentsCount" SMALLINT NOT NULL DEFAULT 1,
    "areaM2" DECIMAL(10,2),
    "services" "Service"[],
    "receiptDelivery" "ReceiptDelivery" NOT NULL DEFAULT 'paper',
    "status" "AccountStatus" NOT NULL DEFAULT 'active',
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "account_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "supplier_code_key" ON "supplier"("code");

-- CreateIndex
CREATE UNIQUE INDEX "account_supplierId_number_key" ON "account"("supplierId", "number");

-- AddForeignKey
ALTER TABLE "account" ADD CONSTRAINT "account_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
