import type { PositionsPlan } from '../../../shared/workloads/entry'
import { busyWait } from './busyWait'
import { combinations, type Checkpoint } from './combinations'
import { countPrimes } from './countPrimes'
import { permutations } from './permutations'
import { powerset } from './powerset'
import { product } from './product'
import { fibonacci } from './fibonacci'
import { mandelbrotRows } from './mandelbrotRows'
import { monteCarloPi } from './monteCarloPi'
import { sleep } from './sleep'
import { stream } from './stream'
import type { ValuesKernel } from './valuesKernel'

/** A kernel that writes tuples of positions: see kernels/combinations.ts for the contract. */
export interface PositionsKernel {
  readonly layout: 'positions'
  run(
    plan: PositionsPlan,
    keep: number,
    out: Uint8Array | Uint16Array | Uint32Array,
    outIndex: number,
    scratch: Uint8Array | Uint16Array | Uint32Array,
    checkpoint: Checkpoint
  ): number
}

export type Kernel = PositionsKernel | ValuesKernel
/** Kernels by the name a workload's plans give them. */
export type KernelTable = Readonly<Record<string, Kernel>>

/** Every kernel the worker runs. A new workload adds its kernel here, under its plans' name. */
export const standardKernels: KernelTable = {
  combinations: { layout: 'positions', run: combinations },
  permutations: { layout: 'positions', run: permutations },
  product: { layout: 'positions', run: product },
  powerset: { layout: 'positions', run: powerset },
  busy_wait: busyWait,
  sleep,
  count_primes: countPrimes,
  monte_carlo_pi: monteCarloPi,
  mandelbrot_rows: mandelbrotRows,
  fibonacci,
  stream
}
