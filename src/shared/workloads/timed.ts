import { z } from 'zod'
import { excerpt } from '../excerpt'
import type { WorkloadEntry } from './entry'
import { choicesField } from './fields'

/** The longest a timed task may take: a minute, so a typo cannot tie a pool up for hours. */
export const MAX_TASK_MS = 60_000
/** At most this many durations to draw from. */
const MAX_MS_CHOICES = 64

const msAllowed = (issue: { input?: unknown }): string =>
  `ms must be a number of milliseconds from 0 to ${MAX_TASK_MS} (a minute) per task (got ${excerpt(issue.input)})`
const msSchema = z
  .array(z.number({ error: msAllowed }).min(0, { error: msAllowed }).max(MAX_TASK_MS, { error: msAllowed }))
  .min(1, 'ms needs at least one value')
  .max(MAX_MS_CHOICES, `ms may list at most ${MAX_MS_CHOICES} values`)

/**
 * A workload whose task takes a given number of milliseconds and returns how long it measured: the
 * calibrated work that shows a pool's behaviour without the workload's own noise. `busy_wait` and
 * `sleep` differ only in their kernel and in how they spend the time.
 */
export function timedWorkload(options: {
  name: string
  title: string
  description: string
  lookFor: string
  /** What a task does for its duration, for the field's help. */
  doing: string
}): WorkloadEntry {
  const { name } = options
  return {
    name,
    title: options.title,
    description: options.description,
    lookFor: options.lookFor,
    params: ['ms'],
    layout: 'values',
    valueFormat: 'float',
    fields: [
      choicesField({
        key: 'ms',
        label: 'ms',
        help: `milliseconds each task ${options.doing}, or a set such as 1,5,20 that each task draws one of`,
        defaultText: '5',
        example: '1,5,20',
        whole: false
      })
    ],
    recipeSchema: z.object({ ms: msSchema }),
    recipeTasks: (recipe) => ({ kind: 'draw', choices: (recipe.ms as number[]).map((ms) => [ms]) }),
    parseCall(args) {
      if (args.length !== 1) return { ok: false, error: `${name} takes 1 argument (ms), got ${args.length}` }
      const ms = args[0]
      if (typeof ms !== 'number' || !Number.isFinite(ms) || ms < 0 || ms > MAX_TASK_MS) {
        return {
          ok: false,
          error: `ms must be a number of milliseconds from 0 to ${MAX_TASK_MS}, got ${excerpt(ms)}`,
          arg: 0
        }
      }
      return { ok: true, call: { elements: [], plan: { kernel: name, layout: 'values', args: [ms] } } }
    },
    costNs: (call) => (call.plan.layout === 'values' ? call.plan.args[0] * 1e6 : 0),
    // The kernels report whole microseconds as they go.
    workUnits: (call) => (call.plan.layout === 'values' ? Math.floor(call.plan.args[0] * 1000) : 0)
  }
}

export const busyWait = timedWorkload({
  name: 'busy_wait',
  title: 'Spin for ms (busy_wait)',
  description:
    'Spins on the CPU for ms milliseconds and returns the time it measured: work that needs a core.',
  lookFor:
    'The reference for CPU-bound work: with equal durations the speedup follows the thread count up to the cores and stops there; more threads than cores only take turns, and each task then takes longer than it asked.',
  doing: 'spins on the CPU'
})

export const sleep = timedWorkload({
  name: 'sleep',
  title: 'Wait for ms (sleep)',
  description:
    'Waits ms milliseconds without using the CPU and returns the time it measured: why more threads than cores can still help.',
  lookFor:
    'Waiting overlaps: with more threads than cores the timeline shows every lane waiting at once and the wall time falls with each thread added, while the cores view stays nearly idle.',
  doing: 'waits'
})
