import { MAX_RESULT_ROWS, type ResultRow, type ResultsPage } from '../../../shared/protocol'

/**
 * Rows per request: the contract's most (MAX_RESULT_ROWS). A page of 1,000 rows is about 200 kB of
 * JSON, made by the host and parsed here in a few milliseconds, and covers some thirty screens, so
 * scrolling asks rarely and a jump costs one request.
 */
export const RESULTS_PAGE_SIZE = MAX_RESULT_ROWS
/** Pages kept in memory; older ones are dropped and fetched again if scrolled back to. */
const MAX_CACHED_PAGES = 64

export type FetchRows = (offset: number, limit: number) => Promise<ResultsPage>

/**
 * Pulls result rows page by page, only for the rows on screen, and remembers the pages it has.
 * The table asks for a window of rows; the pager requests each missing page once, even when asked
 * again while the request is in flight.
 */
export class ResultsPager {
  private readonly pages = new Map<number, ResultRow[]>()
  private readonly inFlight = new Map<number, Promise<void>>()
  total: number
  error: string | null = null

  constructor(
    private readonly fetchRows: FetchRows,
    total: number,
    private readonly onChange: () => void = () => {},
    readonly pageSize = RESULTS_PAGE_SIZE
  ) {
    this.total = total
  }

  /** The row at `index` when its page is loaded, else undefined. */
  row(index: number): ResultRow | undefined {
    const page = this.pages.get(Math.floor(index / this.pageSize))
    return page?.[index % this.pageSize]
  }

  /** Makes sure the rows `first..last` (inclusive) are loaded or on their way. */
  ensure(first: number, last: number): Promise<void> {
    if (this.total === 0 || last < first) return Promise.resolve()
    const firstPage = Math.floor(Math.max(0, first) / this.pageSize)
    const lastPage = Math.floor(Math.min(this.total - 1, last) / this.pageSize)
    const waits: Promise<void>[] = []
    for (let page = firstPage; page <= lastPage; page++) {
      if (this.pages.has(page)) {
        // Touch for least-recently-used eviction.
        const rows = this.pages.get(page) as ResultRow[]
        this.pages.delete(page)
        this.pages.set(page, rows)
        continue
      }
      waits.push(this.inFlight.get(page) ?? this.load(page))
    }
    return Promise.all(waits).then(() => undefined)
  }

  private load(page: number): Promise<void> {
    const offset = page * this.pageSize
    const limit = Math.min(this.pageSize, this.total - offset)
    const request = this.fetchRows(offset, limit)
      .then((result) => {
        this.total = result.total
        this.pages.set(page, result.rows)
        while (this.pages.size > MAX_CACHED_PAGES) {
          this.pages.delete(this.pages.keys().next().value as number)
        }
        this.error = null
      })
      .catch((err: unknown) => {
        this.error = err instanceof Error ? err.message : String(err)
      })
      .finally(() => {
        this.inFlight.delete(page)
        this.onChange()
      })
    this.inFlight.set(page, request)
    return request
  }
}
