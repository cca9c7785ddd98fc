import { ErrorCodes, PoolScopeError, pathStartsWith, targetOfPath, type ErrorPath } from '../../shared/errors'
import { fieldPathText } from '../../shared/spec'
import { UsageError } from './args'

/**
 * Which flag sets each spec field, by path prefix, so a refusal from the plan still names what the
 * user typed. `inputs.args` (a task's own arguments) is not here: it comes from the flag the caller
 * names, the args file.
 */
const FLAG_OF_PATH: readonly (readonly [ErrorPath, string])[] = [
  [['workload'], '--workload'],
  [['style'], '--style'],
  [['threads'], '--threads'],
  [['chunkSize'], '--chunksize'],
  [['keep'], '--keep'],
  [['taskTimeoutMs'], '--task-timeout'],
  [['inputs', 'elements'], '--elements'],
  [['inputs', 'tasks'], '--tasks'],
  [['inputs', 'n'], '--n'],
  [['inputs', 'seed'], '--seed']
]

/**
 * Turns a refusal from `job.plan` into a one-line usage error naming the flag its path belongs to.
 * A schema message starts with the field's path (`threads: threads must be at most 256`), which the
 * flag replaces.
 */
export function specErrorToUsage(err: PoolScopeError, argsFlag: string): UsageError {
  if (err.code === ErrorCodes.OVER_BUDGET) {
    return new UsageError('--keep', `${err.message} (--keep count or --keep N)`)
  }
  const { path } = err
  if (path === undefined) return new UsageError(null, err.message)
  const flag =
    targetOfPath(FLAG_OF_PATH, path) ?? (pathStartsWith(path, ['inputs', 'args']) ? argsFlag : null)
  const prefix = `${fieldPathText(path)}: `
  const message = err.message.startsWith(prefix) ? err.message.slice(prefix.length) : err.message
  return new UsageError(flag, message)
}
