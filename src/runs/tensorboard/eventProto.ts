/**
 * The few TensorFlow messages an event file needs (tensorflow/core/util/event.proto, framework/summary.proto),
 * given to protobufjs's reflection as TensorFlow declares them (no generated code), so that TensorBoard
 * decodes what `encodeEvent` writes. Fields never written here (images, audio, tensors, graphs, ...) are
 * left out.
 */
import * as protobuf from 'protobufjs';

/** A weight histogram as TensorBoard's `histo` value holds it: bucket `i` counts values up to `bucketLimit[i]`. */
export interface Histogram {
  min: number;
  max: number;
  num: number;
  sum: number;
  sumSquares: number;
  bucketLimit: number[];
  bucket: number[];
}

/** TensorFlow's definitions, as in its .proto files (field names and numbers), for only what is written. */
const PROTO = `
syntax = "proto3";
package tensorflow;

message HistogramProto {
  double min = 1;
  double max = 2;
  double num = 3;
  double sum = 4;
  double sum_squares = 5;
  repeated double bucket_limit = 6 [packed = true];
  repeated double bucket = 7 [packed = true];
}

message Summary {
  message Value {
    string tag = 1;
    oneof value {
      float simple_value = 2;
      HistogramProto histo = 5;
    }
  }
  repeated Value value = 1;
}

message Event {
  double wall_time = 1;
  int64 step = 2;
  oneof what {
    string file_version = 3;
    Summary summary = 5;
  }
}
`;

const root = protobuf.parse(PROTO).root;
const Event = root.lookupType('tensorflow.Event');

/** What an event says: the file's version (its first event), or summary values at a step. */
export type EventWhat =
  | { fileVersion: string }
  | { summary: { value: ({ tag: string; simpleValue: number } | { tag: string; histo: Histogram })[] } };

/** The bytes of one `Event`; `wallTime` in seconds since the Unix epoch. */
export function encodeEvent(wallTime: number, step: number, what: EventWhat): Uint8Array {
  return Event.encode(Event.fromObject({ wallTime, step, ...what })).finish();
}
