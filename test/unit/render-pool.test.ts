import { moduleLoaderArgs } from '../../src/rendering/render-pool.ts'

describe('the flags a render thread inherits', () => {
  it('keeps how modules load (tsx) and drops process-wide V8 flags, which worker threads refuse', () => {
    const execArgv = ['--max-semi-space-size=16', '--require', '/app/node_modules/tsx/dist/preflight.cjs', '--import', 'file:///app/node_modules/tsx/dist/loader.mjs', '--cpu-prof', '--import=tsx', '--conditions=development']
    expect(moduleLoaderArgs(execArgv)).toEqual([
      '--require',
      '/app/node_modules/tsx/dist/preflight.cjs',
      '--import',
      'file:///app/node_modules/tsx/dist/loader.mjs',
      '--import=tsx',
      '--conditions=development',
    ])
    expect(moduleLoaderArgs([])).toEqual([])
  })
})
