import { flushPromises, type DOMWrapper, type VueWrapper } from '@vue/test-utils'
import { createPinia, setActivePinia, type Pinia } from 'pinia'
import { useJobStore } from '@renderer/stores/job'
import { createFakeApi, type FakeApi } from './fakeApi'

/** A fresh Pinia with the job store connected to a fake engine. */
export async function connectedPinia(
  api: FakeApi = createFakeApi()
): Promise<{ pinia: Pinia; api: FakeApi }> {
  const pinia = createPinia()
  setActivePinia(pinia)
  await useJobStore(pinia).connect(api)
  return { pinia, api }
}

/** The control a visible `<label>` names, found the way a person would find it. */
export function control(wrapper: VueWrapper, labelText: string): DOMWrapper<HTMLInputElement> {
  const label = wrapper.findAll('label').find((l) => l.text().trim() === labelText)
  if (!label) throw new Error(`no label "${labelText}"`)
  return wrapper.find<HTMLInputElement>(`#${label.attributes('for')}`)
}

/** The message shown under a control (error or hint), via its aria-describedby. */
export function messageOf(wrapper: VueWrapper, labelText: string): string {
  const id = control(wrapper, labelText).attributes('aria-describedby')
  return wrapper.find(`#${id}`).text()
}

/** A fieldset found by its legend, for radio groups. */
export function group(wrapper: VueWrapper, legendText: string): DOMWrapper<HTMLFieldSetElement> {
  const legend = wrapper.findAll('legend').find((l) => l.text().trim() === legendText)
  if (!legend) throw new Error(`no legend "${legendText}"`)
  return new (legend.constructor as new (el: Element) => DOMWrapper<HTMLFieldSetElement>)(
    legend.element.parentElement as Element
  )
}

export function button(wrapper: VueWrapper, name: string): DOMWrapper<HTMLButtonElement> {
  const found = wrapper
    .findAll<HTMLButtonElement>('button')
    .find((b) => (b.attributes('aria-label') ?? b.text().trim()) === name)
  if (!found) throw new Error(`no button "${name}"`)
  return found
}

export async function settle(): Promise<void> {
  await flushPromises()
}
