/** Small pieces of English the problem details are built from. */

/** 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 22nd, 23rd... */
export function ordinal(n: number): string {
  const tens = n % 100
  if (tens >= 11 && tens <= 13) return `${n}th`
  return `${n}${({ 1: 'st', 2: 'nd', 3: 'rd' } as Record<number, string>)[n % 10] ?? 'th'}`
}

const plural = (n: number, one: string, few: string, many: string) => {
  const tens = n % 100
  const units = n % 10
  if (tens >= 11 && tens <= 14) return many
  return units === 1 ? one : units >= 2 && units <= 4 ? few : many
}

/** A rate window in Russian, as it follows «за»: "1 минуту", "15 минут", "1 день", "2 часа". */
export function describeWindowRu(ms: number): string {
  const units: [number, [string, string, string]][] = [
    [86_400_000, ['день', 'дня', 'дней']],
    [3_600_000, ['час', 'часа', 'часов']],
    [60_000, ['минуту', 'минуты', 'минут']],
    [1000, ['секунду', 'секунды', 'секунд']],
  ]
  for (const [size, forms] of units) {
    if (ms >= size && ms % size === 0) return `${ms / size} ${plural(ms / size, ...forms)}`
  }
  const seconds = Math.round(ms / 1000)
  return `${seconds} ${plural(seconds, 'секунду', 'секунды', 'секунд')}`
}

/** A rate window as people say it: "1 minute", "15 minutes", "1 hour", "90 seconds". */
export function describeWindow(ms: number): string {
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ]
  for (const [size, unit] of units) {
    if (ms >= size && ms % size === 0) {
      const count = ms / size
      return `${count} ${unit}${count === 1 ? '' : 's'}`
    }
  }
  return `${Math.round(ms / 1000)} seconds`
}
