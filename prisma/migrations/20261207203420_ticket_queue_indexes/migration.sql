-- CreateIndex
CREATE INDEX "ticket_open_queue" ON "ticket"("supplierId", "resolutionDueAt", "id") WHERE (status = ANY (ARRAY['new'::"TicketStatus", 'in_progress'::"TicketStatus", 'waiting_customer'::"TicketStatus"]));

-- CreateIndex
CREATE INDEX "ticket_unanswered_queue" ON "ticket"("supplierId", "firstResponseDueAt") WHERE (("firstRespondedAt" IS NULL) AND (status = ANY (ARRAY['new'::"TicketStatus", 'in_progress'::"TicketStatus", 'waiting_customer'::"TicketStatus"])));
