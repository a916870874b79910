/**
 * What one provisioned Kinesis shard takes in each second: 1,000 records or 1 MiB of data and
 * partition keys, whichever comes first. Past either, puts on it are throttled.
 */
export const KINESIS_SHARD_WRITE_LIMITS = { recordsPerSecond: 1_000, bytesPerSecond: 1024 ** 2 } as const;

/**
 * Shards the decision stream needs for an expected peak of decisions per minute, each put as one
 * record of `recordBytes` (a scored event and its partition key): enough for the peak's records
 * per second and for its bytes per second (docs/decisions/057-stream-shards-from-the-peak.md).
 */
export function streamShardsFor(peakPerMinute: number, recordBytes: number): number {
  if (!(peakPerMinute > 0) || !Number.isFinite(peakPerMinute))
    throw new RangeError(`the peak must be a positive number of decisions a minute, not ${peakPerMinute}`);
  if (!(recordBytes > 0) || !Number.isFinite(recordBytes)) throw new RangeError(`a record has a positive size in bytes, not ${recordBytes}`);
  const perSecond = peakPerMinute / 60;
  const { recordsPerSecond, bytesPerSecond } = KINESIS_SHARD_WRITE_LIMITS;
  return Math.max(1, Math.ceil(perSecond / recordsPerSecond), Math.ceil((perSecond * recordBytes) / bytesPerSecond));
}
