-- Added by hand (keep semicolons out of comments and bodies: the migrator splits the file at
-- every one): live tokens of one user and purpose left by earlier concurrent requests, all but
-- the newest, are marked used, as a new request would have done. The index needs at most one.
UPDATE "email_token" SET "usedAt" = now()
WHERE "usedAt" IS NULL
  AND "id" NOT IN (SELECT DISTINCT ON ("userId", "purpose") "id" FROM "email_token"
                   WHERE "usedAt" IS NULL ORDER BY "userId", "purpose", "createdAt" DESC, "id" DESC);

-- CreateIndex
CREATE UNIQUE INDEX "email_token_userId_purpose_key" ON "email_token"("userId", "purpose") WHERE ("usedAt" IS NULL);
