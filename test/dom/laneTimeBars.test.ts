import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import LaneTimeBars from '@renderer/components/LaneTimeBars.vue'

describe('LaneTimeBars', () => {
  it('shows each worker’s share of the wall time in tasks, bookkeeping, waiting and idling', () => {
    const wrapper = mount(LaneTimeBars, {
      props: {
        wallMs: 200,
        lanes: [
          { tasksMs: 100, bookkeepingMs: 50, awaitingWorkMs: 30, idleAtEndMs: 20 },
          { tasksMs: 160, bookkeepingMs: 20, awaitingWorkMs: 20, idleAtEndMs: 0 }
        ]
      }
    })
    const bars = wrapper.findAll('[role="img"]')
    expect(bars.map((bar) => bar.attributes('aria-label'))).toEqual([
      'worker 0: tasks 50%, bookkeeping 25%, waiting for work 15%, idle at the end 10%',
      'worker 1: tasks 80%, bookkeeping 10%, waiting for work 10%, idle at the end 0%'
    ])
    const widths = bars[0].findAll('.seg').map((seg) => seg.attributes('style'))
    expect(widths).toEqual(['width: 50.00%;', 'width: 25.00%;', 'width: 15.00%;', 'width: 10.00%;'])
  })
})
