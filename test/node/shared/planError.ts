import { PoolScopeError } from '../../../src/shared/errors'
import { planJob } from '../../../src/shared/plan'

/** The error `planJob` refuses a spec with on a 2-thread machine; fails the test if it accepts it. */
export function planError(spec: unknown): PoolScopeError {
  try {
    planJob(spec, 2)
  } catch (err) {
    if (err instanceof PoolScopeError) return err
    throw err
  }
  throw new Error('planJob accepted the spec')
}
