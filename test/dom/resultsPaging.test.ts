import { describe, expect, it, vi } from 'vitest'
import { scrollTopToShow, virtualWindow } from '@renderer/components/virtualWindow'
import { RESULTS_PAGE_SIZE, ResultsPager } from '@renderer/stores/resultsPager'
import { resultRow } from './fakeApi'

function fakeFetch() {
  return vi.fn(async (offset: number, limit: number) => ({
    total: 1_000_000,
    rows: Array.from({ length: limit }, (_, i) => resultRow(offset + i))
  }))
}

describe('virtual window', () => {
  it('covers the rows on screen plus a small overscan', () => {
    expect(virtualWindow(0, 300, 30, 1000, 5)).toEqual({
      first: 0,
      last: 15,
      spacerHeight: 30_000,
      offsetTop: 0
    })
  })

  it('follows the scroll position row by row', () => {
    expect(virtualWindow(3000, 300, 30, 1000, 5)).toEqual({
      first: 95,
      last: 115,
      spacerHeight: 30_000,
      offsetTop: 2850
    })
  })

  it('caps the spacer height for a million rows and maps the scrollbar to the row fraction', () => {
    const end = virtualWindow(8_000_000 - 300, 300, 30, 1_000_000, 5, 8_000_000)
    expect(end.spacerHeight).toBe(8_000_000)
    expect(end.last).toBe(999_999)
    const middle = virtualWindow((8_000_000 - 300) / 2, 300, 30, 1_000_000, 5, 8_000_000)
    expect(middle.first).toBe(499_990)
  })

  it('is empty when there are no rows', () => {
    expect(virtualWindow(0, 300, 30, 0)).toEqual({ first: 0, last: -1, spacerHeight: 0, offsetTop: 0 })
  })
})

describe('scrolling to a row', () => {
  it('stays put when the row is already wholly in view', () => {
    expect(scrollTopToShow(105, 3000, 300, 30, 1000)).toBe(3000)
  })

  it('brings a row above the view to its top edge and one below to its bottom edge', () => {
    expect(scrollTopToShow(50, 3000, 300, 30, 1000)).toBe(1500)
    expect(scrollTopToShow(200, 3000, 300, 30, 1000)).toBe(200 * 30 + 30 - 300)
  })

  it('puts a row it jumps to in the middle when asked, as near to it as the ends allow', () => {
    expect(scrollTopToShow(500, 3000, 300, 30, 1000, 'center')).toBe(500 * 30 + 15 - 150)
    expect(scrollTopToShow(2, 3000, 300, 30, 1000, 'center')).toBe(0)
    expect(scrollTopToShow(999, 0, 300, 30, 1000, 'center')).toBe(30_000 - 300)
    expect(scrollTopToShow(105, 3000, 300, 30, 1000, 'center')).toBe(3000)
  })

  it.each(['nearest', 'center'] as const)(
    'finds a row of a million on the scaled scrollbar (%s), where the window then shows it',
    (block) => {
      for (const row of [0, 1234, 499_999, 999_999]) {
        const top = scrollTopToShow(row, 0, 300, 30, 1_000_000, block, 8_000_000)
        const win = virtualWindow(top, 300, 30, 1_000_000, 0, 8_000_000)
        expect(row).toBeGreaterThanOrEqual(win.first)
        expect(row).toBeLessThanOrEqual(win.last)
        // Wholly on screen: the row's top within the viewport, at a whole row from its bottom.
        const rowTop = win.offsetTop + (row - win.first) * 30 - top
        expect(rowTop).toBeGreaterThanOrEqual(0)
        expect(rowTop + 30).toBeLessThanOrEqual(300)
        if (block === 'center' && row > 5 && row < 999_990) expect(rowTop).toBe(120)
      }
    }
  )
})

describe('results pager', () => {
  it('requests only the page that holds the visible rows', async () => {
    const fetch = fakeFetch()
    const pager = new ResultsPager(fetch, 1_000_000)
    await pager.ensure(500_010, 500_030)
    expect(fetch).toHaveBeenCalledTimes(1)
    expect(fetch).toHaveBeenCalledWith(500_000, RESULTS_PAGE_SIZE)
    expect(pager.row(500_020)?.task).toBe(500_020)
  })

  it('requests both pages when the window straddles a page boundary', async () => {
    const fetch = fakeFetch()
    const pager = new ResultsPager(fetch, 1_000_000)
    await pager.ensure(RESULTS_PAGE_SIZE - 10, RESULTS_PAGE_SIZE + 10)
    expect(fetch.mock.calls).toEqual([
      [0, RESULTS_PAGE_SIZE],
      [RESULTS_PAGE_SIZE, RESULTS_PAGE_SIZE]
    ])
  })

  it('serves cached pages without asking again', async () => {
    const fetch = fakeFetch()
    const pager = new ResultsPager(fetch, 1_000_000)
    await pager.ensure(0, 20)
    await pager.ensure(5, 25)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('asks once for a page already in flight', async () => {
    const fetch = fakeFetch()
    const pager = new ResultsPager(fetch, 1_000_000)
    await Promise.all([pager.ensure(0, 20), pager.ensure(10, 30)])
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('shortens the last page to the rows that exist', async () => {
    const fetch = vi.fn(async (offset: number, limit: number) => ({
      total: 450,
      rows: Array.from({ length: limit }, (_, i) => resultRow(offset + i))
    }))
    const pager = new ResultsPager(fetch, 450, undefined, 200)
    await pager.ensure(430, 460)
    expect(fetch).toHaveBeenCalledWith(400, 50)
  })

  it('keeps the error message when a page fails to load', async () => {
    const pager = new ResultsPager(async () => Promise.reject(new Error('unknown job "x"')), 10)
    await pager.ensure(0, 5)
    expect(pager.error).toBe('unknown job "x"')
    expect(pager.row(0)).toBeUndefined()
  })
})
