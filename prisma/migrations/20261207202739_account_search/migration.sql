-- Trigram matching for the operators' account search
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- CreateIndex
CREATE INDEX "account_number_trgm" ON "account" USING GIN ("number" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "account_holder_trgm" ON "account" USING GIN ("holderSurname" gin_trgm_ops);

-- CreateIndex
CREATE INDEX "account_address_trgm" ON "account" USING GIN ("address" gin_trgm_ops);
