import type { EChartsOption } from 'echarts'
import { init } from 'echarts/core'
import './register'

/** The page a chart's PNG is drawn on: white, whatever the theme, so it reads in a report. */
export const PNG_BACKGROUND = '#ffffff'

/**
 * Draws a chart's option (built for the light theme) on an offscreen canvas of the given CSS size
 * at the screen's pixel ratio, and returns it as a PNG data URL. A chart shown in the dark theme is
 * drawn again from its light option rather than copied, so its text and lines stay readable on
 * the white page.
 */
export function chartPngDataUrl(option: EChartsOption, width: number, height: number): string {
  const pixelRatio = Math.max(1, window.devicePixelRatio || 1)
  const host = document.createElement('div')
  host.style.cssText = `position:fixed;left:-100000px;top:0;width:${width}px;height:${height}px`
  document.body.appendChild(host)
  const chart = init(host, null, { renderer: 'canvas', width, height, devicePixelRatio: pixelRatio })
  try {
    chart.setOption({ ...option, animation: false, backgroundColor: PNG_BACKGROUND })
    return chart.getDataURL({ type: 'png', pixelRatio, backgroundColor: PNG_BACKGROUND })
  } finally {
    chart.dispose()
    host.remove()
  }
}

/** Saves a chart as `filename` (a `.png`) through the browser's download path. */
export function saveChartPng(option: EChartsOption, width: number, height: number, filename: string): void {
  const anchor = document.createElement('a')
  anchor.href = chartPngDataUrl(option, width, height)
  anchor.download = filename
  anchor.rel = 'noopener'
  document.body.appendChild(anchor)
  anchor.click()
  anchor.remove()
}
