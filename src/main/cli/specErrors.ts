import { ErrorCodes, PoolScopeError } from '../../shared/errors'
import { UsageError } from './args'

/** Which flag sets each spec field, so a refusal from the plan still names what the user typed. */
const FLAG_OF_PATH: ReadonlyMap<string, string> = new Map([
  ['workload', '--workload'],
  ['style', '--style'],
  ['threads', '--threads'],
  ['chunkSize', '--chunksize'],
  ['keep', '--keep'],
  ['inputs.elements', '--elements'],
  ['inputs.tasks', '--tasks'],
  ['inputs.n', '--n'],
  ['inputs.seed', '--seed'],
  ['inputs.args', '--args-file']
])

/**
 * Turns a refusal from `engine.plan` into a one-line usage error naming the flag: spec messages
 * start with the field's path (`threads: threads must be at most 256`) or with `task N:`.
 */
export function specErrorToUsage(err: PoolScopeError, argsFlag: string): UsageError {
  if (err.code === ErrorCodes.UNKNOWN_WORKLOAD) return new UsageError('--workload', err.message)
  if (err.code === ErrorCodes.OVER_BUDGET) {
    return new UsageError('--keep', `${err.message} (--keep count or --keep N)`)
  }
  const first = err.message.split('; ')[0]
  const colon = first.indexOf(': ')
  if (colon > 0) {
    const path = first.slice(0, colon)
    const flag = FLAG_OF_PATH.get(path) ?? FLAG_OF_PATH.get(path.split('.').slice(0, 2).join('.'))
    if (flag) return new UsageError(flag, first.slice(colon + 2))
    if (/^task \d+$/.test(path)) return new UsageError(argsFlag, first)
  }
  if (/use the starmap call style/.test(err.message)) return new UsageError('--style', err.message)
  return new UsageError(null, err.message)
}
