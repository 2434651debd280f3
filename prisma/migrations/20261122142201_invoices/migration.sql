-- Receipts (invoices): issued per account and period when the period closes, never edited.
-- The CHECKs, the lines function and the triggers below are written by hand (see the charge
-- references migration for why function bodies are E-strings with octal semicolons).
-- AlterTable
ALTER TABLE "closed_period" ADD COLUMN     "invoicesIssued" INTEGER,
ADD COLUMN     "invoicesIssuedAt" TIMESTAMPTZ(3),
ALTER COLUMN "runId" DROP NOT NULL;

-- AlterTable
ALTER TABLE "mail_outbox" ADD COLUMN     "invoiceId" UUID;

-- CreateTable
CREATE TABLE "invoice_requisites" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "inn" TEXT NOT NULL,
    "kpp" TEXT,
    "bankName" TEXT NOT NULL,
    "bik" TEXT NOT NULL,
    "settlementAccount" TEXT NOT NULL,
    "correspondentAccount" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "invoice_requisites_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "invoice_counter" (
    "supplierId" UUID NOT NULL,
    "last" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "invoice_counter_pkey" PRIMARY KEY ("supplierId")
);

-- CreateTable
CREATE TABLE "invoice" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "accountId" UUID NOT NULL,
    "period" DATE NOT NULL,
    "number" INTEGER NOT NULL,
    "requisitesId" UUID NOT NULL,
    "runId" UUID,
    "accountNumber" TEXT NOT NULL,
    "holderSurname" TEXT NOT NULL,
    "holderGivenNames" TEXT,
    "address" TEXT NOT NULL,
    "lines" JSONB NOT NULL,
    "openingBalance" DECIMAL(14,2) NOT NULL,
    "payments" DECIMAL(14,2) NOT NULL,
    "charged" DECIMAL(14,2) NOT NULL,
    "penalties" DECIMAL(14,2) NOT NULL,
    "totalDue" DECIMAL(14,2) NOT NULL,
    "dueDate" DATE NOT NULL,
    "delivery" "ReceiptDelivery" NOT NULL,
    "issuedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "invoice_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "invoice_requisites_supplierId_idx" ON "invoice_requisites"("supplierId");

-- CreateIndex
CREATE INDEX "invoice_supplierId_period_idx" ON "invoice"("supplierId", "period");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_accountId_period_key" ON "invoice"("accountId", "period");

-- CreateIndex
CREATE UNIQUE INDEX "invoice_supplierId_number_key" ON "invoice"("supplierId", "number");

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "invoice" ADD CONSTRAINT "invoice_requisitesId_fkey" FOREIGN KEY ("requisitesId") REFERENCES "invoice_requisites"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- The sum of the amounts of an invoice lines: immutable, so a CHECK may call it.
CREATE FUNCTION "invoice_lines_total"(lines jsonb) RETURNS numeric LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE AS E'
  SELECT COALESCE(sum((l ->> $q$amount$q$)::numeric), 0) FROM jsonb_array_elements(lines) l
';

ALTER TABLE "invoice" ADD CONSTRAINT "invoice_total_adds_up"
  CHECK ("totalDue" = "openingBalance" - "payments" + "charged" + "penalties");

ALTER TABLE "invoice" ADD CONSTRAINT "invoice_lines_add_up"
  CHECK (jsonb_typeof("lines") = 'array' AND invoice_lines_total("lines") = "charged" + "penalties");

ALTER TABLE "invoice" ADD CONSTRAINT "invoice_number_positive" CHECK ("number" > 0);

ALTER TABLE "invoice" ADD CONSTRAINT "invoice_period_first_day" CHECK (extract(day FROM "period") = 1);

ALTER TABLE "invoice_counter" ADD CONSTRAINT "invoice_counter_not_negative" CHECK ("last" >= 0);

-- Issued receipts and the requisites they were issued with are never edited nor deleted:
-- corrections are recalculation lines in a later period.
CREATE FUNCTION "issued_never_changes"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  RAISE EXCEPTION USING ERRCODE = $e$integrity_constraint_violation$e$, CONSTRAINT = TG_TABLE_NAME || $e$_issued$e$,
    MESSAGE = TG_TABLE_NAME || $e$ rows are issued documents: never updated nor deleted$e$\073
END';

CREATE TRIGGER "invoice_issued" BEFORE UPDATE OR DELETE ON "invoice"
  FOR EACH STATEMENT EXECUTE FUNCTION "issued_never_changes"();

CREATE TRIGGER "invoice_requisites_issued" BEFORE UPDATE OR DELETE ON "invoice_requisites"
  FOR EACH STATEMENT EXECUTE FUNCTION "issued_never_changes"();
