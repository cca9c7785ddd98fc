import { SEGMENT_LABELS, type SegmentKind } from '../../../shared/timeline'

/**
 * The colour of each part of a worker's time, as the breakdown bars (styles.css, `--seg-*`) and the
 * timeline draw it: one palette, so a colour means the same thing in both. Each at least 3:1
 * against its theme's panel. Worker identity is never a colour: lanes are labelled instead.
 */
export const CATEGORY_COLORS: Record<'light' | 'dark', Record<SegmentKind, string>> = {
  light: {
    task: '#2f6fde',
    stopped: '#2f6fde',
    bookkeeping: '#1b7c83',
    waiting: '#9a6700',
    idle: '#848d97',
    startup: '#8250df',
    unreported: '#7ea6ec',
    filing: '#bc4c00',
    queued: '#d4a72c'
  },
  dark: {
    task: '#5b93f5',
    stopped: '#5b93f5',
    bookkeeping: '#39c5cf',
    waiting: '#d29922',
    idle: '#6e7681',
    startup: '#a371f7',
    unreported: '#36598f',
    filing: '#f0883e',
    queued: '#9e6a03'
  }
}

/** The colour of a part of a lane's time in the given theme. */
export function categoryColor(kind: SegmentKind, dark: boolean): string {
  return CATEGORY_COLORS[dark ? 'dark' : 'light'][kind]
}

export { SEGMENT_LABELS }
