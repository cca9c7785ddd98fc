import { cpus } from 'node:os'
import { Agent } from '../cluster/agent'
import { redactRedisUrl, redisAccessProblem } from '../engine/backends/cluster/connection'
import { LIMITS } from '../../shared/spec'
import { UsageError, flagText, parseFlags, parseWhole, quote, type FlagDefinition } from './args'
import { writeOut, type CliIo } from './io'
import { AGENT_USAGE } from './usage'

export const AGENT_FLAGS: readonly FlagDefinition[] = [
  { name: '--redis', example: 'redis://127.0.0.1:6379' },
  { name: '--threads', example: '4' },
  { name: '--name', example: 'lab-1' },
  { name: '--allow-code' },
  { name: '--help' }
]

/** An agent's name goes into Redis keys and onto the timeline: short, printable, no spaces. */
const NAME = /^[A-Za-z0-9._-]{1,64}$/

/**
 * `poolscope agent`: runs chunks of cluster jobs on this machine's threads until Ctrl-C (or
 * SIGTERM), then deregisters. Exit codes: 0 stopped, 1 could not start (Redis unreachable), 2 bad
 * arguments.
 */
export async function agentCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const flags = parseFlags(argv, AGENT_FLAGS, 'agent')
  if (flags.has('--help')) {
    await writeOut(io.stdout, AGENT_USAGE + '\n')
    return 0
  }
  const redis = flagText(flags, '--redis')
  if (redis === undefined) {
    throw new UsageError(
      '--redis',
      'is required: the Redis server to take chunks from, e.g. --redis redis://127.0.0.1:6379'
    )
  }
  if (!/^rediss?:\/\/\S+$/.test(redis)) {
    throw new UsageError(
      '--redis',
      `must be a redis:// or rediss:// URL (got ${quote(redactRedisUrl(redis))})`
    )
  }
  const threadsText = flagText(flags, '--threads')
  const threads =
    threadsText === undefined ? cpus().length : parseWhole('--threads', threadsText, 1, LIMITS.maxThreads)
  const name = flagText(flags, '--name')
  if (name !== undefined && !NAME.test(name)) {
    throw new UsageError(
      '--name',
      `must be 1 to 64 letters, digits, dots, dashes or underscores (got ${quote(name)})`
    )
  }
  const problem = redisAccessProblem(redis)
  if (problem) throw new UsageError('--redis', problem)
  const allowCode = flags.has('--allow-code')
  const agent = await Agent.start({
    redis,
    threads,
    allowCode,
    ...(name === undefined ? {} : { name }),
    workerFile: io.workerFile,
    onError: (error) => io.stderr.write(`poolscope agent: ${error.message.split('\n', 1)[0]}\n`)
  })
  const info = agent.info()
  await writeOut(
    io.stdout,
    `poolscope agent ${agent.name}: ${threads} thread${threads === 1 ? '' : 's'}, taking chunks from ` +
      `${redactRedisUrl(redis)}; clock ${info.clockOffsetMs.toFixed(3)} ± ${info.clockUncertaintyMs.toFixed(3)} ms ` +
      `from the Redis server's; ${allowCode ? 'runs custom code too (--allow-code)' : 'runs no custom code'}. ` +
      `Ctrl-C stops it.\n`
  )
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      io.signals.off('SIGINT', stop)
      process.off('SIGTERM', stop)
      resolve()
    }
    io.signals.on('SIGINT', stop)
    process.on('SIGTERM', stop)
  })
  await agent.stop()
  await writeOut(
    io.stdout,
    `poolscope agent ${agent.name}: stopped after ${agent.info().chunksDone} chunks\n`
  )
  // With its Redis gone, BullMQ's worker keeps reconnect timers of its own that no close reaches:
  // an agent's process ends anyway, a second after its stop (the timer holds nothing open itself).
  if (io.signals === process) setTimeout(() => process.exit(0), 1000).unref()
  return 0
}
