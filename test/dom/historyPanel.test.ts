import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '@renderer/App.vue'
import { UNDO_MS, useHistoryStore } from '@renderer/stores/history'
import { useJobStore } from '@renderer/stores/job'
import { useJobFormStore } from '@renderer/stores/jobForm'
import type { HistoryEntry, JobSummary } from '../../src/shared/protocol'
import { createFakeApi, planSummary } from './fakeApi'
import { button, connectedPinia, settle } from './helpers'

vi.mock('vue-echarts', () => import('./chartStub'))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  vi.useRealTimers()
})

const spec = {
  workload: 'combinations',
  style: 'map' as const,
  threads: 2,
  inputs: { kind: 'recipe' as const, elements: [0, 1, 2, 3, 4, 5, 6] }
}

function entry(id: string, name: string, savedAt: number, workload = 'combinations'): HistoryEntry {
  return {
    format: 'poolscope-history',
    kind: 'run',
    id,
    name,
    savedAt,
    version: 1,
    bytes: 2048,
    facts: {
      workload,
      style: 'map',
      backend: 'threads',
      threads: 2,
      tasks: 4,
      status: 'done',
      wallMs: 30,
      resultsKept: true
    }
  }
}

function summaryOf(jobId: string, recordId: string): JobSummary {
  const plan = planSummary(spec)
  return {
    jobId,
    status: 'done',
    partial: false,
    message: null,
    spec: plan.spec,
    threads: 2,
    chunkSize: plan.chunkSize,
    taskCount: plan.taskCount,
    tasksDone: plan.taskCount,
    tasksFailed: 0,
    tasksStopped: 0,
    tuplesProduced: 84,
    tuplesOfStoppedTasks: 0,
    tuplesKept: 84,
    poolStartupMs: 0,
    poolReused: true,
    startedAt: 0,
    wallMs: 30,
    tasksPerSecond: 133,
    tuplesPerSecond: 2800,
    busyMsPerLane: [1, 1],
    laneTime: [],
    lanes: [],
    overheadNsPerTask: null,
    failures: [],
    restoredFrom: {
      recordId,
      name: 'first try',
      savedAt: Date.UTC(2025, 0, 2),
      resultsKept: true,
      note: null
    }
  }
}

async function mountWithHistory() {
  const entries = [
    entry('run-a', 'first try', 1000),
    entry('run-b', 'busy sweep test', 3000, 'busy_wait'),
    entry('run-c', 'another', 2000)
  ]
  const api = createFakeApi({
    historyList: vi.fn(async () => ({
      folder: '/home/ada/.poolscope/history',
      entries: [...entries],
      setAside: [
        {
          file: '/home/ada/.poolscope/history/run-x.json',
          reason: 'its header is not valid JSON',
          movedTo: '/home/ada/.poolscope/history/set-aside/run-x.1.json'
        }
      ]
    })),
    historyOpen: vi.fn(async (id: string) => ({
      jobId: 'job-restored',
      summary: summaryOf('job-restored', id)
    }))
  })
  const { pinia } = await connectedPinia(api)
  wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  await button(wrapper, 'History').trigger('click')
  await settle()
  return { wrapper, api }
}

const names = (w: VueWrapper) => w.findAll('.history-entry .entry-name').map((b) => b.text())

describe('the History panel', () => {
  it('lists saved runs newest first, searches and sorts them, and warns about files set aside', async () => {
    const { wrapper } = await mountWithHistory()
    expect(wrapper.find('[role=dialog]').attributes('aria-labelledby')).toBe('history-title')
    expect(button(wrapper, 'History').attributes('aria-expanded')).toBe('true')
    expect(names(wrapper)).toEqual(['busy sweep test', 'another', 'first try'])
    expect(wrapper.find('[data-test=history-folder]').text()).toBe('/home/ada/.poolscope/history')
    const warning = wrapper.find('[data-test=set-aside]')
    expect(warning.attributes('role')).toBe('alert')
    expect(warning.text()).toContain('1 file in the history folder could not be read and was moved aside')
    expect(warning.text()).toContain(
      'its header is not valid JSON; now /home/ada/.poolscope/history/set-aside/run-x.1.json'
    )
    expect(wrapper.find('.history-entry').text()).toContain('run · busy_wait · 2 threads · 4 tasks · 30 ms')
    expect(document.activeElement?.id).toBe('history-search')

    await wrapper.find('#history-search').setValue('combinations first')
    expect(names(wrapper)).toEqual(['first try'])
    await wrapper.find('#history-search').setValue('')
    await wrapper.find('#history-sort').setValue('name')
    expect(names(wrapper)).toEqual(['another', 'busy sweep test', 'first try'])
    await wrapper.find('#history-sort').setValue('oldest')
    expect(names(wrapper)).toEqual(['first try', 'another', 'busy sweep test'])
  })

  it('opens a run in the workspace, marked as restored from history', async () => {
    const { wrapper, api } = await mountWithHistory()
    await button(wrapper, 'Open first try').trigger('click')
    await settle()
    expect(api.historyOpen).toHaveBeenCalledWith('run-a')
    const job = useJobStore()
    expect(job.jobId).toBe('job-restored')
    expect(job.status).toBe('done')
    expect(useHistoryStore().shown).toBe(false)
    expect(wrapper.find('[data-test=restored]').text()).toMatch(/^Restored from history: “first try”, saved/)
  })

  it('runs a saved run again with its spec, shown in the form', async () => {
    const { wrapper, api } = await mountWithHistory()
    await button(wrapper, 'Run first try again').trigger('click')
    await settle()
    expect(api.startJob).toHaveBeenCalledWith(summaryOf('x', 'run-a').spec)
    expect(useJobFormStore().fields.recipe.elements).toBe('0,1,2,3,4,5,6')
    expect(useJobFormStore().fields.threads).toBe('2')
  })

  it('renames inline with Enter, and Escape leaves the name as it was', async () => {
    const { wrapper, api } = await mountWithHistory()
    await button(wrapper, 'Rename first try').trigger('click')
    const input = wrapper.find<HTMLInputElement>('#rename-run-a')
    expect(document.activeElement).toBe(input.element)
    await input.setValue('the notebook cell')
    await input.trigger('keydown', { key: 'Enter' })
    await settle()
    expect(api.historyRename).toHaveBeenCalledWith('run-a', 'the notebook cell')

    await button(wrapper, 'Rename another').trigger('click')
    await wrapper.find('#rename-run-c').setValue('nope')
    await wrapper.find('#rename-run-c').trigger('keydown', { key: 'Escape' })
    await settle()
    expect(api.historyRename).toHaveBeenCalledTimes(1)
    expect(useHistoryStore().shown).toBe(true)
  })

  it('deletes with an Undo toast that lasts about ten seconds', async () => {
    const { wrapper, api } = await mountWithHistory()
    vi.useFakeTimers()
    await button(wrapper, 'Delete another').trigger('click')
    await settle()
    expect(api.historyDelete).toHaveBeenCalledWith('run-c')
    const toast = () => wrapper.find('.toast')
    expect(toast().attributes('role')).toBe('status')
    expect(toast().text()).toContain('Deleted “another”.')
    await toast().find('button').trigger('click')
    await settle()
    expect(api.historyRestore).toHaveBeenCalledWith('run-c')
    expect(toast().exists()).toBe(false)

    await button(wrapper, 'Delete first try').trigger('click')
    await settle()
    expect(toast().exists()).toBe(true)
    vi.advanceTimersByTime(UNDO_MS + 1)
    await settle()
    expect(toast().exists()).toBe(false)
    expect(api.historyRestore).toHaveBeenCalledTimes(1)
  })

  it('closes on Escape without cancelling anything, focus back on its button', async () => {
    const { wrapper } = await mountWithHistory()
    await wrapper.find('#history-search').trigger('keydown', { key: 'Escape' })
    await settle()
    expect(wrapper.find('[role=dialog]').exists()).toBe(false)
    expect(document.activeElement?.id).toBe('history-toggle')
  })

  it('refreshes the list when the host says the history changed, and shows a failed save', async () => {
    const { api } = await mountWithHistory()
    expect(api.historyList).toHaveBeenCalledTimes(1)
    api.emit({ type: 'history.changed', payload: { change: 'added', id: 'run-d' } })
    await settle()
    expect(api.historyList).toHaveBeenCalledTimes(2)
    api.emit({
      type: 'history.changed',
      payload: { change: 'failed', id: null, problem: 'job job-1 was not saved in history: disk full' }
    })
    await settle()
    expect(wrapper!.find('.history-error').text()).toBe('job job-1 was not saved in history: disk full')
  })
})

it('the fake api has no saved runs by default', async () => {
  expect((await createFakeApi().historyList()).entries).toEqual([])
})
