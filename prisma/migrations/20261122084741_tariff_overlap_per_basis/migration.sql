-- Written by hand (Prisma has no EXCLUDE constraints). A monthly fee runs beside a price per unit,
-- and unmetered accounts may pay per resident while metered ones pay per unit: versions may not
-- overlap within one service, zone and basis, and may across bases.
ALTER TABLE "tariff" DROP CONSTRAINT "tariff_no_overlap";

ALTER TABLE "tariff"
  ADD CONSTRAINT "tariff_no_overlap" EXCLUDE USING gist (
    "supplierId" WITH =, "service" WITH =, "zone" WITH =, "basis" WITH =, daterange("effectiveFrom", "effectiveTo", '[]') WITH &&);
