-- AlterTable
ALTER TABLE "user" ADD COLUMN     "notifyReadingAccepted" BOOLEAN NOT NULL DEFAULT false;
