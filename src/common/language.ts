/**
 * The language of problem texts: Russian unless the client prefers English (`Accept-Language:
 * en`, or English weighted above Russian). Codes never change with it.
 */
export function prefersEnglish(acceptLanguage: string | undefined): boolean {
  if (!acceptLanguage) return false
  let english = 0
  let russian = 0
  for (const part of acceptLanguage.split(',').slice(0, 20)) {
    const [range = '', ...params] = part.trim().toLowerCase().split(';')
    const q = params.map((p) => /^\s*q=([01](?:\.\d{0,3})?)\s*$/.exec(p)?.[1]).find(Boolean)
    const weight = q === undefined ? 1 : Number(q)
    if (range === 'en' || range.startsWith('en-')) english = Math.max(english, weight)
    else if (range === 'ru' || range.startsWith('ru-')) russian = Math.max(russian, weight)
  }
  return english > russian
}
