import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ResultsTable from '@renderer/components/ResultsTable.vue'
import { useJobStore } from '@renderer/stores/job'
import { RESULTS_PAGE_SIZE } from '@renderer/stores/resultsPager'
import {
  PRIME_COUNTS,
  createFakeApi,
  planSummary,
  primesRow,
  resultRow,
  summaryOf,
  type FakeApi
} from './fakeApi'
import { button, connectedPinia, settle } from './helpers'

const spec = {
  workload: 'combinations',
  style: 'map',
  inputs: { kind: 'recipe', elements: [0, 1, 2, 3, 4, 5] }
}
let wrapper: VueWrapper | undefined

/**
 * A finished job of a million tasks, with the table mounted on it (attached to the document when
 * a test follows the focus).
 */
async function tableOfMillionTasks(api: FakeApi = createFakeApi(), attach = false) {
  const { pinia } = await connectedPinia(api)
  const job = useJobStore()
  await job.start(spec)
  api.emit({
    type: 'job.finished',
    payload: summaryOf(planSummary(spec), 'job-1', { taskCount: 1_000_000, tasksDone: 1_000_000 })
  })
  await settle()
  wrapper = mount(ResultsTable, {
    global: { plugins: [pinia] },
    attachTo: attach ? document.body : undefined
  })
  await settle()
  return { wrapper, api }
}

/** The rendered row of a task. */
function rowOf(wrapper: VueWrapper, task: number) {
  return wrapper.find<HTMLElement>(`[role=row][aria-rowindex="${task + 2}"]`)
}

/** The tasks of the rows marked selected. */
function selectedRows(wrapper: VueWrapper): number[] {
  return wrapper
    .findAll('[role=row][aria-selected=true]')
    .map((row) => Number(row.attributes('aria-rowindex')) - 2)
}

/** A control outside the table that has the focus, as the timeline has after a click on a bar. */
function focusElsewhere(): HTMLButtonElement {
  const outside = document.createElement('button')
  outside.textContent = 'a bar of the timeline'
  document.body.append(outside)
  outside.focus()
  return outside
}

afterEach(() => {
  document.body.replaceChildren()
  wrapper?.unmount()
  wrapper = undefined
  vi.useRealTimers()
})

describe('results table', () => {
  it('tells the user what to do before any job has run', async () => {
    const { pinia } = await connectedPinia()
    wrapper = mount(ResultsTable, { global: { plugins: [pinia] } })
    expect(wrapper.text()).toContain('Each task’s result appears here after a run.')
  })

  it('fetches only the first page for the rows on screen', async () => {
    const { api } = await tableOfMillionTasks()
    expect(api.results).toHaveBeenCalledTimes(1)
    expect(api.results).toHaveBeenCalledWith('job-1', 0, RESULTS_PAGE_SIZE)
  })

  it('renders only a window of rows out of a million', async () => {
    const { wrapper } = await tableOfMillionTasks()
    const rows = wrapper.findAll('[role=row][aria-rowindex]')
    expect(rows.length).toBeLessThan(40)
    expect(rows[0].text()).toContain('(0, 1, 2, 3, 4, 5)')
    expect(rows[0].text()).toContain('((0, 1), (0, 2), (0, 3), …)')
  })

  it('fetches only the page under the scroll position after scrolling', async () => {
    vi.useFakeTimers()
    const { wrapper, api } = await tableOfMillionTasks()
    const scroller = wrapper.find('[data-test=scroller]')
    ;(scroller.element as HTMLElement).scrollTop = 4_000_000
    await scroller.trigger('scroll')
    await vi.advanceTimersByTimeAsync(100)
    expect(api.results).toHaveBeenCalledTimes(2)
    const [, offset, limit] = vi.mocked(api.results).mock.calls[1]
    expect(limit).toBe(RESULTS_PAGE_SIZE)
    expect(offset % RESULTS_PAGE_SIZE).toBe(0)
    expect(offset).toBeGreaterThan(490_000)
    expect(offset).toBeLessThan(510_000)
  })

  it('expands a row to page through its tuples', async () => {
    const { wrapper, api } = await tableOfMillionTasks()
    await button(wrapper, 'Tuples of task 3').trigger('click')
    await settle()
    expect(api.tuples).toHaveBeenCalledWith('job-1', 3, 0, 100)
    expect(wrapper.find('.tuple-detail').text()).toContain('(0, 2)')
  })

  it('pages on from where a short page of long tuples ended', async () => {
    const api = createFakeApi({
      tuples: vi.fn(async (_jobId: string, task: number, offset: number) => ({
        task,
        total: 500,
        offset,
        tuples: Array.from({ length: 40 }, (_, i) => `(${offset + i},)`)
      }))
    })
    const { wrapper } = await tableOfMillionTasks(api)
    await button(wrapper, 'Tuples of task 3').trigger('click')
    await settle()
    expect(wrapper.find('.tuple-detail').text()).toContain('1–40 of 500 kept')
    await button(wrapper, 'Next').trigger('click')
    await settle()
    expect(api.tuples).toHaveBeenLastCalledWith('job-1', 3, 40, 100)
    expect(wrapper.find('.tuple-detail').text()).toContain('41–80 of 500 kept')
  })

  it('fetches the whole arguments of a task whose row carries only their start', async () => {
    const longArgs = `(${'x'.repeat(400)})`
    const api = createFakeApi({
      results: vi.fn(async (_jobId: string, offset: number, limit: number) => ({
        total: 1_000_000,
        rows: Array.from({ length: limit }, (_, i) => ({
          ...resultRow(offset + i),
          args: `${longArgs.slice(0, 199)}…`,
          argsLength: longArgs.length
        }))
      })),
      args: vi.fn(async (_jobId: string, task: number) => ({ task, args: longArgs }))
    })
    const { wrapper } = await tableOfMillionTasks(api)
    await button(wrapper, 'Tuples of task 3').trigger('click')
    await settle()
    await button(wrapper, 'Whole arguments (402 characters)').trigger('click')
    await settle()
    expect(api.args).toHaveBeenCalledWith('job-1', 3)
    expect(wrapper.find('[aria-label="Whole arguments"]').text()).toBe(longArgs)
  })

  it('gives focus back to the row’s button when its tuples are closed', async () => {
    const { pinia } = await connectedPinia()
    await useJobStore().start(spec)
    await settle()
    const api = useJobStore().api as FakeApi
    api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-1') })
    await settle()
    wrapper = mount(ResultsTable, { global: { plugins: [pinia] }, attachTo: document.body })
    await settle()
    await button(wrapper, 'Tuples of task 3').trigger('click')
    await settle()
    await button(wrapper, 'Close tuples').trigger('click')
    await settle()
    expect(wrapper.find('.tuple-detail').exists()).toBe(false)
    expect(document.activeElement).toBe(button(wrapper, 'Tuples of task 3').element)
  })

  it('counts one task as "1 task"', async () => {
    const api = createFakeApi({
      results: vi.fn(async () => ({ total: 1, rows: [resultRow(0)] }))
    })
    const { pinia } = await connectedPinia(api)
    await useJobStore().start({ ...spec, inputs: { ...spec.inputs, tasks: 1 } })
    api.emit({
      type: 'job.finished',
      payload: summaryOf(planSummary(spec), 'job-1', { taskCount: 1, tasksDone: 1 })
    })
    await settle()
    wrapper = mount(ResultsTable, { global: { plugins: [pinia] } })
    await settle()
    expect(wrapper.find('.panel-title').text()).toContain('1 task, in task order as Pool.map returns them')
  })

  it('names the call of a map task as Python makes it: its arguments are one argument', async () => {
    const { wrapper } = await tableOfMillionTasks()
    await button(wrapper, 'Tuples of task 3').trigger('click')
    await settle()
    expect(wrapper.find('.tuple-detail [data-test=call]').text()).toBe('f((0, 1, 2, 3, 4, 5))')
  })

  describe('a values job (count_primes over 0:1000000 in eight pieces)', () => {
    const primesSpec = {
      workload: 'count_primes',
      style: 'starmap',
      inputs: { kind: 'recipe', tasks: 8, span: [0, 1_000_000] }
    }

    async function primesTable() {
      const api = createFakeApi({
        results: vi.fn(async (_jobId: string, offset: number, limit: number) => ({
          total: 8,
          rows: Array.from({ length: Math.min(limit, 8 - offset) }, (_, i) => primesRow(offset + i))
        }))
      })
      const { pinia } = await connectedPinia(api)
      await useJobStore().start(primesSpec)
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(primesSpec), 'job-1') })
      await settle()
      wrapper = mount(ResultsTable, { global: { plugins: [pinia] } })
      await settle()
      return { wrapper, api }
    }

    it('shows each task’s value as Python prints it, with no tuple count and no tuple panel', async () => {
      const { wrapper, api } = await primesTable()
      const headers = wrapper.findAll('[role=columnheader]').map((h) => h.text())
      expect(headers).toEqual(['Task #', 'Arguments', 'Worker', 'Duration', 'Value (Python)'])
      const rows = wrapper
        .findAll('[role=row][aria-rowindex]')
        .map((row) => row.findAll('[role=cell]').map((c) => c.text()))
      expect(rows).toHaveLength(8)
      expect(rows[0]).toEqual(['0', 'lo=0, hi=125000 · (0, 125000)', '0', '4.25 ms', '11734'])
      expect(rows[7]).toEqual(['7', 'lo=875000, hi=1000000 · (875000, 1000000)', '1', '11.3 ms', '9050'])
      expect(rows.reduce((sum, row) => sum + Number(row[4]), 0)).toBe(78_498)
      expect(PRIME_COUNTS.reduce((a, b) => a + b)).toBe(78_498)
      expect(wrapper.findAll('button.expand')).toHaveLength(0)
      expect(wrapper.find('.tuple-detail').exists()).toBe(false)
      expect(api.tuples).not.toHaveBeenCalled()
    })

    it('says the tasks come back as Pool.starmap returns them', async () => {
      const { wrapper } = await primesTable()
      expect(wrapper.text()).toContain('8 tasks, in task order as Pool.starmap returns them')
    })

    it('copies the rows as task, arguments, worker, duration and value', async () => {
      const { wrapper } = await primesTable()
      const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined)
      await button(wrapper, 'Copy').trigger('click')
      await settle()
      const lines = writeText.mock.calls[0][0].split('\n')
      expect(lines.slice(0, 3)).toEqual([
        'task\targuments\tworker\tduration_ms\tvalue',
        '0\t(0, 125000)\t0\t4.25\t11734',
        '1\t(125000, 250000)\t1\t5.25\t10310'
      ])
      // In the status bar, so the toolbar never grows a line for it.
      expect(useJobStore().notice).toBe('Copied 8 rows')
      expect(wrapper.text()).not.toContain('Copied')
      writeText.mockRestore()
    })
  })

  it('exports through a download of the host’s file', async () => {
    const { wrapper, api } = await tableOfMillionTasks()
    const createObjectURL = vi.fn(() => 'blob:export')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await button(wrapper, 'Export CSV').trigger('click')
    await settle()
    expect(api.exportJob).toHaveBeenCalledWith('job-1', 'csv')
    expect(click).toHaveBeenCalledTimes(1)
    expect(useJobStore().notice).toBe('Saved job.json')
    expect(wrapper.text()).not.toContain('Saved')
    click.mockRestore()
    vi.unstubAllGlobals()
  })

  describe('worker, duration and the arguments that vary', () => {
    it('shows which worker ran each task and for how long', async () => {
      const { wrapper } = await tableOfMillionTasks()
      const headers = wrapper.findAll('[role=columnheader]').map((h) => h.text())
      expect(headers).toEqual([
        'Expand',
        'Task #',
        'Arguments',
        'Worker',
        'Duration',
        'Tuples',
        'Tuples (Python)'
      ])
      const cells = rowOf(wrapper, 1)
        .findAll('[role=cell]')
        .map((c) => c.text())
      expect(cells).toEqual([
        '▸',
        '1',
        '(0, 1, 2, 3, 4, 5)',
        '1',
        '12.5 µs',
        '15',
        '((0, 1), (0, 2), (0, 3), …)'
      ])
    })

    it('shows a dash for the worker and duration of a task that never ran', async () => {
      const api = createFakeApi({
        results: vi.fn(async (_jobId: string, offset: number, limit: number) => ({
          total: 1_000_000,
          rows: Array.from({ length: limit }, (_, i) => ({
            ...resultRow(offset + i),
            status: 'cancelled' as const,
            lane: null,
            durationMs: null,
            count: 0,
            kept: 0,
            preview: []
          }))
        }))
      })
      const { wrapper } = await tableOfMillionTasks(api)
      const cells = rowOf(wrapper, 0)
        .findAll('[role=cell]')
        .map((c) => c.text())
      expect(cells.slice(3, 5)).toEqual(['—', '—'])
    })

    it('puts the part of the arguments that varies first, and keeps the whole text in the tooltip', async () => {
      const api = createFakeApi({
        results: vi.fn(async (_jobId: string, offset: number, limit: number) => ({
          total: 1_000_000,
          rows: Array.from({ length: limit }, (_, i) => {
            const n = 2 + ((offset + i) % 3)
            const args = `((0, 1, 2, 3, 4, 5), ${n})`
            return { ...resultRow(offset + i), args, argsLength: args.length, varying: `n=${n}` }
          })
        }))
      })
      const { wrapper } = await tableOfMillionTasks(api)
      const cell = rowOf(wrapper, 1).findAll('[role=cell]')[2]
      expect(cell.text()).toBe('n=3 · ((0, 1, 2, 3, 4, 5), 3)')
      expect(cell.find('.varying').text()).toBe('n=3')
      expect(cell.attributes('title')).toBe('n=3 · ((0, 1, 2, 3, 4, 5), 3)')
    })
  })

  describe('the selected task, shared with the timeline', () => {
    it('scrolls to and marks a row on another page when the timeline selects its task, leaving the focus where it was', async () => {
      const { wrapper, api } = await tableOfMillionTasks(createFakeApi(), true)
      const bar = focusElsewhere()
      expect(rowOf(wrapper, 500_123).exists()).toBe(false)
      useJobStore().selectTask(500_123, { reveal: true })
      await settle()
      expect(api.results).toHaveBeenCalledWith('job-1', 500_000, RESULTS_PAGE_SIZE)
      const row = rowOf(wrapper, 500_123)
      expect(row.exists()).toBe(true)
      expect(row.findAll('[role=cell]')[1].text()).toBe('500123')
      expect(row.find('[role=cell].clip').text()).toBe('(0, 1, 2, 3, 4, 5)')
      expect(selectedRows(wrapper)).toEqual([500_123])
      expect(wrapper.find<HTMLElement>('[data-test=scroller]').element.scrollTop).toBeGreaterThan(0)
      expect(document.activeElement).toBe(bar)
    })

    it('moves the focus to the revealed row when asked to', async () => {
      const { wrapper } = await tableOfMillionTasks(createFakeApi(), true)
      focusElsewhere()
      useJobStore().selectTask(2_000, { reveal: true, focus: true })
      await settle()
      expect(document.activeElement).toBe(rowOf(wrapper, 2_000).element)
    })

    it('reveals a task selected while the job ran once its results are shown', async () => {
      const api = createFakeApi()
      const { pinia } = await connectedPinia(api)
      const job = useJobStore()
      const millionTasks = { ...spec, inputs: { ...spec.inputs, tasks: 1_000_000 } }
      await job.start(millionTasks)
      wrapper = mount(ResultsTable, { global: { plugins: [pinia] } })
      job.selectTask(700_000, { reveal: true })
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(millionTasks), 'job-1') })
      await settle()
      expect(api.results).toHaveBeenCalledWith('job-1', 700_000, RESULTS_PAGE_SIZE)
      expect(selectedRows(wrapper)).toEqual([700_000])
    })

    it('selects the task of a clicked row, for the timeline to highlight its bar', async () => {
      const { wrapper } = await tableOfMillionTasks()
      await rowOf(wrapper, 3).findAll('[role=cell]')[2].trigger('click')
      expect(useJobStore().selectedTask).toBe(3)
      expect(selectedRows(wrapper)).toEqual([3])
      await rowOf(wrapper, 5).trigger('click')
      expect(useJobStore().selectedTask).toBe(5)
      expect(selectedRows(wrapper)).toEqual([5])
    })

    it('is one tab stop; the arrows move between rows and Enter or Space selects one', async () => {
      const { wrapper } = await tableOfMillionTasks(createFakeApi(), true)
      const stops = wrapper.findAll('[role=row][tabindex="0"]')
      expect(stops.map((row) => row.attributes('aria-rowindex'))).toEqual(['2'])
      const first = rowOf(wrapper, 0)
      first.element.focus()
      await first.trigger('keydown', { key: 'ArrowDown' })
      await settle()
      expect(document.activeElement).toBe(rowOf(wrapper, 1).element)
      expect(useJobStore().selectedTask).toBeNull()
      await rowOf(wrapper, 1).trigger('keydown', { key: 'Enter' })
      expect(useJobStore().selectedTask).toBe(1)
      await rowOf(wrapper, 1).trigger('keydown', { key: 'ArrowDown' })
      await settle()
      await rowOf(wrapper, 2).trigger('keydown', { key: ' ' })
      expect(useJobStore().selectedTask).toBe(2)
      expect(selectedRows(wrapper)).toEqual([2])
      expect(
        wrapper.findAll('[role=row][tabindex="0"]').map((row) => row.attributes('aria-rowindex'))
      ).toEqual(['4'])
    })

    it('leaves the keys of the row’s tuples button to the button', async () => {
      const { wrapper } = await tableOfMillionTasks(createFakeApi(), true)
      const toggle = button(wrapper, 'Tuples of task 3')
      const space = new KeyboardEvent('keydown', { key: ' ', bubbles: true, cancelable: true })
      expect(toggle.element.dispatchEvent(space)).toBe(true)
      expect(useJobStore().selectedTask).toBeNull()
      await toggle.trigger('click')
      await settle()
      expect(wrapper.find('.tuple-detail').exists()).toBe(true)
      expect(toggle.attributes('aria-expanded')).toBe('true')
    })

    it('marks no row once another job has started and finished', async () => {
      const { wrapper, api } = await tableOfMillionTasks()
      await rowOf(wrapper, 3).trigger('click')
      expect(selectedRows(wrapper)).toEqual([3])
      const job = useJobStore()
      await job.start(spec)
      expect(job.selectedTask).toBeNull()
      api.emit({ type: 'job.finished', payload: summaryOf(planSummary(spec), 'job-2') })
      await settle()
      expect(rowOf(wrapper, 3).exists()).toBe(true)
      expect(selectedRows(wrapper)).toEqual([])
    })
  })
})
