import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from 'playwright-core'

/**
 * Checks run inside the page for the browser suite: axe-core's findings, the focus ring of every
 * control Tab reaches, and text cut by the box that clips it. The in-page code is passed as strings,
 * so the test transform's helpers never reach the page.
 */

const require = createRequire(import.meta.url)
const AXE_SOURCE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8')

export interface AxeFinding {
  id: string
  impact: string | null
  nodes: string[]
}

/**
 * axe-core's serious and critical findings on the page as it is now. The page's CSP allows no
 * injected script tag, so axe is evaluated through the debugging protocol, once per page.
 */
export async function seriousAxeFindings(page: Page): Promise<AxeFinding[]> {
  if (!(await page.evaluate<boolean>('typeof window.axe === "object"'))) await page.evaluate(AXE_SOURCE)
  return page.evaluate<AxeFinding[]>(`(async () => {
    const { violations } = await window.axe.run(document, { resultTypes: ['violations'] })
    return violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => n.target.join(' ') + ': ' + n.failureSummary) }))
  })()`)
}

export interface FocusRing {
  /** The focused element, or `body` when focus fell to the page. */
  name: string
  /** Contrast of the outline against what it is drawn on; 0 without a solid outline of 2 px or more. */
  contrast: number
}

/** The focus ring of the focused element, against the colours behind it (translucent layers blended). */
const FOCUS_RING = `(() => {
  const parse = (c) => {
    let m = /rgba?\\(([^)]+)\\)/.exec(c)
    if (m) { const p = m[1].split(/[ ,\\/]+/).filter(Boolean).map(Number); return [p[0], p[1], p[2], p[3] ?? 1] }
    m = /color\\(srgb ([^)]+)\\)/.exec(c)
    if (m) { const p = m[1].split(/[ \\/]+/).filter(Boolean).map(Number); return [p[0] * 255, p[1] * 255, p[2] * 255, p[3] ?? 1] }
    return [0, 0, 0, 0]
  }
  const behind = (el) => {
    const layers = []
    for (let a = el; a; a = a.parentElement) {
      const c = parse(getComputedStyle(a).backgroundColor)
      if (c[3] > 0) layers.push(c)
      if (c[3] >= 1) break
    }
    let out = [255, 255, 255]
    for (const [r, g, b, al] of layers.reverse()) out = [r * al + out[0] * (1 - al), g * al + out[1] * (1 - al), b * al + out[2] * (1 - al)]
    return out
  }
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4 }
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)
  }
  const ratio = (a, b) => { const [x, y] = [lum(a), lum(b)].sort((p, q) => q - p); return (x + 0.05) / (y + 0.05) }
  const el = document.activeElement
  if (!el || el === document.body) return { name: 'body', contrast: 0 }
  const s = getComputedStyle(el)
  const ring = parse(s.outlineColor)
  const solid = s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 2 && ring[3] >= 1
  const label = (el.getAttribute('aria-label') || el.id || el.textContent || el.value || '').trim().slice(0, 30)
  return { name: el.tagName.toLowerCase() + ' ' + label, contrast: solid ? ratio(ring, behind(el.parentElement)) : 0 }
})()`

/** Tabs from the top of the page through every control once, reading each one's focus ring. */
export async function focusRingsByTab(page: Page, most = 80): Promise<FocusRing[]> {
  // A click on the heading puts Tab's starting point at the top of the page.
  await page.locator('h1').click()
  const rings: FocusRing[] = []
  for (let i = 0; i < most; i++) {
    await page.keyboard.press('Tab')
    const ring = await page.evaluate<FocusRing>(FOCUS_RING)
    // Past the last control, Tab leaves the page for the browser's own UI.
    if (ring.name === 'body' || rings.some((r) => r.name === ring.name)) break
    rings.push(ring)
  }
  return rings
}

/** What holds focus: `tag#id "name"`, or `body` when focus fell to the page. */
export function focused(page: Page): Promise<string> {
  return page.evaluate<string>(`(() => {
    const el = document.activeElement
    if (!el || el === document.body) return 'body'
    const name = (el.getAttribute('aria-label') || el.textContent || '').trim()
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + name + '"'
  })()`)
}

/**
 * Text whose box runs past the side of a box that clips it (overflow other than visible): a label or
 * value showing part of itself, cut mid-letter (an ellipsis is drawn inside the text's own box, so
 * text that ends in one is not counted). Text cut at a scrolled edge, top or bottom, is what
 * scrolling does and is not counted either.
 */
export function textCutSideways(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(`(() => {
    const cut = []
    for (const el of document.querySelectorAll('body *')) {
      if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue
      const r = el.getBoundingClientRect()
      if (r.width === 0 || r.height === 0) continue
      for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
        const s = getComputedStyle(a)
        if (s.overflowX === 'visible' && s.overflowY === 'visible') continue
        // A box that ends its text in an ellipsis says that it is cut.
        if (s.textOverflow === 'ellipsis') break
        const box = a.getBoundingClientRect()
        const left = box.left + a.clientLeft
        const right = left + a.clientWidth
        const top = box.top + a.clientTop
        const bottom = top + a.clientHeight
        const inView = r.bottom > top && r.top < bottom && r.right > left && r.left < right
        if (inView && (r.left < left - 0.5 || r.right > right + 0.5))
          cut.push(el.tagName.toLowerCase() + ' "' + el.textContent.trim().slice(0, 30) + '" cut by .' + [...a.classList].join('.'))
        break
      }
    }
    return cut
  })()`)
}
