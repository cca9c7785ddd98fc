// The sweep's panels: the setup (fields with the schema's messages, Start, Cancel with Esc, the
// progress over the whole sweep) and the Scaling section (the chart's option from the result, the
// efficiency toggle, verdicts, fits, predictions, the points' table with flags, PNG and JSON).
// The chart is stubbed (happy-dom has no canvas): the tests read the option it was given.
import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import App from '@renderer/App.vue'
import ScalingSection from '@renderer/components/ScalingSection.vue'
import SweepPanel from '@renderer/components/SweepPanel.vue'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { useSweepStore } from '@renderer/stores/sweep'
import { BUSY_WAIT_SPEC, createFakeApi, sweepResult, type FakeApi } from './fakeApi'
import { button, connectedPinia, control, messageOf, settle } from './helpers'
import ChartStub from './chartStub'

vi.mock('vue-echarts', () => import('./chartStub'))
const saveChartPng = vi.fn()
vi.mock('@renderer/charts/png', () => ({ saveChartPng: (...args: unknown[]) => saveChartPng(...args) }))
const downloadFile = vi.fn()
vi.mock('@renderer/download', () => ({
  downloadFile: (...args: unknown[]) => downloadFile(...args),
  copyText: vi.fn()
}))

let wrapper: VueWrapper | undefined
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
  saveChartPng.mockReset()
  downloadFile.mockReset()
})

type Option = {
  xAxis: { max: number }
  title?: { text: string }
  series: { name: string; type: string; data: number[][] }[]
}

/** A finished sweep of 1 and 2 threads: 100 ms and 55 ms medians, so speedup 100/55. */
const twoPoints = (status: 'done' | 'cancelled' = 'done') =>
  sweepResult(
    'sweep-1',
    [
      { threads: 1, samples: [99, 100, 101, 100.5, 99.5] },
      { threads: 2, samples: [54, 55, 56, 55.5, 54.5], busy: true }
    ],
    { status, warnings: ['5 of 10 runs were taken while the machine was busy with something else.'] }
  )

async function mountSection(api: FakeApi = createFakeApi()) {
  const { pinia } = await connectedPinia(api)
  const sweep = useSweepStore()
  sweep.openSetup('threads')
  await sweep.start(BUSY_WAIT_SPEC)
  api.emit({ type: 'sweep.finished', payload: twoPoints() })
  await settle()
  wrapper = mount(ScalingSection, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  return { api, sweep, wrapper }
}

const optionOf = (w: VueWrapper) => w.findComponent(ChartStub).props('option') as Option

describe('the sweep setup', () => {
  it('shows each field’s message from the schema, and starts the form’s job with the options', async () => {
    const api = createFakeApi()
    const { pinia } = await connectedPinia(api)
    useJobFormStore().presetMap()
    useSweepStore().openSetup('threads')
    wrapper = mount(SweepPanel, { global: { plugins: [pinia] } })
    await settle()
    expect(control(wrapper, 'Thread counts').element.value).toBe('1, 2, 4')
    expect(control(wrapper, 'Minimum repeats').element.value).toBe('5')
    expect(control(wrapper, 'Time limit (s)').element.value).toBe('60')

    await control(wrapper, 'Thread counts').setValue('2, 4')
    await control(wrapper, 'Time limit (s)').setValue('0')
    expect(messageOf(wrapper, 'Thread counts')).toBe(
      'threads must include 1: speedup is measured against one thread'
    )
    expect(control(wrapper, 'Thread counts').attributes('aria-invalid')).toBe('true')
    expect(messageOf(wrapper, 'Time limit (s)')).toBe('maxSeconds must be more than 0')
    expect(button(wrapper, 'Start sweep').element.disabled).toBe(true)
    expect(wrapper.find('[data-test="sweep-blocker"]').text()).toBe('2 sweep fields to fix')

    await control(wrapper, 'Thread counts').setValue('1,2')
    await control(wrapper, 'Time limit (s)').setValue('10')
    await wrapper.find('input[value="both"]').setValue(true)
    expect(button(wrapper, 'Start sweep').element.disabled).toBe(false)
    await wrapper.find('form[aria-label="Sweep setup"]').trigger('submit')
    await settle()
    expect(api.startSweep).toHaveBeenCalledTimes(1)
    expect(api.startSweep).toHaveBeenCalledWith(useJobFormStore().spec, {
      threads: [1, 2],
      backends: ['threads', 'processes'],
      repeat: 5,
      maxSeconds: 10
    })
  })

  it('shows progress over the whole sweep; Esc cancels it from anywhere, and Run says why it waits', async () => {
    const api = createFakeApi()
    const { pinia } = await connectedPinia(api)
    wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
    await settle()
    await button(wrapper, 'Sweep threads…').trigger('click')
    await settle()
    expect(wrapper.find('section[aria-label="Sweep"]').exists()).toBe(true)
    useJobFormStore().presetMap()
    await settle()
    await wrapper.find('form[aria-label="Sweep setup"]').trigger('submit')
    await settle()
    expect(api.startSweep).toHaveBeenCalledTimes(1)
    api.emit({
      type: 'sweep.progress',
      payload: {
        sweepId: 'sweep-1',
        runsDone: 3,
        runsPlanned: 12,
        elapsedMs: 2500,
        current: { backend: 'threads', threads: 4, phase: 'warm-up' },
        pointsDone: 1,
        pointsTotal: 3
      }
    })
    await settle()
    expect(wrapper.find('[data-test="sweep-runs"]').text()).toBe('3 / 12')
    expect(wrapper.find('[data-test="sweep-points"]').text()).toBe('1 / 3')
    expect(wrapper.find('[data-test="sweep-current"]').text()).toBe(
      '4 threads on threads · warming up a new pool'
    )
    expect(
      wrapper.find('[role="progressbar"][aria-label="Sweep progress"]').attributes('aria-valuenow')
    ).toBe('25')
    const run = button(wrapper, 'Run')
    expect(run.element.disabled).toBe(true)
    expect(run.attributes('title')).toBe('A sweep is running: wait for it or cancel it (Esc)')
    expect(wrapper.find('.status-bar [role="status"]').text()).toBe(
      'Sweeping sweep-1: run 3 of 12 — Esc cancels'
    )

    window.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape' }))
    await settle()
    expect(api.cancelSweep).toHaveBeenCalledWith('sweep-1')
    api.emit({ type: 'sweep.finished', payload: twoPoints('cancelled') })
    await settle()
    expect(wrapper.find('[data-test="sweep-status"]').text()).toBe('Cancelled')
    expect(wrapper.find('[data-test="sweep-message"]').text()).toBe('cancelled by the user')
    // The finished points stay, in the table.
    expect(wrapper.findAll('[data-test="scaling-points"] tr[data-point]')).toHaveLength(2)
  })

  it('shows the host’s refusal of a start', async () => {
    const api = createFakeApi({
      startSweep: vi.fn().mockRejectedValue(new Error('sweep.start refused: a sweep is starting'))
    })
    const { pinia } = await connectedPinia(api)
    useJobFormStore().presetMap()
    useSweepStore().openSetup('threads')
    wrapper = mount(SweepPanel, { global: { plugins: [pinia] } })
    await settle()
    await wrapper.find('form').trigger('submit')
    await settle()
    expect(wrapper.find('[data-test="sweep-error"]').text()).toBe(
      'The sweep was not started: sweep.start refused: a sweep is starting'
    )
  })
})

describe('the Scaling section', () => {
  it('draws the measured speedups with the ideal line and the exact Amdahl fit', async () => {
    const { sweep, wrapper } = await mountSection()
    const option = optionOf(wrapper)
    const analysis = sweep.result!.analysis[0].result!
    const scatter = option.series.find((s) => s.type === 'scatter')!
    expect(scatter.data.map((d) => [d[0], d[1]])).toEqual([
      [1, 1],
      [2, analysis.points[1].speedup]
    ])
    expect(analysis.points[1].speedup).toBeCloseTo(100 / 55, 10)
    expect(option.series.map((s) => s.name)).toEqual(
      expect.arrayContaining(['oversubscribed', 'ideal (S = N)', 'Amdahl fit', 'measured, threads'])
    )
    expect(option.xAxis.max).toBe(64)
    expect(wrapper.find('[data-test="scaling-chart"]').attributes('aria-label')).toBe(
      `Scaling chart, speedup against threads. 1 thread: 1.00×; 2 threads: ${(100 / 55).toFixed(2)}×.`
    )
    expect(wrapper.find('[data-test="scaling-explain"]').text()).toMatch(
      /^Speedup is the 1-thread median time/
    )
  })

  it('switches the chart to efficiency', async () => {
    const { wrapper } = await mountSection()
    await wrapper.find('input[value="efficiency"]').setValue(true)
    const option = optionOf(wrapper)
    const scatter = option.series.find((s) => s.type === 'scatter')!
    expect(scatter.data[1][1]).toBeCloseTo(100 / 55 / 2, 10)
    expect(option.series.some((s) => s.name === 'ideal (E = 100%)')).toBe(true)
    expect(wrapper.find('[data-test="scaling-explain"]').text()).toMatch(
      /^Efficiency is speedup over threads/
    )
  })

  it('says in sentences what two points can and cannot tell, with the fits and predictions', async () => {
    const { wrapper } = await mountSection()
    const verdicts = wrapper.findAll('[data-test="verdicts"] li').map((li) => li.text())
    expect(verdicts[0]).toMatch(/^Only two thread counts were measured \(1 and 2\)/)
    expect(verdicts.some((v) => v.startsWith('Too few thread counts to compare'))).toBe(true)
    const f = 2 * (55 / 100) - 1 // Amdahl from one ratio: 1/S = f + (1 − f)/2.
    expect(wrapper.find('[data-model="amdahl"]').text()).toContain(`serial fraction f = ${f.toFixed(3)}`)
    expect(wrapper.find('[data-model="amdahl"]').text()).toContain(
      'exact: as many thread counts as parameters'
    )
    expect(wrapper.find('[data-model="usl"]').text()).toContain('not fitted: 2 thread counts used')
    const rows = wrapper.findAll('[data-test="predictions-threads"] tbody tr').map((tr) => tr.text())
    expect(rows).toEqual([4, 8, 16, 64].map((n) => `${n}${(1 / (f + (1 - f) / n)).toFixed(2)}×`))
    expect(wrapper.find('[data-test="scaling-warnings"]').text()).toBe(
      '5 of 10 runs were taken while the machine was busy with something else.'
    )
  })

  it('lists every point with its figures and flags', async () => {
    const { wrapper } = await mountSection()
    const rows = wrapper.findAll('[data-test="scaling-points"] tr[data-point]')
    const cells = (i: number) => rows[i].findAll('td').map((td) => td.text())
    // One back end: no back-end column.
    expect(wrapper.findAll('[data-test="scaling-points"] th').map((th) => th.text())[1]).toBe(
      'Median (95% CI)'
    )
    expect(cells(0)[0]).toBe('1')
    expect(rows[0].find('.median').text()).toBe('100 ms')
    expect(cells(1)[0]).toBe('2')
    expect(rows[1].find('.median').text()).toBe('55.0 ms')
    const ci = useSweepStore().result!.points[1].summary!.medianCi!
    expect(rows[1].find('.ci').text()).toBe(`${ci.low.toFixed(1)} – ${ci.high.toFixed(1)} ms`)
    expect(cells(1)[2]).toBe('5')
    expect(cells(1)[4]).toBe('1.82×')
    expect(cells(1)[5]).toBe('91%')
    expect(cells(1)[6]).toBe(((55 / 100 - 0.5) / 0.5).toFixed(3))
    expect(wrapper.findAll('[data-flags="threads:2"] .flag').map((f) => f.text())).toEqual([
      'busy machine (5 of 5 runs)',
      `too short (< 100 ms): try ${Math.ceil((8 * 100) / 55)} tasks`
    ])
  })

  it('shows both back ends on one chart and in one table, with a back-end column', async () => {
    const api = createFakeApi()
    const { pinia } = await connectedPinia(api)
    const sweep = useSweepStore()
    sweep.openSetup('threads')
    await sweep.start(BUSY_WAIT_SPEC)
    api.emit({
      type: 'sweep.finished',
      payload: sweepResult('sweep-1', [
        { threads: 1, samples: [100, 101, 99] },
        { threads: 2, samples: [55, 56, 54] },
        { threads: 1, backend: 'processes', samples: [120, 121, 119] },
        { threads: 2, backend: 'processes', samples: [80, 81, 79] }
      ])
    })
    await settle()
    wrapper = mount(ScalingSection, { global: { plugins: [pinia] } })
    await settle()
    const scatter = optionOf(wrapper).series.filter((s) => s.type === 'scatter')
    expect(scatter.map((s) => s.name)).toEqual(['measured, threads', 'measured, processes'])
    expect(scatter[1].data[1][1]).toBeCloseTo(120 / 80, 10)
    const rows = wrapper.findAll('[data-test="scaling-points"] tr[data-point]')
    expect(
      rows.map((r) =>
        r
          .findAll('td')
          .slice(0, 2)
          .map((td) => td.text())
      )
    ).toEqual([
      ['1', 'threads'],
      ['2', 'threads'],
      ['1', 'processes'],
      ['2', 'processes']
    ])
    expect(wrapper.find('[data-test="fits-processes"]').exists()).toBe(true)
    expect(wrapper.findAll('h3').map((h) => h.text())[1]).toMatch(/^Fits — processes back end/)
  })

  it('saves the chart as a PNG from the light option, and the result as JSON', async () => {
    const { sweep, wrapper } = await mountSection()
    await button(wrapper, 'Save PNG').trigger('click')
    expect(saveChartPng).toHaveBeenCalledTimes(1)
    const [option, , , filename] = saveChartPng.mock.calls[0] as [Option, number, number, string]
    expect(filename).toBe('sweep-1-speedup.png')
    expect(option.title?.text).toBe('sweep-1: speedup against threads')
    // The light theme's marker colour, whatever the page's theme.
    expect(JSON.stringify(option)).toContain('#2f6fde')
    await button(wrapper, 'Export JSON').trigger('click')
    expect(downloadFile).toHaveBeenCalledTimes(1)
    const file = downloadFile.mock.calls[0][0] as { filename: string; mime: string; text: string }
    expect(file.filename).toBe('sweep-1.json')
    expect(file.mime).toBe('application/json')
    expect(JSON.parse(file.text)).toEqual(sweep.result)
  })
})
