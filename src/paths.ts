import { existsSync } from 'node:fs'
import path from 'node:path'

/**
 * The folder holding package.json and prisma/. Found by walking up, because the same modules run
 * from src/ (tsx, tests) and from dist/src/ (the production build).
 */
function findProjectRoot(start: string): string {
  let dir = start
  while (!existsSync(path.join(dir, 'package.json')) || !existsSync(path.join(dir, 'prisma'))) {
    const parent = path.dirname(dir)
    if (parent === dir) throw new Error(`no project root (package.json with prisma/) above ${start}`)
    dir = parent
  }
  return dir
}

export const PROJECT_ROOT = findProjectRoot(import.meta.dirname)
