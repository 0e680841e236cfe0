/**
 * Facts from notification-controller's own provider tests (fluxcd/notification-controller,
 * `internal/notifier/*_test.go`, v1.9.3), restated as this relay's expectations so that a migrating
 * user gets the addresses, keys and descriptions Flux gave them. Each table names its source file.
 */
import { describe, expect, it } from 'vitest';
import { parseFluxEvent } from '../../functions/core/flux-event.js';
import { parseRevision } from '../../functions/core/revision.js';
import { decideStatus } from '../../functions/core/status-rules.js';
import { reasonToWords, splitCamelcase } from '../../functions/core/text.js';
import { BITBUCKET_STATES } from '../../functions/forges/bitbucket/states.js';
import { AddressError } from '../../functions/forges/git-address.js';
import { type ForgeType, parseProviderAddress } from '../../functions/forges/registry.js';
import { statusKey } from '../../functions/forges/status-key.js';
import { eventOf, FIXTURES, testRoute } from '../harness/flux-fixtures.js';

// bitbucketserver_test.go: TestNewBitbucketServer*, TestBitbucketServer*Url: the builds endpoint is
// `<context>/rest/api/latest/projects/<project>/repos/<repo>/commits/<sha>/builds`, the context
// being whatever precedes the last `/scm/`.
describe('Bitbucket Server addresses, as Flux splits them', () => {
  it.each([
    ['https://example.com:7990/scm/projectfoo/repobar.git', 'https://example.com:7990/rest'],
    ['https://example.com:7990/context/scm/projectfoo/repobar.git', 'https://example.com:7990/context/rest'],
    [
      'https://example.com:7990/context1/scm/projectfoo/repobar.git',
      'https://example.com:7990/context1/rest',
    ],
    [
      'https://example.com:7990/context1/context2/context3/scm/projectfoo/repobar.git',
      'https://example.com:7990/context1/context2/context3/rest',
    ],
    ['https://example.com:7990/scm/scm/projectfoo/repobar.git', 'https://example.com:7990/scm/rest'],
    [
      'https://example.com:7990/scm/context2/scm/scm/projectfoo/repobar.git',
      'https://example.com:7990/scm/context2/scm/rest',
    ],
  ])('%s has its REST API at %s', (address, apiUrl) => {
    expect(parseProviderAddress('bitbucketserver', address)).toMatchObject({
      apiUrl,
      projectKey: 'projectfoo',
      repoSlug: 'repobar',
    });
  });

  it.each([
    // "supplied provider address is not http(s) git clone url"
    'https://example.com:7990/context1/context2/context3/projectfoo/repobar.git',
    // "invalid repository id \"projectfoo/repobar/invalid\""
    'https://example.com:7990/scm/projectfoo/repobar/invalid.git',
  ])('refuses %s', (address) => {
    expect(() => parseProviderAddress('bitbucketserver', address)).toThrow(AddressError);
  });
});

// github_test.go, gitlab_test.go, bitbucket_test.go, azure_devops_test.go, gitea_test.go:
// TestNew<Forge>Basic / CustomHost / SubGroup / InvalidUrl.
describe('addresses of the other forges, from Flux’s New<Forge> tests', () => {
  const accepted: [ForgeType, string, Record<string, unknown>][] = [
    ['github', 'https://github.com/foo/bar', { owner: 'foo', repo: 'bar', apiUrl: 'https://api.github.com' }],
    [
      'github',
      'https://foobar.com/foo/bar',
      { owner: 'foo', repo: 'bar', apiUrl: 'https://foobar.com/api/v3' },
    ],
    ['gitlab', 'https://gitlab.com/foo/bar', { projectId: 'foo/bar' }],
    ['gitlab', 'https://gitlab.com/foo/bar/baz', { projectId: 'foo/bar/baz' }],
    ['gitlab', 'https://example.com/foo/bar', { projectId: 'foo/bar', apiUrl: 'https://example.com/api/v4' }],
    ['bitbucket', 'https://bitbucket.org/foo/bar', { repository: 'foo/bar' }],
    ['azuredevops', 'https://dev.azure.com/foo/bar/_git/baz', { project: 'bar', repo: 'baz' }],
    ['gitea', 'http://127.0.0.1:3000/foo/bar', { owner: 'foo', repo: 'bar' }],
  ];
  it.each(accepted)('%s reads %s', (type, address, location) => {
    expect(parseProviderAddress(type, address)).toMatchObject(location);
  });

  const refused: [ForgeType, string][] = [
    ['github', 'https://github.com/foo/bar/baz'],
    ['bitbucket', 'https://bitbucket.org/foo/bar/baz'],
    ['azuredevops', 'https://dev.azure.com/foo/bar/baz'],
  ];
  it.each(refused)('%s refuses %s', (type, address) => {
    expect(() => parseProviderAddress(type, address)).toThrow(AddressError);
  });
});

// util_test.go: TestUtil_ParseRevision.
describe('revisions, from TestUtil_ParseRevision', () => {
  const hash = 'a1afe267b54f38b46b487f6e938a6fd508278c07';
  it.each([
    `sha1:${hash}`,
    `master@sha1:${hash}`,
    `environment/dev@sha1:${hash}`,
    `master/${hash}`,
    `environment/dev/${hash}`,
  ])('%s names the commit %s', (revision) => {
    const parsed = parseRevision(revision);
    expect(parsed.ok && parsed.commit.sha).toBe(hash);
  });

  it('refuses a revision that names a branch only', () => {
    expect(parseRevision('master').ok).toBe(false);
  });
});

// util_test.go: TestUtil_Sha1String, the Bitbucket status key.
describe('Bitbucket status keys, from TestUtil_Sha1String', () => {
  it('is the hex SHA-1 of the name', () => {
    expect(statusKey('kustomization/namespace-foo-and-service-bar')).toBe(
      '12ea142172e98435e16336acbbed8919610922c3',
    );
  });
});

// util.go: splitCamelcase, and util_test.go: TestUtil_NameAndDescription ("ApplySucceeded").
describe('descriptions, as Flux’s splitCamelcase words them', () => {
  it.each([
    ['ApplySucceeded', 'apply succeeded'],
    ['HealthCheckFailed', 'health check failed'],
    ['OCIArtifactPullFailed', 'oci artifact pull failed'],
    // A run of digits or of punctuation is a word of its own.
    ['aA1-', 'a a 1 -'],
    ['Retry3Times', 'retry 3 times'],
    ['Build-Failed', 'build - failed'],
    // An upper-case run hands its last letter to the lower-case run after it.
    ['PDFLoader', 'pdf loader'],
    // Spaces are a class of their own, kept as Flux keeps them.
    ['Health Check', 'health   check'],
    ['', ''],
  ])('%s → "%s"', (reason, words) => {
    expect(reasonToWords(reason)).toBe(words);
  });

  it('splits by Unicode category, not by ASCII', () => {
    expect(splitCamelcase('ÉtatÉchoué٣')).toEqual(['État', 'Échoué', '٣']);
  });

  it('leaves text that is not well-formed Unicode whole, as Flux leaves invalid UTF-8', () => {
    expect(splitCamelcase('Bad\uD800Reason')).toEqual(['Bad\uD800Reason']);
  });
});

// bitbucketserver_test.go: TestBitbucketServer_Post ("Post State=Successful", "Post State=Failed",
// "state can be only SUCCESSFUL or FAILED") and TestPostBitbucketServerBadBitbucketState: an info
// event is SUCCESSFUL, an error event FAILED, and a trace event carries no status.
describe('states, from the Bitbucket Server Post tests', () => {
  it.each([
    ['info', 'success', 'SUCCESSFUL'],
    ['error', 'failure', 'FAILED'],
  ])('a %s event is %s, %s on Bitbucket', (severity, state, bitbucket) => {
    const event = eventOf(FIXTURES.reconciled);
    event.severity = severity;
    const decision = decideStatus(parseFluxEvent(JSON.stringify(event)), testRoute('http://127.0.0.1:1'));

    expect(decision).toMatchObject({ kind: 'write', status: { state } });
    expect(BITBUCKET_STATES[state as 'success' | 'failure']).toBe(bitbucket);
  });

  it('writes nothing for a trace event', () => {
    const event = eventOf(FIXTURES.reconciled);
    event.severity = 'trace';
    const decision = decideStatus(parseFluxEvent(JSON.stringify(event)), testRoute('http://127.0.0.1:1'));

    expect(decision.kind).toBe('skip');
  });
});
