import type { ResultRow } from '../../../shared/protocol'

/**
 * A task's tuples as Python would print its result, shortened: `((0, 1), (0, 2), …)`. The preview
 * only carries the first tuples, so an ellipsis stands for the rest.
 */
export function previewText(row: ResultRow): string {
  if (row.status === 'failed') return row.error ?? 'failed'
  if (row.status === 'cancelled' || row.status === 'pending') return row.status
  if (row.count === 0) return '()'
  if (row.kept === 0) return `not kept (count only)`
  if (row.count === 1 && row.preview.length === 1) return `(${row.preview[0]},)`
  const more = row.count > row.preview.length ? ', …' : ''
  return `(${row.preview.join(', ')}${more})`
}
