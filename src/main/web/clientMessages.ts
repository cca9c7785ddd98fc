import type { RawData } from 'ws'
import { ErrorCodes, toErrorInfo } from '../../shared/errors'
import type { CommandOutcome } from '../../shared/protocol'
import { WireError } from '../../shared/wire/errors'
import { encodeServerFrame } from '../../shared/wire/frames'
import { encodeWire } from '../../shared/wire/json'
import { decodeRequest, salvageRequestId, type WireId } from '../../shared/wire/messages'
import type { CommandHost } from './server'

/**
 * One client message in, one reply frame out: requests are decoded with the shared wire rules, run
 * on the host, and answered under their id. Whatever arrives, the answer is a typed `{ code, message }`
 * error or the command's outcome; nothing here throws.
 */

/** Encodes a reply; a reply that could not fit a client's send buffer becomes an error under the same id. */
export function encodeReply(
  id: WireId | null,
  outcome: CommandOutcome,
  maxBytes: number
): string | Uint8Array {
  let data: string | Uint8Array
  try {
    data = encodeServerFrame({ id, outcome })
  } catch (err) {
    return encodeWire({ id, outcome: { ok: false, error: toErrorInfo(err) } })
  }
  const size = typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength
  if (size <= maxBytes) return data
  const mib = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`
  return encodeWire({
    id,
    outcome: {
      ok: false,
      error: {
        code: ErrorCodes.INVALID_COMMAND,
        message: `the reply would be ${mib(size)}, more than the ${mib(maxBytes)} a client may have waiting; ask for a smaller page`
      }
    }
  })
}

/** Runs one message from a client and returns the frame to answer with. */
export async function answerMessage(
  host: CommandHost,
  data: RawData,
  isBinary: boolean,
  maxReplyBytes: number
): Promise<string | Uint8Array> {
  const text = isBinary ? null : data.toString()
  let request
  try {
    request = decodeRequest(text)
  } catch (err) {
    const message = err instanceof WireError ? err.message : 'the message could not be read'
    const id = text === null ? null : salvageRequestId(text)
    return encodeReply(
      id,
      { ok: false, error: { code: ErrorCodes.INVALID_COMMAND, message: `Bad message: ${message}` } },
      maxReplyBytes
    )
  }
  let outcome: CommandOutcome
  try {
    outcome = await host.call(request.name, request.params)
  } catch (err) {
    outcome = { ok: false, error: toErrorInfo(err) }
  }
  return encodeReply(request.id, outcome, maxReplyBytes)
}
