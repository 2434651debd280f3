import { startProcess } from './process.ts'

// `npm start`: the API, and the worker too unless PROCESS_ROLES says otherwise.
startProcess().catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
