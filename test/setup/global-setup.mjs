// Runs once, in Jest's parent process, before any worker: starts the test PostgreSQL server and
// builds the migrated template database. Plain ESM (Jest loads global setup outside its ESM
// transform), importing the TypeScript sources through tsx.
import { tsImport } from 'tsx/esm/api'

export default async function globalSetup() {
  const { startTestServer, createTemplateDatabase } = await tsImport('./test-server.ts', import.meta.url)
  const server = await startTestServer()
  globalThis.abonentTestServer = server
  // Workers are forked after this and inherit the environment.
  process.env.ABONENT_TEST_SERVER_URL = server.serverUrl
  process.env.ABONENT_TEST_TEMPLATE = await createTemplateDatabase(server.serverUrl)
  console.log(`\ntest database server: ${server.kind}`)
}
