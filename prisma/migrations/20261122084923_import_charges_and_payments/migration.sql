-- Charges and payments become import kinds of the register import.
ALTER TYPE "ImportKind" ADD VALUE 'charges';
ALTER TYPE "ImportKind" ADD VALUE 'payments';

-- Imported charge lines carry the supplier id and the line id of the supplier, which find the line
-- again on a repeated import, and the import that last wrote them.
ALTER TABLE "charge" ADD COLUMN     "importJobId" UUID,
ADD COLUMN     "importLineId" TEXT,
ADD COLUMN     "importSupplierId" UUID;

-- A line id belongs to one supplier and only to imported lines (no billing run).
ALTER TABLE "charge" ADD CONSTRAINT "charge_import_shape" CHECK (
  ("importLineId" IS NULL) = ("importSupplierId" IS NULL) AND ("importLineId" IS NULL OR "runId" IS NULL));

-- One line per supplier and line id.
CREATE UNIQUE INDEX "charge_import_line" ON "charge"("importSupplierId", "importLineId");

-- What the import reports as removed: imported lines of a replaced period that the file no longer has.
ALTER TABLE "import_job" ADD COLUMN     "deletedRows" INTEGER NOT NULL DEFAULT 0;

-- How an imported payment was paid, as the registry of the supplier names it.
ALTER TABLE "payment" ADD COLUMN     "method" TEXT;
