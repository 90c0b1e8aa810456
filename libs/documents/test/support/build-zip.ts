import { constants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Writes zip archives for tests, including hostile ones: entries of many
 * zeros that cost nothing to build, sizes in the headers that lie, and the
 * "encrypted" flag.
 */
export interface ZipEntrySpec {
  name: string;
  /** Stored deflated. */
  content?: string | Uint8Array;
  /** Instead of content: this many zero bytes, deflated chunk by chunk. */
  zeroBytes?: number;
  /** Uncompressed size written into the headers instead of the true one. */
  declaredSize?: number;
  /** Sets general-purpose bit 0, "entry is encrypted". */
  encrypted?: boolean;
}

interface PackedEntry {
  name: Buffer;
  data: Buffer;
  crc: number;
  size: number;
  flags: number;
}

const CHUNK = Buffer.alloc(1024 * 1024);
const UTF8_NAMES_FLAG = 0x0800;

export function buildZip(entries: readonly ZipEntrySpec[]): Uint8Array {
  const packed = entries.map(packEntry);
  const localParts: Buffer[] = [];
  const centralParts: Buffer[] = [];
  let offset = 0;
  for (const entry of packed) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(entry.flags, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(entry.crc, 14);
    local.writeUInt32LE(entry.data.length, 18);
    local.writeUInt32LE(entry.size, 22);
    local.writeUInt16LE(entry.name.length, 26);
    localParts.push(local, entry.name, entry.data);

    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(entry.flags, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt32LE(entry.crc, 16);
    central.writeUInt32LE(entry.data.length, 20);
    central.writeUInt32LE(entry.size, 24);
    central.writeUInt16LE(entry.name.length, 28);
    central.writeUInt32LE(offset, 42);
    centralParts.push(central, entry.name);
    offset += local.length + entry.name.length + entry.data.length;
  }
  const centralDirectory = Buffer.concat(centralParts);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(packed.length, 8);
  end.writeUInt16LE(packed.length, 10);
  end.writeUInt32LE(centralDirectory.length, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...localParts, centralDirectory, end]));
}

function packEntry(spec: ZipEntrySpec): PackedEntry {
  const name = Buffer.from(spec.name, 'utf8');
  const flags = UTF8_NAMES_FLAG | (spec.encrypted ? 1 : 0);
  if (spec.zeroBytes !== undefined) {
    const { data, crc } = deflateZeros(spec.zeroBytes);
    return { name, data, crc, size: spec.declaredSize ?? spec.zeroBytes, flags };
  }
  const content = Buffer.from(spec.content ?? '');
  return {
    name,
    data: deflateRawSync(content),
    crc: crc32(content),
    size: spec.declaredSize ?? content.length,
    flags,
  };
}

/**
 * Deflates `total` zero bytes without ever holding or compressing them all:
 * a full flush ends a deflate block on a byte boundary with no history, so
 * one compressed mebibyte can be repeated, then closed by an empty final block.
 */
function deflateZeros(total: number): { data: Buffer; crc: number } {
  const flushed = (size: number) =>
    deflateRawSync(Buffer.alloc(size), { level: 9, finishFlush: constants.Z_FULL_FLUSH });
  const fullChunk = flushed(CHUNK.length);
  const parts: Buffer[] = [];
  let crc = 0;
  for (let written = 0; written < total; written += CHUNK.length) {
    const size = Math.min(CHUNK.length, total - written);
    parts.push(size === CHUNK.length ? fullChunk : flushed(size));
    crc = crc32(CHUNK.subarray(0, size), crc);
  }
  parts.push(deflateRawSync(Buffer.alloc(0)));
  return { data: Buffer.concat(parts), crc };
}
