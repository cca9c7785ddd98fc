import { describe, expect, it } from 'vitest'
import { findLesson, LESSONS } from '../../../src/shared/lessons'
import { planJob } from '../../../src/shared/plan'

describe('lessons', () => {
  it('have unique ids and titles, and one sentence each on what they show', () => {
    expect(new Set(LESSONS.map((l) => l.id)).size).toBe(LESSONS.length)
    expect(new Set(LESSONS.map((l) => l.title)).size).toBe(LESSONS.length)
    for (const lesson of LESSONS) {
      expect(lesson.shows, lesson.id).toMatch(/^[A-Z].{30,200}[.:]$/)
    }
    expect(findLesson('memory-wall')?.spec.workload).toBe('stream')
    expect(findLesson('__proto__')).toBeUndefined()
  })

  it.each(LESSONS.map((l) => [l.id, l] as const))(
    '%s plans as it is on a 2-core machine, in seconds at most (the form test loads each into the form)',
    (_id, lesson) => {
      const plan = planJob(lesson.spec, 2)
      expect(plan.estimatedMs).toBeLessThan(5000)
    }
  )

  it('the Fibonacci lesson draws a few big tasks among small ones', () => {
    const plan = planJob(findLesson('few-big-fibonacci')!.spec, 2)
    const ns = Array.from(plan.callIndex, (call) => plan.calls[call].args[0] as number)
    const big = ns.filter((n) => n === 35).length
    expect(big).toBeGreaterThanOrEqual(2)
    expect(big).toBeLessThanOrEqual(6)
    expect(ns.filter((n) => n <= 25).length).toBeGreaterThanOrEqual(6)
    // The last task is a big one, so one lane runs it alone at the end.
    expect(ns[ns.length - 1]).toBe(35)
  })

  it('the imbalance lessons give their heavy tasks several times the cost of their light ones', () => {
    for (const id of ['imbalance-primes', 'imbalance-mandelbrot']) {
      const plan = planJob(findLesson(id)!.spec, 2)
      const costs = plan.calls.map((call) => plan.workload.costNs(call))
      expect(Math.max(...costs), id).toBeGreaterThan(2 * Math.min(...costs))
    }
  })
})
