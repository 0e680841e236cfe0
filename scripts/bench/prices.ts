/**
 * Every price the bench's cost model uses, in one place: AWS list prices for us-east-1 (N. Virginia),
 * on-demand, the first usage tier, without the free tier. Read on 2026-12-06 from each service's
 * pricing page (the `source` beside each); change them here, and only here, when AWS does.
 */
export const PRICES = {
  date: '2026-12-06',
  region: 'us-east-1',
  apiGateway: {
    /** HTTP API, the first 300 million a month; a request is metered per 512 KB, and Flux's are far smaller. */
    perMillionRequests: 1.0,
    source: 'https://aws.amazon.com/api-gateway/pricing/',
  },
  lambda: {
    perMillionRequests: 0.2,
    /** Per GB-second of billed duration, by architecture (the first tier: 6 billion GB-s x86, 7.5 billion Arm). */
    perGbSecond: { arm64: 0.0000133334, x86_64: 0.0000166667 },
    source: 'https://aws.amazon.com/lambda/pricing/',
  },
  dynamodb: {
    /** On-demand, Standard table class. */
    perMillionWriteUnits: 0.625,
    perMillionReadUnits: 0.125,
    source: 'https://aws.amazon.com/dynamodb/pricing/on-demand/',
  },
  sqs: {
    /** Standard queue; every 64 KB of a request is one request. */
    perMillionRequests: 0.4,
    source: 'https://aws.amazon.com/sqs/pricing/',
  },
  secretsManager: {
    per10kApiCalls: 0.05,
    perSecretMonth: 0.4,
    source: 'https://aws.amazon.com/secrets-manager/pricing/',
  },
  cloudWatchLogs: {
    /** Ingestion, Standard log class (Lambda's first tier); storage after that is not counted per event. */
    perGbIngested: 0.5,
    source: 'https://aws.amazon.com/cloudwatch/pricing/',
  },
} as const;

/**
 * What the bench cannot measure on loopback and therefore assumes: the time an in-region call takes
 * on AWS, and a forge's time over the internet. They turn call counts into billed milliseconds; the
 * same assumptions apply to the project and the floor.
 */
export const ASSUMED_LATENCY_MS = {
  dynamodb: 5,
  sqs: 15,
  secretsManager: 25,
  forgeRead: 150,
  forgeWrite: 250,
} as const;

/**
 * Lambda gives a function one vCPU at 1,769 MB and a share in proportion below it, so a millisecond
 * of CPU measured here takes 1769 / memory ms of wall time there (taking one core of this machine as
 * one Lambda vCPU).
 */
export const ONE_VCPU_MB = 1769;

export type Architecture = keyof (typeof PRICES)['lambda']['perGbSecond'];
