import { tsImport } from 'tsx/esm/api'

export default async function globalTeardown() {
  const { dropDatabase } = await tsImport('../../src/db/scratch.ts', import.meta.url)
  const server = globalThis.abonentTestServer
  const template = process.env.ABONENT_TEST_TEMPLATE
  if (server && template) await dropDatabase(server.serverUrl, template).catch(() => {})
  await server?.stop()
}
