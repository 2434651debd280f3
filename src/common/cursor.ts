import { BadRequestError } from './errors.ts'

/**
 * Keyset-pagination cursors: the sort key of the last item of a page, as base64url JSON. Opaque
 * to clients; a tampered or foreign cursor is a 400 `invalid_cursor`, never a 500.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string, shape: readonly ('string' | 'number')[]): (string | number)[] {
  let key: unknown
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
  } catch {
    key = undefined
  }
  const valid =
    Array.isArray(key) && key.length === shape.length && key.every((part, i) => typeof part === shape[i])
  if (!valid) throw new BadRequestError('invalid_cursor', 'The cursor is not one this list returned; start again without it.')
  return key as (string | number)[]
}

/**
 * One page of a keyset-paginated list: `rows` were fetched with `take: limit + 1`, so one more
 * row than the page means there is a next page, which starts after the last item's key.
 */
export function pageOf<Row, Item>(
  rows: Row[],
  limit: number,
  keyOf: (row: Row) => readonly (string | number)[],
  itemOf: (row: Row) => Item,
): { items: Item[]; nextCursor: string | null } {
  const page = rows.slice(0, limit)
  const last = page.at(-1)
  return { items: page.map(itemOf), nextCursor: rows.length > limit && last !== undefined ? encodeCursor(keyOf(last)) : null }
}
