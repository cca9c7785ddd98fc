import { planSteps, type JobPlan } from '../../shared/plan'
import { Slicer } from './slicer'

/**
 * `planJob` without stalling the host: the planner runs in slices, handing the event loop back
 * between them, so planning ten million tasks (about a second) never keeps another client's
 * `engine.info` or a running job's progress waiting for more than a slice.
 */
export async function planJobAsync(
  input: unknown,
  hardwareThreads: number,
  slicer = new Slicer()
): Promise<JobPlan> {
  const steps = planSteps(input, hardwareThreads)
  for (;;) {
    const step = steps.next()
    if (step.done) return step.value
    if (slicer.due) await slicer.pause()
  }
}
