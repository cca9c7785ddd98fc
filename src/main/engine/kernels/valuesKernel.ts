/**
 * Called during a long task with the work done since the last call, in the units its workload's
 * `workUnits` counts (numbers examined, microseconds waited); returns false to stop.
 */
export type ValuesCheckpoint = (workSinceLast: number) => boolean

/** A kernel whose task yields one number (a count, a duration). */
export interface ValuesKernel {
  readonly layout: 'values'
  /** Computes one task from its numeric arguments; returns null when a checkpoint asked it to stop. */
  run(args: readonly number[], checkpoint: ValuesCheckpoint): number | null
}
