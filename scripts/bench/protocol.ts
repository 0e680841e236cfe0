import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { StreamEventKind } from '../../test/harness/flux-stream.js';

/** What the bench hands a warm driver: events to warm up with, then the measured stream. */
export interface WarmEvents {
  warmUp: APIGatewayProxyEventV2[];
  stream: { kind: StreamEventKind; event: APIGatewayProxyEventV2 }[];
}

export interface BareResult {
  mode: 'bare';
  /** CPU that node itself spent starting, before any code of ours. */
  bootCpuMs: number;
  maxRssMb: number;
}

export interface ColdResult {
  mode: 'cold';
  importMs: number;
  importCpuMs: number;
  /** The first request: secrets, forge client and the GitHub read and write. */
  requestMs: number;
  requestCpuMs: number;
  statusCode: number;
  outcome: string;
  maxRssMb: number;
}

/** One pass over the stream; the arrays hold one entry per event, in order. */
export interface StreamRun {
  wallMs: number;
  cpuMs: number;
  latencyMs: number[];
  cpuUs: number[];
  outcomes: string[];
}

export interface WarmResult {
  mode: 'warm';
  stream: StreamRun;
  /** The stream sent again, several times, once every status is known: no forge call at all. */
  replay: StreamRun[];
  maxRssMb: number;
}

export type DriverResult = BareResult | ColdResult | WarmResult;

/** Where a warm driver stops for the parent to read the fakes' counters. */
export type Checkpoint = 'warmed-up' | 'streamed';
