-- DropIndex
DROP INDEX "mail_outbox_status_nextAttemptAt_idx";

-- AlterTable
ALTER TABLE "mail_outbox" DROP COLUMN "nextAttemptAt";

-- CreateTable
CREATE TABLE "worker_process" (
    "lockKey" INTEGER NOT NULL,
    "workerIds" TEXT[],
    "host" TEXT NOT NULL,
    "pid" INTEGER NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "worker_process_pkey" PRIMARY KEY ("lockKey")
);

-- CreateIndex
CREATE INDEX "mail_outbox_status_idx" ON "mail_outbox"("status");

-- Staged rows of register imports live here between upload and merge (a table per import), so
-- a merge queued as a job survives a restart. Outside public: not part of the data model.
CREATE SCHEMA IF NOT EXISTS "import_staging";

-- Readings a race left as two current versions of one meter and period: the newest stays
-- current, the earlier ones become its superseded versions, as a correction would have made them.
UPDATE "reading" r SET "status" = 'superseded', "changedAt" = now()
FROM (
  SELECT id, row_number() OVER (PARTITION BY "meterId", "period" ORDER BY "createdAt" DESC, id DESC) AS n
  FROM "reading" WHERE "status" = 'accepted'
) older
WHERE r.id = older.id AND older.n > 1;

-- One current reading per meter and period: concurrent submissions can never both stay accepted.
-- Declared in schema.prisma as a partial @@unique (preview feature partialIndexes).
CREATE UNIQUE INDEX "reading_one_current_per_period" ON "reading" ("meterId", "period") WHERE "status" IN ('accepted', 'billed');
