/** One partition of a service run as `count` processes: it owns the keys whose partition is `index`. */
export interface Partition {
  index: number;
  count: number;
}

export const MAX_PARTITIONS = 64;

/**
 * The partition of a subject token among `count`: FNV-1a (32 bit) of its bytes, modulo `count`,
 * which is what nats-server's `partition(count, token)` mapping computes, so tools can place a
 * key without the broker.
 */
export function partitionOf(token: string, count: number): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < token.length; i++) {
    const c = token.charCodeAt(i);
    if (c > 0x7f) return fnv1aBytes(token) % count; // not ASCII: hash its UTF-8 bytes
    hash = Math.imul(hash ^ c, 0x01000193) >>> 0;
  }
  return hash % count;
}

function fnv1aBytes(token: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(token, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193) >>> 0;
  return hash;
}

/** `i/N` (0 <= i < N <= 64), as `--partition` and JETSAGA_PARTITION take it; throws saying why not. */
export function parsePartition(text: string): Partition {
  const match = /^(\d{1,2})\/(\d{1,2})$/.exec(text.trim());
  const index = match ? Number(match[1]) : NaN;
  const count = match ? Number(match[2]) : NaN;
  if (!match || count < 1 || count > MAX_PARTITIONS || index >= count) {
    throw new Error(`"${text}" is not a partition: i/N with N between 1 and ${MAX_PARTITIONS} and 0 <= i < N (e.g. 0/2)`);
  }
  return { index, count };
}

/**
 * The broker's subject mappings for `count` partitions: an event gains the partitions of its
 * saga id and of its key, a command that of its key (docs/partitions.md).
 */
export function partitionMappings(count: number): Record<string, string> {
  const w = (i: number) => `{{wildcard(${i})}}`;
  return {
    'evt.*.*.*.*': `evt.${w(1)}.${w(2)}.${w(3)}.${w(4)}.{{partition(${count},3)}}.{{partition(${count},4)}}`,
    'cmd.*.*.*': `cmd.${w(1)}.${w(2)}.${w(3)}.{{partition(${count},3)}}`,
  };
}

/** What a partition of `service` runs as (`order-p1`): its db, durables, queries and status. */
export function partitionName(service: string, index: number): string {
  return `${service}-p${index}`;
}

/** The names a service runs as among `count` partitions: itself for one, `<service>-p<i>` for more. */
export function partitionNames(service: string, count: number): string[] {
  return count === 1 ? [service] : Array.from({ length: count }, (_, i) => partitionName(service, i));
}

/** `i/N`, as JETSAGA_PARTITION and the micro metadata write a partition. */
export function formatPartition(p: Partition): string {
  return `${p.index}/${p.count}`;
}

/** parsePartition, or undefined for text that is not one. */
export function tryParsePartition(text: string): Partition | undefined {
  try {
    return parsePartition(text);
  } catch {
    return undefined;
  }
}

/** The service a partition's name belongs to (`order-p1`: order, 1), or undefined for any other name. */
export function parsePartitionName(name: string): { service: string; index: number } | undefined {
  const match = /^(.+)-p(\d{1,2})$/.exec(name);
  return match ? { service: match[1]!, index: Number(match[2]) } : undefined;
}
