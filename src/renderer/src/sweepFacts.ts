import type { HistoryEntry } from '../../shared/protocol'
import { formatDuration } from './format'

/**
 * What the history list says of a saved sweep beside its name: workload, thread counts, back ends,
 * points, the fitted serial fraction when there is one, how long it took, and how it ended.
 */
export function sweepFacts(entry: HistoryEntry): string[] {
  const { facts } = entry
  const parts: string[] = ['sweep']
  if (typeof facts.workload === 'string') parts.push(facts.workload)
  if (typeof facts.threadsList === 'string') {
    const on = typeof facts.backends === 'string' ? ` on ${facts.backends.replace(', ', ' and ')}` : ''
    parts.push(`threads ${facts.threadsList}${on}`)
  }
  if (typeof facts.points === 'number') {
    const measured = typeof facts.pointsMeasured === 'number' ? facts.pointsMeasured : facts.points
    parts.push(
      measured === facts.points
        ? `${facts.points} ${facts.points === 1 ? 'point' : 'points'}`
        : `${measured} of ${facts.points} points`
    )
  }
  if (typeof facts.serialFraction === 'number')
    parts.push(`serial fraction ${facts.serialFraction.toFixed(3)}`)
  if (typeof facts.wallMs === 'number') parts.push(formatDuration(facts.wallMs))
  if (typeof facts.status === 'string' && facts.status !== 'done') parts.push(facts.status)
  return parts
}
