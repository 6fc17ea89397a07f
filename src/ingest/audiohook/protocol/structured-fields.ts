/**
 * The part of HTTP Structured Field Values (RFC 8941) that HTTP Message Signatures use: a
 * dictionary whose members are items or inner lists, with parameters. Parsing is strict (a
 * malformed field is rejected whole) and bounded by the field's length.
 */

export type BareItem = string | number | boolean | Token | Uint8Array;
export class Token {
  constructor(readonly value: string) {}
}
export type Parameters = Array<[string, BareItem]>;
export interface Item {
  readonly value: BareItem;
  readonly params: Parameters;
}
export interface InnerList {
  readonly items: Item[];
  readonly params: Parameters;
}
export type Member = Item | InnerList;
export type Dictionary = Map<string, Member>;

export const isInnerList = (m: Member): m is InnerList => 'items' in m;

export class StructuredFieldError extends Error {}

class Parser {
  private i = 0;
  constructor(private readonly s: string) {}

  dictionary(): Dictionary {
    const out: Dictionary = new Map();
    this.ows();
    if (this.i >= this.s.length) return out;
    for (;;) {
      const key = this.key();
      let member: Member;
      if (this.s[this.i] === '=') {
        this.i++;
        member = this.s[this.i] === '(' ? this.innerList() : this.item();
      } else {
        member = { value: true, params: this.parameters() };
      }
      out.set(key, member);
      this.ows();
      if (this.i >= this.s.length) return out;
      this.expect(',');
      this.ows();
      if (this.i >= this.s.length) throw new StructuredFieldError('trailing comma');
    }
  }

  private innerList(): InnerList {
    this.expect('(');
    const items: Item[] = [];
    for (;;) {
      while (this.s[this.i] === ' ') this.i++;
      if (this.s[this.i] === ')') {
        this.i++;
        return { items, params: this.parameters() };
      }
      items.push(this.item());
      if (this.s[this.i] !== ' ' && this.s[this.i] !== ')') throw new StructuredFieldError('bad inner list');
    }
  }

  private item(): Item {
    return { value: this.bareItem(), params: this.parameters() };
  }

  private parameters(): Parameters {
    const params: Parameters = [];
    while (this.s[this.i] === ';') {
      this.i++;
      while (this.s[this.i] === ' ') this.i++;
      const key = this.key();
      let value: BareItem = true;
      if (this.s[this.i] === '=') {
        this.i++;
        value = this.bareItem();
      }
      const existing = params.findIndex(([k]) => k === key);
      if (existing >= 0) params.splice(existing, 1);
      params.push([key, value]);
    }
    return params;
  }

  private key(): string {
    const m = /^[a-z*][a-z0-9_\-.*]*/.exec(this.s.slice(this.i, this.i + 256));
    if (!m) throw new StructuredFieldError(`bad key at ${this.i}`);
    this.i += m[0].length;
    return m[0];
  }

  private bareItem(): BareItem {
    const c = this.s[this.i];
    if (c === '"') return this.string();
    if (c === ':') return this.bytes();
    if (c === '?') {
      const v = this.s[this.i + 1];
      if (v !== '0' && v !== '1') throw new StructuredFieldError('bad boolean');
      this.i += 2;
      return v === '1';
    }
    if (c === '-' || (c !== undefined && c >= '0' && c <= '9')) return this.number();
    if (c !== undefined && /[A-Za-z*]/.test(c)) {
      const m = /^[A-Za-z*][!#$%&'*+\-.^_`|~0-9A-Za-z:/]*/.exec(this.s.slice(this.i))!;
      this.i += m[0].length;
      return new Token(m[0]);
    }
    throw new StructuredFieldError(`unexpected character at ${this.i}`);
  }

  private string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) throw new StructuredFieldError('unterminated string');
      if (c === '\\') {
        const next = this.s[this.i++];
        if (next !== '"' && next !== '\\') throw new StructuredFieldError('bad escape');
        out += next;
      } else if (c === '"') {
        return out;
      } else if (c < ' ' || c > '~') {
        throw new StructuredFieldError('bad string character');
      } else {
        out += c;
      }
    }
  }

  private bytes(): Uint8Array {
    const end = this.s.indexOf(':', this.i + 1);
    if (end < 0) throw new StructuredFieldError('unterminated byte sequence');
    const b64 = this.s.slice(this.i + 1, end);
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) throw new StructuredFieldError('bad byte sequence');
    this.i = end + 1;
    return new Uint8Array(Buffer.from(b64, 'base64'));
  }

  private number(): number {
    const m = /^-?\d{1,15}(\.\d{1,3})?/.exec(this.s.slice(this.i, this.i + 20));
    if (!m) throw new StructuredFieldError('bad number');
    this.i += m[0].length;
    return Number(m[0]);
  }

  private ows() {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }

  private expect(c: string) {
    if (this.s[this.i] !== c) throw new StructuredFieldError(`expected "${c}" at ${this.i}`);
    this.i++;
  }
}

/** Parses a dictionary field; throws StructuredFieldError when it is malformed. */
export function parseDictionary(field: string): Dictionary {
  if (field.length > 8192) throw new StructuredFieldError('field too long');
  return new Parser(field).dictionary();
}

export function serializeBareItem(v: BareItem): string {
  if (typeof v === 'string') return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  if (typeof v === 'boolean') return v ? '?1' : '?0';
  if (typeof v === 'number') return String(v);
  if (v instanceof Token) return v.value;
  return `:${Buffer.from(v).toString('base64')}:`;
}

export function serializeParameters(params: Parameters): string {
  return params.map(([k, v]) => (v === true ? `;${k}` : `;${k}=${serializeBareItem(v)}`)).join('');
}

export function serializeItem(item: Item): string {
  return serializeBareItem(item.value) + serializeParameters(item.params);
}

export function serializeInnerList(list: InnerList): string {
  return `(${list.items.map(serializeItem).join(' ')})${serializeParameters(list.params)}`;
}
