-- A phone is a claim until proven: many people may claim one number, one proven number logs in one person
ALTER TABLE "user" ADD COLUMN "phoneVerifiedAt" TIMESTAMPTZ(3);

DROP INDEX "user_phone_key";

CREATE INDEX "user_phone_idx" ON "user"("phone");

CREATE UNIQUE INDEX "user_verified_phone_key" ON "user"("phone") WHERE ("phoneVerifiedAt" IS NOT NULL);
