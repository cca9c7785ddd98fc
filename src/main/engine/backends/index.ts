import type { BackendKind } from '../../../shared/spec'
import type { BackendFactory } from './backend'
import { ProcessesBackend } from './processes/processes'
import { ThreadsBackend } from './threads'

/** Every back end by the name a spec gives it. */
export const BACKENDS: Readonly<Record<BackendKind, BackendFactory>> = {
  threads: (options) => ThreadsBackend.create(options),
  processes: (options) => ProcessesBackend.create(options)
}

/** Why each back end cannot run here, or null when it can (what `engine.info` reports). */
export const BACKEND_UNAVAILABLE: Readonly<Record<BackendKind, () => string | null>> = {
  threads: () => null,
  processes: () => ProcessesBackend.unavailableReason()
}
