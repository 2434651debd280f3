-- AlterTable
ALTER TABLE "user" ADD COLUMN     "linkedAccounts" SMALLINT NOT NULL DEFAULT 0;

-- Added by hand (no semicolons in comments: the migrator splits the file at every one).
-- The count of links each user already has.
UPDATE "user" u SET "linkedAccounts" = c.n
FROM (SELECT "userId", count(*) AS n FROM "user_account" GROUP BY "userId") c
WHERE c."userId" = u.id;

-- The counter cannot go below zero nor past the largest MAX_LINKED_ACCOUNTS. Prisma's schema
-- language has no CHECK, and the migration diff ignores CHECK constraints, so db:check neither
-- sees nor drops it.
ALTER TABLE "user" ADD CONSTRAINT "user_linkedAccounts_check" CHECK ("linkedAccounts" BETWEEN 0 AND 1000);
