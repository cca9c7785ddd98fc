/**
 * Cancels the running job once no client has been connected for a grace period: a closed tab must
 * not leave a job burning every core, while a reload (a disconnect followed by a connect within
 * moments) must not cancel anything.
 */

/** How long the host waits for a client to come back before cancelling the running job. */
export const DISCONNECT_GRACE_MS = 5_000

/** The status text of a job cancelled because its clients went away, e.g. "… for 5 s". */
export function abandonedReason(graceMs: number): string {
  return `cancelled: no client was connected for ${Number((graceMs / 1000).toFixed(3))} s`
}

/** Counts connected clients and arms a timer when the last one leaves. */
export class AbandonedJobGuard {
  private clients = 0
  private timer: NodeJS.Timeout | undefined

  /**
   * @param cancelRunning cancels the running job, if any, for the given reason
   * @param graceMs how long no client may be connected before that happens
   */
  constructor(
    private readonly cancelRunning: (reason: string) => Promise<unknown>,
    private readonly graceMs: number = DISCONNECT_GRACE_MS
  ) {}

  clientConnected(): void {
    this.clients++
    this.disarm()
  }

  clientDisconnected(): void {
    this.clients = Math.max(0, this.clients - 1)
    if (this.clients > 0) return
    this.disarm()
    this.timer = setTimeout(() => {
      this.timer = undefined
      // cancelRunning never rejects by contract; a failure here must not become an unhandled rejection.
      this.cancelRunning(abandonedReason(this.graceMs)).catch(() => undefined)
    }, this.graceMs)
    this.timer.unref()
  }

  /** Stops the timer for good (the host is shutting down; its owner disposes the jobs). */
  dispose(): void {
    this.disarm()
  }

  private disarm(): void {
    if (this.timer !== undefined) clearTimeout(this.timer)
    this.timer = undefined
  }
}
