import type { BackendKind } from '../../../shared/spec'
import type { BackendFactory } from './backend'
import { ThreadsBackend } from './threads'

/** Every back end by the name a spec gives it. */
export const BACKENDS: Readonly<Record<BackendKind, BackendFactory>> = {
  threads: (options) => ThreadsBackend.create(options),
  processes: () => Promise.reject(new Error('the processes back end is not available yet'))
}
