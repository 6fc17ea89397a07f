/** The WebAssembly build of @evan/opus (libopus); see README "Dependency notes" for why this build. */
declare module '@evan/opus/wasm/index.mjs' {
  export class Encoder {
    constructor(options: { channels: 1 | 2; sample_rate: 8000 | 12000 | 16000 | 24000 | 48000; application?: 'voip' | 'audio' | 'restricted_lowdelay' });
    /** Interleaved PCM16 of exactly one Opus frame; returns one packet. */
    encode(pcm: ArrayBufferView): Uint8Array;
    /** Reads a setting when `value` is omitted. */
    ctl(request: number, value?: number): number;
    drop(): void;
  }
  export class Decoder {
    constructor(options: { channels: 1 | 2; sample_rate: 8000 | 12000 | 16000 | 24000 | 48000 });
    /** One packet; returns interleaved PCM16 bytes. */
    decode(packet: ArrayBufferView): Uint8Array;
    drop(): void;
  }
}
