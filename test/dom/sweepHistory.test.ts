import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '@renderer/App.vue'
import ChartStub from './chartStub'
import { useHistoryStore } from '@renderer/stores/history'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { useSweepStore } from '@renderer/stores/sweep'
import type { HistoryEntry, SavedSweep } from '../../src/shared/protocol'
import { createFakeApi, sweepResult } from './fakeApi'
import { button, connectedPinia, settle } from './helpers'

vi.mock('vue-echarts', () => import('./chartStub'))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

const SAVED_AT = Date.UTC(2025, 2, 4, 10, 30)

/** A sweep as the host saved it: 1 and 2 threads, cancelled after both points had their runs. */
const result = sweepResult(
  'sweep-a1b2c3d4',
  [
    { threads: 1, samples: [82, 80, 81] },
    { threads: 2, samples: [42, 41, 43] }
  ],
  { status: 'cancelled' }
)

const sweepEntry: HistoryEntry = {
  format: 'poolscope-history',
  kind: 'sweep',
  id: 'sweep-m1-abc123',
  name: 'busy wait, 1 vs 2',
  savedAt: SAVED_AT,
  version: 1,
  bytes: 9000,
  facts: {
    workload: 'busy_wait',
    style: 'map',
    threadsList: '1, 2',
    backends: 'threads',
    tasks: 8,
    points: 2,
    pointsMeasured: 2,
    runs: 6,
    serialFraction: 0.0244,
    status: 'cancelled',
    wallMs: 1234,
    startedAt: 0
  }
}

async function mountWithSweep(openSweep?: (id: string) => Promise<SavedSweep>) {
  const api = createFakeApi({
    historyList: vi.fn(async () => ({
      folder: '/home/ada/.poolscope/history',
      entries: [sweepEntry],
      setAside: []
    })),
    historyOpenSweep: vi.fn(
      openSweep ?? (async (id: string) => ({ id, name: sweepEntry.name, savedAt: SAVED_AT, result }))
    )
  })
  const { pinia } = await connectedPinia(api)
  wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  await button(wrapper, 'History').trigger('click')
  await settle()
  return { wrapper, api }
}

describe('sweeps in the History panel', () => {
  it('lists a sweep with its thread counts, points, serial fraction and how it ended', async () => {
    const { wrapper } = await mountWithSweep()
    const item = wrapper.find('.history-entry')
    expect(item.find('.entry-facts').text()).toBe(
      'sweep · busy_wait · threads 1, 2 on threads · 2 points · serial fraction 0.024 · 1.23 s · cancelled'
    )
    expect(button(wrapper, `Open ${sweepEntry.name}`).element.disabled).toBe(false)
    expect(button(wrapper, `Run ${sweepEntry.name} again`).element.disabled).toBe(false)
  })

  it('opens a sweep in the Scaling section exactly as it ended, marked as from history', async () => {
    const { wrapper, api } = await mountWithSweep()
    await button(wrapper, `Open ${sweepEntry.name}`).trigger('click')
    await settle()
    expect(api.historyOpenSweep).toHaveBeenCalledWith(sweepEntry.id)
    expect(api.historyOpen).not.toHaveBeenCalled()
    expect(useHistoryStore().shown).toBe(false)
    const sweep = useSweepStore()
    expect(sweep.result).toBe(result)
    expect(sweep.status).toBe('cancelled')
    expect(wrapper.find('[data-test="scaling-from"]').text()).toBe(
      `From history: “busy wait, 1 vs 2”, saved ${new Date(SAVED_AT).toLocaleString()}. It ran then; nothing ran now.`
    )
    expect(wrapper.find('[data-test="scaling-caption"]').text()).toContain('sweep-a1b2c3d4 · 6 measured runs')
    const rows = wrapper.findAll('[data-test="scaling-points"] tr[data-point]')
    expect(rows).toHaveLength(2)
    expect(rows[1].text()).toContain('41.0')
    // The chart is drawn from the saved result: both points, speedup 81 / 42.
    const label = wrapper.find('[data-test="scaling-chart"]').attributes('aria-label')
    expect(label).toBe('Scaling chart, speedup against threads. 1 thread: 1.00×; 2 threads: 1.93×.')
    expect(wrapper.findComponent(ChartStub).props('option')).not.toBeNull()
    expect(wrapper.find('[data-test="sweep-status"]').text()).toBe('Cancelled')
    // Nothing ran.
    expect(api.startSweep).not.toHaveBeenCalled()
  })

  it('a new sweep drops the "from history" mark', async () => {
    const { wrapper } = await mountWithSweep()
    await button(wrapper, `Open ${sweepEntry.name}`).trigger('click')
    await settle()
    expect(wrapper.find('[data-test="scaling-from"]').exists()).toBe(true)
    await useSweepStore().start(useJobFormStore().spec)
    await settle()
    expect(useSweepStore().from).toBeNull()
    expect(wrapper.find('[data-test="scaling-from"]').exists()).toBe(false)
  })

  it('runs a sweep again with its job in the form and its options in the sweep fields', async () => {
    const { wrapper, api } = await mountWithSweep()
    await button(wrapper, `Run ${sweepEntry.name} again`).trigger('click')
    await settle()
    const form = useJobFormStore()
    expect(form.fields.workload).toBe('busy_wait')
    expect(form.fields.recipe.ms).toBe('5')
    expect(form.fields.tasks).toBe('8')
    const sweep = useSweepStore()
    expect({ ...sweep.fields }).toEqual({
      threads: '1, 2',
      backend: 'threads',
      repeat: '5',
      maxSeconds: '60',
      scaled: false
    })
    expect(api.startSweep).toHaveBeenCalledWith(result.spec, {
      threads: [1, 2],
      backends: ['threads'],
      repeat: 5,
      maxSeconds: 60
    })
    expect(sweep.status).toBe('running')
    expect(wrapper.find('section[aria-label="Sweep"]').exists()).toBe(true)
  })

  it('says why a sweep could not be opened, and leaves the Scaling section as it was', async () => {
    const { wrapper } = await mountWithSweep(async () => {
      throw new Error('this sweep record cannot be opened: it was written by a newer PoolScope')
    })
    await button(wrapper, `Open ${sweepEntry.name}`).trigger('click')
    await settle()
    expect(wrapper.find('.history-error').text()).toBe(
      'The sweep could not be opened: this sweep record cannot be opened: it was written by a newer PoolScope'
    )
    expect(useSweepStore().result).toBeNull()
    expect(useHistoryStore().shown).toBe(true)
  })

  it('Open and Re-run wait while a sweep runs', async () => {
    const { wrapper } = await mountWithSweep()
    useSweepStore().openSetup()
    await useSweepStore().start(useJobFormStore().spec)
    await settle()
    expect(button(wrapper, `Open ${sweepEntry.name}`).element.disabled).toBe(true)
    expect(button(wrapper, `Run ${sweepEntry.name} again`).element.disabled).toBe(true)
  })
})
