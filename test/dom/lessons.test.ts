import { mount, type VueWrapper } from '@vue/test-utils'
import { afterEach, describe, expect, it, vi } from 'vitest'
import JobForm from '@renderer/components/JobForm.vue'
import { useJobFormStore } from '@renderer/stores/jobForm'
import { LESSONS } from '../../src/shared/lessons'
import { WORKLOADS } from '../../src/shared/workloads'
import { createFakeApi, fakeInfo } from './fakeApi'
import { button, connectedPinia, control, group, messageOf, settle } from './helpers'

let wrapper: VueWrapper | undefined

async function mountForm(api = createFakeApi()) {
  const { pinia } = await connectedPinia(api)
  wrapper = mount(JobForm, { global: { plugins: [pinia] }, attachTo: document.body })
  await settle()
  return { wrapper, api }
}

afterEach(() => {
  wrapper?.unmount()
  wrapper = undefined
})

/** Picks a lesson in the Lessons menu, as a person would (the change event of the select). */
async function pickLesson(w: VueWrapper, title: string): Promise<void> {
  const select = control(w, 'Lessons')
  const option = select.findAll('option').find((o) => o.text() === title)
  if (!option) throw new Error(`no lesson "${title}"`)
  await select.setValue(option.element.getAttribute('value'))
  await settle()
}

describe('lessons in the job form', () => {
  it('offers every lesson under a labelled menu in the Presets group, beside the notebook buttons', async () => {
    const { wrapper } = await mountForm()
    const presets = wrapper.find('[role=group][aria-label=Presets]')
    const select = control(wrapper, 'Lessons')
    expect(presets.element.contains(select.element)).toBe(true)
    expect(select.element.tagName).toBe('SELECT')
    expect(select.element.disabled).toBe(false)
    expect(select.findAll('option').map((o) => o.text())).toEqual([
      'Choose a lesson…',
      ...LESSONS.map((l) => l.title)
    ])
    expect(select.element.value).toBe('')
    // The notebook buttons stay.
    expect(button(wrapper, 'Notebook: map cell').exists()).toBe(true)
    expect(button(wrapper, 'Notebook: starmap cell').exists()).toBe(true)
  })

  it('fills the form with the imbalance lesson, says what it shows, and runs nothing', async () => {
    const { wrapper, api } = await mountForm()
    await pickLesson(wrapper, 'Imbalance: equal-width prime ranges')
    expect(control(wrapper, 'Workload').element.value).toBe('count_primes')
    expect(group(wrapper, 'Call style').find<HTMLInputElement>('input[value=starmap]').element.checked).toBe(
      true
    )
    expect(control(wrapper, 'Span').element.value).toBe('0:8000000')
    expect(control(wrapper, 'Tasks').element.value).toBe('4')
    expect(control(wrapper, 'Threads').element.value).toBe('2')
    expect(control(wrapper, 'Chunk size').element.value).toBe('1')
    expect(wrapper.find('[data-test=preset-message]').text()).toBe(
      `Imbalance: equal-width prime ranges: ${LESSONS[2].shows} Nothing ran: press Run when ready.`
    )
    expect(api.startJob).not.toHaveBeenCalled()
    // The menu keeps showing the lesson (a keyboard user walks on from it with the arrow keys).
    expect(control(wrapper, 'Lessons').element.value).toBe('imbalance-primes')
    // Until another preset fills the form.
    await button(wrapper, 'Notebook: map cell').trigger('click')
    expect(control(wrapper, 'Lessons').element.value).toBe('')
    expect(control(wrapper, 'Workload').element.value).toBe('combinations')
    expect(button(wrapper, 'Run').element.disabled).toBe(false)
  })

  it('the sleep lesson sets more threads than cores; the stream lesson resets what it does not need', async () => {
    const { wrapper } = await mountForm()
    await control(wrapper, 'Chunk size').setValue('7')
    await pickLesson(wrapper, 'More threads than cores: sleep')
    expect(control(wrapper, 'Workload').element.value).toBe('sleep')
    expect(control(wrapper, 'ms').element.value).toBe('100')
    expect(control(wrapper, 'Threads').element.value).toBe('8')
    expect(control(wrapper, 'Tasks').element.value).toBe('16')
    expect(control(wrapper, 'Chunk size').element.value).toBe('auto')
    await pickLesson(wrapper, 'Memory wall: stream')
    expect(control(wrapper, 'Workload').element.value).toBe('stream')
    expect(control(wrapper, 'Megabytes').element.value).toBe('64')
    expect(control(wrapper, 'Passes').element.value).toBe('10')
    expect(control(wrapper, 'Threads').element.value).toBe('')
    expect(control(wrapper, 'Tasks').element.value).toBe('8')
  })

  it('every lesson fills a form that can run as it is', async () => {
    // A real engine's budget (a share of the machine's memory): the fake's 64 MB is below 8 threads' pool.
    const { wrapper, api } = await mountForm(
      createFakeApi({ info: vi.fn(async () => ({ ...fakeInfo, budgetBytes: 1024 ** 3 })) })
    )
    const form = useJobFormStore()
    for (const lesson of LESSONS) {
      await pickLesson(wrapper, lesson.title)
      expect(form.fields.workload, lesson.id).toBe(lesson.spec.workload)
      expect(form.errors, lesson.id).toEqual({})
      expect(form.spec?.workload, lesson.id).toBe(lesson.spec.workload)
      expect(button(wrapper, 'Run').element.disabled, lesson.id).toBe(false)
    }
    expect(api.startJob).not.toHaveBeenCalled()
  })

  it('shows what the chosen workload demonstrates and what to look for under the picker', async () => {
    const { wrapper } = await mountForm()
    for (const name of ['count_primes', 'mandelbrot_rows', 'stream']) {
      await control(wrapper, 'Workload').setValue(name)
      const entry = WORKLOADS.get(name)!
      expect(messageOf(wrapper, 'Workload')).toContain(entry.description)
      expect(wrapper.find('[data-test=look-for]').text()).toBe(`Look for: ${entry.lookFor}`)
    }
  })

  it('a field left at another workload’s default takes the chosen one’s; typed text stays', async () => {
    const { wrapper } = await mountForm()
    await button(wrapper, 'Notebook: starmap cell').trigger('click')
    await control(wrapper, 'Workload').setValue('fibonacci')
    expect(control(wrapper, 'n').element.value).toBe('20,25,30')
    await control(wrapper, 'Workload').setValue('combinations_n')
    expect(control(wrapper, 'n').element.value).toBe('2,3,4')
    await control(wrapper, 'n').setValue('3')
    await control(wrapper, 'Workload').setValue('fibonacci')
    expect(control(wrapper, 'n').element.value).toBe('3')
  })
})
