/**
 * Structurally valid video containers with noise payloads: MP4 (ftyp + moov + mdat) and WebM (EBML
 * header + Segment with Info, Tracks and one Cluster). Sniffers and probes read their headers the
 * way they read real files; nothing here is meant to be played.
 */

// ---- MP4 (ISO BMFF) ----

function box(type: string, ...parts: Buffer[]): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + parts.reduce((n, p) => n + p.length, 0), 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, ...parts]);
}

function uint32s(...values: number[]): Buffer {
  const out = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => out.writeUInt32BE(v >>> 0, i * 4));
  return out;
}

const UNITY_MATRIX = uint32s(0x00010000, 0, 0, 0, 0x00010000, 0, 0, 0, 0x40000000);
const TIMESCALE = 1000;

function movieHeader(durationMs: number): Buffer {
  return box(
    'mvhd',
    uint32s(0, 0, 0, TIMESCALE, durationMs, 0x00010000), // version+flags, created, modified, timescale, duration, rate 1.0
    Buffer.from([0x01, 0x00]), // volume 1.0
    Buffer.alloc(10),
    UNITY_MATRIX,
    Buffer.alloc(24),
    uint32s(2), // next track id
  );
}

function trackHeader(width: number, height: number, durationMs: number): Buffer {
  return box(
    'tkhd',
    uint32s(0x00000003, 0, 0, 1, 0, durationMs, 0, 0), // enabled+in movie, created, modified, track 1, reserved, duration, reserved×2
    Buffer.alloc(8), // layer, alternate group, volume, reserved
    UNITY_MATRIX,
    uint32s(width * 0x10000, height * 0x10000), // 16.16 fixed point
  );
}

/**
 * Everything of an MP4 before its media payload: ftyp (brand isom), moov (mvhd, trak/tkhd with the
 * given dimensions) and the mdat box header announcing `payloadBytes` (64-bit size when needed).
 */
export function mp4Header(width: number, height: number, payloadBytes: number, durationMs = 10_000): Buffer {
  const ftyp = box('ftyp', Buffer.from('isom', 'latin1'), uint32s(0x200), Buffer.from('isomiso2avc1mp41', 'latin1'));
  const moov = box('moov', movieHeader(durationMs), box('trak', trackHeader(width, height, durationMs)));
  // Conservative threshold: callers sizing a file to an exact total can tell which header they get.
  const small = payloadBytes + 16 <= 0xffffffff;
  const mdat = Buffer.alloc(small ? 8 : 16);
  mdat.write('mdat', 4, 'latin1');
  if (small) mdat.writeUInt32BE(payloadBytes + 8, 0);
  else {
    mdat.writeUInt32BE(1, 0);
    mdat.writeBigUInt64BE(BigInt(payloadBytes + 16), 8);
  }
  return Buffer.concat([ftyp, moov, mdat]);
}

// ---- WebM (Matroska / EBML) ----

/** EBML variable-length size: the shortest encoding with a length marker bit. */
function vint(value: number): Buffer {
  let length = 1;
  while (length < 8 && value >= 2 ** (7 * length) - 1) length++;
  const out = Buffer.alloc(length);
  let rest = value;
  for (let i = length - 1; i >= 0; i--) {
    out[i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
  out[0] = (out[0] ?? 0) | (0x80 >> (length - 1));
  return out;
}

function element(id: number, ...data: Buffer[]): Buffer {
  const hex = id.toString(16);
  const idBytes = Buffer.from(hex.length % 2 === 0 ? hex : `0${hex}`, 'hex');
  const body = Buffer.concat(data);
  return Buffer.concat([idBytes, vint(body.length), body]);
}

function uint(value: number): Buffer {
  const out = Buffer.alloc(4);
  out.writeUInt32BE(value >>> 0, 0);
  let start = 0;
  while (start < 3 && out[start] === 0) start++;
  return out.subarray(start);
}

function float64(value: number): Buffer {
  const out = Buffer.alloc(8);
  out.writeDoubleBE(value, 0);
  return out;
}

const ascii = (text: string): Buffer => Buffer.from(text, 'latin1');

const EBML_HEADER = element(
  0x1a45dfa3,
  element(0x4286, uint(1)), // EBMLVersion
  element(0x42f7, uint(1)), // EBMLReadVersion
  element(0x42f2, uint(4)), // EBMLMaxIDLength
  element(0x42f3, uint(8)), // EBMLMaxSizeLength
  element(0x4282, ascii('webm')), // DocType
  element(0x4287, uint(4)), // DocTypeVersion
  element(0x4285, uint(2)), // DocTypeReadVersion
);

/**
 * A WebM file of about `totalBytes`: EBML header (DocType webm), then a Segment with Info, one VP9
 * video track of the given dimensions and one Cluster whose single SimpleBlock carries `payload`.
 */
export function webmFile(width: number, height: number, payload: Buffer, trackUid: number, durationMs = 10_000): Buffer {
  const info = element(
    0x1549a966,
    element(0x2ad7b1, uint(1_000_000)), // TimecodeScale: 1 ms
    element(0x4d80, ascii('trawl-sim')), // MuxingApp
    element(0x5741, ascii('trawl-sim')), // WritingApp
    element(0x4489, float64(durationMs)), // Duration
  );
  const video = element(0xe0, element(0xb0, uint(width)), element(0xba, uint(height)));
  const track = element(0xae, element(0xd7, uint(1)), element(0x73c5, uint(trackUid || 1)), element(0x83, uint(1)), element(0x86, ascii('V_VP9')), video);
  // SimpleBlock: track number 1 (as a vint), relative timecode 0, flags = keyframe.
  const block = element(0xa3, Buffer.from([0x81, 0x00, 0x00, 0x80]), payload);
  const cluster = element(0x1f43b675, element(0xe7, uint(0)), block);
  return Buffer.concat([EBML_HEADER, element(0x18538067, info, element(0x1654ae6b, track), cluster)]);
}
