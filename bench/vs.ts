// npm run bench:readings:vs [ref] — one benchmark script run against the code of an earlier commit
// and against this checkout, alternating (A B, B A, …) in one run so that the machine's drift
// falls on both; prints each run's table, then the medians side by side and their ratios.
// Usage: tsx bench/vs.ts <script> [ref]   (BENCH_PAIRS, default 2; BENCH_DURATION_S passes through)
// The earlier commit runs its own copy of the script, with its own migrations, in a temporary
// git worktree that shares this checkout's node_modules.
import { execFileSync, spawn } from 'node:child_process'
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { loadConfig } from '../src/config.ts'
import { resolveDatabase } from '../src/db/prepare.ts'

const [script, ref = '88d33f8'] = process.argv.slice(2)
if (!script) throw new Error('usage: tsx bench/vs.ts <script> [ref]')
const PAIRS = Number(process.env.BENCH_PAIRS ?? 2)
const here = resolve('.')
const there = mkdtempSync(join(tmpdir(), 'abonent-vs-'))
// One PostgreSQL server for both sides (each script makes and drops its own scratch database).
const server = await resolveDatabase(loadConfig({ ...process.env, LOG_LEVEL: 'warn' }), () => {})

interface Row {
  run: string
  rps: number
  p50: number
  p99: number
  other: number
}

function run(cwd: string): Promise<Row[]> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script!], { cwd, env: { ...process.env, DATABASE_URL: server.url }, stdio: ['ignore', 'pipe', 'inherit'] })
    let out = ''
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()))
    child.on('exit', (code) => {
      if (code !== 0) return fail(new Error(`${script} in ${cwd} exited with ${code}:\n${out}`))
      // Table rows: a name, then req/s, p50, p90, p99, max, 2xx, other.
      const rows = [...out.matchAll(/^(.+?)\s{2,}(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(\d+)\s*$/gm)].map((m) => ({
        run: m[1]!.trim(),
        rps: Number(m[2]),
        p50: Number(m[3]),
        p99: Number(m[5]),
        other: Number(m[8]),
      }))
      console.log(out.trim().split('\n').slice(-rows.length - 1).join('\n') + '\n')
      done(rows)
    })
  })
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b)
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2
}

try {
  execFileSync('git', ['worktree', 'add', '--detach', there, ref], { stdio: 'ignore' })
  symlinkSync(join(here, 'node_modules'), join(there, 'node_modules'))
  execFileSync(process.execPath, ['scripts/prisma-generate.mjs'], { cwd: there, stdio: 'ignore' })
  const results: Record<'before' | 'after', Row[][]> = { before: [], after: [] }
  for (let pair = 0; pair < PAIRS; pair++) {
    const order: ('before' | 'after')[] = pair % 2 ? ['after', 'before'] : ['before', 'after']
    for (const side of order) {
      console.log(`— ${side === 'before' ? `before (${ref})` : 'after (this checkout)'}, pair ${pair + 1} of ${PAIRS}`)
      results[side].push(await run(side === 'before' ? there : here))
    }
  }
  const names = results.after[0]!.map((r) => r.run)
  console.log(`medians of ${PAIRS} runs each: before = ${ref}, after = this checkout`)
  console.log('run'.padEnd(22), 'req/s before'.padStart(13), 'after'.padStart(7), 'ratio'.padStart(6), 'p50 before'.padStart(11), 'after'.padStart(6), 'p99 before'.padStart(11), 'after'.padStart(6), 'errors'.padStart(7))
  for (const name of names) {
    const pick = (side: 'before' | 'after', key: 'rps' | 'p50' | 'p99' | 'other') => median(results[side].map((rows) => rows.find((r) => r.run === name)?.[key] ?? NaN))
    console.log(
      name.padEnd(22),
      pick('before', 'rps').toFixed(0).padStart(13),
      pick('after', 'rps').toFixed(0).padStart(7),
      (pick('after', 'rps') / pick('before', 'rps')).toFixed(2).padStart(6),
      String(pick('before', 'p50')).padStart(11),
      String(pick('after', 'p50')).padStart(6),
      String(pick('before', 'p99')).padStart(11),
      String(pick('after', 'p99')).padStart(6),
      `${pick('before', 'other')}/${pick('after', 'other')}`.padStart(7),
    )
  }
} finally {
  await server.stop()
  execFileSync('git', ['worktree', 'remove', '--force', there], { stdio: 'ignore' })
  rmSync(there, { recursive: true, force: true })
}
