-- CreateEnum
CREATE TYPE "ImportKind" AS ENUM ('accounts', 'meters');

-- CreateEnum
CREATE TYPE "ImportStatus" AS ENUM ('receiving', 'merging', 'completed', 'failed');

-- CreateTable
CREATE TABLE "import_job" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "kind" "ImportKind" NOT NULL,
    "format" TEXT NOT NULL,
    "status" "ImportStatus" NOT NULL DEFAULT 'receiving',
    "createdById" UUID,
    "totalRows" INTEGER NOT NULL DEFAULT 0,
    "insertedRows" INTEGER NOT NULL DEFAULT 0,
    "updatedRows" INTEGER NOT NULL DEFAULT 0,
    "unchangedRows" INTEGER NOT NULL DEFAULT 0,
    "rejectedRows" INTEGER NOT NULL DEFAULT 0,
    "error" TEXT,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "finishedAt" TIMESTAMPTZ(3),

    CONSTRAINT "import_job_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "import_rejection" (
    "jobId" UUID NOT NULL,
    "line" INTEGER NOT NULL,
    "code" TEXT NOT NULL,
    "detail" TEXT NOT NULL,

    CONSTRAINT "import_rejection_pkey" PRIMARY KEY ("jobId","line")
);

-- CreateIndex
CREATE INDEX "import_job_supplierId_createdAt_idx" ON "import_job"("supplierId", "createdAt");

-- AddForeignKey
ALTER TABLE "import_rejection" ADD CONSTRAINT "import_rejection_jobId_fkey" FOREIGN KEY ("jobId") REFERENCES "import_job"("id") ON DELETE CASCADE ON UPDATE CASCADE;
