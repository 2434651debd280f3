-- AlterTable
ALTER TABLE "account" ADD COLUMN     "searchWords" tsvector;

-- CreateIndex
CREATE INDEX "account_search_words" ON "account" USING GIN ("searchWords");

-- The words of the holder and the address, kept by the database on every write of either.
-- Written by hand: the migrator splits files at every semicolon, so the body is an E-string with
-- each semicolon written as its octal escape, and its literals dollar-quoted.
CREATE FUNCTION "account_search_words"() RETURNS trigger LANGUAGE plpgsql AS E'
BEGIN
  NEW."searchWords" := to_tsvector($e$simple$e$, concat_ws($e$ $e$, NEW."holderSurname", NEW."holderGivenNames", NEW.address))\073
  RETURN NEW\073
END';

CREATE TRIGGER "account_search_words" BEFORE INSERT OR UPDATE OF "holderSurname", "holderGivenNames", address ON "account"
  FOR EACH ROW EXECUTE FUNCTION "account_search_words"();

UPDATE "account" SET "searchWords" = to_tsvector('simple', concat_ws(' ', "holderSurname", "holderGivenNames", address));
