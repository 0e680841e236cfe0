import type { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { METRICS_NAMESPACE, SERVICE_NAME } from '../../functions/config/function-environment.js';
import type { DeliveryRecord } from '../../functions/delivery/delivery-record.js';
import {
  createDeliveryObserver,
  RESEND_SAMPLE_EVERY,
  RESEND_SUMMARY_MS,
} from '../../functions/webhook/observe-delivery.js';

type Level = 'debug' | 'info' | 'warn' | 'error';

function recordingLogger() {
  const lines: { level: Level; message: string; fields: Record<string, unknown> }[] = [];
  const at = (level: Level) => (message: string, fields: Record<string, unknown>) =>
    lines.push({ level, message, fields });
  const logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
  return { logger: logger as unknown as Logger, lines };
}

/** The EMF lines Powertools writes in dev mode: metric name, value and dimensions. */
function emfLines() {
  vi.stubEnv('POWERTOOLS_DEV', 'true');
  vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
  const lines: string[] = [];
  vi.spyOn(console, 'log').mockImplementation((line: string) => lines.push(line));
  return () =>
    lines.map((line) => {
      const emf = JSON.parse(line);
      const name = emf._aws.CloudWatchMetrics[0].Metrics[0].Name as string;
      return { name, value: emf[name], outcome: emf.outcome, forge: emf.forge };
    });
}

/** The observer over a recording logger and real Metrics, with the EMF lines it writes. */
function setup(now: () => number = () => 0) {
  const emitted = emfLines();
  const { logger, lines } = recordingLogger();
  const metrics = new Metrics({ namespace: METRICS_NAMESPACE, serviceName: SERVICE_NAME });
  return { observe: createDeliveryObserver(logger, metrics, now), lines, emitted };
}

const record = (outcome: DeliveryRecord['outcome']): DeliveryRecord => ({
  outcome,
  statusCode: 200,
  durationMs: 3,
  forge: 'github',
  route: 'prod-eu-1',
});

describe('the delivery log and metrics', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('logs a re-send at debug, one in RESEND_SAMPLE_EVERY at info marked sampled, and counts it in no metric of its own', () => {
    const { observe, lines, emitted } = setup();

    for (let i = 0; i < 2 * RESEND_SAMPLE_EVERY; i++) observe(record('duplicate'));

    expect(lines.filter((line) => line.level === 'info')).toHaveLength(2);
    expect(lines.filter((line) => line.level === 'debug')).toHaveLength(2 * RESEND_SAMPLE_EVERY - 2);
    expect(lines[0]).toMatchObject({
      level: 'info',
      message: 'delivery duplicate',
      fields: { sampled: RESEND_SAMPLE_EVERY },
    });
    expect(emitted()).toEqual([]);
  });

  it('keeps every change and failure at info, warn or error, each with its metric', () => {
    const { observe, lines, emitted } = setup();

    for (const outcome of ['written', 'superseded', 'queued', 'rejected', 'failed'] as const)
      observe(record(outcome));

    expect(lines.map((line) => [line.level, line.message])).toEqual([
      ['info', 'delivery written'],
      ['info', 'delivery superseded'],
      ['info', 'delivery queued'],
      ['warn', 'delivery rejected'],
      ['error', 'delivery failed'],
    ]);
    expect(emitted().map((line) => [line.name, line.outcome])).toEqual([
      ['Deliveries', 'written'],
      ['Deliveries', 'superseded'],
      ['Deliveries', 'queued'],
      ['Deliveries', 'rejected'],
      ['Deliveries', 'failed'],
      ['FailedDeliveries', undefined],
    ]);
  });

  it("sums a minute's re-sends into one line and one metric per forge, with the first delivery after the minute", () => {
    let now = 1_000_000;
    const { observe, lines, emitted } = setup(() => now);

    for (let i = 0; i < 7; i++) observe(record('duplicate'));
    observe({ ...record('duplicate'), forge: 'gitlab' });
    now += RESEND_SUMMARY_MS - 1;
    observe(record('written'));
    expect(lines.filter((line) => line.message === 'deliveries unchanged')).toEqual([]);
    now += 1;
    observe(record('duplicate'));

    const summaries = lines.filter((line) => line.message === 'deliveries unchanged');
    expect(summaries).toMatchObject([
      { level: 'info', fields: { count: 8, byForge: { github: 7, gitlab: 1 } } },
    ]);
    expect(emitted()).toEqual([
      { name: 'Deliveries', value: 1, outcome: 'written', forge: 'github' },
      { name: 'Deliveries', value: 7, outcome: 'duplicate', forge: 'github' },
      { name: 'Deliveries', value: 1, outcome: 'duplicate', forge: 'gitlab' },
    ]);
  });
});
