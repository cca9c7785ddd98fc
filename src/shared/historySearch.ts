/** What the history list searches and orders by: a record's header. */
export interface SearchableEntry {
  name: string
  kind: string
  savedAt: number
  facts: Record<string, string | number | boolean | null>
}

/** How the list can be ordered. */
export const HISTORY_SORTS = ['newest', 'oldest', 'name'] as const
export type HistorySort = (typeof HISTORY_SORTS)[number]

/**
 * The entries whose name, kind or facts contain every word of `query` (case-insensitive), in the
 * chosen order.
 */
export function searchEntries<T extends SearchableEntry>(
  entries: readonly T[],
  query: string,
  sort: HistorySort = 'newest'
): T[] {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  const matches = entries.filter((entry) => {
    const text = [entry.name, entry.kind, ...Object.values(entry.facts).map(String)].join(' ').toLowerCase()
    return words.every((word) => text.includes(word))
  })
  const order: Record<HistorySort, (a: T, b: T) => number> = {
    newest: (a, b) => b.savedAt - a.savedAt,
    oldest: (a, b) => a.savedAt - b.savedAt,
    name: (a, b) => a.name.localeCompare(b.name) || b.savedAt - a.savedAt
  }
  return matches.sort(order[sort])
}
