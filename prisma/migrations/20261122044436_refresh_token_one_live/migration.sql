-- CreateIndex
CREATE UNIQUE INDEX "refresh_token_sessionId_key" ON "refresh_token"("sessionId") WHERE ("usedAt" IS NULL);
