import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import ResultsTable from '@renderer/components/ResultsTable.vue'
import { useJobStore } from '@renderer/stores/job'
import { RESULTS_PAGE_SIZE } from '@renderer/stores/resultsPager'
import { createFakeApi, planSummary, resultRow, summaryOf, type FakeApi } from './fakeApi'
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
    expect(wrapper.text()).toContain('Each task’s tuples appear here after a run.')
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

  it('exports through a download of the host’s file', async () => {
    const { wrapper, api } = await tableOfMillionTasks()
    const createObjectURL = vi.fn(() => 'blob:export')
    vi.stubGlobal('URL', Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }))
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(() => {})
    await button(wrapper, 'Export CSV').trigger('click')
    await settle()
    expect(api.exportJob).toHaveBeenCalledWith('job-1', 'csv')
    expect(click).toHaveBeenCalledTimes(1)
    expect(wrapper.text()).toContain('Saved job.json')
    click.mockRestore()
    vi.unstubAllGlobals()
  })
})
