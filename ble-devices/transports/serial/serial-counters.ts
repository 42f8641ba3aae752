import type { ContecParserStats } from '../../codecs/contec/stream-parser.ts';

/**
 * Per-port counters, kept by the transport across connections so noise, partial frames and
 * pulled cables are counted, not only survived. Read through the stats characteristic or
 * `SerialTransport.ports()`.
 */
export interface SerialCounters {
  bytesIn: number;
  frames: number;
  /** Frames that started but failed their sync check (partial packets, corruption). */
  badFrames: number;
  droppedBytes: number;
  noiseBytes: number;
  brokenFrameBytes: number;
  /** Partial frames discarded when the port closed. */
  flushedBytes: number;
  bytesOut: number;
  commandsSent: number;
  keepAlivesSent: number;
  /** v7: the stream went quiet while connected and `start live` was sent again. */
  streamRestarts: number;
  /** The port vanished under an open connection (a pulled cable). */
  linkLosses: number;
  connects: number;
  probes: number;
}

/** Fresh zeroed counters. */
export function newCounters(): SerialCounters {
  return {
    bytesIn: 0,
    frames: 0,
    badFrames: 0,
    droppedBytes: 0,
    noiseBytes: 0,
    brokenFrameBytes: 0,
    flushedBytes: 0,
    bytesOut: 0,
    commandsSent: 0,
    keepAlivesSent: 0,
    streamRestarts: 0,
    linkLosses: 0,
    connects: 0,
    probes: 0,
  };
}

/** Adds what a parser counted since `before` to `counters`. */
export function addParserDelta(
  counters: SerialCounters,
  before: ContecParserStats,
  after: ContecParserStats,
): void {
  counters.bytesIn += after.bytesIn - before.bytesIn;
  counters.frames += after.frames - before.frames;
  counters.badFrames += after.badFrames - before.badFrames;
  counters.droppedBytes += after.droppedBytes - before.droppedBytes;
  counters.noiseBytes += after.droppedByReason.noise - before.droppedByReason.noise;
  counters.brokenFrameBytes += after.droppedByReason.broken_frame - before.droppedByReason.broken_frame;
  counters.flushedBytes += after.droppedByReason.flushed - before.droppedByReason.flushed;
}
