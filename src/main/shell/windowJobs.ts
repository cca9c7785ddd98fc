import type { WebContents } from 'electron'

/**
 * A job belongs to the window that started it: when the page goes away (the window closes, the
 * page reloads or its renderer dies) nobody is left to watch or cancel it, so it is cancelled
 * rather than left busy on every core. The reason ends up in the job's status message.
 */

/** Why a job was cancelled, as its status shows it. */
export const CANCEL_REASONS = {
  closed: 'cancelled: the window was closed',
  reloaded: 'cancelled: the window was reloaded',
  rendererGone: 'cancelled: the window stopped responding'
} as const

/** The part of the EngineHost this needs. */
export interface RunningJobCanceller {
  cancelRunning(reason: string): Promise<boolean>
}

/** The web contents events this listens to (a fake in tests). */
export type WatchedContents = Pick<WebContents, 'on'>

type NavigationStart = { isMainFrame: boolean; isSameDocument: boolean }

/**
 * Cancels the running job when `contents` is destroyed, its main frame starts a new document
 * (a reload: a blocked navigation never starts) or its renderer process is gone. Failures to
 * cancel are swallowed: the page is gone, there is nobody to tell.
 */
export function cancelJobsWhenPageGoes(contents: WatchedContents, jobs: RunningJobCanceller): void {
  const cancel = (reason: string): void => {
    void jobs.cancelRunning(reason).catch(() => undefined)
  }
  contents.on('destroyed', () => cancel(CANCEL_REASONS.closed))
  contents.on('render-process-gone', () => cancel(CANCEL_REASONS.rendererGone))
  contents.on('did-start-navigation', (details: NavigationStart) => {
    // The first load also starts a navigation; no job can be running then, so nothing is cancelled.
    if (details.isMainFrame && !details.isSameDocument) cancel(CANCEL_REASONS.reloaded)
  })
}
