import type { FastifyInstance } from 'fastify'
import { visibleSupplier } from '../access/scope.ts'
import type { AuditContext } from '../audit/audit.ts'
import type { Tx } from '../db/transaction.ts'
import { BadRequestError, NotFoundError, UnprocessableError } from '../common/errors.ts'
import type { ContactsInput, FaqInput, OfficesInput } from './schemas.ts'

/**
 * A supplier's public help: offices, contacts and questions with answers, read without login
 * and kept by its operators. Each list is replaced whole (one transaction): the order given is
 * the order shown.
 */
export function createHelpService(app: FastifyInstance) {
  async function publicSupplier(supplierId: string) {
    const [supplier] = await app.db.sql<{ id: string }>`SELECT id FROM supplier WHERE id = ${supplierId}::uuid`
    if (!supplier) throw new NotFoundError('supplier_not_found', 'No such supplier.')
  }

  async function audited(context: AuditContext, supplierId: string, entity: string, count: number, write: (tx: Tx) => Promise<void>) {
    await visibleSupplier(app, context.caller, supplierId)
    await app.transaction(async (tx) => {
      await write(tx)
      await app.audit.record(tx, context, { supplierId, entity, entityId: supplierId, action: 'replace', after: { count } })
    })
  }

  return {
    async offices(supplierId: string, near: string | undefined) {
      await publicSupplier(supplierId)
      let point: [number, number] | null = null
      if (near) {
        const [lat, lon] = near.split(',').map(Number) as [number, number]
        if (Math.abs(lat) > 90 || Math.abs(lon) > 180) {
          throw new BadRequestError('validation_failed', 'near is latitude (−90..90),longitude (−180..180).', { errors: [{ in: 'query', pointer: '#/near', detail: 'Out of range.' }] })
        }
        point = [lat, lon]
      }
      // Great-circle distance (haversine), nearest first when asked.
      const rows = await app.db.sql<{ id: string; name: string; address: string; hours: string; phones: string[]; latitude: string; longitude: string; distanceKm: number | null }>`
        SELECT id, name, address, hours, phones, latitude::text, longitude::text,
          CASE WHEN ${point?.[0] ?? null}::float8 IS NULL THEN NULL ELSE round((6371 * 2 * asin(sqrt(
            power(sin(radians(latitude::float8 - ${point?.[0] ?? null}::float8) / 2), 2) +
            cos(radians(${point?.[0] ?? null}::float8)) * cos(radians(latitude::float8)) * power(sin(radians(longitude::float8 - ${point?.[1] ?? null}::float8) / 2), 2))))::numeric, 1)::float8 END AS "distanceKm"
        FROM support_office WHERE "supplierId" = ${supplierId}::uuid
        ORDER BY "distanceKm" NULLS LAST, position, name`
      return { items: rows.map((r) => ({ ...r, latitude: Number(r.latitude), longitude: Number(r.longitude) })) }
    },

    async contacts(supplierId: string) {
      await publicSupplier(supplierId)
      const rows = await app.db.sql<{ id: string; audience: 'individuals' | 'organizations' | 'emergency'; label: string; phone: string | null; email: string | null }>`
        SELECT id, audience, label, phone, email FROM support_contact WHERE "supplierId" = ${supplierId}::uuid ORDER BY position`
      return { items: rows }
    },

    async faq(supplierId: string, topic: string | undefined) {
      await publicSupplier(supplierId)
      const rows = await app.db.sql<{ id: string; topic: string; question: string; answer: string }>`
        SELECT id, topic, question, answer FROM faq_entry
        WHERE "supplierId" = ${supplierId}::uuid AND (${topic ?? null}::text IS NULL OR topic = ${topic ?? null}::text) ORDER BY position`
      return { items: rows }
    },

    async setOffices(context: AuditContext, supplierId: string, input: OfficesInput) {
      const items = input.items
      await audited(context, supplierId, 'support_offices', items.length, async (tx) => {
        await tx.sql`DELETE FROM support_office WHERE "supplierId" = ${supplierId}::uuid`
        await tx.sql`
          INSERT INTO support_office (id, "supplierId", name, address, hours, phones, latitude, longitude, position)
          SELECT gen_random_uuid(), ${supplierId}::uuid, o.name, o.address, o.hours, ARRAY(SELECT jsonb_array_elements_text(o.phones)), o.latitude, o.longitude, o.position
          FROM jsonb_to_recordset(${JSON.stringify(items.map((o, position) => ({ ...o, position })))}::jsonb)
            AS o(name text, address text, hours text, phones jsonb, latitude numeric, longitude numeric, position int)`
      })
      return this.offices(supplierId, undefined)
    },

    async setContacts(context: AuditContext, supplierId: string, input: ContactsInput) {
      input.items.forEach((c, i) => {
        if (!c.phone && !c.email) {
          throw new UnprocessableError('contact_incomplete', 'A contact needs a phone, a mail address or both.', { errors: [{ in: 'body', pointer: `#/items/${i}`, detail: 'No phone and no email.' }] })
        }
      })
      await audited(context, supplierId, 'support_contacts', input.items.length, async (tx) => {
        await tx.sql`DELETE FROM support_contact WHERE "supplierId" = ${supplierId}::uuid`
        await tx.sql`
          INSERT INTO support_contact (id, "supplierId", audience, label, phone, email, position)
          SELECT gen_random_uuid(), ${supplierId}::uuid, c.audience, c.label, c.phone, c.email, c.position
          FROM jsonb_to_recordset(${JSON.stringify(input.items.map((c, position) => ({ ...c, position })))}::jsonb)
            AS c(audience text, label text, phone text, email text, position int)`
      })
      return this.contacts(supplierId)
    },

    async setFaq(context: AuditContext, supplierId: string, input: FaqInput) {
      await audited(context, supplierId, 'faq', input.items.length, async (tx) => {
        await tx.sql`DELETE FROM faq_entry WHERE "supplierId" = ${supplierId}::uuid`
        await tx.sql`
          INSERT INTO faq_entry (id, "supplierId", topic, question, answer, position)
          SELECT gen_random_uuid(), ${supplierId}::uuid, f.topic, f.question, f.answer, f.position
          FROM jsonb_to_recordset(${JSON.stringify(input.items.map((f, position) => ({ ...f, position })))}::jsonb)
            AS f(topic text, question text, answer text, position int)`
      })
      return this.faq(supplierId, undefined)
    },
  }
}

export type HelpService = ReturnType<typeof createHelpService>
