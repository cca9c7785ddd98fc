// Benchmark 3, one side per fresh process: runs the 8.1M-tuple job once (engine or raw Piscina,
// pool start-up included) and prints the process's peak RSS (VmHWM) as JSON. Worker threads live
// in this process, so their memory is in the figure. Usage: node memory-child.js engine|raw
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { buildDir } from './build.js'
import { BIG, bigSpec, createRawPool, engineRun, procStatus, rawBig, THREADS } from './lib.js'

const which = process.argv[2]
const before = procStatus()
let after
let wallMs
if (which === 'engine') {
  const { Engine } = createRequire(import.meta.url)(join(buildDir, 'engine.cjs'))
  // The app's default results budget, as a user would run it.
  const engine = new Engine({ workerFile: join(buildDir, 'worker.cjs'), hardwareThreads: THREADS })
  const run = await engineRun(engine, bigSpec(), BIG.tuples)
  wallMs = run.wallMs
  after = procStatus()
  await engine.dispose()
} else if (which === 'raw') {
  const pool = await createRawPool()
  const run = await rawBig(pool)
  wallMs = run.wallMs
  after = procStatus()
  await pool.destroy()
} else {
  console.error('usage: node memory-child.js engine|raw')
  process.exit(2)
}
process.stdout.write(
  JSON.stringify({
    which,
    wallMs,
    startKiB: before.rssKiB,
    hwmKiB: after.hwmKiB,
    rssAtEndKiB: after.rssKiB
  }) + '\n'
)
