/**
 * Just enough of protobuf and the ONNX schema to write a small model by hand: the KV tests
 * need a decoder whose weights we know, and no weights can be downloaded. Field numbers are
 * onnx.proto3's.
 */

/** A protobuf message under construction: append fields, then `bytes()`. */
class Message {
  private readonly parts: number[] = [];

  private varint(value: bigint | number): void {
    let v = BigInt.asUintN(64, BigInt(value));
    while (v >= 0x80n) {
      this.parts.push(Number(v & 0x7fn) | 0x80);
      v >>= 7n;
    }
    this.parts.push(Number(v));
  }

  int(field: number, value: bigint | number): this {
    this.varint(field << 3);
    this.varint(value);
    return this;
  }

  bytes(field: number, value: Uint8Array): this {
    this.varint((field << 3) | 2);
    this.varint(value.length);
    for (const b of value) this.parts.push(b);
    return this;
  }

  string(field: number, value: string): this {
    return this.bytes(field, new TextEncoder().encode(value));
  }

  message(field: number, value: Message): this {
    return this.bytes(field, value.done());
  }

  float(field: number, value: number): this {
    this.varint((field << 3) | 5);
    for (const b of new Uint8Array(Float32Array.of(value).buffer)) this.parts.push(b);
    return this;
  }

  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** ONNX element types used here. */
export const DType = { float: 1, int32: 6, int64: 7, bool: 9 } as const;

/** An attribute value: number (int), `{ f }` (float), number[] (ints), or a string. */
export type Attribute = number | { f: number } | number[] | string;

/** One graph node. */
export interface OnnxNode {
  op: string;
  inputs: string[];
  outputs: string[];
  attributes?: Record<string, Attribute>;
  domain?: string;
}

/** A constant tensor. */
export interface Initializer {
  name: string;
  dims: number[];
  type: number;
  data: Float32Array | BigInt64Array | Int32Array;
}

/** A graph input or output: a name, a type and dims (numbers or symbolic names). */
export interface ValueInfo {
  name: string;
  type: number;
  dims: (number | string)[];
}

function attribute(name: string, value: Attribute): Message {
  const m = new Message().string(1, name);
  if (typeof value === 'number') return m.int(3, value).int(20, 2);
  if (typeof value === 'string') return m.string(4, value).int(20, 3);
  if (Array.isArray(value)) {
    for (const v of value) m.int(8, v);
    return m.int(20, 7);
  }
  return m.float(2, value.f).int(20, 1);
}

function valueInfo(v: ValueInfo): Message {
  const shape = new Message();
  for (const d of v.dims) {
    shape.message(1, typeof d === 'number' ? new Message().int(1, d) : new Message().string(2, d));
  }
  const tensor = new Message().int(1, v.type).message(2, shape);
  return new Message().string(1, v.name).message(2, new Message().message(1, tensor));
}

/** Serializes a model: opset 17 plus com.microsoft 1, IR version 8. */
export function writeModel(graph: {
  nodes: OnnxNode[];
  initializers: Initializer[];
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}): Uint8Array {
  const g = new Message();
  graph.nodes.forEach((n, i) => {
    const node = new Message();
    for (const input of n.inputs) node.string(1, input);
    for (const output of n.outputs) node.string(2, output);
    node.string(3, `${n.op}_${i}`).string(4, n.op);
    for (const [name, value] of Object.entries(n.attributes ?? {})) {
      node.message(5, attribute(name, value));
    }
    if (n.domain) node.string(7, n.domain);
    g.message(1, node);
  });
  g.string(2, 'tiny-decoder');
  for (const t of graph.initializers) {
    const tensor = new Message();
    for (const d of t.dims) tensor.int(1, d);
    tensor.int(2, t.type).string(8, t.name);
    tensor.bytes(9, new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength));
    g.message(5, tensor);
  }
  for (const v of graph.inputs) g.message(11, valueInfo(v));
  for (const v of graph.outputs) g.message(12, valueInfo(v));
  return new Message()
    .int(1, 8)
    .string(2, 'memkeeper')
    .message(7, g)
    .message(8, new Message().string(1, '').int(2, 17))
    .message(8, new Message().string(1, 'com.microsoft').int(2, 1))
    .done();
}
