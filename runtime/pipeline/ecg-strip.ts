import type { WaveformChunk } from '../../ble-devices/drivers/driver.ts';
import type { AttachmentInput, AttachmentRecord } from '../../store/schema/attachment.ts';
import {
  ECG_STRIP_MEDIA_TYPE,
  EcgStripError,
  decodeEcgStrip,
  encodeEcgStrip,
  type EcgStrip,
} from './ecg-strip-format.ts';

/** The part of the store the recorder needs (RecordStore implements it). */
export interface EcgStripStore {
  putBlob(
    meta: AttachmentInput,
    source: Iterable<Uint8Array> | AsyncIterable<Uint8Array>,
  ): Promise<AttachmentRecord>;
  readBlob(id: string): AsyncIterable<Uint8Array>;
}

/** What to record: whose strip, from which device, how long. */
export interface EcgStripRequest {
  readonly deviceId: string;
  readonly durationS: number;
  readonly visitId: string | null;
  readonly patientId: string | null;
  /** Stops early (the strip recorded so far is stored, `endReason: 'stopped'`). */
  readonly signal?: AbortSignal;
  /** No samples for this long ends the strip (`stalled`); default 5000 ms. */
  readonly stallMs?: number;
}

/** A stored strip: the attachment record and the strip's facts (samples included). */
export interface StoredEcgStrip {
  readonly attachment: AttachmentRecord;
  readonly strip: EcgStrip;
}

interface Recording {
  readonly request: EcgStripRequest;
  /** Samples (received + missing) that make the requested duration; known from the first chunk's rate. */
  target: number;
  samples: Int32Array;
  count: number;
  missing: number;
  gaps: { atSample: number; missing: number }[];
  first: WaveformChunk | null;
  stall: NodeJS.Timeout | undefined;
  finish: (reason: EcgStrip['endReason']) => void;
}

/**
 * Records ECG strips from the waveform chunks drivers deliver (connect `accept` to the
 * pipeline) and stores each as one deflated, sealed blob attached to the visit, samples exactly
 * as received with start time, rate, device and clock correction (format: ecg-strip-format.ts).
 * Lost notifications become recorded gaps, never invented samples. A strip that stops early
 * (link lost, stop requested) is stored with what it has: nothing recorded is dropped.
 */
export class EcgStripRecorder {
  readonly #active = new Map<string, Recording>();

  constructor(private readonly store: EcgStripStore) {}

  /** Feeds one chunk (every device's; only devices being recorded are kept). */
  readonly accept = (chunk: WaveformChunk): void => {
    const r = this.#active.get(chunk.deviceId);
    if (!r) return;
    if (!r.first) {
      r.first = chunk;
      r.target = Math.max(1, Math.round(r.request.durationS * chunk.rateHz));
      r.samples = new Int32Array(r.target);
    }
    if (r.count > 0 && chunk.gapBefore > 0) {
      r.gaps.push({ atSample: r.count, missing: chunk.gapBefore });
      r.missing += chunk.gapBefore;
    }
    const room = r.target - r.count - r.missing;
    const take = Math.max(0, Math.min(room, chunk.samples.length));
    r.samples.set(chunk.samples.subarray(0, take), r.count);
    r.count += take;
    if (r.count + r.missing >= r.target) r.finish('complete');
    else this.#armStall(r);
  };

  /** Whether a strip is being recorded from `deviceId`. */
  recording(deviceId: string): boolean {
    return this.#active.has(deviceId);
  }

  #armStall(r: Recording): void {
    clearTimeout(r.stall);
    r.stall = setTimeout(() => r.finish('stalled'), r.request.stallMs ?? 5000);
  }

  /** Records one strip; resolves once it is committed to the store. */
  record(request: EcgStripRequest): Promise<StoredEcgStrip> {
    if (!(request.durationS > 0 && request.durationS <= 3600)) {
      return Promise.reject(new RangeError(`durationS ${request.durationS} is outside (0, 3600]`));
    }
    if (this.#active.has(request.deviceId)) {
      return Promise.reject(
        new EcgStripError('busy', `a strip is already being recorded from ${request.deviceId}`),
      );
    }
    return new Promise<EcgStrip>((resolve, reject) => {
      const onAbort = (): void => r.finish('stopped');
      const r: Recording = {
        request,
        target: Number.POSITIVE_INFINITY,
        samples: new Int32Array(0),
        count: 0,
        missing: 0,
        gaps: [],
        first: null,
        stall: undefined,
        finish: (reason) => {
          if (this.#active.get(request.deviceId) !== r) return;
          this.#active.delete(request.deviceId);
          clearTimeout(r.stall);
          request.signal?.removeEventListener('abort', onAbort);
          const f = r.first;
          if (!f || r.count === 0) {
            reject(new EcgStripError('no_signal', `no ECG samples from ${request.deviceId} (${reason})`));
            return;
          }
          resolve({
            startUnixNs: f.firstSampleUnixNs,
            rateHz: f.rateHz,
            unit: f.unit,
            samples: r.samples.slice(0, r.count),
            gaps: r.gaps,
            device: { id: f.deviceId, name: f.deviceName, profile: f.profile },
            clock: { state: f.deviceClock, offsetMs: f.clockOffsetMs },
            codec: f.codec,
            codecVersion: f.codecVersion,
            endReason: reason,
          });
        },
      };
      this.#active.set(request.deviceId, r);
      request.signal?.addEventListener('abort', onAbort, { once: true });
      if (request.signal?.aborted) onAbort();
      this.#armStall(r);
    }).then(async (strip) => {
      const attachment = await this.store.putBlob(
        {
          kind: 'ecg',
          mediaType: ECG_STRIP_MEDIA_TYPE,
          visitId: request.visitId,
          patientId: request.patientId,
          note: `ECG ${(strip.samples.length / strip.rateHz).toFixed(1)} s, ${strip.rateHz} Hz, ${strip.device.name}`,
        },
        [encodeEcgStrip(strip)],
      );
      return { attachment, strip };
    });
  }
}

/** Reads a stored strip back, sample for sample. */
export async function readEcgStrip(store: EcgStripStore, attachmentId: string): Promise<EcgStrip> {
  const parts: Uint8Array[] = [];
  let size = 0;
  for await (const p of store.readBlob(attachmentId)) {
    parts.push(p);
    size += p.byteLength;
  }
  const all = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    all.set(p, at);
    at += p.byteLength;
  }
  return decodeEcgStrip(all);
}
