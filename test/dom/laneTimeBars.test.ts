import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import LaneTimeBars from '@renderer/components/LaneTimeBars.vue'

describe('LaneTimeBars', () => {
  it('shows each worker’s share of the wall time in tasks, bookkeeping, waiting and idling', () => {
    const wrapper = mount(LaneTimeBars, {
      props: {
        wallMs: 200,
        lanes: [
          { tasksMs: 100, stoppedMs: 0, bookkeepingMs: 50, awaitingWorkMs: 30, idleAtEndMs: 20 },
          { tasksMs: 160, stoppedMs: 0, bookkeepingMs: 20, awaitingWorkMs: 20, idleAtEndMs: 0 }
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

  it('shows the time of tasks a cancel stopped as its own part, not as bookkeeping', () => {
    const wrapper = mount(LaneTimeBars, {
      props: {
        wallMs: 200,
        lanes: [{ tasksMs: 20, stoppedMs: 170, bookkeepingMs: 2, awaitingWorkMs: 6, idleAtEndMs: 2 }]
      }
    })
    expect(wrapper.find('[role="img"]').attributes('aria-label')).toBe(
      'worker 0: tasks 10%, stopped tasks 85%, bookkeeping 1%, waiting for work 3%, idle at the end 1%'
    )
    expect(wrapper.find('.lane-time-legend').text()).toContain('stopped tasks')
  })

  it('leaves the stopped-tasks part out when no task was stopped', () => {
    const wrapper = mount(LaneTimeBars, {
      props: {
        wallMs: 10,
        lanes: [{ tasksMs: 10, stoppedMs: 0, bookkeepingMs: 0, awaitingWorkMs: 0, idleAtEndMs: 0 }]
      }
    })
    expect(wrapper.find('.lane-time-legend').text()).not.toContain('stopped')
  })

  it('puts the tool’s own cost per task beside the time in tasks, per task that ran', () => {
    const wrapper = mount(LaneTimeBars, {
      props: {
        wallMs: 200,
        lanes: [
          { tasksMs: 100, stoppedMs: 0, bookkeepingMs: 50, awaitingWorkMs: 30, idleAtEndMs: 20 },
          { tasksMs: 160, stoppedMs: 0, bookkeepingMs: 20, awaitingWorkMs: 20, idleAtEndMs: 0 }
        ],
        overheadNsPerTask: 70,
        tasksRan: 1_000_000
      }
    })
    expect(wrapper.find('.lane-time-per-task').text()).toBe(
      "Per task: 260 ns in the task, 70 ns of PoolScope's own bookkeeping"
    )
  })

  it('shows no cost per task when no task ran', () => {
    const wrapper = mount(LaneTimeBars, {
      props: {
        wallMs: 5,
        lanes: [{ tasksMs: 0, stoppedMs: 0, bookkeepingMs: 0, awaitingWorkMs: 5, idleAtEndMs: 0 }],
        overheadNsPerTask: null,
        tasksRan: 0
      }
    })
    expect(wrapper.find('.lane-time-per-task').exists()).toBe(false)
  })
})
