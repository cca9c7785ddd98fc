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

/** A finished job of a million tasks, with the table mounted on it. */
async function tableOfMillionTasks(api: FakeApi = createFakeApi()) {
  const { pinia } = await connectedPinia(api)
  const job = useJobStore()
  await job.start(spec)
  api.emit({
    type: 'job.finished',
    payload: summaryOf(planSummary(spec), 'job-1', { taskCount: 1_000_000, tasksDone: 1_000_000 })
  })
  await settle()
  wrapper = mount(ResultsTable, { global: { plugins: [pinia] } })
  await settle()
  return { wrapper, api }
}

afterEach(() => {
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
      expect(headers).toEqual(['Task #', 'Arguments', 'Value (Python)'])
      const rows = wrapper
        .findAll('[role=row][aria-rowindex]')
        .map((row) => row.findAll('[role=cell]').map((c) => c.text()))
      expect(rows).toHaveLength(8)
      expect(rows[0]).toEqual(['0', '(0, 125000)', '11734'])
      expect(rows[7]).toEqual(['7', '(875000, 1000000)', '9050'])
      expect(rows.reduce((sum, row) => sum + Number(row[2]), 0)).toBe(78_498)
      expect(PRIME_COUNTS.reduce((a, b) => a + b)).toBe(78_498)
      expect(wrapper.findAll('button.expand')).toHaveLength(0)
      expect(wrapper.find('.tuple-detail').exists()).toBe(false)
      expect(api.tuples).not.toHaveBeenCalled()
    })

    it('says the tasks come back as Pool.starmap returns them', async () => {
      const { wrapper } = await primesTable()
      expect(wrapper.text()).toContain('8 tasks, in task order as Pool.starmap returns them')
    })

    it('copies the rows as task, arguments and value', async () => {
      const { wrapper } = await primesTable()
      const writeText = vi.spyOn(navigator.clipboard, 'writeText').mockResolvedValue(undefined)
      await button(wrapper, 'Copy').trigger('click')
      await settle()
      const lines = writeText.mock.calls[0][0].split('\n')
      expect(lines.slice(0, 3)).toEqual([
        'task\targuments\tvalue',
        '0\t(0, 125000)\t11734',
        '1\t(125000, 250000)\t10310'
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
})
