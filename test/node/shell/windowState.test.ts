import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import {
  captureWindowState,
  DEFAULT_WINDOW_STATE,
  loadWindowState,
  saveWindowState
} from '../../../src/main/shell/windowState'

const screen = [{ x: 0, y: 0, width: 1920, height: 1080 }]

function fileWith(content?: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'poolscope-state-')), 'window-state.json')
  if (content !== undefined) writeFileSync(file, content)
  return file
}

describe('window state', () => {
  it('loads a valid saved state', async () => {
    const file = fileWith('{"width":1000,"height":700,"x":100,"y":80,"maximized":false}')
    expect(await loadWindowState(file, screen)).toEqual({
      width: 1000,
      height: 700,
      x: 100,
      y: 80,
      maximized: false
    })
  })

  it.each([
    ['truncated JSON', '{"width":1000,"hei'],
    ['not an object', '[1000, 700]'],
    ['a string width', '{"width":"1000","height":700,"maximized":false}'],
    ['a negative size', '{"width":-5,"height":700,"maximized":false}'],
    ['an absurd size', '{"width":1e9,"height":700,"maximized":false}'],
    ['an unknown key', '{"width":1000,"height":700,"maximized":false,"url":"https://evil.example"}'],
    ['half a position', '{"width":1000,"height":700,"x":5,"maximized":false}'],
    ['empty file', '']
  ])('rejects a corrupted file (%s) and falls back to the defaults', async (_what, content) => {
    expect(await loadWindowState(fileWith(content), screen)).toEqual(DEFAULT_WINDOW_STATE)
  })

  it('falls back to the defaults when there is no file', async () => {
    expect(await loadWindowState(fileWith(), screen)).toEqual(DEFAULT_WINDOW_STATE)
  })

  it('drops a position that no screen shows but keeps the size', async () => {
    const file = fileWith('{"width":1000,"height":700,"x":5000,"y":80,"maximized":true}')
    expect(await loadWindowState(file, screen)).toEqual({ width: 1000, height: 700, maximized: true })
  })

  it('saves what it loads', async () => {
    const file = fileWith()
    const state = captureWindowState({
      getNormalBounds: () => ({ x: 12.4, y: 30, width: 1111.6, height: 777 }),
      isMaximized: () => true,
      once: () => undefined
    })
    saveWindowState(file, state)
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      width: 1112,
      height: 777,
      x: 12,
      y: 30,
      maximized: true
    })
    expect(await loadWindowState(file, screen)).toEqual(state)
  })
})
