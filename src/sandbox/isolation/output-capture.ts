/** How much of the output an outcome keeps: the first and the last 32 KiB. */
export const OUTPUT_HEAD_BYTES = 32 * 1024;
export const OUTPUT_TAIL_BYTES = 32 * 1024;

const decoder = new TextDecoder('utf-8');

function isContinuationByte(byte: number): boolean {
  return (byte & 0xc0) === 0x80;
}

/** Length of `bytes` without a UTF-8 sequence cut off at its end. */
function completeLength(bytes: Buffer): number {
  for (let back = 1; back <= Math.min(4, bytes.length); back++) {
    const byte = bytes[bytes.length - back]!;
    if (isContinuationByte(byte)) continue;
    const needed = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : byte >= 0xc0 ? 2 : 1;
    return needed > back ? bytes.length - back : bytes.length;
  }
  return bytes.length;
}

/** Offset of the first byte that starts a character (skips continuation bytes of a cut sequence). */
function firstCharacterStart(bytes: Buffer): number {
  let start = 0;
  while (start < Math.min(3, bytes.length) && isContinuationByte(bytes[start]!)) start++;
  return start;
}

/**
 * Counts the combined output of a command and keeps a bounded head and tail of it. Bytes beyond
 * `maxBytes` are counted but not kept; `exceeded` tells the caller to stop the command.
 */
export class OutputCapture {
  private readonly head: Buffer;
  private headLength = 0;
  private tailChunks: Buffer[] = [];
  private tailLength = 0;
  private kept = 0;
  total = 0;

  constructor(
    private readonly maxBytes: number,
    private readonly headBytes = OUTPUT_HEAD_BYTES,
    private readonly tailBytes = OUTPUT_TAIL_BYTES,
  ) {
    this.head = Buffer.alloc(headBytes);
  }

  get exceeded(): boolean {
    return this.total > this.maxBytes;
  }

  /** Records a chunk; returns the part of it within the output limit (possibly empty). */
  push(chunk: Buffer): Buffer {
    const room = Math.max(0, this.maxBytes - this.kept);
    this.total += chunk.length;
    const accepted = chunk.length > room ? chunk.subarray(0, room) : chunk;
    this.kept += accepted.length;
    let rest = accepted;
    if (this.headLength < this.headBytes && rest.length > 0) {
      const take = Math.min(this.headBytes - this.headLength, rest.length);
      rest.copy(this.head, this.headLength, 0, take);
      this.headLength += take;
      rest = rest.subarray(take);
    }
    if (rest.length > 0) {
      this.tailChunks.push(Buffer.from(rest));
      this.tailLength += rest.length;
      while (this.tailChunks.length > 1 && this.tailLength - this.tailChunks[0]!.length >= this.tailBytes) {
        this.tailLength -= this.tailChunks.shift()!.length;
      }
    }
    return accepted;
  }

  /** The kept output as text, cut only at character boundaries. */
  result(): { head: string; tail: string; bytes: number; truncated: boolean } {
    const headRaw = this.head.subarray(0, this.headLength);
    const headEnd = completeLength(headRaw);
    let tailRaw = Buffer.concat(this.tailChunks, this.tailLength);
    if (tailRaw.length > this.tailBytes) tailRaw = tailRaw.subarray(tailRaw.length - this.tailBytes);
    const gap = this.kept > this.headLength + tailRaw.length;
    let tail: Buffer;
    if (gap) {
      tail = tailRaw.subarray(firstCharacterStart(tailRaw));
    } else {
      // No gap: the bytes of a character cut at the end of the head continue the tail.
      tail = Buffer.concat([headRaw.subarray(headEnd), tailRaw]);
    }
    return {
      head: decoder.decode(headRaw.subarray(0, headEnd)),
      tail: decoder.decode(tail),
      bytes: this.total,
      truncated: gap || this.exceeded,
    };
  }
}
