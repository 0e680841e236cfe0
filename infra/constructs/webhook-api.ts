import { Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  type CfnStage,
  DomainName,
  HttpApi,
  HttpMethod,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Certificate } from 'aws-cdk-lib/aws-certificatemanager';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { Deployment } from '../../functions/config/deployment-schema.js';
import type { Route } from '../../functions/config/route-schema.js';

/** The path of one route, and its route key, by which the stage's route settings name it. */
export function webhookPathOf(routeId: string): string {
  return `/hooks/${routeId}`;
}

export function routeKeyOf(routeId: string): string {
  return `POST ${webhookPathOf(routeId)}`;
}

/** The details pages' one route (functions/webhook/details-page.ts), and its key. */
export const DETAILS_ROUTE_PATH = '/details/{token}';
export const DETAILS_ROUTE_KEY = `GET ${DETAILS_ROUTE_PATH}`;

/**
 * One JSON object per request, in HTTP API's own context variables. Every value is quoted, since API
 * Gateway writes "-" for a missing one, so each line stays valid JSON for Logs Insights.
 */
export const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  method: '$context.httpMethod',
  path: '$context.path',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationStatus: '$context.integrationStatus',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
  error: '$context.error.message',
} as const;

export interface WebhookApiProps {
  /** The API's name, e.g. the stack's, so that several environments in one account tell apart. */
  name: string;
  handler: IFunction;
  /** The default throttle, for a route without its own. */
  throttle: Deployment['throttle'];
  /** One API route for each: any other path is answered 404 by API Gateway, never by the function. */
  routes: ReadonlyArray<Pick<Route, 'id' | 'throttle'>>;
  domain: Deployment['domain'];
  logRetention: RetentionDays;
  /** The details pages' throttle and function, when the environment has them: `GET /details/{token}` is then routed. */
  detailsPage?: { throttle: Deployment['throttle']; handler: IFunction } | undefined;
}

/**
 * The HTTP API Flux posts to: `POST /hooks/<id>` for each configured route, each with its own throttle,
 * access-logged, optionally on a domain.
 */
export class WebhookApi extends Construct {
  readonly api: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;
  readonly domainName: DomainName | undefined;
  /** The origin Flux should use: the custom domain when there is one, else the execute-api endpoint. */
  readonly baseUrl: string;

  constructor(scope: Construct, id: string, props: WebhookApiProps) {
    super(scope, id);
    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: props.logRetention });
    // The default stage is declared below, since only an explicit stage takes throttling and access logs.
    this.api = new HttpApi(this, 'HttpApi', {
      apiName: props.name,
      description: 'Flux notification webhooks to git commit statuses',
      createDefaultStage: false,
      // With a domain, the domain is the one way in: a CDN or a WAF in front of it cannot be bypassed.
      disableExecuteApiEndpoint: props.domain !== undefined,
    });
    this.domainName =
      props.domain === undefined
        ? undefined
        : new DomainName(this, 'DomainName', {
            domainName: props.domain.name,
            certificate: Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn),
          });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      autoDeploy: true,
      throttle: props.throttle,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      ...(this.domainName === undefined ? {} : { domainMapping: { domainName: this.domainName } }),
    });
    const integration = new HttpLambdaIntegration('Relay', props.handler);
    const routeSettings: Record<string, { ThrottlingRateLimit: number; ThrottlingBurstLimit: number }> = {};
    const cfnStage = this.stage.node.defaultChild as CfnStage;
    for (const { id, throttle = props.throttle } of props.routes) {
      const [route] = this.api.addRoutes({
        path: webhookPathOf(id),
        methods: [HttpMethod.POST],
        integration,
      });
      if (route === undefined) continue;
      routeSettings[routeKeyOf(id)] = {
        ThrottlingRateLimit: throttle.rateLimit,
        ThrottlingBurstLimit: throttle.burstLimit,
      };
      // Route settings name routes by key, and CloudFormation refuses a key that does not exist yet.
      this.stage.node.addDependency(route);
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'Flux authenticates with an HMAC signature over the raw body (generic-hmac) or a bearer header ' +
          '(generic); neither is IAM, Cognito or JWT, and an authorizer cannot see the body. The function ' +
          'verifies both against Secrets Manager before it parses anything.',
      });
    }
    if (props.detailsPage !== undefined) {
      const [route] = this.api.addRoutes({
        path: DETAILS_ROUTE_PATH,
        methods: [HttpMethod.GET],
        integration: new HttpLambdaIntegration('Details', props.detailsPage.handler),
      });
      if (route !== undefined) {
        routeSettings[DETAILS_ROUTE_KEY] = {
          ThrottlingRateLimit: props.detailsPage.throttle.rateLimit,
          ThrottlingBurstLimit: props.detailsPage.throttle.burstLimit,
        };
        this.stage.node.addDependency(route);
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason:
            'A details page is opened from the forge by whoever can read the commit status; the link itself ' +
            'is the credential (an HMAC of the status identity under a key in Secrets Manager), checked by the ' +
            'function. Its own throttle bounds what guessing costs.',
        });
      }
    }
    // HttpStage takes only a stage-wide throttle; per-route throttling is the stage's RouteSettings.
    cfnStage.routeSettings = routeSettings;
    this.baseUrl =
      props.domain === undefined ? this.api.apiEndpoint : `https://${props.domain.name.toLowerCase()}`;
  }

  /** The address to paste into a Flux Provider for one route. */
  urlOf(routeId: string): string {
    return `${this.baseUrl}${webhookPathOf(routeId)}`;
  }
}
