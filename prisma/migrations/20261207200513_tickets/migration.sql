-- CreateEnum
CREATE TYPE "TicketStatus" AS ENUM ('new', 'in_progress', 'waiting_customer', 'resolved', 'closed');

-- CreateTable
CREATE TABLE "ticket_category" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "code" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "firstResponseMinutes" INTEGER NOT NULL,
    "resolutionMinutes" INTEGER NOT NULL,
    "emergency" BOOLEAN NOT NULL DEFAULT false,
    "active" BOOLEAN NOT NULL DEFAULT true,
    "position" SMALLINT NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "ticket_category_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "supplier_working_hours" (
    "supplierId" UUID NOT NULL,
    "weekday" SMALLINT NOT NULL,
    "opensAt" TEXT NOT NULL,
    "closesAt" TEXT NOT NULL,

    CONSTRAINT "supplier_working_hours_pkey" PRIMARY KEY ("supplierId","weekday")
);

-- CreateTable
CREATE TABLE "supplier_calendar_day" (
    "supplierId" UUID NOT NULL,
    "day" DATE NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "opensAt" TEXT,
    "closesAt" TEXT,

    CONSTRAINT "supplier_calendar_day_pkey" PRIMARY KEY ("supplierId","day")
);

-- CreateTable
CREATE TABLE "ticket" (
    "id" UUID NOT NULL,
    "number" INTEGER NOT NULL,
    "supplierId" UUID NOT NULL,
    "categoryId" UUID NOT NULL,
    "accountId" UUID,
    "authorId" UUID NOT NULL,
    "assigneeId" UUID,
    "subject" TEXT NOT NULL,
    "status" "TicketStatus" NOT NULL DEFAULT 'new',
    "firstResponseDueAt" TIMESTAMPTZ(3) NOT NULL,
    "resolutionDueAt" TIMESTAMPTZ(3) NOT NULL,
    "firstRespondedAt" TIMESTAMPTZ(3),
    "resolvedAt" TIMESTAMPTZ(3),
    "closedAt" TIMESTAMPTZ(3),
    "firstResponseBreachedAt" TIMESTAMPTZ(3),
    "resolutionBreachedAt" TIMESTAMPTZ(3),
    "reopenCount" SMALLINT NOT NULL DEFAULT 0,
    "rating" SMALLINT,
    "ratingComment" TEXT,
    "lastMessageAt" TIMESTAMPTZ(3) NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,
    "updatedAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_message" (
    "id" UUID NOT NULL,
    "ticketId" UUID NOT NULL,
    "authorId" UUID,
    "authorRole" TEXT NOT NULL,
    "internal" BOOLEAN NOT NULL DEFAULT false,
    "text" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_message_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_attachment" (
    "id" UUID NOT NULL,
    "uploaderId" UUID NOT NULL,
    "ticketId" UUID,
    "messageId" UUID,
    "fileName" TEXT NOT NULL,
    "contentType" TEXT NOT NULL,
    "bytes" INTEGER NOT NULL,
    "storageKey" TEXT NOT NULL,
    "createdAt" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "ticket_attachment_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_office" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "name" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "hours" TEXT NOT NULL,
    "phones" TEXT[],
    "latitude" DECIMAL(9,6) NOT NULL,
    "longitude" DECIMAL(9,6) NOT NULL,
    "position" SMALLINT NOT NULL DEFAULT 0,

    CONSTRAINT "support_office_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "support_contact" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "audience" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "phone" TEXT,
    "email" TEXT,
    "position" SMALLINT NOT NULL DEFAULT 0,

    CONSTRAINT "support_contact_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "faq_entry" (
    "id" UUID NOT NULL,
    "supplierId" UUID NOT NULL,
    "topic" TEXT NOT NULL,
    "question" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "position" SMALLINT NOT NULL DEFAULT 0,

    CONSTRAINT "faq_entry_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ticket_counter" (
    "supplierId" UUID NOT NULL,
    "last" INTEGER NOT NULL DEFAULT 0,

    CONSTRAINT "ticket_counter_pkey" PRIMARY KEY ("supplierId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ticket_category_supplierId_code_key" ON "ticket_category"("supplierId", "code");

-- CreateIndex
CREATE INDEX "ticket_supplierId_status_resolutionDueAt_idx" ON "ticket"("supplierId", "status", "resolutionDueAt");

-- CreateIndex
CREATE INDEX "ticket_authorId_id_idx" ON "ticket"("authorId", "id");

-- CreateIndex
CREATE INDEX "ticket_assigneeId_status_idx" ON "ticket"("assigneeId", "status");

-- CreateIndex
CREATE UNIQUE INDEX "ticket_supplierId_number_key" ON "ticket"("supplierId", "number");

-- CreateIndex
CREATE INDEX "ticket_message_ticketId_createdAt_idx" ON "ticket_message"("ticketId", "createdAt");

-- CreateIndex
CREATE UNIQUE INDEX "ticket_attachment_storageKey_key" ON "ticket_attachment"("storageKey");

-- CreateIndex
CREATE INDEX "ticket_attachment_ticketId_idx" ON "ticket_attachment"("ticketId");

-- CreateIndex
CREATE INDEX "ticket_attachment_uploaderId_createdAt_idx" ON "ticket_attachment"("uploaderId", "createdAt");

-- CreateIndex
CREATE INDEX "ticket_attachment_messageId_idx" ON "ticket_attachment"("messageId");

-- CreateIndex
CREATE INDEX "support_office_supplierId_idx" ON "support_office"("supplierId");

-- CreateIndex
CREATE INDEX "support_contact_supplierId_idx" ON "support_contact"("supplierId");

-- CreateIndex
CREATE INDEX "faq_entry_supplierId_topic_position_idx" ON "faq_entry"("supplierId", "topic", "position");

-- AddForeignKey
ALTER TABLE "ticket_category" ADD CONSTRAINT "ticket_category_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supplier_working_hours" ADD CONSTRAINT "supplier_working_hours_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "supplier_calendar_day" ADD CONSTRAINT "supplier_calendar_day_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_categoryId_fkey" FOREIGN KEY ("categoryId") REFERENCES "ticket_category"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "user"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_assigneeId_fkey" FOREIGN KEY ("assigneeId") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_message" ADD CONSTRAINT "ticket_message_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_message" ADD CONSTRAINT "ticket_message_authorId_fkey" FOREIGN KEY ("authorId") REFERENCES "user"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_attachment" ADD CONSTRAINT "ticket_attachment_uploaderId_fkey" FOREIGN KEY ("uploaderId") REFERENCES "user"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_attachment" ADD CONSTRAINT "ticket_attachment_ticketId_fkey" FOREIGN KEY ("ticketId") REFERENCES "ticket"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "ticket_attachment" ADD CONSTRAINT "ticket_attachment_messageId_fkey" FOREIGN KEY ("messageId") REFERENCES "ticket_message"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_office" ADD CONSTRAINT "support_office_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "support_contact" ADD CONSTRAINT "support_contact_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "faq_entry" ADD CONSTRAINT "faq_entry_supplierId_fkey" FOREIGN KEY ("supplierId") REFERENCES "supplier"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The rules the code keeps, held by the database too
ALTER TABLE "ticket_category" ADD CONSTRAINT "ticket_category_targets" CHECK ("firstResponseMinutes" > 0 AND "resolutionMinutes" >= "firstResponseMinutes");
ALTER TABLE "supplier_working_hours" ADD CONSTRAINT "supplier_working_hours_valid" CHECK ("weekday" BETWEEN 1 AND 7 AND "opensAt" ~ '^([01][0-9]|2[0-3]):[0-5][0-9]$' AND "closesAt" ~ '^([01][0-9]|2[0-4]):[0-5][0-9]$' AND "opensAt" < "closesAt");
ALTER TABLE "supplier_calendar_day" ADD CONSTRAINT "supplier_calendar_day_hours" CHECK (("opensAt" IS NULL) = ("closesAt" IS NULL) AND ("opensAt" IS NULL OR "opensAt" < "closesAt"));
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_valid" CHECK ("number" > 0 AND "reopenCount" >= 0 AND ("rating" IS NULL OR "rating" BETWEEN 1 AND 5));
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_resolved_dated" CHECK ("status" NOT IN ('resolved', 'closed') OR "resolvedAt" IS NOT NULL OR "closedAt" IS NOT NULL);
ALTER TABLE "ticket" ADD CONSTRAINT "ticket_closed_dated" CHECK ("status" <> 'closed' OR "closedAt" IS NOT NULL);
ALTER TABLE "ticket_attachment" ADD CONSTRAINT "ticket_attachment_bytes" CHECK ("bytes" > 0);
ALTER TABLE "support_contact" ADD CONSTRAINT "support_contact_valid" CHECK ("audience" IN ('individuals', 'organizations', 'emergency') AND ("phone" IS NOT NULL OR "email" IS NOT NULL));
ALTER TABLE "support_office" ADD CONSTRAINT "support_office_coordinates" CHECK ("latitude" BETWEEN -90 AND 90 AND "longitude" BETWEEN -180 AND 180);
ALTER TABLE "ticket_attachment" ADD CONSTRAINT "ticket_attachment_attached" CHECK (("ticketId" IS NULL) = ("messageId" IS NULL));
