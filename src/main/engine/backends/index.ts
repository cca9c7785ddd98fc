import type { BackendKind } from '../../../shared/spec'
import type { BackendFactory } from './backend'
import { ProcessesBackend } from './processes/processes'
import { ThreadsBackend } from './threads'

/** Every back end by the name a spec gives it. */
export const BACKENDS: Readonly<Record<BackendKind, BackendFactory>> = {
  threads: (options) => ThreadsBackend.create(options),
  processes: (options) => ProcessesBackend.create(options)
}
