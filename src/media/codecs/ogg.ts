/**
 * Ogg pages (RFC 3533): framing for the Opus packets of an OGG_OPUS recording. Pages are built
 * whole, so a stored body is always a sequence of complete pages, and parsed back for playback
 * in another format and for crash recovery.
 */

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let i = 0; i < 256; i++) {
    let r = i << 24;
    for (let j = 0; j < 8; j++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
    table[i] = r >>> 0;
  }
  return table;
})();

function crc32(bytes: Uint8Array): number {
  let crc = 0;
  for (let i = 0; i < bytes.length; i++) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ bytes[i]!) & 0xff]!) >>> 0;
  return crc;
}

export const PAGE_BOS = 0x02;
export const PAGE_EOS = 0x04;
const MAX_SEGMENTS = 255;

export interface OggPage {
  readonly flags: number;
  readonly granule: bigint;
  readonly serial: number;
  readonly sequence: number;
  readonly packets: readonly Uint8Array[];
}

function lacing(length: number): number[] {
  const values = new Array<number>(Math.floor(length / 255)).fill(255);
  values.push(length % 255);
  return values;
}

/** How many lacing values a packet takes on a page. */
export function segmentsOf(packet: Uint8Array): number {
  return Math.floor(packet.length / 255) + 1;
}

export function encodePage(page: OggPage): Buffer {
  const table = page.packets.flatMap((p) => lacing(p.length));
  if (table.length > MAX_SEGMENTS) throw new RangeError('too many segments for one Ogg page');
  const dataLength = page.packets.reduce((n, p) => n + p.length, 0);
  const out = Buffer.alloc(27 + table.length + dataLength);
  out.write('OggS', 0, 'ascii');
  out.writeUInt8(0, 4);
  out.writeUInt8(page.flags, 5);
  out.writeBigInt64LE(page.granule, 6);
  out.writeUInt32LE(page.serial, 14);
  out.writeUInt32LE(page.sequence, 18);
  out.writeUInt8(table.length, 26);
  out.set(table, 27);
  let at = 27 + table.length;
  for (const packet of page.packets) {
    out.set(packet, at);
    at += packet.length;
  }
  out.writeUInt32LE(crc32(out), 22);
  return out;
}

export interface ParsedPage {
  readonly flags: number;
  readonly granule: bigint;
  /** Packets completed on this page; a packet continued onto the next page is not split by this parser. */
  readonly packets: Buffer[];
  /** Byte length of the page. */
  readonly length: number;
}

/** Parses the page at `at`; undefined when the bytes there are not one complete page with a valid CRC. */
export function parsePage(bytes: Buffer, at: number): ParsedPage | undefined {
  if (at + 27 > bytes.length || bytes.toString('ascii', at, at + 4) !== 'OggS') return undefined;
  const segments = bytes.readUInt8(at + 26);
  if (at + 27 + segments > bytes.length) return undefined;
  const table = bytes.subarray(at + 27, at + 27 + segments);
  const dataLength = table.reduce((n, v) => n + v, 0);
  const length = 27 + segments + dataLength;
  if (at + length > bytes.length) return undefined;
  const page = Buffer.from(bytes.subarray(at, at + length));
  const stored = page.readUInt32LE(22);
  page.writeUInt32LE(0, 22);
  if (crc32(page) !== stored) return undefined;
  const packets: Buffer[] = [];
  let offset = 27 + segments;
  let start = offset;
  for (const value of table) {
    offset += value;
    if (value < 255) {
      packets.push(page.subarray(start, offset));
      start = offset;
    }
  }
  return { flags: page.readUInt8(5), granule: page.readBigInt64LE(6), packets, length };
}

/**
 * The last whole, valid page of `bytes` and where it starts. `bytes` may start in the middle of a
 * page: the scan goes backwards from the end, and the page CRC tells a real page start from the
 * bytes "OggS" inside a packet.
 */
export function lastPage(bytes: Buffer): { at: number; page: ParsedPage } | undefined {
  for (let at = bytes.lastIndexOf('OggS'); at >= 0; at = at === 0 ? -1 : bytes.lastIndexOf('OggS', at - 1)) {
    const page = parsePage(bytes, at);
    if (page) return { at, page };
  }
  return undefined;
}
