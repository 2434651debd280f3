// npm run openapi — regenerates openapi/openapi.json from the route schemas. Commit the result:
// a test fails when the committed contract differs from what the code generates.
import { mkdir, writeFile } from 'node:fs/promises'
import path from 'node:path'
import { CONTRACT_FILE, renderContract } from '../src/contract.ts'

await mkdir(path.dirname(CONTRACT_FILE), { recursive: true })
await writeFile(CONTRACT_FILE, await renderContract())
console.log(`Wrote ${path.relative(process.cwd(), CONTRACT_FILE)}`)
