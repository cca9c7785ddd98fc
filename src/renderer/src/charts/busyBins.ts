/** The busy-time bins live in shared code: the engine host bins finished jobs with the same code. */
export * from '../../../shared/busyBins'
