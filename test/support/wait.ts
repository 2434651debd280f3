/** Polls until `check` holds; the bound is generous because a busy machine is slow, never wrong. */
export async function waitFor<T>(check: () => Promise<T | undefined | false>, what: string, ms = 120_000): Promise<T> {
  const until = Date.now() + ms
  while (Date.now() < until) {
    const value = await check()
    if (value) return value
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`timed out waiting for ${what}`)
}
