import { mkdirSync, renameSync, writeFileSync } from 'node:fs'
import { readFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { z } from 'zod'

/**
 * The main window's size and position, remembered in a small JSON file in `userData`. The file is
 * validated on load: anything corrupted, out of range or off every screen falls back to defaults.
 */

export const WINDOW_STATE_FILE = 'window-state.json'

const MAX_SIDE = 16_384
const MAX_COORD = 100_000
const MAX_FILE_BYTES = 4096

const WindowStateSchema = z
  .object({
    width: z.number().int().min(400).max(MAX_SIDE),
    height: z.number().int().min(300).max(MAX_SIDE),
    x: z.number().int().min(-MAX_COORD).max(MAX_COORD).optional(),
    y: z.number().int().min(-MAX_COORD).max(MAX_COORD).optional(),
    maximized: z.boolean()
  })
  .strict()

/** Size, optional position and whether the window was maximized. */
export type WindowState = z.infer<typeof WindowStateSchema>

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false }

/** A screen's usable area (`Display.workArea`). */
export interface Area {
  x: number
  y: number
  width: number
  height: number
}

/** Checks a parsed value; returns `null` when it is not a valid window state. */
export function parseWindowState(value: unknown): WindowState | null {
  const result = WindowStateSchema.safeParse(value)
  if (!result.success) return null
  const state = result.data
  // A position is only meaningful as a pair.
  if ((state.x === undefined) !== (state.y === undefined)) return null
  return state
}

/** Drops the position when the window's title bar would not be visible on any of `areas`. */
export function keepOnScreen(state: WindowState, areas: readonly Area[]): WindowState {
  if (state.x === undefined || state.y === undefined) return state
  const { x, y } = state
  // At least a 100 × 40 strip of the window's top must lie inside one screen.
  const visible = areas.some(
    (area) =>
      x + Math.min(100, state.width) <= area.x + area.width &&
      x + state.width - 100 >= area.x &&
      y >= area.y &&
      y + 40 <= area.y + area.height
  )
  if (visible) return state
  return { width: state.width, height: state.height, maximized: state.maximized }
}

/**
 * Loads the state from `file`. A missing, oversized, unparsable or invalid file gives the defaults;
 * so does a position that no screen in `areas` shows (when `areas` is given).
 */
export async function loadWindowState(
  file: string,
  areas?: readonly Area[],
  defaults: WindowState = DEFAULT_WINDOW_STATE
): Promise<WindowState> {
  let text: string
  try {
    text = await readFile(file, 'utf8')
  } catch {
    return { ...defaults }
  }
  if (text.length > MAX_FILE_BYTES) return { ...defaults }
  let value: unknown
  try {
    value = JSON.parse(text)
  } catch {
    return { ...defaults }
  }
  const state = parseWindowState(value)
  if (!state) return { ...defaults }
  return areas ? keepOnScreen(state, areas) : state
}

/**
 * Writes the state atomically (a temporary file renamed over the old one). Synchronous on purpose:
 * it runs while the window closes during quit, when an asynchronous write might never finish.
 */
export function saveWindowState(file: string, state: WindowState): void {
  const valid = parseWindowState(state)
  if (!valid) return
  mkdirSync(dirname(file), { recursive: true })
  const temporary = `${file}.${process.pid}.tmp`
  writeFileSync(temporary, `${JSON.stringify(valid)}\n`, 'utf8')
  renameSync(temporary, file)
}

/** The part of a BrowserWindow whose geometry is remembered. */
export interface TrackedWindow {
  getNormalBounds(): Area
  isMaximized(): boolean
  once(event: 'close', listener: () => void): unknown
}

/** Reads the window's current state (its normal bounds, even while maximized). */
export function captureWindowState(window: TrackedWindow): WindowState {
  const bounds = window.getNormalBounds()
  return {
    width: Math.round(bounds.width),
    height: Math.round(bounds.height),
    x: Math.round(bounds.x),
    y: Math.round(bounds.y),
    maximized: window.isMaximized()
  }
}

/** Saves the window's state to `file` when it closes. */
export function rememberWindowState(window: TrackedWindow, file: string): void {
  window.once('close', () => {
    try {
      saveWindowState(file, captureWindowState(window))
    } catch {
      // Losing the window's geometry is not worth interrupting the quit for.
    }
  })
}
