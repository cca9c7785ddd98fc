import { CHECK_EVERY, type Checkpoint } from './combinations'

type Positions = Uint8Array | Uint16Array | Uint32Array

/**
 * Where a positions kernel writes its tuples, with the rules kernels/combinations.ts follows inline:
 * the first `keep` tuples go to the task's place in the chunk's buffer, the rest are still written,
 * into a scratch buffer that wraps around, so a task costs the same whatever is kept (timings stay
 * honest); the checkpoint hears of every CHECK_EVERY tuples and may stop the task.
 *
 * One sink per thread, reopened for each task: an object per task would cost as much as a tiny task.
 */
export class TupleSink {
  /** Where the next tuple's `k` positions go: `target[at]` to `target[at + k - 1]`. */
  target: Positions = new Uint8Array(0)
  at = 0
  private k = 0
  private keep = 0
  /** Tuples stored so far, or -1 once the rest go to scratch. */
  private stored = 0
  private scratch: Positions = new Uint8Array(0)
  private scratchEnd = 0
  private produced = 0
  private sinceCheck = 0
  private checkpoint: Checkpoint = () => true

  open(
    keep: number,
    k: number,
    out: Positions,
    outIndex: number,
    scratch: Positions,
    checkpoint: Checkpoint
  ): void {
    this.target = out
    this.at = outIndex
    this.k = k
    this.keep = keep
    this.stored = 0
    this.scratch = scratch
    this.scratchEnd = Math.floor(scratch.length / Math.max(1, k)) * k
    this.produced = 0
    this.sinceCheck = 0
    this.checkpoint = checkpoint
  }

  /** Makes room for the next tuple at `target[at…]`. */
  place(): void {
    if (this.stored === this.keep) {
      this.target = this.scratch
      this.at = 0
      this.stored = -1
    } else if (this.stored < 0 && this.at + this.k > this.scratchEnd) {
      this.at = 0
    }
  }

  /** Counts the tuple just written at `target[at…]`; false when a checkpoint asked the task to stop. */
  written(): boolean {
    this.at += this.k
    if (this.stored >= 0) this.stored++
    this.produced++
    if (++this.sinceCheck === CHECK_EVERY) {
      this.sinceCheck = 0
      return this.checkpoint(CHECK_EVERY)
    }
    return true
  }

  /** Reports the last, partial block and returns the tuples produced. */
  close(): number {
    if (this.sinceCheck > 0) this.checkpoint(this.sinceCheck)
    return this.produced
  }
}
