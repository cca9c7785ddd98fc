// A scaled sweep from the app: the "Scale tasks with threads (Gustafson)" checkbox sends `scaled`,
// the setup says what each point will run, presets keep the flag, and the Scaling section shows
// the tasks per point, Gustafson's fit and "scaled: N tasks per thread".
import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import App from '@renderer/App.vue'
import { useSweepStore } from '@renderer/stores/sweep'
import type { ExportFile } from '../../src/shared/protocol'
import { readJobFile } from '../../src/shared/jobFile'
import { sweepResult } from './fakeApi'
import { button, connectedPinia, control, settle } from './helpers'

vi.mock('vue-echarts', () => import('./chartStub'))
const downloadFile = vi.fn<(file: ExportFile) => void>()
vi.mock('@renderer/download', () => ({
  downloadFile: (file: ExportFile) => downloadFile(file),
  copyText: vi.fn()
}))

let wrapper: VueWrapper | undefined
beforeEach(() => downloadFile.mockReset())
afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

async function openSweep() {
  const { pinia, api } = await connectedPinia()
  wrapper = mount(App, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  await wrapper.find('#job-workload').setValue('busy_wait')
  await control(wrapper, 'Tasks').setValue('8')
  await control(wrapper, 'Threads').setValue('2')
  await settle()
  await button(wrapper, 'Sweep threads…').trigger('click')
  await settle()
  return { wrapper, api }
}

function checkbox(w: VueWrapper) {
  return w.find<HTMLInputElement>('#sweep-scaled')
}

describe('a scaled sweep in the app', () => {
  it('the checkbox is off by default, explains itself, and sends scaled: true when ticked', async () => {
    const { wrapper, api } = await openSweep()
    const box = checkbox(wrapper)
    expect(box.element.checked).toBe(false)
    const label = wrapper.find('label[for="sweep-scaled"], .sweep-scaled label')
    expect(label.text()).toBe('Scale tasks with threads (Gustafson)')
    const hint = wrapper.find(`#${box.attributes('aria-describedby')}`)
    expect(hint.text()).toBe(
      "each thread gets the job's tasks, so N threads do N times the work; speedup is work per second against 1 thread"
    )
    const what = () => wrapper.find('.sweep-what').text()
    expect(what()).toContain('busy_wait, 8 tasks — at each thread count below')

    await box.setValue(true)
    await settle()
    expect(what()).toBe(
      'The job set up on the left — busy_wait, 8 tasks per thread (32 tasks at 4) — at each thread count below, results counted only.'
    )
    await wrapper.find('form[aria-label="Sweep setup"]').trigger('submit')
    await settle()
    expect(api.startSweep).toHaveBeenCalledTimes(1)
    expect(vi.mocked(api.startSweep).mock.calls[0][1]).toEqual({
      threads: [1, 2, 4],
      backends: ['threads'],
      repeat: 5,
      maxSeconds: 60,
      scaled: true
    })
    // Disabled with the other fields while the sweep runs.
    expect(box.element.closest('fieldset')!.disabled).toBe(true)
  })

  it('a preset keeps the flag and loads it back', async () => {
    const { wrapper } = await openSweep()
    await checkbox(wrapper).setValue(true)
    await settle()
    await button(wrapper, 'Save preset…').trigger('click')
    const text = downloadFile.mock.calls[0][0].text
    expect(readJobFile(text).sweep).toMatchObject({ threads: [1, 2, 4], scaled: true })

    const sweep = useSweepStore()
    sweep.fields.scaled = false
    await settle()
    const input = wrapper.find<HTMLInputElement>('input[aria-label="Load a preset file"]')
    Object.defineProperty(input.element, 'files', {
      value: [new File([text], 'scaled.poolscope.json', { type: 'application/json' })],
      configurable: true
    })
    await input.trigger('change')
    await settle()
    expect(sweep.fields.scaled).toBe(true)
    expect(checkbox(wrapper).element.checked).toBe(true)
  })

  it('the Scaling section shows the tasks per point, Gustafson’s fit and “scaled: N tasks per thread”', async () => {
    const { wrapper, api } = await openSweep()
    await checkbox(wrapper).setValue(true)
    await wrapper.find('form[aria-label="Sweep setup"]').trigger('submit')
    await settle()
    const final = sweepResult(
      'sweep-1',
      [
        { threads: 1, samples: [41, 40, 42] },
        { threads: 2, samples: [44, 43, 45] }
      ],
      { scaled: true }
    )
    api.emit({ type: 'sweep.finished', payload: final })
    await settle()
    const scaling = wrapper.find('section[aria-label="Scaling"]')
    expect(scaling.find('[data-test="scaling-caption"]').text()).toMatch(
      /^sweep-1 · scaled: 8 tasks per thread · \d+ measured runs · /
    )
    expect(scaling.find('[data-test="scaling-explain"]').text()).toMatch(
      /^The tasks grow with the threads, so speedup is work per second at N threads over work per second at 1 thread \(Gustafson\)/
    )
    const headers = scaling.findAll('[data-test="scaling-points"] thead th').map((th) => th.text())
    expect(headers.slice(0, 3)).toEqual(['Threads', 'Tasks', 'Median (95% CI)'])
    const row = (key: string) => scaling.findAll(`tr[data-point="${key}"] td`).map((td) => td.text())
    expect(row('threads:1').slice(0, 2)).toEqual(['1', '8'])
    expect(row('threads:2').slice(0, 2)).toEqual(['2', '16'])
    // Gustafson is the law fitted for a scaled sweep; Amdahl is not shown.
    const fits = scaling.find('[data-test="fits-threads"]')
    expect(fits.find('[data-model="gustafson"]').exists()).toBe(true)
    expect(fits.find('[data-model="amdahl"]').exists()).toBe(false)
    expect(fits.find('[data-model="gustafson"]').text()).toMatch(/serial fraction f = \d\.\d{3}/)
  })
})
