import { DEFAULT_N_CHOICES, planJob, type JobPlan } from '../../shared/plan'
import { FieldSchemas, type JobSpecInput } from '../../shared/spec'
import { argsToPython } from '../engine/argsText'
import type { EngineHost } from '../host/engineHost'
import { flagText, parseFlags } from './args'
import { writeOut, type CliIo } from './io'
import { callHost, runJob } from './jobSession'
import { formatMs, notebookHeader, timingLines } from './output'
import { exitCodeOf, planOrRefuse, printResultsOf } from './runCommand'
import { parseFieldFlag, parseSeed, randomSeed } from './runOptions'
import { NOTEBOOK_USAGE } from './usage'

const NOTEBOOK_FLAGS = [
  { name: '--threads', example: '4' },
  { name: '--seed', example: '42' },
  { name: '--help' }
]

/** The notebook's `tuple(range(6))`. */
const TEST_PARAMETER = [0, 1, 2, 3, 4, 5]

/** The map cell: `p.map(get_combinations, data)` with `data` = 2 x threads copies of range(6). */
export function mapCellSpec(threads: number): JobSpecInput {
  return {
    workload: 'combinations',
    style: 'map',
    threads,
    inputs: { kind: 'recipe', elements: TEST_PARAMETER, tasks: threads * 2 }
  }
}

/** The starmap cell: `p.starmap(get_combinations_n, data)`, n = `random.choice((2, 3, 4))` per task after `random.seed(seed)`. */
export function starmapCellSpec(threads: number, seed: number): JobSpecInput {
  return {
    workload: 'combinations_n',
    style: 'starmap',
    threads,
    inputs: { kind: 'recipe', elements: TEST_PARAMETER, tasks: threads * 2, n: [...DEFAULT_N_CHOICES], seed }
  }
}

/** `print(data[-1])` of the starmap cell, e.g. `((0, 1, 2, 3, 4, 5), 3)`. */
export function lastTaskArgs(plan: JobPlan): string {
  return argsToPython(plan.calls[plan.callIndex[plan.taskCount - 1]].args)
}

/**
 * `poolscope notebook`: the notebook's two Pool cells as they run on this machine, printing what
 * they printed, plus the pool start-up (measured apart) and each cell's time on the warm pool.
 */
/**
 * One notebook cell: runs it, prints the notebook's two lines and then every result as
 * `for r in result: print(r)` does; when Ctrl-C stopped it, prints the timing summary instead.
 */
async function runCell(
  host: EngineHost,
  spec: JobSpecInput,
  io: CliIo
): Promise<Awaited<ReturnType<typeof runJob>>> {
  const cell = await runJob(host, spec, io)
  await writeOut(io.stdout, notebookHeader(cell.summary).join('\n') + '\n')
  if (cell.interrupted) await writeOut(io.stdout, timingLines(cell.summary).join('\n') + '\n')
  else await printResultsOf(host, cell.jobId, io)
  return cell
}

export async function notebookCommand(argv: readonly string[], io: CliIo, host: EngineHost): Promise<number> {
  const flags = parseFlags(argv, NOTEBOOK_FLAGS, 'notebook')
  if (flags.has('--help')) {
    await writeOut(io.stdout, NOTEBOOK_USAGE + '\n')
    return 0
  }
  const threadsText = flagText(flags, '--threads')
  const { hardwareThreads } = await callHost(host, 'engine.info', {})
  const threads =
    threadsText === undefined
      ? hardwareThreads
      : parseFieldFlag('--threads', threadsText, FieldSchemas.threads)
  const seedText = flagText(flags, '--seed')
  const seed = seedText === undefined ? randomSeed() : parseSeed(seedText)
  const mapSpec = mapCellSpec(threads)
  const starmapSpec = starmapCellSpec(threads, seed)
  // Both cells are checked before the pool starts.
  await planOrRefuse(host, mapSpec, '--threads')
  await planOrRefuse(host, starmapSpec, '--threads')
  // The host checked the cell; its last task's arguments come from the same shared planner.
  const starmapPlan = planJob(starmapSpec, hardwareThreads)

  const mapCell = await runCell(host, mapSpec, io)
  if (mapCell.interrupted) return 130
  await writeOut(
    io.stdout,
    [
      `Pool start-up: ${formatMs(mapCell.summary.poolStartupMs)} (${threads} threads, measured apart from the cells)`,
      `Map cell on the warm pool: ${formatMs(mapCell.summary.wallMs)}`,
      '',
      `Seed: ${seed} (random.seed(${seed}); repeat with --seed ${seed})`,
      lastTaskArgs(starmapPlan),
      ''
    ].join('\n')
  )

  const starmapCell = await runCell(host, starmapSpec, io)
  if (starmapCell.interrupted) return 130
  await writeOut(io.stdout, `Starmap cell on the warm pool: ${formatMs(starmapCell.summary.wallMs)}\n`)
  return Math.max(exitCodeOf(mapCell), exitCodeOf(starmapCell))
}
