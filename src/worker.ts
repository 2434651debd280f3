import { startProcess } from './process.ts'

/**
 * `npm run worker`: a process that runs only the background jobs (mail, reminders, import
 * merges, sweeps), no HTTP. Run as many as the work needs beside any number of API processes
 * (PROCESS_ROLES=api) on one PostgreSQL.
 */
startProcess({ ...process.env, PROCESS_ROLES: 'worker' }).catch((error: unknown) => {
  console.error(error)
  process.exit(1)
})
