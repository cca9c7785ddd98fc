import { ErrorCodes, PoolScopeError, pathStartsWith, targetOfPath, type ErrorPath } from '../../shared/errors'
import { messageWithoutPath } from '../../shared/spec'
import { UsageError } from './args'

/**
 * Which flag sets each spec field, by path prefix, so a refusal from the plan still names what the
 * user typed. A recipe's fields (`inputs.tasks`, `inputs.elements`…) are flags of their own name;
 * `inputs.args` (a task's own arguments) comes from the flag the caller names, the args file.
 */
const FLAG_OF_PATH: readonly (readonly [ErrorPath, string])[] = [
  [['workload'], '--workload'],
  [['style'], '--style'],
  [['threads'], '--threads'],
  [['chunkSize'], '--chunksize'],
  [['keep'], '--keep'],
  [['backend'], '--backend'],
  [['taskTimeoutMs'], '--task-timeout'],
  [['code'], '--code']
]

/** A recipe's fields are flags of the same name: `inputs.n.0` is set by `--n`. */
function recipeFlag(path: ErrorPath): string | null {
  const [first, key] = path
  return first === 'inputs' && typeof key === 'string' && key !== 'args' && key !== 'kind' ? `--${key}` : null
}

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
    targetOfPath(FLAG_OF_PATH, path) ??
    recipeFlag(path) ??
    (pathStartsWith(path, ['inputs', 'args']) ? argsFlag : null)
  return new UsageError(flag, messageWithoutPath(err.message, path))
}
