// The timeline of a cluster job: lanes named by agent, a line between agents, each agent's clock
// offset, and the mark of a chunk that ran again. Built from a window of the shape the engine sends
// (the cluster back end's labels carry a clock uncertainty; `retried` lists the second runs).
import { describe, expect, it } from 'vitest'
import {
  buildTimelineOption,
  emptyWindow,
  hostGroups,
  laneLabel,
  retryTooltip
} from '../../../src/renderer/src/charts/timeline'
import type { TimelineWindow } from '../../../src/shared/protocol'

interface OptionLike {
  yAxis: { data: string[]; splitLine: { show: boolean; interval: (index: number) => boolean } }
  series: Array<{ name: string; data: number[][] }>
  tooltip: { formatter: (p: unknown) => string }
}

/** Three lanes on two agents (lab-1 has two threads), one retried chunk on lab-2. */
function clusterWindow(overrides: Partial<TimelineWindow> = {}): TimelineWindow {
  return {
    ...emptyWindow(3),
    now: 100,
    to: 100,
    lanes: [
      { lane: 0, host: 'lab-1', pid: 11, threadId: 1, clockOffsetMs: 0.42, clockUncertaintyMs: 0.15 },
      { lane: 1, host: 'lab-1', pid: 11, threadId: 2, clockOffsetMs: 0.42, clockUncertaintyMs: 0.15 },
      { lane: 2, host: 'lab-2', pid: 22, threadId: 1, clockOffsetMs: -3.1, clockUncertaintyMs: 0.2 }
    ],
    retried: [{ lane: 2, firstTask: 8, count: 4, at: 40 }],
    ...overrides
  }
}

describe('the timeline of a cluster job', () => {
  it('groups consecutive lanes by agent, with each agent’s clock offset', () => {
    expect(hostGroups(clusterWindow())).toEqual([
      { host: 'lab-1', agent: true, first: 0, last: 1, clockOffsetMs: 0.42, clockUncertaintyMs: 0.15 },
      { host: 'lab-2', agent: true, first: 2, last: 2, clockOffsetMs: -3.1, clockUncertaintyMs: 0.2 }
    ])
  })

  it('tells a lane no agent took from an agent’s lanes', () => {
    const window = clusterWindow()
    window.lanes[2] = {
      lane: 2,
      host: '(no agent yet)',
      pid: -1,
      threadId: -1,
      clockOffsetMs: 0,
      clockUncertaintyMs: 0
    }
    expect(hostGroups(window).map((group) => [group.host, group.agent])).toEqual([
      ['lab-1', true],
      ['(no agent yet)', false]
    ])
  })

  it('names each lane by its agent, and draws a line where the next agent’s lanes begin', () => {
    const option = buildTimelineOption({ window: clusterWindow() }) as unknown as OptionLike
    expect(option.yAxis.data).toEqual([
      'lab-1 · worker 0',
      'lab-1 · worker 1',
      'lab-2 · worker 2',
      'main thread',
      "PoolScope's own cost"
    ])
    expect(option.yAxis.splitLine.show).toBe(true)
    expect([0, 1, 2, 3, 4].map((i) => option.yAxis.splitLine.interval(i))).toEqual([
      false,
      false,
      true,
      false,
      false
    ])
  })

  it('marks the retried chunk where its second run began, and says what happened', () => {
    const window = clusterWindow()
    const option = buildTimelineOption({ window }) as unknown as OptionLike
    const marks = option.series.find((s) => s.name === 'retries')
    expect(marks?.data).toEqual([[40, 2, 0]])
    const tip = option.tooltip.formatter({ seriesName: 'retries', value: [40, 2, 0] })
    expect(tip).toBe(retryTooltip(window, 0))
    expect(tip).toContain('<b>retried chunk</b> on lab-2 · worker 2')
    expect(tip).toContain('tasks #8–#11 ran again from')
    expect(tip).toContain('went silent')
  })

  it('leaves this machine’s lanes as they were: no hosts, no line, no marks', () => {
    const local = emptyWindow(2)
    local.lanes = [
      { lane: 0, host: 'box', pid: 7, threadId: 1, clockOffsetMs: 0 },
      { lane: 1, host: 'box', pid: 7, threadId: 2, clockOffsetMs: 0 }
    ]
    expect(hostGroups(local)).toEqual([])
    expect(laneLabel(local, 0)).toBe('worker 0 · thread 1')
    const option = buildTimelineOption({ window: local }) as unknown as OptionLike
    expect(option.yAxis.splitLine.show).toBe(false)
    expect(option.series.some((s) => s.name === 'retries')).toBe(false)
  })
})
